"""The faults a batch must survive, each followed by a recovery run and the invariants.

Every scenario takes a fresh folder, a fresh database URL and a Prefect API URL, and returns
an Outcome: the invariants' verdict plus what the scenario itself expects (the clear error, no
process left behind). Used by tests/test_faults.py and bench/faults.py alike.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from faultlib.inputs import scans, text_pdfs
from faultlib.invariants import Verdict, check
from faultlib.pg import PG_ADMIN
from faultlib.runs import (
    Deployment,
    Finished,
    alive,
    descendants,
    kill_tree,
    tesseract_of,
    wait_for,
)
from faultlib.s3 import RestartableS3
from schemas.models import Document
from schemas.status import DocumentStatus

UNIT = ("--unit", "HU-FAULTS", "--unit-name", "Huyện ủy thử lỗi")
ORPHAN_GRACE_S = 10.0  # workers notice their run died within a second; Tesseract goes with them
STORM_S = 4.0  # how long the database keeps dropping connections


@dataclass
class Outcome:
    name: str
    verdict: Verdict = field(default_factory=Verdict)
    problems: list[str] = field(default_factory=list)  # what this scenario expects beyond that
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def lost(self) -> int:
        return len(self.verdict.lost)

    @property
    def duplicated(self) -> int:
        return len(self.verdict.duplicated)

    @property
    def ok(self) -> bool:
        return self.verdict.ok and not self.problems

    def __str__(self) -> str:
        lines = [f"{self.name}: {'ok' if self.ok else 'FAILED'} in {self.seconds:.0f} s; "
                 f"{self.verdict}"]
        lines += [f"  ! {p}" for p in self.problems] + [f"  . {n}" for n in self.notes]
        return "\n".join(lines)


Scenario = Callable[[Path, str, str, int], Outcome]


def kill_during_ocr(root: Path, database_url: str, prefect_api: str, variant: int = 0,
                    ) -> Outcome:
    """SIGKILL the run while Tesseract reads a page (variant 1: once a document is done); the
    next run finishes the batch at once (the dead run's claims are taken back, not left to
    the 2-hour lease)."""
    out = Outcome("kill -9 during OCR")
    dep = Deployment(root, database_url, prefect_api)
    files = scans(root / "in", 3) + text_pdfs(root / "in", 1)
    with _timed(out):
        _ingest(dep, files, out)
        proc = dep.start("process")
        try:
            if variant % 2:
                wait_for("a document done", lambda: _statuses(dep).get("text_ready"), 240, proc)
            wait_for("a Tesseract process of the run", lambda: tesseract_of(proc), 240, proc)
            _kill(proc, out)
        finally:
            kill_tree(proc)
        out.notes.append(f"after the kill: {dict(_statuses(dep))}")
        _recover(dep, out)
        out.verdict = check(dep, files)
    return out


def kill_during_commit(root: Path, database_url: str, prefect_api: str, variant: int = 0,
                       ) -> Outcome:
    """SIGKILL the run after a document's objects are written and its rows staged, before
    the commit (of the 2nd, 3rd or 1st save, by variant): the objects are orphans, never
    referenced; the next run reads the document again."""
    out = Outcome(f"kill -9 during commit ({make_url(database_url).get_backend_name()})")
    dep = Deployment(root, database_url, prefect_api)
    files = text_pdfs(root / "in", 4)
    with _timed(out):
        _ingest(dep, files, out)
        proc = dep.start("process", fault=f"pause:after_save:{1 + (variant + 1) % 3}",
                         fault_dir=root)
        try:
            doc_id = _paused(root, proc, "after_save")
            written = sorted(dep.store().keys(f"derived/{doc_id}/"))
            if not written:
                out.problems.append(f"document {doc_id}: no derived object written before the "
                                    "commit (the pause is in the wrong place)")
            _kill(proc, out)
        finally:
            kill_tree(proc)
        with Session(dep.engine) as session:
            doc = session.get(Document, doc_id)
            assert doc is not None
            if doc.status != DocumentStatus.received or doc.pdf_key is not None:
                out.problems.append(f"document {doc_id} is {doc.status} with pdf_key "
                                    f"{doc.pdf_key} after a kill before its commit")
        out.notes.append(f"killed before the commit of document {doc_id} "
                         f"({len(written)} objects written)")
        _recover(dep, out)
        out.verdict = check(dep, files)
    return out


def s3_stop(root: Path, database_url: str, prefect_api: str, variant: int = 0) -> Outcome:
    """Stop the S3 server in the middle of a batch (before the 3rd or 2nd save): the run
    retries, then marks what it could not finish `failed` with the reason; once S3 is back,
    the next run finishes them."""
    out = Outcome("S3 server stopped mid-batch")
    s3 = RestartableS3(root / "s3")
    s3.start()
    try:
        dep = Deployment(root, database_url, prefect_api, s3.env())
        files = text_pdfs(root / "in", 4)
        with _timed(out):
            _ingest(dep, files, out)
            proc = dep.start("process", fault=f"pause:before_save:{3 - variant % 2}",
                                 fault_dir=root)
            try:
                doc_id = _paused(root, proc, "before_save")
                s3.stop()
                _go(root, "before_save")
                code = proc.wait(300)
            finally:
                kill_tree(proc)
            out.notes.append(f"S3 stopped before document {doc_id} was saved; run exit {code}")
            failed = _documents(dep, DocumentStatus.failed)
            if not failed:
                out.problems.append("no document was marked failed while S3 was down")
            for doc in failed:
                if "S3 server" not in (doc.error or "") or doc.attempts < 3:
                    out.problems.append(f"document {doc.id}: failed after {doc.attempts} "
                                        f"attempts with error {doc.error!r} (want retries, and "
                                        "the S3 server named)")
            if failed:
                out.notes.append(f"failed: {len(failed)}, e.g. {failed[0].error}")
            s3.start()  # on the same data, at a new address
            dep.s3 = s3.env()
            _recover(dep, out)
            out.verdict = check(dep, files)
    finally:
        s3.stop()
    return out


def db_drop(root: Path, database_url: str, prefect_api: str, variant: int = 0) -> Outcome:
    """Terminate the run's PostgreSQL connections in the middle of a commit, of a claim, and
    again and again while it goes on: the run retries and carries on. Then the database goes
    away for good (connections refused): the run stops with a clear message (exit 3), and once
    the database is back the next run finishes the batch. Nothing is half-recorded."""
    out = Outcome("database connections dropped mid-batch")
    dep = Deployment(root, database_url, prefect_api)
    files = text_pdfs(root / "in", 6)
    with _timed(out):
        _ingest(dep, files, out)
        before = dep.log_size()
        proc = dep.start("process", fault=f"pause:after_save:{2 - variant % 2},"
                         f"pause:in_claim:{4 - variant % 2},pause:before_save:6", fault_dir=root)
        try:
            saving = _paused(root, proc, "after_save")
            dropped = _drop_connections(database_url)  # the document's commit fails
            _go(root, "after_save")
            claiming = _paused(root, proc, "in_claim")
            dropped += _drop_connections(database_url)  # the run's own claim fails
            _go(root, "in_claim")
            storm = time.monotonic() + STORM_S  # and again and again while it carries on,
            while time.monotonic() < storm and proc.poll() is None:  # wherever it is
                time.sleep(0.1)
                dropped += _drop_connections(database_url)
            last = _paused(root, proc, "before_save")
            with _database_away(database_url):
                _go(root, "before_save")
                code = proc.wait(300)
        finally:
            kill_tree(proc)
        output = dep.log_since(before)
        out.notes.append(f"{dropped} connections terminated: in the commit of document "
                         f"{saving}, in the claim of document {claiming}, then every 0.1 s for "
                         f"{STORM_S:.0f} s; then the database refused connections while "
                         f"document {last} was saved: run exit {code}; after it: "
                         f"{dict(_statuses(dep))}")
        with Session(dep.engine) as session:
            again = session.get(Document, saving)
            # Said, not required: on a loaded machine the commit may have gone through before
            # the backends were terminated. What is required is checked below and by check():
            # nothing lost or duplicated, and a clear stop when the database goes away.
            retried = again is not None and again.attempts >= 2
            out.notes.append(f"document {saving}: "
                             + ("its dropped commit was retried" if retried else
                                "committed before the drop landed"))
        if code != 3 or "cannot reach the database" not in " ".join(output.split()):
            out.problems.append(f"the run did not stop clearly when the database went away "
                                f"(exit {code}):\n{output[-1500:]}")
        _recover(dep, out)
        out.verdict = check(dep, files)
    return out


def disk_full(root: Path, database_url: str, prefect_api: str, variant: int = 0) -> Outcome:
    """The local store's disk fills up in the middle of a batch (and of an intake): the runs
    say so, stop taking documents, leave no partial file, and finish once there is room."""
    out = Outcome(f"local store disk full ({make_url(database_url).get_backend_name()})")
    dep = Deployment(root, database_url, prefect_api)
    files = text_pdfs(root / "in", 5)
    late = text_pdfs(root / "late", 2, tag="late-")
    with _timed(out):
        _ingest(dep, files, out)
        # Room for about two and a half documents' derived objects (a text PDF's searchable
        # copy is itself; its words take about as much again), two being written at once;
        # variant 1: for one and a half.
        room = int((2.6 if variant % 2 == 0 else 1.6) * (2 * files[0].stat().st_size + 1500))
        run = dep.run("process", fault=f"enospc:{room}")
        failed = _documents(dep, DocumentStatus.failed)
        untouched = _documents(dep, DocumentStatus.received)
        out.notes.append(f"process with {room} bytes of room: exit {run.code}, "
                         f"{dict(_statuses(dep))}")
        if run.code != 1 or not failed:
            out.problems.append(f"the run with a full disk ended {run.code} with "
                                f"{len(failed)} failed documents")
        for doc in failed:
            if "object store is full" not in (doc.error or ""):
                out.problems.append(f"document {doc.id}: unclear error {doc.error!r}")
        if not untouched:
            out.problems.append("the run went on taking documents after the disk was full")
        intake = dep.run("ingest", str(root / "late"), *UNIT, fault="enospc:0")
        out.notes.append(f"ingest with a full disk: exit {intake.code}")
        said = " ".join(intake.output.split())
        if intake.code != 3 or "object store is full" not in said or "not taken" not in said \
                or "unreadable)" in said.replace("0 không đọc được (unreadable)", ""):
            out.problems.append(f"ingest on a full disk did not say the store is full and which "
                                f"files were not taken (exit {intake.code}):\n{intake.output[-800:]}")
        if _documents(dep, None, {p.name for p in late}):
            out.problems.append("ingest on a full disk recorded documents")
        _ingest(dep, late, out)
        _recover(dep, out)
        out.verdict = check(dep, files + late)
    return out


SCENARIOS: dict[str, Scenario] = {
    "kill-ocr": kill_during_ocr,
    "kill-commit": kill_during_commit,
    "s3-stop": s3_stop,
    "db-drop": db_drop,
    "disk-full": disk_full,
}


class _timed:
    def __init__(self, out: Outcome) -> None:
        self.out = out

    def __enter__(self) -> None:
        self.start = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        self.out.seconds = time.monotonic() - self.start


def _ingest(dep: Deployment, files: list[Path], out: Outcome) -> None:
    folder = files[0].parent
    done = dep.run("ingest", str(folder), *UNIT)
    if done.code != 0:
        raise AssertionError(f"ingest failed (exit {done.code}):\n{done.output}")
    out.notes.append(f"ingested {len(files)} files")


def _recover(dep: Deployment, out: Outcome) -> Finished:
    """The next run, as the operator would start it: it must finish the batch."""
    start = time.monotonic()
    done = dep.run("process")
    out.notes.append(f"recovery run: exit {done.code} in {time.monotonic() - start:.0f} s")
    if done.code != 0:
        out.problems.append(f"the recovery run ended {done.code}:\n{done.output[-1500:]}")
    return done


def _paused(root: Path, proc: subprocess.Popen[bytes], point: str) -> int:
    """Wait until the run is held at `point` (faultlib.hook); returns the document's id."""
    flag = root / f"{point}.paused"
    wait_for(f"the run to reach {point}", flag.exists, 240, proc)
    return int(flag.read_text())


def _go(root: Path, point: str) -> None:
    (root / f"{point}.go").touch()


def _kill(proc: subprocess.Popen[bytes], out: Outcome) -> None:
    """kill -9 the run; its workers and their Tesseract processes must go with it."""
    family = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + ORPHAN_GRACE_S
    while time.monotonic() < deadline and any(alive(pid) for pid in family):
        time.sleep(0.1)
    left = [pid for pid in family if alive(pid)]
    if left:
        out.problems.append(f"processes of the killed run still running after "
                            f"{ORPHAN_GRACE_S:.0f} s: {left}")
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _drop_connections(database_url: str) -> int:
    """pg_terminate_backend every connection to the database but this one."""
    name = make_url(database_url).database
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchall()
    return sum(1 for (done,) in rows if done)


@contextmanager
def _database_away(database_url: str) -> Iterator[None]:
    """The database refuses new connections and loses the open ones, until the block ends."""
    name = make_url(database_url).database
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    _drop_connections(database_url)
    try:
        yield
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')


def _statuses(dep: Deployment) -> dict[str, int]:
    with Session(dep.engine) as session:
        counts: dict[str, int] = {}
        for doc in session.exec(select(Document)):
            counts[str(doc.status)] = counts.get(str(doc.status), 0) + 1
        return counts


def _documents(dep: Deployment, status: DocumentStatus | None,
               names: set[str] | None = None) -> list[Document]:
    with Session(dep.engine) as session:
        query = select(Document)
        if status is not None:
            query = query.where(Document.status == status)
        docs = list(session.exec(query))
    return [d for d in docs if names is None or d.source_name in names]
