"""Queries the flows and the command line need. Each takes an open session."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, col, func, select

from schemas.models import Document, Page, Unit, utcnow
from schemas.status import PENDING_STATUSES, DocumentStatus


def get_or_create_unit(session: Session, code: str, name: str | None = None) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        unit = Unit(code=code, name=name or code)
        session.add(unit)
        session.flush()
    return unit


def document_by_sha(session: Session, sha256: str) -> Document | None:
    return session.exec(select(Document).where(Document.sha256 == sha256)).first()


def pending_document_ids(session: Session, limit: int | None = None) -> list[int]:
    """Documents waiting for text: new ones and those a transient error stopped."""
    query = (select(Document.id).where(col(Document.status).in_(PENDING_STATUSES))
             .order_by(Document.id))
    if limit:
        query = query.limit(limit)
    return list(session.exec(query))


def replace_pages(session: Session, document: Document, pages: list[Page]) -> None:
    """Swap in a document's new pages (a retry may have left none or old ones)."""
    for old in session.exec(select(Page).where(Page.document_id == document.id)):
        session.delete(old)
    session.flush()
    session.add_all(pages)


def set_status(document: Document, status: DocumentStatus, **fields: object) -> None:
    document.status = status
    for name, value in fields.items():
        setattr(document, name, value)
    document.updated_at = utcnow()


def counts_by_status(session: Session) -> Counter[str]:
    rows = session.exec(select(Document.status, func.count()).group_by(Document.status))
    return Counter({str(status): n for status, n in rows})


def counts_by_unit(session: Session) -> dict[str, Counter[str]]:
    rows = session.exec(
        select(Unit.code, Document.status, func.count())
        .join(Unit, col(Document.unit_id) == Unit.id, isouter=True)
        .group_by(Unit.code, Document.status)
    )
    table: dict[str, Counter[str]] = {}
    for code, status, n in rows:
        table.setdefault(code or "-", Counter())[str(status)] = n
    return table


def documents(session: Session, status: DocumentStatus | None = None) -> list[Document]:
    query = select(Document).order_by(Document.id)
    if status is not None:
        query = query.where(Document.status == status)
    return list(session.exec(query))


def pages_of(session: Session, document_id: int) -> list[Page]:
    return list(session.exec(select(Page).where(Page.document_id == document_id)
                             .order_by(Page.number)))


def unit_codes(session: Session) -> dict[int, str]:
    return {unit.id: unit.code for unit in session.exec(select(Unit)) if unit.id is not None}
