"""Process: pending documents -> pages -> text and words -> derived objects -> status."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy.exc import DBAPIError, OperationalError

from flows.errors import full_store_text, is_transient, retry_if_transient, store_full
from flows.runtime import DOCUMENTS_IN_FLIGHT, runtime
from schemas.models import Document
from schemas.pages import InputRejected
from schemas.status import PENDING_STATUSES, RejectReason
from storage.claimant import holder_name, is_dead
from storage.db import session_scope
from storage.queries import claim_documents, release_dead_claims
from storage.results import save_failure, save_rejection, save_text
from storage.search import index_text

T = TypeVar("T")


@task(name="process-document", retries=2, retry_delay_seconds=5,
      retry_condition_fn=retry_if_transient, cache_policy=NO_CACHE)
def process_document(document_id: int) -> str:
    """Read one document and record the outcome. Returns its new status."""
    rt = runtime()
    with session_scope(rt.engine) as session:
        document = session.get(Document, document_id)
        if document is None or document.status not in PENDING_STATUSES:
            return "skipped"
        document.attempts += 1
        session.add(document)
        key, sha = document.object_key, document.sha256
    data = rt.store.get_bytes(key, expect_sha256=sha)
    try:
        result = rt.reader.read(data, rt.settings.limits, rt.settings.ocr, document_id)
    except InputRejected as rejection:
        with session_scope(rt.engine) as session:
            save_rejection(session, session.get(Document, document_id), rejection)
        return "rejected"
    except Exception as exc:  # a file that breaks a reader is bad input, not a reason to stop
        if is_transient(exc):
            raise
        rejection = InputRejected(RejectReason.corrupt,
                                  f"the file could not be read ({type(exc).__name__}: {exc}). "
                                  "Export or scan it again.")
        with session_scope(rt.engine) as session:
            save_rejection(session, session.get(Document, document_id), rejection)
        return "rejected"
    with session_scope(rt.engine) as session:
        save_text(session, rt.store, session.get(Document, document_id), result)
        index_text(session, document_id, result.text)  # searchable as soon as it is read
    return "text_ready"


def _mark_failed(document_id: int, exc: BaseException) -> None:
    def mark() -> None:
        with session_scope(runtime().engine) as session:
            document = session.get(Document, document_id)
            if document is not None:
                save_failure(session, document, failure_text(exc))

    _with_db_retries(mark)


def failure_text(exc: BaseException) -> str:
    """What `error` says of a transient failure: what happened and what to do."""
    if store_full(exc):
        return full_store_text(exc, "run `hoso process` again")
    return f"{type(exc).__name__}: {exc}"


def worker_name() -> str:
    """Who holds a claim: host, process, flow run, and what tells a dead holder from a live
    one on this machine (see storage.claimant)."""
    return holder_name(str(flow_run.id or ""))


# A database that drops the connection (restart, failover, a killed backend) gets this many
# tries, with a pause doubling from DB_RETRY_PAUSE_S, before the run gives up.
DB_TRIES = 5
DB_RETRY_PAUSE_S = 0.5


def _with_db_retries(work: Callable[[], T]) -> T:
    """`work` (one short transaction of the flow itself), tried again while the database
    error is transient: the tasks have Prefect's retries, the flow's own steps have these."""
    for attempt in range(DB_TRIES):
        try:
            return work()
        except (OperationalError, DBAPIError) as exc:
            if not is_transient(exc) or attempt == DB_TRIES - 1:
                raise
            time.sleep(DB_RETRY_PAUSE_S * 2 ** attempt)
    raise AssertionError("unreachable")


def _claim_one(worker: str, tried: set[int]) -> int | None:
    """The next waiting document for this run; when none is left, first take back those that
    runs which died on this machine still hold (they need not wait for the lease)."""
    settings = runtime().settings

    def claim() -> int | None:
        with session_scope(runtime().engine) as session:
            ids = claim_documents(session, worker, 1, settings.max_failed_runs,
                                  timedelta(minutes=settings.claim_lease_minutes), skip=tried)
        return ids[0] if ids else None

    def release() -> list[int]:
        with session_scope(runtime().engine) as session:
            return release_dead_claims(session, is_dead)

    doc_id = _with_db_retries(claim)
    if doc_id is None and (freed := _with_db_retries(release)):
        get_run_logger().warning("took back %d documents from runs that died: %s", len(freed),
                                 freed)
        doc_id = _with_db_retries(claim)
    return doc_id


@flow(name="process", task_runner=ThreadPoolTaskRunner(max_workers=DOCUMENTS_IN_FLIGHT))
def process(limit: int | None = None) -> dict[str, int]:
    """Read every waiting document (new, or failed in an earlier run). Returns counts by outcome.

    Documents are claimed one at a time as a slot frees up, so any number of runs, on one
    machine or several, share the work: none is read twice and none is left out.
    """
    logger = get_run_logger()
    worker = worker_name()
    if removed := runtime().store.remove_partial_writes():
        logger.warning("removed %d partial files that killed runs left in the object store: %s",
                       len(removed), removed)
    running: dict[PrefectFuture, int] = {}
    outcomes: Counter[str] = Counter()
    tried: set[int] = set()
    full = False  # the object store is full: finish what is in flight, claim nothing more
    while True:
        while (len(running) < DOCUMENTS_IN_FLIGHT and (limit is None or len(tried) < limit)
               and not full):
            doc_id = _claim_one(worker, tried)
            if doc_id is None:
                break
            tried.add(doc_id)
            running[process_document.submit(doc_id)] = doc_id
        if not running:
            break
        future = next(as_completed(list(running)))
        doc_id = running.pop(future)
        try:
            outcomes[future.result()] += 1
        except Exception as exc:  # transient and out of retries: a later run tries again
            logger.warning("document %d failed: %s", doc_id, failure_text(exc))
            _mark_failed(doc_id, exc)
            outcomes["failed"] += 1
            if store_full(exc) and not full:
                full = True
                logger.error("the object store is full (%s): no more documents are taken in "
                             "this run; free space, then run `hoso process` again",
                             runtime().store.location())
    logger.info("%s processed %d documents", worker, len(tried))
    return dict(outcomes)
