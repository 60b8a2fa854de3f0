"""Faults a batch survives: `hoso process` killed (-9) while it OCRs and while it commits, the
S3 server stopped mid-batch, the database connections dropped mid-batch, the local store's disk
full. After each, the next run finishes the batch: no document lost, none duplicated, every
object the database names is there with its sha256 (tests/faultlib)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import _pg_database
from faultlib.runs import alive, wait_for
from faultlib.scenarios import (
    db_drop,
    disk_full,
    kill_during_commit,
    kill_during_ocr,
    s3_stop,
)

from schemas.models import Document, utcnow
from schemas.status import DocumentStatus
from storage.claimant import holder_name, is_dead
from storage.db import get_engine, session_scope, upgrade
from storage.queries import claim_documents, release_dead_claims


@pytest.fixture
def prefect_api(prefect_harness: None) -> str:
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg_database()


# Each kill on one database, the two kills between them both: a run is a subprocess, so the
# database only changes how its claims and commits fail.
def test_kill_during_ocr(tmp_path: Path, prefect_api: str) -> None:
    outcome = kill_during_ocr(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}", prefect_api)
    print(outcome)
    assert outcome.ok, str(outcome)


def test_kill_during_commit(tmp_path: Path, pg_url: str, prefect_api: str) -> None:
    outcome = kill_during_commit(tmp_path, pg_url, prefect_api)
    print(outcome)
    assert outcome.ok, str(outcome)


def test_s3_stopped_mid_batch(tmp_path: Path, prefect_api: str) -> None:
    outcome = s3_stop(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}", prefect_api)
    print(outcome)
    assert outcome.ok, str(outcome)


def test_database_connections_dropped(tmp_path: Path, pg_url: str, prefect_api: str) -> None:
    outcome = db_drop(tmp_path, pg_url, prefect_api)
    print(outcome)
    assert outcome.ok, str(outcome)


def test_disk_full(tmp_path: Path, prefect_api: str) -> None:
    outcome = disk_full(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}", prefect_api)
    print(outcome)
    assert outcome.ok, str(outcome)


def test_only_the_claims_of_dead_runs_are_taken_back(db_url: str) -> None:
    """A killed run's claims are freed at once; a live run's, another machine's (or another
    container's) and old-style claims are never taken before their lease ends."""
    engine = get_engine(db_url)
    upgrade(engine)
    live = subprocess.Popen(["sleep", "60"])
    dead = subprocess.Popen(["true"])
    try:
        wait_for("the short process to end", lambda: not alive(dead.pid), 10)
        dead_name = holder_name("deadrun", dead.pid)  # as it was: a zombie still has its times
        dead.wait()
        host, pid, _, space, start = holder_name("liverun", live.pid).split(":")
        holders = {
            "live": holder_name("liverun", live.pid),
            "dead": dead_name,
            "reused": f"{host}:{pid}:oldrun:{space}:{int(start) - 1}",  # same pid, earlier start
            "elsewhere": f"otherhost:{dead.pid}:run:{'0' * 10}:12345",
            "old form": f"{host}:{dead.pid}:run",
            "this run": holder_name("thisrun"),
        }
        with session_scope(engine) as session:
            docs = {}
            for i, (what, holder) in enumerate(holders.items()):
                docs[what] = Document(sha256=f"{i:064x}", size=1, source_name=f"{i}.pdf",
                                      object_key="k", claimed_by=holder, claimed_at=utcnow())
            docs["finished"] = Document(sha256=f"{99:064x}", size=1, source_name="done.pdf",
                                        object_key="k", claimed_by=dead_name, claimed_at=utcnow(),
                                        status=DocumentStatus.text_ready)
            session.add_all(docs.values())
        ids = {what: doc.id for what, doc in docs.items()}
        with session_scope(engine) as session:
            freed = release_dead_claims(session, is_dead)
        assert sorted(freed) == sorted([ids["dead"], ids["reused"]])
        with session_scope(engine) as session:
            doc = session.get(Document, ids["dead"])
            assert doc is not None and doc.status == DocumentStatus.failed and doc.failures == 1
            assert dead_name in (doc.error or "") and "stopped" in (doc.error or "")
            assert session.get(Document, ids["finished"]).claimed_by == dead_name  # type: ignore[union-attr]
        with session_scope(engine) as session:  # and the next claim takes them at once
            assert claim_documents(session, "next", 10, 3, timedelta(hours=2)) == sorted(freed)
    finally:
        live.kill()
        live.wait()
