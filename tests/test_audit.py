"""The audit trail on SQLite and PostgreSQL: a hash chain that finds an edited, a deleted and a
newest-deleted event (anchors in the object store); concurrent writers never fork it; the CLI
verifies and lists it; ID numbers never reach a log, Prefect's included."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from prefect import flow, get_run_logger, task  # imported before any CliRunner swaps stderr
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_common import EXIT_SOME_REJECTED, EXIT_USAGE
from flows.runtime import runtime
from schemas.models import AuditEvent, Unit, User
from schemas.settings import Settings
from schemas.status import AuditAction, Role
from storage.audit import (
    GENESIS,
    HEAD_KEY,
    check_chain,
    mask_ids,
    read_anchors,
    record,
    verify_chain,
    write_anchor,
)
from storage.db import session_scope

runner = CliRunner()
CCCD = "068094034561"


def test_id_numbers_are_masked_but_hashes_and_run_ids_are_not() -> None:
    assert mask_ids(f"CCCD {CCCD}, CMND 250123456; BHXH:6812345678") == \
        "CCCD 068*******61, CMND 250****56; BHXH:681*****78"
    assert mask_ids("năm 2022, số 12345678, 1234567890123") == "năm 2022, số 12345678, 1234567890123"
    sha = "0" * 20 + "123456789012" + "a" * 32
    run = "5f0c2b7e-3c1d-4b8e-9a6f-426614174000"
    assert mask_ids(f"{sha} {run}") == f"{sha} {run}"  # digits inside a hash or a UUID are kept
    assert mask_ids(f"cv_{CCCD}.pdf") == "cv_068*******61.pdf"
    assert mask_ids("bucket t-3f9a1234567890c2ab1e") == "bucket t-3f9a1234567890c2ab1e"  # random hex
    assert mask_ids(f"t-{CCCD}") == "t-068*******61"  # digits only: an ID, not a hex name


def _events(n: int, actor: str = "lan") -> None:
    with session_scope(runtime().engine) as session:
        for i in range(n):
            record(session, actor, AuditAction.view, "dossier", i, None, cccd=CCCD, step=i)


def test_the_chain_finds_edits_and_deletions(settings: Settings) -> None:
    _events(5)
    engine = runtime().engine
    with session_scope(engine) as session:
        count, problems = verify_chain(session)
        assert (count, problems) == (5, [])
        first, *_ = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert first.prev_hash == GENESIS and first.detail["cccd"] == "068*******61"
        ids = [e.id for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    with engine.begin() as conn:  # someone edits an event's actor in the database
        conn.execute(text("UPDATE auditevent SET actor = 'hung' WHERE id = :id"), {"id": ids[1]})
    with session_scope(engine) as session:
        _, problems = verify_chain(session)
    assert [(p.event_id, "changed" in p.problem) for p in problems] == [(ids[1], True)]
    with engine.begin() as conn:  # …and deletes another
        conn.execute(text("UPDATE auditevent SET actor = 'lan' WHERE id = :id"), {"id": ids[1]})
        conn.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": ids[2]})
    with session_scope(engine) as session:
        _, problems = verify_chain(session)
    assert [p.event_id for p in problems] == [ids[3]]  # the one after the gap no longer follows
    assert "deleted" in problems[0].problem


def test_anchors_find_the_newest_events_deleted(settings: Settings) -> None:
    _events(3)
    store, engine = runtime().store, runtime().engine
    with session_scope(engine) as session:
        head = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
        write_anchor(store, head, settings.today())  # type: ignore[arg-type]
        assert check_chain(session, store).ok
    assert {a.source for a in read_anchors(store)} == {HEAD_KEY, f"audit/anchors/{settings.today()}.json"}
    with engine.begin() as conn:  # the newest event goes: the shorter chain is still consistent…
        conn.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": head.id})  # type: ignore[union-attr]
    with session_scope(engine) as session:
        assert verify_chain(session)[1] == []
        check = check_chain(session, store)  # …but the anchored event is missing
    assert not check.ok and {p.event_id for p in check.problems} == {head.id}  # type: ignore[union-attr]
    assert "missing" in check.problems[0].problem


def test_concurrent_writers_never_fork_the_chain(settings: Settings) -> None:
    engine = runtime().engine
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(worker: int) -> None:
        try:
            start.wait()
            for i in range(15):
                with session_scope(engine) as session:
                    session.exec(select(Unit)).all()  # a read before, as an action would
                    record(session, f"w{worker}", AuditAction.view, "dossier", i)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as session:
        count, problems = verify_chain(session)
        prevs = [e.prev_hash for e in session.exec(select(AuditEvent))]
    assert (count, problems) == (60, [])
    assert len(set(prevs)) == 60  # no two events chained to the same predecessor


def _user(username: str, role: Role) -> None:
    with session_scope(runtime().engine) as session:
        session.add(User(username=username, password_hash="-", role=role))


def test_cli_verifies_anchors_and_lists(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    data = ["--data-dir", str(settings.data_dir)]
    _events(2, actor="lan")
    _user("an", Role.clerk)
    ok = runner.invoke(app, ["audit", "verify", *data])
    assert ok.exit_code == 0, ok.output
    assert "audit chain intact" in ok.output and "2 sự kiện" in ok.output
    assert runtime().store.exists(HEAD_KEY)

    listed = runner.invoke(app, ["audit", "list", "--action", "view", *data])
    assert listed.exit_code == 0, listed.output
    assert "Nhật ký kiểm toán" in listed.output and "lan" in listed.output and CCCD not in listed.output
    rows = json.loads(runner.invoke(app, ["audit", "list", "--actor", "lan", "--json", *data]).output)
    assert [r["detail"]["step"] for r in rows] == [1, 0]  # newest first
    assert {r["detail"]["cccd"] for r in rows} == {"068*******61"}
    assert runner.invoke(app, ["audit", "list", "--as", "an", *data]).exit_code == EXIT_USAGE

    with session_scope(runtime().engine) as session:
        newest = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
    with runtime().engine.begin() as conn:  # the verify event, now the anchored head, is deleted
        conn.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": newest.id})  # type: ignore[union-attr]
    broken = runner.invoke(app, ["audit", "verify", *data])
    assert broken.exit_code == EXIT_SOME_REJECTED
    assert f"#{newest.id}" in broken.output and "deleted" in broken.output  # type: ignore[union-attr]


def test_logs_never_show_an_id_number(settings: Settings, prefect_harness: None,
                                      tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    @task
    def read_card() -> None:
        get_run_logger().warning("CCCD của cán bộ: %s", CCCD)
        logging.getLogger("hoso.test").warning("số CMND %d", 250123456)

    @flow
    def card_flow() -> str:
        get_run_logger().warning(f"đang xử lý hồ sơ có CCCD {CCCD}")
        read_card()
        try:
            raise ValueError(f"CCCD {CCCD} không khớp")
        except ValueError:
            get_run_logger().exception("lỗi")
        from prefect.runtime import flow_run
        return str(flow_run.id)

    seen: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))

    capture = Capture()
    logging.getLogger().addHandler(capture)  # a handler added after the runtime started
    try:
        run_id = card_flow()
    finally:
        logging.getLogger().removeHandler(capture)
    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    stored = [log.message for log in logs]
    assert any("068*******61" in m for m in stored) and any("không khớp" in m for m in stored)
    assert any("250****56" in m for m in seen)
    assert not [m for m in stored + seen if CCCD in m or "250123456" in m]
