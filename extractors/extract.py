"""From pages to records: split and classify the run of pages, read each document's fields and
tables by its catalog entry, normalize the values, cross-check them, and say how sure each is.

Confidence is the product of what can go wrong: the OCR of the value's words, the match of its
label, the repairs normalization had to make, and the cross-checks it failed. A value whose
checks fail is never sure, however clean its OCR.
"""

from __future__ import annotations

from extractors.checks import run_checks
from extractors.classify import classify
from extractors.decision import read_decision
from extractors.fields import RawValue, read_values, run_lines
from extractors.normalize import normalize
from extractors.tables import read_tables
from schemas.catalog import layouts
from schemas.extraction import ExtractedDocument, ExtractedValue
from schemas.pages import PageText

FAILED_CHECK_FACTOR = 0.5
TEXT_LAYER_CONFIDENCE = 0.99  # a born-digital value can still sit under the wrong label
BLANK_WITH_LEADER = 0.95
BLANK_WITHOUT_LEADER = 0.6
WRAPPED_FACTOR = 0.9


def extract_pages(pages: list[PageText]) -> list[ExtractedDocument]:
    """Every document in the run with its values (scalars, then table cells)."""
    documents = classify(pages)
    catalog = layouts()
    for document in documents:
        spec = catalog.get(document.layout or "")
        if spec is None:
            continue
        own = [pages[n - 1] for n in document.pages]
        raws = read_decision(spec, own) if spec.method == "decision" else read_values(spec, run_lines(own))
        scalars = [_scalar(raw, document.pages) for raw in raws]
        cells = read_tables(own, spec.tables) if spec.tables else []
        for cell in cells:
            _normalize_cell(cell, spec.tables, document.pages)
        _cross_check(scalars, cells)
        document.values = scalars + cells
    return documents


def _scalar(raw: RawValue, run_pages: list[int]) -> ExtractedValue:
    normalized = normalize(raw.spec.type, raw.text) if raw.text else None
    value = normalized.value if normalized else None
    confidence = _ocr_confidence(raw) * min(raw.label_score / 100.0, 1.0)
    problems: list[str] = []
    if normalized is not None:
        confidence *= normalized.certainty
        problems += normalized.problems
    box = raw.box
    if box is not None:
        box.page = run_pages[box.page - 1]  # page of the document -> page of the run
    return ExtractedValue(key=raw.spec.key, raw=raw.text, value=value if raw.text else "",
                          confidence=round(confidence, 4), box=box, problems=problems)


def _ocr_confidence(raw: RawValue) -> float:
    """The weakest word counts most: one misread syllable makes the value wrong. A blank is
    sure only when a dotted leader follows the label at once; a wrapped value may have taken
    words that are not its own."""
    if not raw.words:
        return BLANK_WITH_LEADER if raw.leader else BLANK_WITHOUT_LEADER
    confs = [w.conf for w in raw.words if w.conf is not None]
    sure = min(sum(confs) / len(confs), min(confs) + 15.0) / 100.0 if confs else TEXT_LAYER_CONFIDENCE
    return sure * (WRAPPED_FACTOR if raw.lines > 1 else 1.0)


def _normalize_cell(cell: ExtractedValue, tables: tuple, run_pages: list[int]) -> None:
    table = next(t for t in tables if t.key == cell.key)
    column = next((c for c in table.columns if c.key == cell.column), None)
    if column is not None and cell.raw:
        normalized = normalize(column.type, cell.raw)
        cell.value = normalized.value
        cell.confidence = round(cell.confidence * normalized.certainty, 4)
        cell.problems += normalized.problems
    if cell.box is not None:
        cell.box.page = run_pages[cell.box.page - 1]


def _cross_check(scalars: list[ExtractedValue], cells: list[ExtractedValue]) -> None:
    values = {v.key: v.value for v in scalars}
    tables: dict[str, list[dict[str, str | None]]] = {}
    for cell in cells:
        rows = tables.setdefault(cell.key, [])
        while len(rows) <= (cell.row or 0):
            rows.append({})
        rows[cell.row or 0][cell.column or ""] = cell.value
    by_key = {v.key: v for v in scalars}
    for failure in run_checks(values, tables):
        for key in failure.keys:
            value = by_key.get(key)
            if value is not None:
                value.confidence = round(value.confidence * FAILED_CHECK_FACTOR, 4)
                value.problems.append(failure.message)
