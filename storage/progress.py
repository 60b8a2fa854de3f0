"""What progress is computed from: a few grouped queries, each one pass over its table.

Per dossier, its stage is the lowest stage among its documents that were not rejected
(rank 0 waiting, 1 text ready, 2 extracted, 3 verified); a dossier whose documents were all
rejected has no stage. Times stay in UTC here; days are cut in the province's time zone above.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from schemas.models import Document, Dossier, PaperDossier, ProgressSnapshot, Unit, utcnow
from schemas.status import DocumentStatus

_RANK = case(
    (col(Document.status) == DocumentStatus.text_ready, 1),
    (col(Document.status) == DocumentStatus.extracted, 2),
    (col(Document.status) == DocumentStatus.verified, 3),
    (col(Document.status) == DocumentStatus.rejected, None),
    else_=0,
)


@dataclass(slots=True)
class DossierStage:
    unit_id: int
    rank: int | None  # None: every document rejected
    ready_at: datetime | None  # when its last document got its text
    received_at: datetime


def dossier_stages(session: Session) -> list[DossierStage]:
    """One row per dossier that has documents."""
    per_dossier = (
        select(col(Document.dossier_id).label("dossier_id"), func.min(_RANK).label("rank"),
               func.max(Document.text_ready_at).label("ready_at"),
               func.min(Document.created_at).label("received_at"))
        .where(col(Document.dossier_id).is_not(None))
        .group_by(col(Document.dossier_id))
        .subquery()
    )
    rows = session.exec(
        select(Dossier.unit_id, per_dossier.c.rank, per_dossier.c.ready_at, per_dossier.c.received_at)
        .join(per_dossier, per_dossier.c.dossier_id == Dossier.id)
    )
    return [DossierStage(unit_id, rank, _utc(ready), _utc(received))  # type: ignore[arg-type]
            for unit_id, rank, ready, received in rows]


def document_counts(session: Session) -> dict[int | None, Counter[str]]:
    """Per unit: documents by status, and "unassigned" for those in no dossier yet."""
    rows = session.exec(
        select(Document.unit_id, Document.status, col(Document.dossier_id).is_(None), func.count())
        .group_by(Document.unit_id, Document.status, col(Document.dossier_id).is_(None))
    )
    counts: dict[int | None, Counter[str]] = {}
    for unit_id, status, unassigned, n in rows:
        counter = counts.setdefault(unit_id, Counter())
        counter[str(status)] += n
        if unassigned:
            counter["unassigned"] += n
    return counts


def listed_paper_dossiers(session: Session) -> dict[int, int]:
    """Per unit: how many paper dossiers its inventory list names."""
    rows = session.exec(select(PaperDossier.unit_id, func.count()).group_by(PaperDossier.unit_id))
    return dict(rows.all())


def all_units(session: Session) -> list[Unit]:
    return list(session.exec(select(Unit).order_by(Unit.code)))


def save_snapshots(session: Session, day: date, rows: list[ProgressSnapshot]) -> None:
    """Keep the day's figures, replacing an earlier snapshot of the same day."""
    old = {s.unit_id: s for s in session.exec(select(ProgressSnapshot).where(ProgressSnapshot.day == day))}
    for row in rows:
        previous = old.get(row.unit_id)
        if previous is not None:
            for name in ("inventoried", "received", "electronic", "extracted", "verified",
                         "documents", "rejected", "failed"):
                setattr(previous, name, getattr(row, name))
            previous.taken_at = utcnow()
            row = previous
        session.add(row)


def snapshots_of(session: Session, unit_id: int) -> list[ProgressSnapshot]:
    return list(session.exec(select(ProgressSnapshot).where(ProgressSnapshot.unit_id == unit_id)
                             .order_by(col(ProgressSnapshot.day))))


def _utc(value: datetime | str | None) -> datetime | None:
    """Aggregates lose the column type on SQLite (text comes back); make them aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
