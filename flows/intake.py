"""Intake: files -> originals in the object store (once by content) + Document rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.errors import retry_if_transient
from flows.runtime import report, runtime
from schemas.models import Batch, Document, utcnow
from storage.db import session_scope
from storage.queries import document_by_sha, get_or_create_unit


@dataclass
class IntakeResult:
    batch_id: int
    new: list[int] = field(default_factory=list)  # document ids
    duplicates: list[dict] = field(default_factory=list)  # {"name", "sha256", "document_id"}
    unreadable: list[dict] = field(default_factory=list)  # {"name", "error"}: could not be read


@task(name="store-original", retries=3, retry_delay_seconds=2,
      retry_condition_fn=retry_if_transient, cache_policy=NO_CACHE)
def store_original(path: str, unit_id: int, batch_id: int) -> tuple[str, int]:
    """Keep the file's bytes once by content and record it. Returns ("new"|"duplicate", id)."""
    rt = runtime()
    data = Path(path).read_bytes()
    stored, _ = rt.store.put_original(data)
    with session_scope(rt.engine) as session:
        existing = document_by_sha(session, stored.sha256)
        if existing is not None:
            return "duplicate", existing.id  # type: ignore[return-value]
        document = Document(sha256=stored.sha256, size=stored.size, source_name=Path(path).name,
                            object_key=stored.key, unit_id=unit_id, batch_id=batch_id)
        session.add(document)
        session.flush()
        return "new", document.id  # type: ignore[return-value]


@flow(name="intake", log_prints=False)
def intake(paths: list[str], unit_code: str, unit_name: str | None = None) -> IntakeResult:
    """Take in files for one unit: each original kept once, identical bytes noted as
    duplicates. Nothing is rejected here; reading the files is the process flow's job."""
    rt = runtime()
    with session_scope(rt.engine) as session:
        unit = get_or_create_unit(session, unit_code, unit_name)
        batch = Batch(unit_id=unit.id, files=len(paths))
        session.add(batch)
        session.flush()
        unit_id, batch_id = unit.id, batch.id
    result = IntakeResult(batch_id=batch_id)  # type: ignore[arg-type]
    for done, path in enumerate(paths):
        report("files", batch_id, done, len(paths))  # type: ignore[arg-type]
        try:
            outcome, doc_id = store_original(path, unit_id, batch_id)
        except OSError as exc:  # unreadable on the clerk's side: say so, go on
            result.unreadable.append({"name": path, "error": f"{type(exc).__name__}: {exc}"})
            continue
        if outcome == "new":
            result.new.append(doc_id)
        else:
            result.duplicates.append({"name": Path(path).name, "document_id": doc_id})
    report("files", batch_id, len(paths), len(paths))  # type: ignore[arg-type]
    with session_scope(rt.engine) as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.new_documents = len(result.new)
        batch.duplicates = len(result.duplicates)
        batch.duplicate_files = result.duplicates
        batch.finished_at = utcnow()
        session.add(batch)
    return result
