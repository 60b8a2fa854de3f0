"""Who may see what, applied inside the queries themselves, so the CLI, the web pages and the
API all obey the same rule: a person reaches only their units' dossiers, and only the security
officer reaches restricted ones (bảo vệ chính trị nội bộ) — not even as a count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, false, func, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from schemas.models import Cadre, Document, Dossier, FieldValue, Unit, User
from schemas.status import AuditAction, DocumentStatus, Role, SecurityClass
from storage.audit import record

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """What one actor reaches. `unit_ids` None is every unit."""

    actor: str
    role: Role
    unit_ids: frozenset[int] | None = None
    user_id: int | None = None

    @property
    def sees_restricted(self) -> bool:
        return self.role == Role.security

    @classmethod
    def pipeline(cls) -> Scope:
        """The batch itself (intake, OCR, extraction): it handles every file but shows none."""
        return cls(actor="system", role=Role.security)

    @classmethod
    def operator(cls, actor: str = "admin") -> Scope:
        """An administrator at the command line: every unit, no restricted dossier."""
        return cls(actor=actor, role=Role.admin)

    def reaches_unit(self, unit_id: int | None) -> bool:
        return self.unit_ids is None or (unit_id is not None and unit_id in self.unit_ids)

    def reaches_dossier(self, dossier: Dossier | None) -> bool:
        if dossier is None:
            return self.unit_ids is None
        return self.reaches_unit(dossier.unit_id) and \
            (self.sees_restricted or dossier.security_class != SecurityClass.restricted)

    def reaches_document(self, session: Session, document: Document) -> bool:
        if not self.reaches_unit(document.unit_id):
            return False
        dossier = session.get(Dossier, document.dossier_id) if document.dossier_id else None
        return dossier is None or self.reaches_dossier(dossier)


def units_under(session: Session, unit_id: int) -> frozenset[int]:
    """The unit and every unit below it."""
    children: dict[int | None, list[int]] = {}
    for uid, parent in session.exec(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent, []).append(uid)  # type: ignore[arg-type]
    found, todo = {unit_id}, [unit_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def scope_of(session: Session, user: User) -> Scope:
    """A user's scope: a clerk always has a unit; other roles without a unit see the province."""
    units = units_under(session, user.unit_id) if user.unit_id is not None else None
    if user.role == Role.clerk and units is None:
        units = frozenset()  # a clerk with no unit sees nothing rather than everything
    return Scope(actor=user.username, role=user.role, unit_ids=units, user_id=user.id)


def _unit_clause(column: object, scope: Scope) -> ColumnElement[bool]:
    if scope.unit_ids is None:
        return true()
    if not scope.unit_ids:
        return false()
    return col(column).in_(sorted(scope.unit_ids))  # type: ignore[arg-type]


def dossier_clause(scope: Scope) -> ColumnElement[bool]:
    """Rows of `dossier` the scope reaches."""
    clause = _unit_clause(Dossier.unit_id, scope)
    if not scope.sees_restricted:
        clause = and_(clause, Dossier.security_class != SecurityClass.restricted)
    return clause


def restricted_dossier_ids():  # type: ignore[no-untyped-def]
    return select(Dossier.id).where(Dossier.security_class == SecurityClass.restricted)


def document_clause(scope: Scope) -> ColumnElement[bool]:
    """Rows of `document` the scope reaches (a document with no dossier yet is ordinary)."""
    clause = _unit_clause(Document.unit_id, scope)
    if not scope.sees_restricted:
        clause = and_(clause, or_(col(Document.dossier_id).is_(None),
                                  col(Document.dossier_id).not_in(restricted_dossier_ids())))
    return clause


def field_clause(scope: Scope) -> ColumnElement[bool]:
    """Rows of `fieldvalue` the scope reaches, through their document."""
    return col(FieldValue.document_id).in_(select(Document.id).where(document_clause(scope)))


def scoped_dossiers(scope: Scope) -> SelectOfScalar[Dossier]:
    return select(Dossier).where(dossier_clause(scope))


def scoped_documents(scope: Scope) -> SelectOfScalar[Document]:
    return select(Document).where(document_clause(scope))


def scoped_fields(scope: Scope) -> SelectOfScalar[FieldValue]:
    return select(FieldValue).where(field_clause(scope))


class AccessDenied(PermissionError):
    """The scope may not do this; the message says who may."""


def find_scoped_dossier(session: Session, scope: Scope, dossier_id: int) -> Dossier | None:
    """A dossier by id when the scope reaches it; None otherwise, exactly as for an unknown id."""
    return session.exec(scoped_dossiers(scope).where(Dossier.id == dossier_id)).first()


def set_security_class(session: Session, scope: Scope, dossier_id: int,
                       security_class: SecurityClass) -> tuple[Dossier, SecurityClass] | None:
    """Mark a dossier restricted (bảo vệ chính trị nội bộ) or ordinary again. Only the security
    role may, and only within its units; returns (dossier, class before), or None when the scope
    does not reach the dossier. The change is audited (permission_change) in the same
    transaction."""
    if not scope.sees_restricted:
        raise AccessDenied("only the security role (bảo vệ chính trị nội bộ) may change "
                           "whether a dossier is restricted")
    dossier = find_scoped_dossier(session, scope, dossier_id)
    if dossier is None:
        return None
    before = dossier.security_class
    if before != security_class:
        dossier.security_class = security_class
        session.add(dossier)
        session.flush()
        record(session, scope.actor, AuditAction.permission_change, "dossier", dossier.id,
               dossier.unit_id, security_class={"from": before.value, "to": security_class.value})
    return dossier, before


@dataclass(frozen=True)
class DossierRow:
    """One line of a dossier listing: what the scope may see of it."""

    id: int
    code: str | None
    unit_code: str
    unit_name: str
    name: str  # the person's name, or the dossier's title
    security_class: SecurityClass
    documents: int
    stage: str  # lowest status of its documents not rejected; "rejected" when all were; "empty"


_STAGE_ORDER = (DocumentStatus.received, DocumentStatus.failed, DocumentStatus.text_ready,
                DocumentStatus.extracted, DocumentStatus.verified)


def dossier_rows(session: Session, scope: Scope, unit_ids: frozenset[int] | None = None,
                 limit: int | None = None) -> list[DossierRow]:
    """The dossiers the scope reaches (optionally within some units), by unit code and code."""
    query = (select(Dossier, Unit.code, Unit.name, Cadre.full_name)
             .join(Unit, col(Unit.id) == Dossier.unit_id)
             .outerjoin(Cadre, col(Cadre.id) == Dossier.cadre_id)
             .where(dossier_clause(scope)))
    if unit_ids is not None:
        query = query.where(col(Dossier.unit_id).in_(sorted(unit_ids)))
    query = query.order_by(col(Unit.code), col(Dossier.code), col(Dossier.id))
    if limit is not None:
        query = query.limit(limit)
    found = list(session.exec(query))
    ids = [d.id for d, *_ in found]
    statuses: dict[int, dict[DocumentStatus, int]] = {}
    for i in range(0, len(ids), 1000):
        for dossier_id, status, n in session.exec(
                select(Document.dossier_id, Document.status, func.count())
                .where(col(Document.dossier_id).in_(ids[i:i + 1000]))
                .group_by(col(Document.dossier_id), col(Document.status))):
            statuses.setdefault(dossier_id, {})[DocumentStatus(status)] = n  # type: ignore[index]
    rows = []
    for dossier, unit_code, unit_name, full_name in found:
        counts = statuses.get(dossier.id, {})  # type: ignore[arg-type]
        live = [s for s in _STAGE_ORDER if counts.get(s)]
        stage = live[0].value if live else ("rejected" if counts else "empty")
        rows.append(DossierRow(dossier.id, dossier.code, unit_code, unit_name,  # type: ignore[arg-type]
                               full_name or dossier.title, dossier.security_class,
                               sum(counts.values()), stage))
    return rows
