"""Malformed input never crashes a batch nor holds it: file-type detection on any bytes, and
PDFs and images truncated, bit-flipped, overwritten, spliced and given hostile numbers (made
from small files of every kind, the samples generator's files and the peers corpus), opened
and read through the real reader path (flows.isolation, a worker process per document). Each
ends read or rejected with a reason, within the per-file limit. `bench/faults.py` runs the
same at scale (1,000+ files and the whole peers corpus)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import make_settings
from faultlib.badinputs import STUCK, open_only, read_all, stuck_reader
from faultlib.mutants import MUTATIONS, Seed, mutants, peer_seeds, sample_seeds, small_seeds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.filetype import detect_kind
from flows.isolation import IsolatedReader
from schemas.pages import InputRejected
from schemas.settings import Limits, OcrOptions
from schemas.status import FileKind

# Short page limit: the per-file limit (6 pages' worth) comes in seconds, not minutes.
LIMITS = Limits(ocr_page_timeout_s=10)
FUZZ = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SIGNATURES = [b"%PDF-1.4\n", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*",
              b"GIF89a", b"PK\x03\x04", b"RIFF\x00\x00\x00\x00WEBP", b"startxref", b""]


@pytest.fixture(scope="module")
def seeds(peers: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Seed]:
    return small_seeds() + sample_seeds(tmp_path_factory.mktemp("seeds")) + peer_seeds(peers)


@pytest.fixture(scope="module")
def reader() -> Iterator[IsolatedReader]:
    reader = IsolatedReader(2)
    yield reader
    reader.close()


@FUZZ
@given(st.one_of(st.binary(max_size=2048),
                 st.tuples(st.sampled_from(SIGNATURES), st.binary(max_size=2048))
                 .map(lambda parts: parts[0] + parts[1])))
def test_file_type_of_any_bytes(data: bytes) -> None:
    try:
        assert isinstance(detect_kind(data), FileKind)
    except InputRejected as rejection:
        assert len(rejection.message) >= 20, rejection.message


def test_opening_malformed_files(seeds: list[Seed], reader: IsolatedReader) -> None:
    """Hypothesis mutates real files; the parsers open and decode each one in a worker."""
    seen: list[str] = []

    @FUZZ
    @given(seed=st.sampled_from(seeds), mutation=st.sampled_from(MUTATIONS), rnd=st.randoms())
    def opens_or_rejects(seed: Seed, mutation: tuple[str, Callable], rnd: random.Random) -> None:
        data = mutation[1](seed.data, rnd, seeds)
        seen.append(f"{mutation[0]}-{seed.name}")
        try:
            reader.read(data, LIMITS, OcrOptions(), len(seen), open_only)  # type: ignore[arg-type]
        except InputRejected as rejection:
            assert len(rejection.message) >= 20, rejection.message
            assert STUCK not in rejection.message, f"{seen[-1]} hung the parser"

    opens_or_rejects()
    assert len(seen) >= 200


def test_reading_malformed_files(seeds: list[Seed]) -> None:
    """The whole reading (text layer, OCR, searchable PDF) of malformed small files."""
    small = [s for s in seeds if not s.name.startswith(("peers-", "samples-"))]
    files = [(m.name, m.data) for m in mutants(small, 30)]
    tally = read_all(files, LIMITS, OcrOptions())
    assert len(tally.results) == 30
    assert not tally.crashes, tally.crashes
    assert not tally.hangs, tally.hangs
    assert not [r for r in tally.results if r.outcome != "read" and len(r.detail) < 20]
    assert {"read", "rejected:corrupt"} <= set(tally.outcomes), tally.outcomes


def test_a_stuck_reader_is_stopped_at_the_limit(seeds: list[Seed], reader: IsolatedReader,
                                                ) -> None:
    limits = Limits(ocr_page_timeout_s=0.5)  # a per-file limit of 3 s
    with pytest.raises(InputRejected) as stuck:
        reader.read(b"%PDF-1.4 loops", limits, OcrOptions(), 1, stuck_reader)  # type: ignore[arg-type]
    assert STUCK in stuck.value.message and "3 s" in stuck.value.message
    # The worker was killed, and the reader goes on with fresh ones.
    good = next(s for s in seeds if s.name == "text.pdf").data
    assert reader.read(good, limits, OcrOptions(), 2, open_only) == "pdf"  # type: ignore[arg-type]


def test_a_batch_of_malformed_files(seeds: list[Seed], tmp_path: Path, prefect_harness: None,
                                    ) -> None:
    """Malformed files in one batch: the run ends, each document read or rejected."""
    from flows.intake import intake
    from flows.process import process
    from flows.runtime import runtime, use_settings
    from storage.db import session_scope, upgrade
    from storage.queries import documents

    use_settings(make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}"))
    upgrade(runtime().engine)
    folder = tmp_path / "in"
    folder.mkdir()
    small = [s for s in seeds if not s.name.startswith(("peers-", "samples-"))]
    for m in mutants(small, 20, start=5000):
        (folder / m.name).write_bytes(m.data)
    taken = intake(sorted(str(p) for p in folder.iterdir()), "FUZZ", "Fuzz")
    outcome = process()
    assert "failed" not in outcome
    with session_scope(runtime().engine) as session:
        docs = documents(session)
    assert len(docs) == len(taken.new) >= 15  # a few mutants may hold the same bytes
    for doc in docs:
        assert doc.status in ("text_ready", "rejected"), (doc.source_name, doc.status, doc.error)
        if doc.status == "rejected":
            assert len(doc.reject_reason or "") >= 20, (doc.source_name, doc.reject_reason)
