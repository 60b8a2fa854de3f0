"""Intake: files -> originals in the object store (once by content) + Document rows."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.errors import full_store_text, retry_if_transient, store_full
from flows.runtime import report, runtime
from schemas.models import Batch, Document, utcnow
from schemas.status import AuditAction
from storage.audit import record as audit
from storage.db import session_scope
from storage.queries import document_by_sha, get_or_create_dossier, get_or_create_unit


@dataclass
class IntakeResult:
    batch_id: int
    new: list[int] = field(default_factory=list)  # document ids
    duplicates: list[dict] = field(default_factory=list)  # {"name", "sha256", "document_id"}
    unreadable: list[dict] = field(default_factory=list)  # {"name", "error"}: could not be read
    # The object store filled up: these files were not taken (they stay where they are), and why.
    not_taken: list[str] = field(default_factory=list)
    store_full: str | None = None


def keep_original(data: bytes, name: str, unit_id: int, batch_id: int,
                  dossier_code: str | None = None, actor: str = "system") -> tuple[str, int]:
    """Store the bytes once by content, then record them in one transaction, with the upload
    in the audit trail (who, which document, new or a duplicate).

    Returns ("new" | "duplicate", document id). A duplicate that was in no dossier joins the
    one named now, so a later upload with its dossier code completes the record.
    """
    rt = runtime()
    stored, _ = rt.store.put_original(data)
    with session_scope(rt.engine) as session:
        dossier_id = get_or_create_dossier(session, unit_id, dossier_code).id if dossier_code else None
        existing = document_by_sha(session, stored.sha256)
        if existing is not None:
            if existing.dossier_id is None and dossier_id is not None and existing.unit_id == unit_id:
                existing.dossier_id = dossier_id
                session.add(existing)
            audit(session, actor, AuditAction.upload, "document", existing.id, unit_id,
                  sha256=stored.sha256, size=stored.size, batch_id=batch_id, dossier_id=dossier_id,
                  duplicate=True)
            return "duplicate", existing.id  # type: ignore[return-value]
        document = Document(sha256=stored.sha256, size=stored.size, source_name=name,
                            object_key=stored.key, unit_id=unit_id, batch_id=batch_id,
                            dossier_id=dossier_id)
        session.add(document)
        session.flush()
        audit(session, actor, AuditAction.upload, "document", document.id, unit_id,
              sha256=stored.sha256, size=stored.size, batch_id=batch_id, dossier_id=dossier_id,
              duplicate=False)
        return "new", document.id  # type: ignore[return-value]


@task(name="store-original", retries=3, retry_delay_seconds=2,
      retry_condition_fn=retry_if_transient, cache_policy=NO_CACHE)
def store_original(path: str, unit_id: int, batch_id: int,
                   dossier_code: str | None = None, actor: str = "system") -> tuple[str, int]:
    """Keep one file's bytes once by content and record it."""
    return keep_original(Path(path).read_bytes(), Path(path).name, unit_id, batch_id, dossier_code,
                         actor)


def open_batch(unit_code: str, unit_name: str | None, files: int) -> tuple[int, int]:
    """A batch row for this intake; returns (unit id, batch id)."""
    with session_scope(runtime().engine) as session:
        unit = get_or_create_unit(session, unit_code, unit_name)
        batch = Batch(unit_id=unit.id, files=files)
        session.add(batch)
        session.flush()
        return unit.id, batch.id  # type: ignore[return-value]


def close_batch(result: IntakeResult) -> None:
    with session_scope(runtime().engine) as session:
        batch = session.get(Batch, result.batch_id)
        assert batch is not None
        batch.new_documents = len(result.new)
        batch.duplicates = len(result.duplicates)
        batch.duplicate_files = result.duplicates
        batch.finished_at = utcnow()
        session.add(batch)


@flow(name="intake", log_prints=False)
def intake(paths: list[str], unit_code: str, unit_name: str | None = None,
           dossier_code: str | None = None, actor: str | None = None) -> IntakeResult:
    """Take in files for one unit (and, when given, one paper dossier): each original kept
    once, identical bytes noted as duplicates. Nothing is rejected here; reading the files is
    the process flow's job. `actor` is who hands them in (default: the user running it)."""
    actor = actor or getpass.getuser()
    unit_id, batch_id = open_batch(unit_code, unit_name, len(paths))
    result = IntakeResult(batch_id=batch_id)
    for done, path in enumerate(paths):
        report("files", batch_id, done, len(paths))
        try:
            outcome, doc_id = store_original(path, unit_id, batch_id, dossier_code, actor)
        except OSError as exc:
            if store_full(exc):  # every further file would fail alike: stop, say so
                result.store_full = full_store_text(exc, "hand in the files not taken again")
                result.not_taken = [str(p) for p in paths[done:]]
                break
            # unreadable on the clerk's side: say so, go on
            result.unreadable.append({"name": path, "error": f"{type(exc).__name__}: {exc}"})
            continue
        if outcome == "new":
            result.new.append(doc_id)
        else:
            result.duplicates.append({"name": Path(path).name, "document_id": doc_id})
    report("files", batch_id, len(paths), len(paths))
    close_batch(result)
    return result
