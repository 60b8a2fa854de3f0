"""Database tables (SQLModel). Timestamps are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from schemas.status import (
    AuditAction,
    Bloc,
    DocumentStatus,
    FieldStatus,
    FileKind,
    Role,
    SecurityClass,
    TextSource,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Unit(SQLModel, table=True):
    """A unit of the province's tree, with the paper dossiers it holds (progress denominator)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=255)
    bloc: Bloc | None = Field(default=None)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    # Paper dossiers the unit holds, as counted by the unit; None is "unknown", never 100 %.
    paper_dossiers: int | None = Field(default=None, ge=0)
    valid_from: date | None = None
    valid_to: date | None = None  # last day the unit existed (mergers, abolished districts)
    deadline: date | None = None  # overrides the province deadline for this unit and below


class PaperDossier(SQLModel, table=True):
    """One paper dossier on a unit's inventory list (the denominator, when listed by name)."""

    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    code: str = Field(max_length=64)
    full_name: str = Field(default="", max_length=255)
    cccd: str | None = Field(default=None, max_length=12)
    imported_at: datetime = Field(default_factory=utcnow)


class Cadre(SQLModel, table=True):
    """The person: identified by CCCD where known, otherwise by name and birth date."""

    id: int | None = Field(default=None, primary_key=True)
    cccd: str | None = Field(default=None, unique=True, max_length=12)
    full_name: str = Field(default="", max_length=255, index=True)
    name_key: str = Field(default="", max_length=255, index=True)  # folded: no case, no diacritics
    birth_date: date | None = None
    gender: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)


class Batch(SQLModel, table=True):
    """One intake run: the files a clerk handed in together."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    files: int = 0
    new_documents: int = 0
    duplicates: int = 0
    # Files whose bytes were already held: [{"name", "sha256", "document_id"}].
    duplicate_files: list[dict] = Field(default_factory=list, sa_column=Column(JSON))


class Dossier(SQLModel, table=True):
    """One person's file at one unit; `code` is the paper dossier's code when known."""

    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    code: str | None = Field(default=None, max_length=64)
    cadre_id: int | None = Field(default=None, foreign_key="cadre.id", index=True)
    title: str = Field(default="", max_length=255)
    security_class: SecurityClass = SecurityClass.ordinary
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """One uploaded file (stored once by content) and what became of it."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, unique=True, min_length=64, max_length=64)
    size: int
    source_name: str = Field(max_length=1024)
    object_key: str = Field(max_length=255)
    kind: FileKind | None = None
    doc_type: str = Field(default="unknown", max_length=64)
    status: DocumentStatus = Field(default=DocumentStatus.received, index=True)
    reject_code: str | None = Field(default=None, max_length=32)
    reject_reason: str | None = Field(default=None, max_length=2000)
    error: str | None = Field(default=None, max_length=2000)  # last transient failure
    attempts: int = 0  # tries to read it, retries included
    failures: int = 0  # runs that ended with it failed; retried while below the setting
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    page_count: int = 0
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    dossier_id: int | None = Field(default=None, foreign_key="dossier.id", index=True)
    batch_id: int | None = Field(default=None, foreign_key="batch.id")
    pdf_key: str | None = Field(default=None, max_length=255)  # searchable PDF
    pdf_sha256: str | None = Field(default=None, max_length=64)
    text_key: str | None = Field(default=None, max_length=255)
    text_sha256: str | None = Field(default=None, max_length=64)
    # Which process run holds it: claimed with FOR UPDATE SKIP LOCKED, so two runs never read
    # the same document; a claim older than the lease is taken over (its run died).
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = None
    text_ready_at: datetime | None = None  # when it became electronic (progress, burn-up)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Page(SQLModel, table=True):
    """One page of a document: where its text came from and where its words are kept."""

    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    number: int  # 1-based
    source: TextSource
    rotation: int = 0
    skew: float = 0.0
    mean_conf: float | None = None
    dpi: int | None = None
    width: float = 0
    height: float = 0
    word_count: int = 0
    char_count: int = 0
    words_key: str = Field(max_length=255)
    words_sha256: str = Field(max_length=64)
    text_key: str = Field(max_length=255)
    text_sha256: str = Field(max_length=64)
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class ProgressSnapshot(SQLModel, table=True):
    """A unit's progress on one day, rolled up over its sub-units (history for trends)."""

    __table_args__ = (UniqueConstraint("day", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    inventoried: int | None = None
    received: int = 0
    electronic: int = 0
    extracted: int = 0
    verified: int = 0
    documents: int = 0
    rejected: int = 0
    failed: int = 0
    taken_at: datetime = Field(default_factory=utcnow)


class FieldValue(SQLModel, table=True):
    """One value the machine read: a scalar item, or a table cell (row, column), with where it
    was read and how sure the reading is. Never edited by people: see FieldCorrection."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)  # the file its page is in
    dossier_id: int | None = Field(default=None, foreign_key="dossier.id", index=True)
    part: int = 0  # which logical document of the dossier's run (a scanned stack holds several)
    document_type: str = Field(max_length=64)
    layout: str | None = Field(default=None, max_length=64)
    key: str = Field(max_length=64, index=True)
    row: int | None = None
    column: str | None = Field(default=None, max_length=64)
    raw: str = Field(default="", max_length=4000)
    value: str | None = Field(default=None, max_length=4000)
    confidence: float = 0.0
    page: int | None = None  # page number in the document (file)
    x0: float | None = None
    y0: float | None = None
    x1: float | None = None
    y1: float | None = None
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: FieldStatus = Field(default=FieldStatus.needs_review, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class FieldCorrection(SQLModel, table=True):
    """A person's value for a field, appended; the latest one is the field's value."""

    id: int | None = Field(default=None, primary_key=True)
    field_value_id: int = Field(foreign_key="fieldvalue.id", index=True)
    value: str = Field(max_length=4000)
    corrected_by: str = Field(max_length=128)
    corrected_at: datetime = Field(default_factory=utcnow)
    note: str = Field(default="", max_length=1000)


class User(SQLModel, table=True):
    """A person who signs in. A clerk's reach is their unit and its sub-units; the other roles
    reach the unit given, or the whole province when none is."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    full_name: str = Field(default="", max_length=255)
    password_hash: str = Field(max_length=255)  # argon2 (pwdlib)
    role: Role
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_sign_in: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A token another system uses for the HTTP API; it acts as its user. Only its hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(default="", max_length=128)
    token_sha256: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """One thing someone did, appended and never changed. Each event carries the hash of the one
    before it, so an edited or deleted event breaks the chain (`hoso audit verify`)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=128, index=True)
    action: AuditAction = Field(index=True)
    object_type: str = Field(default="", max_length=32)
    object_id: str = Field(default="", max_length=128)
    unit_id: int | None = Field(default=None, index=True)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON))  # ID numbers masked
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
