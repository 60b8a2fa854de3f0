"""Files handed in through the web pages, one at a time, each answered at once.

The same intake as `hoso ingest` (flows.intake.keep_original: kept once by content, a Document
row, the audit `upload` event), plus a first look at the bytes (size, file type) so a clerk
hears straight away that a file is not a scan; such a file is kept and marked rejected, as the
process flow would. Reading the pages is left to the process flow, as for every other file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import update
from sqlmodel import Session

from extractors.filetype import detect_kind
from flows.intake import keep_original
from flows.runtime import runtime
from schemas.models import Batch, Document, Dossier, Unit, utcnow
from schemas.pages import InputRejected
from schemas.settings import Limits
from schemas.status import AuditAction, RejectReason
from storage.access import Scope
from storage.audit import record
from storage.db import session_scope
from storage.objects import sha256_hex
from storage.queries import document_by_sha
from storage.results import save_rejection
from storage.search import index_dossier


@dataclass
class UploadAnswer:
    name: str
    outcome: str  # "new", "duplicate" or "rejected"
    document_id: int | None = None
    dossier_id: int | None = None
    reject_code: str | None = None
    reject_detail: str | None = None  # the reader's own words (English), beside the advice
    # The document the bytes already are: id, file name, dossier, unit, when; or only
    # {"elsewhere": True} when it lies outside what the uploader may see.
    duplicate_of: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def too_large(size: int, limits: Limits) -> InputRejected | None:
    """A file over the size limit is refused before it is stored (the guard is there to keep
    such files out)."""
    if size <= limits.max_file_bytes:
        return None
    return InputRejected(RejectReason.too_large,
                         f"the file is {size / 1e6:,.1f} MB, over the limit of "
                         f"{limits.max_file_mb:,.0f} MB; split it or scan at 300 dpi.")


def screen(data: bytes, limits: Limits) -> InputRejected | None:
    """What can be said of a file without reading its pages: its size and its kind."""
    refused = too_large(len(data), limits)
    if refused is not None:
        return refused
    try:
        detect_kind(data)
    except InputRejected as rejection:
        return rejection
    return None


def open_batch(session: Session, unit_id: int) -> int:
    batch = Batch(unit_id=unit_id, files=0)
    session.add(batch)
    session.flush()
    return batch.id  # type: ignore[return-value]


def refuse(session: Session, scope: Scope, name: str, size: int, unit_id: int,
           rejection: InputRejected) -> UploadAnswer:
    """A file refused before it was stored: the answer, and the attempt in the audit trail."""
    record(session, scope.actor, AuditAction.upload, "file", name[:128], unit_id, size=size,
           refused=rejection.reason.value)
    return UploadAnswer(name=name, outcome="rejected", reject_code=rejection.reason.value,
                        reject_detail=rejection.message)


def take_upload(data: bytes, name: str, unit_id: int, batch_id: int, scope: Scope,
                dossier_code: str | None = None, person: str | None = None) -> UploadAnswer:
    """Keep one uploaded file (the caller has checked that the scope reaches the unit)."""
    rt = runtime()
    rejection = screen(data, rt.settings.limits)
    code = (dossier_code or "").strip()[:64] or None
    with session_scope(rt.engine) as session:
        existing = document_by_sha(session, sha256_hex(data))
        if existing is not None and not scope.reaches_document(session, existing):
            code = None  # someone else's file never joins this clerk's dossier
    outcome, doc_id = keep_original(data, name, unit_id, batch_id, code, actor=scope.actor)
    with session_scope(rt.engine) as session:
        document = session.get(Document, doc_id)
        assert document is not None
        answer = UploadAnswer(name=name, outcome=outcome, document_id=doc_id,
                              dossier_id=document.dossier_id)
        if outcome == "new" and rejection is not None:
            save_rejection(session, document, rejection)
            answer.outcome, answer.reject_code = "rejected", rejection.reason.value
            answer.reject_detail = rejection.message
        if outcome == "duplicate":
            answer.duplicate_of = _duplicate_of(session, scope, document)
            if answer.duplicate_of.get("elsewhere"):
                answer.document_id = answer.dossier_id = None
        if document.dossier_id is not None and outcome != "duplicate":
            _name_dossier(session, document.dossier_id, person)
        _count(session, batch_id, outcome, name, document)
    return answer


def _duplicate_of(session: Session, scope: Scope, document: Document) -> dict:
    if not scope.reaches_document(session, document):
        return {"elsewhere": True}
    dossier = session.get(Dossier, document.dossier_id) if document.dossier_id else None
    unit = session.get(Unit, document.unit_id) if document.unit_id else None
    return {"document_id": document.id, "source_name": document.source_name,
            "dossier_id": dossier.id if dossier else None,
            "dossier_code": dossier.code if dossier else None,
            "unit_name": unit.name if unit else None, "status": document.status.value,
            "uploaded_at": document.created_at.isoformat()}


def _name_dossier(session: Session, dossier_id: int, person: str | None) -> None:
    """A dossier named by the clerk gets the person's name as its title; searchable at once."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        return
    person = (person or "").strip()[:255]
    if person and dossier.title in ("", dossier.code):
        dossier.title = person
        session.add(dossier)
        session.flush()
    index_dossier(session, dossier_id)


def _count(session: Session, batch_id: int, outcome: str, name: str, document: Document) -> None:
    session.execute(update(Batch).where(Batch.id == batch_id).values(  # type: ignore[arg-type]
        files=Batch.files + 1, finished_at=utcnow(),
        new_documents=Batch.new_documents + int(outcome != "duplicate"),
        duplicates=Batch.duplicates + int(outcome == "duplicate")))
    if outcome == "duplicate":
        batch = session.get(Batch, batch_id)
        if batch is not None:
            session.refresh(batch)
            batch.duplicate_files = [*(batch.duplicate_files or []),
                                     {"name": name, "sha256": document.sha256, "document_id": document.id}]
            session.add(batch)
