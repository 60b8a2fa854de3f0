"""Queries the flows and the command line need. Each takes an open session."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, func, select

from schemas.models import Document, Dossier, Page, Unit, utcnow
from schemas.status import PENDING_STATUSES, DocumentStatus


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.exec(select(Unit).where(Unit.code == code)).first()


def get_or_create_unit(session: Session, code: str, name: str | None = None) -> Unit:
    """The unit with this code; a new one goes under the province's root when there is one."""
    unit = unit_by_code(session, code)
    if unit is None:
        roots = list(session.exec(select(Unit).where(col(Unit.parent_id).is_(None)).limit(2)))
        unit = Unit(code=code, name=name or code, parent_id=roots[0].id if len(roots) == 1 else None)
        session.add(unit)
        session.flush()
    return unit


def get_or_create_dossier(session: Session, unit_id: int, code: str) -> Dossier:
    """The dossier with this paper code at this unit (documents uploaded later join it)."""
    dossier = session.exec(select(Dossier).where(Dossier.unit_id == unit_id,
                                                 Dossier.code == code)).first()
    if dossier is None:
        dossier = Dossier(unit_id=unit_id, code=code, title=code)
        session.add(dossier)
        session.flush()
    return dossier


def document_by_sha(session: Session, sha256: str) -> Document | None:
    return session.exec(select(Document).where(Document.sha256 == sha256)).first()


def _claimable(max_failed_runs: int, stale_before: datetime) -> ColumnElement[bool]:
    """Waiting for text (new, or failed in fewer runs than allowed) and held by no live run."""
    return and_(
        col(Document.status).in_(PENDING_STATUSES),
        or_(Document.status == DocumentStatus.received, col(Document.failures) < max_failed_runs),
        or_(col(Document.claimed_at).is_(None), col(Document.claimed_at) < stale_before),
    )


def claim_documents(session: Session, worker: str, limit: int, max_failed_runs: int,
                    lease: timedelta, skip: Collection[int] = ()) -> list[int]:
    """Take up to `limit` waiting documents for this run, in one statement.

    On PostgreSQL the candidates are locked FOR UPDATE SKIP LOCKED, so concurrent runs take
    different documents without waiting on each other; SQLite runs one writer at a time, so
    the single UPDATE is enough there. A claim older than the lease is taken over. `skip`:
    documents this run already tried (a failure waits for a later run).
    """
    now = utcnow()
    candidates = select(Document.id).where(_claimable(max_failed_runs, now - lease))
    if skip:
        candidates = candidates.where(col(Document.id).not_in(list(skip)))
    candidates = (candidates
                  .order_by(col(Document.id)).limit(limit).with_for_update(skip_locked=True))
    claimed = session.execute(
        update(Document).where(col(Document.id).in_(candidates.scalar_subquery()))
        .values(claimed_by=worker, claimed_at=now).returning(col(Document.id))
    )
    return sorted(claimed.scalars().all())


def release_dead_claims(session: Session, is_dead: Callable[[str], bool]) -> list[int]:
    """Free the waiting documents whose claim holder `is_dead` says died (a killed run), so
    they need not wait for the lease. The interrupted read counts as a failed run, with the
    holder named in `error`: a file that kills every run reading it is given up in the end.
    Returns the ids freed; a claim taken over meanwhile by another run is left alone."""
    held = session.exec(
        select(Document.id, Document.claimed_by)
        .where(col(Document.status).in_(PENDING_STATUSES), col(Document.claimed_at).is_not(None),
               col(Document.claimed_by).is_not(None))
    ).all()
    freed = []
    for doc_id, holder in held:
        if not is_dead(holder):
            continue
        done = session.execute(
            update(Document).where(Document.id == doc_id, Document.claimed_by == holder,
                                   col(Document.claimed_at).is_not(None))
            .values(claimed_at=None, status=DocumentStatus.failed, failures=Document.failures + 1,
                    error=f"the run reading it stopped before it finished (process {holder} "
                          "is gone: killed or crashed); it is read again",
                    updated_at=utcnow())
        )
        if done.rowcount:
            freed.append(doc_id)
    return freed


def count_claimable(session: Session, max_failed_runs: int, lease: timedelta) -> int:
    return session.exec(select(func.count()).select_from(Document)
                        .where(_claimable(max_failed_runs, utcnow() - lease))).one()


def release_given_up(session: Session, max_failed_runs: int) -> int:
    """Give documents that failed in every allowed run one more chance; returns how many."""
    result = session.execute(
        update(Document).where(Document.status == DocumentStatus.failed,
                               col(Document.failures) >= max_failed_runs)
        .values(failures=0, claimed_at=None, claimed_by=None)
    )
    return result.rowcount or 0


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
