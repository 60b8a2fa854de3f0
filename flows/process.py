"""Process: pending documents -> pages -> text and words -> derived objects -> status."""

from __future__ import annotations

import os
import socket
from collections import Counter
from datetime import timedelta

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from flows.errors import is_transient, retry_if_transient
from flows.runtime import DOCUMENTS_IN_FLIGHT, runtime
from schemas.models import Document
from schemas.pages import InputRejected
from schemas.status import PENDING_STATUSES, RejectReason
from storage.db import session_scope
from storage.queries import claim_documents
from storage.results import save_failure, save_rejection, save_text


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
    return "text_ready"


def _mark_failed(document_id: int, exc: BaseException) -> None:
    with session_scope(runtime().engine) as session:
        document = session.get(Document, document_id)
        if document is not None:
            save_failure(session, document, f"{type(exc).__name__}: {exc}")


def worker_name() -> str:
    """Who holds a claim: host, process and flow run, so a claim can be traced to its run."""
    run_id = str(flow_run.id or "")[:8]
    return f"{socket.gethostname()}:{os.getpid()}:{run_id}"


def _claim_one(worker: str, tried: set[int]) -> int | None:
    settings = runtime().settings
    with session_scope(runtime().engine) as session:
        ids = claim_documents(session, worker, 1, settings.max_failed_runs,
                              timedelta(minutes=settings.claim_lease_minutes), skip=tried)
    return ids[0] if ids else None


@flow(name="process", task_runner=ThreadPoolTaskRunner(max_workers=DOCUMENTS_IN_FLIGHT))
def process(limit: int | None = None) -> dict[str, int]:
    """Read every waiting document (new, or failed in an earlier run). Returns counts by outcome.

    Documents are claimed one at a time as a slot frees up, so any number of runs, on one
    machine or several, share the work: none is read twice and none is left out.
    """
    logger = get_run_logger()
    worker = worker_name()
    running: dict[PrefectFuture, int] = {}
    outcomes: Counter[str] = Counter()
    tried: set[int] = set()
    while True:
        while len(running) < DOCUMENTS_IN_FLIGHT and (limit is None or len(tried) < limit):
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
            logger.warning("document %d failed: %s", doc_id, exc)
            _mark_failed(doc_id, exc)
            outcomes["failed"] += 1
    logger.info("%s processed %d documents", worker, len(tried))
    return dict(outcomes)
