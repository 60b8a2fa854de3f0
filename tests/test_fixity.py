"""Fixity on the local store and on a real S3 server (encrypted there): a clean store passes; a
deleted object is missing, changed bytes are changed, an unreferenced object is an orphan; the
`hoso verify` exit codes; the audit event; the nightly sample and its artifact."""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import pytest
from prefect import flow  # noqa: F401  (imported before any CliRunner swaps stderr)
from sqlmodel import select
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_common import EXIT_SOME_REJECTED
from flows.runtime import runtime, use_settings
from schemas.models import AuditEvent, Document, Page
from schemas.settings import Settings
from schemas.status import AuditAction, TextSource
from storage.audit import HEAD_KEY
from storage.db import session_scope, upgrade
from storage.fixity import check_fixity
from storage.objects import ObjectStore, derived_key

runner = CliRunner()


def _env(kind: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         ) -> Settings:
    """Settings from the environment, as the command line reads them: SQLite, and a local
    folder or an S3 bucket whose objects are encrypted at rest."""
    monkeypatch.setenv("HOSO_DATABASE_URL", f"sqlite:///{tmp_path / 'hoso.db'}")
    monkeypatch.setenv("HOSO_DATA_DIR", str(tmp_path / "data"))
    if kind == "s3":
        server = request.getfixturevalue("s3_server")
        for name, value in (("OBJECT_STORE", "s3"), ("S3_ENDPOINT", server.endpoint),
                            ("S3_ACCESS_KEY", server.access_key), ("S3_SECRET_KEY", server.secret_key),
                            ("S3_BUCKET", server.new_bucket()),
                            ("ENCRYPTION_KEY", "k1:" + base64.b64encode(os.urandom(32)).decode())):
            monkeypatch.setenv(f"HOSO_{name}", value)
    settings = Settings()
    upgrade(use_settings(settings).engine)
    return settings


@pytest.fixture(params=["local", "s3"])
def env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return _env(request.param, request, tmp_path, monkeypatch)


def _stock(store: ObjectStore, documents: int = 3) -> dict[int, list[str]]:
    """Documents as the pipeline leaves them: original, searchable PDF, text, two pages of
    words and text. Returns document id -> its keys."""
    keys: dict[int, list[str]] = {}
    with session_scope(runtime().engine) as session:
        for n in range(documents):
            original, _ = store.put_original(f"%PDF-1.4 hồ sơ số {n}".encode())
            doc = Document(sha256=original.sha256, size=original.size, source_name=f"{n}.pdf",
                           object_key=original.key, status="extracted")
            session.add(doc)
            session.flush()
            pdf = store.put_bytes(derived_key(doc.id, "searchable.pdf"), f"%PDF searchable {n}".encode())  # type: ignore[arg-type]
            text = store.put_bytes(derived_key(doc.id, "text.txt"), f"văn bản {n}".encode())  # type: ignore[arg-type]
            doc.pdf_key, doc.pdf_sha256 = pdf.key, pdf.sha256
            doc.text_key, doc.text_sha256 = text.key, text.sha256
            keys[doc.id] = [original.key, pdf.key, text.key]  # type: ignore[index]
            for number in (1, 2):
                words = store.put_bytes(derived_key(doc.id, f"pages/{number:04d}.words.json"),  # type: ignore[arg-type]
                                        json.dumps({"page": number, "words": []}).encode())
                page_text = store.put_bytes(derived_key(doc.id, f"pages/{number:04d}.txt"),  # type: ignore[arg-type]
                                            f"trang {number}".encode())
                session.add(Page(document_id=doc.id, number=number, source=TextSource.text_layer,  # type: ignore[arg-type]
                                 words_key=words.key, words_sha256=words.sha256,
                                 text_key=page_text.key, text_sha256=page_text.sha256))
                keys[doc.id] += [words.key, page_text.key]  # type: ignore[index]
    return keys


def _delete(settings: Settings, store: ObjectStore, key: str) -> None:
    if settings.object_store == "s3":
        store.client.remove_object(store.bucket, key)  # type: ignore[attr-defined]
    else:
        (settings.objects_path / key).unlink()


def _tamper(settings: Settings, store: ObjectStore, key: str) -> None:
    """Change the bytes at rest behind the store's back: on S3 one byte of the encrypted object."""
    if settings.object_store == "s3":
        client, bucket = store.client, store.bucket  # type: ignore[attr-defined]
        response = client.get_object(bucket, key)
        blob = bytearray(response.read())
        response.close()
        response.release_conn()
        blob[-1] ^= 1
        client.put_object(bucket, key, io.BytesIO(bytes(blob)), len(blob))
    else:
        (settings.objects_path / key).write_bytes(b"%PDF-1.4 not what was handed in")


def _verify(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", *args])
    return result.exit_code, result.output


def test_fixity_finds_missing_changed_and_orphan_objects(env: Settings, prefect_harness: None) -> None:
    store = runtime().store
    keys = _stock(store)
    first, second, third = sorted(keys)
    with session_scope(runtime().engine) as session:
        clean = check_fixity(session, store)
    assert clean.ok and clean.counts() == {"referenced": 21, "checked": 21, "stored": 21,
                                           "missing": 0, "changed": 0, "orphan": 0}
    code, out = _verify()
    assert code == 0 and "every object read matches" in out, out

    _delete(env, store, keys[first][3])  # a page's words
    _tamper(env, store, keys[second][0])  # an original
    store.put_bytes(derived_key(999, "text.txt"), b"left behind")
    stray, _ = store.put_original(b"bytes nothing refers to")
    with session_scope(runtime().engine) as session:
        found = check_fixity(session, store)
    assert not found.ok
    assert [(p.key, p.document_ids) for p in found.of("missing")] == [(keys[first][3], [first])]
    assert [(p.key, p.document_ids) for p in found.of("changed")] == [(keys[second][0], [second])]
    assert sorted((p.key, p.document_ids) for p in found.of("orphan")) == \
        [("derived/999/text.txt", [999]), (stray.key, [])]

    code, out = _verify("--json")
    assert code == EXIT_SOME_REJECTED
    report = json.loads(out)
    assert (report["missing"], report["changed"], report["orphan"], report["checked"]) == (1, 1, 2, 21)
    code, out = _verify()
    assert code == EXIT_SOME_REJECTED and "Thiếu (missing)" in out
    assert "derived/999/text.txt  văn bản (documents) 999" in out and keys[second][0] in out
    code, out = _verify("--sample", "3", "--seed", "5", "--json")
    sampled = json.loads(out)
    assert sampled["checked"] == 3 and sampled["orphan"] == 2 and sampled["sample"] == 3
    again = json.loads(_verify("--sample", "3", "--seed", "5", "--json")[1])
    assert again["problems"] == sampled["problems"]  # the same seed reads the same objects
    assert keys[third]  # untouched

    with session_scope(runtime().engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.verify)
                              .order_by(AuditEvent.id)).all()
    sampled_counts = (sampled["missing"], sampled["changed"], 2)
    assert [(e.detail["missing"], e.detail["changed"], e.detail["orphan"]) for e in events] == \
        [(0, 0, 0), (1, 1, 2), (1, 1, 2), sampled_counts, sampled_counts]


def test_the_nightly_run_checks_a_sample(request: pytest.FixtureRequest, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, prefect_harness: None) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    from flows.nightly import nightly

    monkeypatch.setenv("HOSO_FIXITY_SAMPLE", "4")
    settings = _env("local", request, tmp_path, monkeypatch)
    assert settings.fixity_sample == 4
    _stock(runtime().store, documents=2)
    runtime().store.put_bytes(derived_key(77, "searchable.pdf"), b"from a run that died")
    state = nightly(return_state=True)
    result = state.result()
    fixity = result["fixity"]
    assert (fixity["checked"], fixity["referenced"], fixity["orphan"], fixity["ok"]) == (4, 14, 1, False)
    assert result["audit"]["ok"] and runtime().store.exists(HEAD_KEY)
    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["kiem-tra-toan-ven"]),
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    shown = str(artifact.data)
    assert "Kiểm tra toàn vẹn" in shown and "derived/77/searchable.pdf" in shown and "nguyên vẹn" in shown
