"""A reader that crashes takes down one document, not the run, and not its neighbours."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flows.isolation import IsolatedReader, read_in_worker
from schemas.pages import InputRejected
from schemas.settings import Limits, OcrOptions
from schemas.status import RejectReason

HOSTILE = b"%PDF-1.4 crash me"


def crashing_reader(data: bytes, limits: Limits, options: OcrOptions, document_id: int):
    """Stands in for a native decoder that segfaults on one hostile file."""
    if data == HOSTILE:
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(1.0)  # still in flight in the same pool when its neighbour crashes
    return read_in_worker(data, limits, options, document_id)


def test_a_crash_costs_only_the_hostile_document(peers: Path) -> None:
    reader = IsolatedReader(workers=2)
    good = (peers / "qpdf__inherited-rotate.pdf").read_bytes()
    try:
        with ThreadPoolExecutor(2) as threads:
            hostile = threads.submit(reader.read, HOSTILE, Limits(), OcrOptions(), 1,
                                     crashing_reader)
            neighbour = threads.submit(reader.read, good, Limits(), OcrOptions(), 2,
                                       crashing_reader)
            with pytest.raises(InputRejected) as refused:
                hostile.result()
            assert refused.value.reason is RejectReason.corrupt
            assert "crashed the reader" in refused.value.message
            assert neighbour.result().pages[0].text == "Potato"
        # The reader carries on with a fresh pool.
        assert reader.read(good, Limits(), OcrOptions(), 3).pages[0].rotation == 90
    finally:
        reader.close()


def test_rejections_cross_the_process_boundary(peers: Path) -> None:
    reader = IsolatedReader(workers=1)
    try:
        with pytest.raises(InputRejected) as refused:
            reader.read((peers / "pdfminer__aes-128.pdf").read_bytes(), Limits(), OcrOptions(), 1)
        assert refused.value.reason is RejectReason.encrypted
        assert "password" in refused.value.message
    finally:
        reader.close()
