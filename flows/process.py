"""Process: pending documents -> pages -> text and words -> derived objects -> status."""

from __future__ import annotations

from collections import Counter

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.errors import is_transient, retry_if_transient
from flows.runtime import DOCUMENTS_IN_FLIGHT, runtime
from schemas.models import Document
from schemas.pages import InputRejected
from schemas.status import PENDING_STATUSES, RejectReason
from storage.db import session_scope
from storage.queries import pending_document_ids
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


@flow(name="process", task_runner=ThreadPoolTaskRunner(max_workers=DOCUMENTS_IN_FLIGHT))
def process(limit: int | None = None) -> dict[str, int]:
    """Read every pending document (new, or failed last time). Returns counts by outcome."""
    logger = get_run_logger()
    with session_scope(runtime().engine) as session:
        ids = pending_document_ids(session, limit)
    logger.info("%d documents to process", len(ids))
    futures = {doc_id: process_document.submit(doc_id) for doc_id in ids}
    outcomes: Counter[str] = Counter()
    for doc_id, future in futures.items():
        try:
            outcomes[future.result()] += 1
        except Exception as exc:  # transient and out of retries: the next run tries again
            logger.warning("document %d failed: %s", doc_id, exc)
            _mark_failed(doc_id, exc)
            outcomes["failed"] += 1
    return dict(outcomes)
