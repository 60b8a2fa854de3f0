"""Intake and process flows end to end, on SQLite and PostgreSQL, local folder and S3."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import make_settings

from flows import process as process_module
from flows.intake import intake
from flows.process import process, process_document
from flows.runtime import runtime, use_settings
from schemas.models import Document
from schemas.settings import Settings
from storage.db import session_scope, upgrade
from storage.objects import ObjectStoreError
from storage.queries import documents, pages_of

FILES = ("tesseract__phototest.tif", "qpdf__bad1.pdf", "qpdf__inherited-rotate.pdf")


def _files(peers: Path) -> list[str]:
    return [str(peers / name) for name in FILES]


def _docs() -> dict[str, Document]:
    with session_scope(runtime().engine) as session:
        return {d.source_name: d for d in documents(session)}


def test_intake_keeps_each_original_once(settings: Settings, peers: Path,
                                         prefect_harness: None) -> None:
    first = intake(_files(peers), "HU-DUCTRONG", "Huyện ủy Đức Trọng")
    again = intake(_files(peers) + [str(peers / "nowhere.pdf")], "HU-DUCTRONG")
    assert len(first.new) == 3 and not first.duplicates
    assert not again.new and len(again.duplicates) == 3  # same bytes: recorded, not stored
    assert again.unreadable and "nowhere.pdf" in again.unreadable[0]["name"]
    originals = list(runtime().store.keys("originals/"))
    assert len(originals) == 3
    for name in FILES:
        digest = hashlib.sha256((peers / name).read_bytes()).hexdigest()
        assert f"originals/{digest}" in originals
    assert {d.status.value for d in _docs().values()} == {"received"}


def test_process_reads_pages_and_rejects_bad_input(settings: Settings, peers: Path,
                                                   prefect_harness: None) -> None:
    intake(_files(peers), "HU-DUCTRONG")
    assert process() == {"text_ready": 2, "rejected": 1}
    docs = _docs()
    bad = docs["qpdf__bad1.pdf"]
    assert bad.status.value == "rejected" and bad.reject_code == "not-a-document"
    assert runtime().store.exists(bad.object_key)  # the rejected original is kept

    scan = docs["tesseract__phototest.tif"]
    assert scan.status.value == "text_ready" and scan.kind.value == "tiff"
    store = runtime().store
    pdf_bytes = store.get_bytes(scan.pdf_key, scan.pdf_sha256)
    pdf = pdfium.PdfDocument(pdf_bytes)
    searchable = pdf[0].get_textpage().get_text_range()
    assert "quick brown dog" in searchable  # the invisible OCR layer is there
    with session_scope(runtime().engine) as session:
        (page,) = pages_of(session, scan.id)
    assert page.source.value == "ocr" and page.mean_conf > 70
    words = json.loads(store.get_bytes(page.words_key, page.words_sha256))
    assert words["unit"] == "px" and len(words["words"]) == page.word_count > 50
    first = words["words"][0]
    assert set(first) == {"text", "box", "conf", "line"} and first["conf"] is not None
    assert process() == {}  # nothing pending: rejected input is never retried


def test_transient_store_errors_are_retried_then_left_failed(
        settings: Settings, peers: Path, prefect_harness: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    intake([str(peers / "qpdf__inherited-rotate.pdf")], "HU-DUCTRONG")
    store = runtime().store
    calls = []

    def unreachable(key: str, expect_sha256: str | None = None) -> bytes:
        calls.append(key)
        raise ObjectStoreError("S3 server at 127.0.0.1:9 did not answer")

    monkeypatch.setattr(store, "get_bytes", unreachable)
    monkeypatch.setattr(process_module.process_document, "retry_delay_seconds", 0)
    assert process() == {"failed": 1}
    assert len(calls) == 3  # the first try and two retries
    (doc,) = _docs().values()
    assert doc.status.value == "failed" and "did not answer" in doc.error

    monkeypatch.undo()
    assert process() == {"text_ready": 1}  # the next run picks it up
    (doc,) = _docs().values()
    assert doc.status.value == "text_ready" and doc.error is None and doc.attempts == 4


def test_task_body_runs_without_prefect(settings: Settings, peers: Path,
                                        prefect_harness: None) -> None:
    result = intake([str(peers / "qpdf__inherited-rotate.pdf")], "HU-DUCTRONG")
    (doc_id,) = result.new
    assert process_document.fn(doc_id) == "text_ready"
    assert process_document.fn(doc_id) == "skipped"  # done documents are left alone
    with session_scope(runtime().engine) as session:
        pages = pages_of(session, doc_id)
    assert [(p.number, p.rotation, p.source.value) for p in pages] == [(1, 90, "text_layer")]


@pytest.mark.s3
def test_flows_on_s3_and_postgresql(s3_server, peers: Path, tmp_path: Path,
                                    prefect_harness: None) -> None:
    from conftest import _pg_database

    database = _pg_database()
    url = next(database)
    try:
        settings = make_settings(
            tmp_path, url, object_store="s3", s3_endpoint=s3_server.endpoint,
            s3_access_key=s3_server.access_key, s3_secret_key=s3_server.secret_key,
            s3_bucket=s3_server.new_bucket(), allow_unencrypted=True)
        use_settings(settings)
        upgrade(runtime().engine)
        intake(_files(peers), "HU-DUCTRONG")
        assert process() == {"text_ready": 2, "rejected": 1}
        keys = set(runtime().store.keys())
        for doc in _docs().values():
            assert doc.object_key in keys
            if doc.pdf_key:
                assert doc.pdf_key in keys and doc.text_key in keys
        assert runtime().store.location().startswith("s3://")
    finally:
        next(database, None)
