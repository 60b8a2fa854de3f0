"""Extracted values, their review, and the people they belong to.

The machine's reading is written once and never edited: a reviewer's decision is a new
FieldCorrection row (who, when, what), and the value's status says it was reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from schemas.models import Cadre, Document, Dossier, FieldCorrection, FieldValue, Page, utcnow
from schemas.status import AuditAction, DocumentStatus, FieldStatus
from schemas.vietnamese import fold
from storage.access import Scope, field_clause
from storage.audit import record
from storage.search import index_fields

SAME_NAME = 92.0  # rapidfuzz ratio of folded names for "the same person" with the same birth date


class ReviewError(ValueError):
    """The field cannot be reviewed as asked (unknown id, empty value)."""


def documents_to_extract(session: Session) -> list[Document]:
    return list(session.exec(select(Document).where(Document.status == DocumentStatus.text_ready)
                             .order_by(col(Document.id))))


def dossier_documents(session: Session, dossier_id: int) -> list[Document]:
    """The dossier's readable documents in upload order (a CV scanned a page per file stays in
    order)."""
    readable = (DocumentStatus.text_ready, DocumentStatus.extracted, DocumentStatus.verified)
    return list(session.exec(
        select(Document).where(Document.dossier_id == dossier_id, col(Document.status).in_(readable))
        .order_by(col(Document.created_at), col(Document.source_name), col(Document.id))))


def pages_of_documents(session: Session, ids: list[int]) -> list[Page]:
    return list(session.exec(select(Page).where(col(Page.document_id).in_(ids))
                             .order_by(col(Page.document_id), col(Page.number))))


def save_values(session: Session, values: list[FieldValue], threshold: float) -> None:
    """New machine readings: sure ones accepted, the rest queued for review."""
    for value in values:
        sure = value.confidence >= threshold
        value.status = FieldStatus.auto_accepted if sure else FieldStatus.needs_review
        session.add(value)


def values_of_dossier(session: Session, dossier_id: int) -> list[FieldValue]:
    return list(session.exec(select(FieldValue).where(FieldValue.dossier_id == dossier_id)
                             .order_by(col(FieldValue.part), col(FieldValue.row), col(FieldValue.id))))


def review_queue(session: Session, limit: int = 50, scope: Scope | None = None) -> list[FieldValue]:
    """Values waiting for a person, least sure first: those the scope reaches (its units; a
    restricted dossier's only for the security role). No scope: every value (the pipeline's
    own counts); commands that show values pass the user's scope."""
    query = select(FieldValue).where(FieldValue.status == FieldStatus.needs_review)
    if scope is not None:
        query = query.where(field_clause(scope))
    return list(session.exec(query.order_by(col(FieldValue.confidence), col(FieldValue.id)).limit(limit)))


def corrections_of(session: Session, field_ids: list[int]) -> dict[int, FieldCorrection]:
    """The latest correction of each field that has one."""
    latest: dict[int, FieldCorrection] = {}
    rows = session.exec(select(FieldCorrection).where(col(FieldCorrection.field_value_id).in_(field_ids))
                        .order_by(col(FieldCorrection.corrected_at), col(FieldCorrection.id)))
    for row in rows:
        latest[row.field_value_id] = row
    return latest


def review(session: Session, field_id: int, by: str, value: str | None = None, note: str = "",
           scope: Scope | None = None) -> FieldValue:
    """A reviewer's decision: `value` corrects the reading; None confirms it as read.

    With a scope, a value it does not reach is refused exactly as an unknown one. The decision
    is audited (correction: who acted, the field, confirmed or corrected; never the value) in
    the same transaction; the actor is the scope's, else the reviewer named."""
    query = select(FieldValue).where(FieldValue.id == field_id)
    if scope is not None:
        query = query.where(field_clause(scope))
    field = session.exec(query).first()
    if field is None:
        raise ReviewError(f"no field value with id {field_id}")
    if not by.strip():
        raise ReviewError("say who reviews (--by NAME)")
    if value is not None and not value.strip():
        raise ReviewError("an empty correction: give the value as it should read")
    confirmed = value is None or value.strip() == (field.value or "")
    final = (field.value or "") if confirmed else value.strip()  # type: ignore[union-attr]
    session.add(FieldCorrection(field_value_id=field_id, value=final,
                                corrected_by=by.strip(), corrected_at=utcnow(),
                                note=note or ("confirmed as read" if confirmed else "")))
    field.status = FieldStatus.confirmed if confirmed else FieldStatus.corrected
    session.add(field)
    document = session.get(Document, field.document_id)
    record(session, scope.actor if scope else by.strip(), AuditAction.correction, "field", field_id,
           document.unit_id if document else None, key=field.key, outcome=field.status.value,
           by=by.strip(), document_id=field.document_id, dossier_id=field.dossier_id)
    session.flush()
    index_fields(session, [field.document_id])  # the reviewed value is what search finds
    return field


@dataclass
class Link:
    cadre: Cadre | None
    created: bool = False
    conflict: str | None = None  # why the reading was not joined to a known person


def link_cadre(session: Session, cccd: str | None, name: str | None, birth: date | None,
               gender: str | None) -> Link:
    """The person a document is about: found by CCCD, else by name and birth date (diacritics
    and case ignored, a small OCR slip tolerated); created when new. When the CCCD belongs to
    someone with another name or birth date, nothing is merged: the conflict is returned."""
    key = " ".join(fold(name or "").split())
    if cccd:
        known = session.exec(select(Cadre).where(Cadre.cccd == cccd)).first()
        if known is not None:
            if (birth and known.birth_date and known.birth_date != birth) or \
                    (key and known.name_key and fuzz.ratio(key, known.name_key) < SAME_NAME):
                return Link(None, conflict=f"CCCD {cccd} belongs to {known.full_name} "
                                           f"({known.birth_date}), not {name} ({birth})")
            return Link(known)
    if key and birth:
        for known in session.exec(select(Cadre).where(Cadre.birth_date == birth)):
            if fuzz.ratio(key, known.name_key) >= SAME_NAME:
                if cccd and known.cccd and known.cccd != cccd:
                    return Link(None, conflict=f"{name} born {birth} is known with CCCD {known.cccd}, "
                                               f"this document says {cccd}")
                if cccd and not known.cccd:
                    known.cccd = cccd
                    session.add(known)
                return Link(known)
    if not (cccd or (key and birth)):
        return Link(None)
    cadre = Cadre(cccd=cccd, full_name=name or "", name_key=key, birth_date=birth, gender=gender)
    session.add(cadre)
    session.flush()
    return Link(cadre, created=True)


def dossier_for(session: Session, unit_id: int, cadre: Cadre) -> Dossier:
    """The cadre's dossier at the unit; a new one when there is none."""
    dossier = session.exec(select(Dossier).where(Dossier.unit_id == unit_id,
                                                 Dossier.cadre_id == cadre.id)).first()
    if dossier is None:
        dossier = Dossier(unit_id=unit_id, cadre_id=cadre.id, title=cadre.full_name)
        session.add(dossier)
        session.flush()
    return dossier
