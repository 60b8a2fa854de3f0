"""Database tables (SQLModel). Timestamps are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from schemas.status import Bloc, DocumentStatus, FileKind, SecurityClass, TextSource


def utcnow() -> datetime:
    return datetime.now(UTC)


class Unit(SQLModel, table=True):
    """A unit of the province's tree, with the paper dossiers it holds (progress denominator)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=255)
    bloc: Bloc | None = Field(default=None)
    parent_id: int | None = Field(default=None, foreign_key="unit.id")
    paper_dossiers: int = Field(default=0, ge=0)
    valid_from: date | None = None
    valid_to: date | None = None


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
    """One person's file at one unit."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
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
    attempts: int = 0
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    page_count: int = 0
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    dossier_id: int | None = Field(default=None, foreign_key="dossier.id")
    batch_id: int | None = Field(default=None, foreign_key="batch.id")
    pdf_key: str | None = Field(default=None, max_length=255)  # searchable PDF
    pdf_sha256: str | None = Field(default=None, max_length=64)
    text_key: str | None = Field(default=None, max_length=255)
    text_sha256: str | None = Field(default=None, max_length=64)
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
