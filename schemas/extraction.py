"""What field extraction yields, as plain data (no database): each value with its raw text,
normalized form, confidence, where it was read, and why it may be doubtful."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class Box:
    """Where a value was read: its page in the document (1-based) and its box in that page's
    word units (pixels for OCR, points for a text layer), upright page."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(slots=True)
class ExtractedValue:
    key: str  # catalog key ("ngay_sinh"); for a table cell, the table's key ("dao_tao")
    raw: str  # as read, leaders and label removed
    value: str | None  # normalized: ISO date, digits, proper-case name…; None if unreadable
    confidence: float  # 0..1: OCR word confidences, label match and checks together
    box: Box | None = None
    row: int | None = None  # table cells: 0-based row
    column: str | None = None  # table cells: the column's key
    problems: list[str] = field(default_factory=list)  # why confidence was lowered, in English

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class ExtractedDocument:
    """One logical document found in a run of pages (a file, or part of a scanned stack)."""

    document_type: str  # "so_yeu_ly_lich", "quyet_dinh", "van_bang", "giay_khai_sinh", …, "other"
    layout: str | None  # the CV layout or the document type's catalog entry; None for "other"
    pages: list[int]  # page numbers in the run, 1-based
    values: list[ExtractedValue] = field(default_factory=list)

    def value(self, key: str) -> ExtractedValue | None:
        return next((v for v in self.values if v.key == key and v.row is None), None)
