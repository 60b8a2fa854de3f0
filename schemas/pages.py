"""Plain results of reading a file: words with boxes, pages, documents. No database here."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.status import FileKind, RejectReason, TextSource


class InputRejected(Exception):
    """A file that can never be processed as it is. Never retried; the reason is kept."""

    def __init__(self, reason: RejectReason, message: str) -> None:
        super().__init__(reason, message)  # both in args: it crosses process boundaries
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason.value}: {self.message}"


@dataclass(frozen=True, slots=True)
class Word:
    """One word, its box in pixels of the upright page image (or PDF points for a text layer),
    and the OCR confidence 0–100 (None for a text layer)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float | None = None
    line: int = 0  # reading-order line number within the page

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "box": [round(self.x0, 1), round(self.y0, 1), round(self.x1, 1), round(self.y1, 1)],
            "conf": None if self.conf is None else round(self.conf, 1),
            "line": self.line,
        }


@dataclass(slots=True)
class PageText:
    """What one page yielded."""

    number: int  # 1-based
    source: TextSource
    text: str
    words: list[Word]
    width: float  # of the upright page, in the unit of the word boxes
    height: float
    unit: str  # "px" for OCR, "pt" for a text layer
    dpi: int | None = None
    rotation: int = 0  # degrees turned clockwise to make the page upright
    skew: float = 0.0  # degrees corrected by deskew
    mean_conf: float | None = None
    pdf: bytes | None = None  # this page as a searchable PDF page (None: copy the original page)
    warnings: list[str] = field(default_factory=list)
    # Horizontal and vertical ruling lines (table cells): x0, y0, x1, y1 in word units of the
    # upright page. Kept last: pages pickled before it existed load without the attribute,
    # so read it with getattr(page, "rules", []).
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)
    # Dotted leaders erased from a scan before OCR (`extractors.leaders`): x0, y0, x1, y1 in word
    # units; the field reader takes them as the leader characters of a text layer. Read it
    # with getattr(page, "leaders", []) (pages pickled before it existed lack it).
    leaders: list[tuple[float, float, float, float]] = field(default_factory=list)


@dataclass(slots=True)
class DocumentText:
    """What one file yielded: its kind, its pages and the searchable PDF assembled from them."""

    kind: FileKind
    pages: list[PageText]
    searchable_pdf: bytes
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\f".join(p.text for p in self.pages)
