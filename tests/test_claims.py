"""Several `process` runs at once share the work: no document read twice, none left out."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from conftest import make_settings
from sqlalchemy import Engine
from sqlmodel import select

from flows.intake import intake
from flows.runtime import use_settings
from schemas.models import Document, Page, utcnow
from schemas.status import DocumentStatus
from storage.db import get_engine, session_scope, upgrade
from storage.queries import claim_documents

LEASE = timedelta(minutes=30)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _rows(engine: Engine, n: int) -> list[int]:
    with session_scope(engine) as session:
        docs = [Document(sha256=f"{i:064x}", size=1, source_name=f"{i}.pdf", object_key="k")
                for i in range(n)]
        session.add_all(docs)
        session.flush()
        return [d.id for d in docs]  # type: ignore[misc]


def _claim_all(engine: Engine, worker: str, got: list[int]) -> None:
    while True:
        with session_scope(engine) as session:
            ids = claim_documents(session, worker, 3, 3, LEASE)
        if not ids:
            return
        got.extend(ids)


def test_concurrent_claims_split_the_documents(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade(engine)
    ids = _rows(engine, 300)
    got: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    threads = [threading.Thread(target=_claim_all, args=(engine, w, got[w])) for w in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = [i for worker in got.values() for i in worker]
    assert sorted(taken) == ids  # each exactly once
    assert sum(1 for worker in got.values() if worker) >= 2  # the work was really shared


def test_what_a_claim_skips_and_takes_over(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade(engine)
    fresh, stale, failed, given_up, done = _rows(engine, 5)
    with session_scope(engine) as session:
        for doc_id, fields in ((fresh, {"claimed_at": utcnow(), "claimed_by": "alive"}),
                               (stale, {"claimed_at": utcnow() - 2 * LEASE, "claimed_by": "dead"}),
                               (failed, {"status": DocumentStatus.failed, "failures": 2}),
                               (given_up, {"status": DocumentStatus.failed, "failures": 3}),
                               (done, {"status": DocumentStatus.text_ready})):
            doc = session.get(Document, doc_id)
            for name, value in fields.items():
                setattr(doc, name, value)
    with session_scope(engine) as session:
        assert claim_documents(session, "me", 10, 3, LEASE, skip={failed}) == [stale]
    with session_scope(engine) as session:
        assert claim_documents(session, "me", 10, 3, LEASE) == [failed]
        assert session.get(Document, stale).claimed_by == "me"  # type: ignore[union-attr]


def _scans(folder: Path, n: int) -> list[str]:
    """Small scanned pages (PNG, 200 dpi): each takes the reader a second or two of OCR, so
    the runs overlap however late the second one starts."""
    from PIL import Image, ImageDraw, ImageFont

    folder.mkdir()
    font = ImageFont.truetype(FONT, 28)
    paths = []
    for i in range(n):
        image = Image.new("L", (1100, 700), 255)
        draw = ImageDraw.Draw(image)
        for line in range(8):
            text = f"Hồ sơ {i} dòng {line}: Nguyễn Văn An, Đức Trọng"
            draw.text((60, 50 + 75 * line), text, fill=0, font=font)
        path = folder / f"ho-so-{i:02d}.png"
        image.save(path, dpi=(200, 200))
        paths.append(str(path))
    return paths


def test_two_process_runs_at_once_on_postgresql(tmp_path: Path, prefect_harness: None) -> None:
    from conftest import _pg_database
    from prefect.settings import PREFECT_API_URL

    database = _pg_database()
    url = next(database)
    try:
        settings = make_settings(tmp_path, url)
        upgrade(use_settings(settings).engine)
        taken = intake(_scans(tmp_path / "scans", 24), "HU-DUCTRONG", "Huyện ủy Đức Trọng")
        assert len(taken.new) == 24
        env = os.environ | {"HOSO_DATABASE_URL": url, "HOSO_DATA_DIR": str(settings.data_dir),
                            "PREFECT_API_URL": str(PREFECT_API_URL.value())}
        hoso = [sys.executable, "-m", "flows.cli", "process"]
        runs = [subprocess.Popen(hoso, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for _ in range(2)]
        outputs = [run.communicate(timeout=600)[0].decode() for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        with session_scope(use_settings(settings).engine) as session:
            docs = list(session.exec(select(Document)))
            pages = list(session.exec(select(Page)))
        assert len(docs) == 24 and {d.status for d in docs} == {DocumentStatus.text_ready}
        assert {d.attempts for d in docs} == {1}  # each read exactly once
        assert len(pages) == 24
        runners = {d.claimed_by.rsplit(":", 1)[0] for d in docs}  # type: ignore[union-attr]
        assert len(runners) == 2, runners  # both runs did part of the work
    finally:
        next(database, None)
