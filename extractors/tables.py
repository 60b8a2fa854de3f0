"""The tables of a CV form read as rows of cells, for any table the catalog describes.

A page's ruling lines (`PageText.rules`) are joined into grids (`extractors.grids`); each
catalog table is found by its title (item number and title, fuzzy on folded text), takes
the grids between its title and the next heading (a table continues over a page break,
with or without its header repeated), drops its header rows (recognised by the column
headers) and reads each band between two rules as one row, each word going to the column
between the vertical rules around it. A transposed grid (the salary history: labels in
the first column, time running across) gives one row per column. Pages without rules
fall back on the header words for the columns and on the gaps between lines for the rows.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from rapidfuzz import fuzz

from extractors.grids import Grid, Line, find_grids, merge_rules
from schemas.catalog import TableSpec
from schemas.extraction import Box, ExtractedValue
from schemas.pages import PageText, Word
from schemas.status import TextSource
from schemas.vietnamese import fold

TITLE_MIN_SCORE = 80  # rapidfuzz ratio (0–100) of a printed line to the folded title
HEADER_SHARE = 0.6  # a band is a header row when this share of its words are header words
FIRST_HEADER_SHARE = 0.4  # … the first band under a table's title, where headers are expected
LABEL_MIN_SCORE = 60  # a transposed grid's row label against the column headers
# How far structural doubt lowers a cell's confidence.
DOUBT_COLUMNS_BY_HEADER = 0.8  # cell count differs from the catalog: matched by header text
DOUBT_NO_RULES = 0.7  # no ruling lines: columns from the header words, rows from gaps
OCR_REPAIR = 0.97  # per repair of a cell's OCR slip (`repair_ocr_cell`)

_LEADERS = re.compile(r"[.…·_]{3,}|…{2,}|[—–\-=_~+‡†]{2,}")  # dots, and rules read as dashes
_RULE_CHARS = "|[]{}!\\_¡"  # what OCR makes of a rule touching a word's end
_HEADING = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\s*[).:\-]")
_FURNITURE = re.compile(r"^(?:trang )?\d{0,3}(?: \d{1,3})?$")

Position = tuple[int, float]  # (page index in the run, y): document order


# --- pages, lines, cells ------------------------------------------------------------------

@dataclass(slots=True)
class TextLine:
    page: int
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in sorted(self.words, key=lambda w: w.x0))


@dataclass(slots=True)
class Cell:
    text: str
    words: list[Word]
    box: tuple[float, float, float, float]


@dataclass(slots=True)
class ReadRow:
    page: int
    cells: list[Cell]  # in the order of the grid's columns
    doubt: float = 1.0
    problems: list[str] = field(default_factory=list)


def _centre(w: Word) -> tuple[float, float]:
    return (w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2


def _scale(page: PageText) -> float:
    """The height of a line of text on the page, in its units: the unit of every tolerance."""
    heights = [w.y1 - w.y0 for w in page.words if w.y1 > w.y0]
    if heights:
        return statistics.median(heights)
    return 10.0 if page.unit == "pt" else 10.0 * (page.dpi or 200) / 72


# --- text -----------------------------------------------------------------------------------

def _norm(text: str) -> str:
    """Folded, letters and digits only, single spaces: what titles and headers are matched on."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def clean_text(words: Sequence[Word]) -> str:
    """The words of a cell in reading order (lines top to bottom, words left to right),
    NFC, whitespace collapsed, dotted leaders and stray rule marks removed."""
    ordered: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.y0 + w.y1) / 2):
        cy = (word.y0 + word.y1) / 2
        if ordered and cy <= max(w.y1 for w in ordered[-1]) and cy >= min(w.y0 for w in ordered[-1]):
            ordered[-1].append(word)
        else:
            ordered.append([word])
    text = " ".join(w.text for line in ordered for w in sorted(line, key=lambda w: w.x0))
    text = _LEADERS.sub(" ", unicodedata.normalize("NFC", text).replace("\u2044", "/"))
    text = re.sub(r"(?<=\d/) (?=\d)", "", text)  # "08/ 2010": a date is one word
    return " ".join(text.split())


def _strip_rule_marks(word: Word) -> Word | None:
    """OCR reads a vertical rule touching a word as '|' (or '[', ']', '!'): drop it, and a
    speck glued on by it ("Í|Phường")."""
    text = " ".join(p for p in word.text.split("|") if len(p) > 1 or p.isdigit()) if "|" in word.text \
        else word.text
    text = text.strip(_RULE_CHARS)
    if not text:
        return None
    return word if text == word.text else Word(text, word.x0, word.y0, word.x1, word.y1, word.conf,
                                               word.line)


def _text_lines(page: int, words: list[Word]) -> list[TextLine]:
    """Words outside the grids, as the page's lines of text, top to bottom."""
    lines = [TextLine(page, list(ws)) for _, ws in groupby(sorted(words, key=lambda w: w.line),
                                                           key=lambda w: w.line)]
    return sorted(lines, key=lambda ln: ln.top)


def _is_furniture(line: TextLine) -> bool:
    """A page number, a stray mark: not content that could end or separate a table."""
    norm = _norm(line.text)
    return len(norm) <= 2 or bool(_FURNITURE.match(norm))


# --- pages ----------------------------------------------------------------------------------

@dataclass(slots=True)
class _Page:
    index: int
    page: PageText
    scale: float  # the height of a line of text
    tol: float
    grids: list[Grid]
    lines: list[TextLine]
    ruled: bool


def _prepare(index: int, page: PageText) -> _Page:
    scale = _scale(page)
    tol = 0.4 * scale
    hlines, vlines = merge_rules(getattr(page, "rules", None) or [], tol)
    grids = find_grids(hlines, vlines, tol, index)
    words = [w for w in map(_strip_rule_marks, page.words) if w is not None] \
        if page.source is TextSource.ocr else list(page.words)
    outside: list[Word] = []
    for word in words:
        cx, cy = _centre(word)
        grid = next((g for g in grids if g.contains(cx, cy)), None)
        (grid.words if grid else outside).append(word)
    return _Page(index, page, scale, tol, grids, _text_lines(index, outside), bool(hlines or vlines))


# --- titles ---------------------------------------------------------------------------------

@dataclass(slots=True)
class _Found:
    spec: TableSpec
    at: Position  # the middle of the title's last line


def _title_score(spec: TableSpec, text: str) -> float:
    want = _norm(spec.title)
    got = _norm(text)
    match = re.match(r"^(\d+(?: \d+)*) (.*)$", got)
    if match:
        if match.group(1).replace(" ", "") != spec.item.replace(".", ""):
            return 0.0
        got = match.group(2)
    return fuzz.ratio(want, got)


def _find_titles(lines: list[TextLine], specs: Sequence[TableSpec]) -> list[_Found]:
    """Each table's title, in catalog order: a line (or a line and the next) like it; of
    neighbouring candidates, the most alike."""
    found: list[_Found] = []
    cursor = 0
    for spec in specs:
        scored = (_title_at(lines, i, spec) for i in range(cursor, len(lines)))
        hit = next(((i, score) for i, (score, _) in enumerate(scored, cursor) if score >= TITLE_MIN_SCORE),
                   None)
        if hit is None:
            continue
        i, score = hit
        while i + 1 < len(lines) and _title_at(lines, i + 1, spec)[0] > score:
            i += 1
            score = _title_at(lines, i, spec)[0]
        last = _title_at(lines, i, spec)[1]
        found.append(_Found(spec, (last.page, (last.top + last.bottom) / 2)))
        cursor = lines.index(last) + 1
    return found


def _title_at(lines: list[TextLine], i: int, spec: TableSpec) -> tuple[float, TextLine]:
    """How like the title line i is, alone or with the next line of its page (a long title
    wraps), and the last line used."""
    line = lines[i]
    score, last = _title_score(spec, line.text), line
    after = lines[i + 1] if i + 1 < len(lines) else None
    if after is not None and after.page == line.page and not _is_furniture(after):
        both = _title_score(spec, line.text + " " + after.text)
        if both > score:
            score, last = both, after
    return score, last


# --- reading a table ------------------------------------------------------------------------

def read_tables(pages: list[PageText], specs: tuple[TableSpec, ...]) -> list[ExtractedValue]:
    """Every cell of every table of `specs` found on the pages (one document, in order)."""
    prepared = [_prepare(i, p) for i, p in enumerate(pages)]
    lines = [ln for p in prepared for ln in p.lines]
    found = _find_titles(lines, specs)
    values: list[ExtractedValue] = []
    for k, hit in enumerate(found):
        end = found[k + 1].at if k + 1 < len(found) else (len(pages), 0.0)
        end = min(end, _next_heading(lines, hit.at, end))
        rows = _read_table(hit, end, prepared)
        values.extend(_values(hit.spec, rows, prepared))
    return values


def _next_heading(lines: list[TextLine], after: Position, end: Position) -> Position:
    """Where the next numbered item begins (it ends the table), or `end`."""
    for line in lines:
        at = (line.page, line.top)
        if after < at < end and _HEADING.match(line.text):
            return at
    return end


def _read_table(hit: _Found, end: Position, pages: list[_Page]) -> list[ReadRow]:
    grids = [g for p in pages for g in p.grids if hit.at < (g.page, g.top) < end]
    if grids:
        chain = [grids[0]]
        for grid in grids[1:]:
            if not _continues(chain[-1], grid, chain[0], pages, hit.spec.transposed):
                break
            chain.append(grid)
        if hit.spec.transposed:
            return _read_transposed(chain, hit.spec, pages)
        return _read_grids(chain, hit.spec, pages)
    first = pages[hit.at[0]]
    if first.ruled:
        return []  # ruled page, no grid under the title: the table was left out ("Không")
    return _read_unruled(hit, end, pages)


def _continues(before: Grid, grid: Grid, first: Grid, pages: list[_Page], transposed: bool) -> bool:
    """The table goes on in `grid`: no text between it and the grid before (over a page
    break: the one ended its page, the other begins the next), and as many columns as the
    table's first grid (a transposed grid's second block may hold fewer)."""
    if grid.page == before.page:
        between = [ln for ln in pages[grid.page].lines if before.bottom <= ln.top and ln.bottom <= grid.top]
    elif grid.page == before.page + 1 and before is pages[before.page].grids[-1] \
            and grid is pages[grid.page].grids[0]:
        between = [ln for ln in pages[before.page].lines if ln.top >= before.bottom]
        between += [ln for ln in pages[grid.page].lines if ln.bottom <= grid.top]
    else:
        return False
    if any(not _is_furniture(ln) for ln in between):
        return False
    return transposed or _column_count(grid, pages[grid.page].tol) == _column_count(
        first, pages[first.page].tol)


def _bands(grid: Grid) -> list[list[Word]]:
    """The words of each band between two consecutive row lines."""
    bands: list[list[Word]] = [[] for _ in grid.rows[:-1]]
    for word in grid.words:
        cx, cy = _centre(word)
        for i in range(len(grid.rows) - 1):
            if cy <= grid.rows[i + 1].at(cx):
                if cy >= grid.rows[i].at(cx):
                    bands[i].append(word)
                break
    return bands


def _separators(grid: Grid, bands: list[int], tol: float) -> list[Line]:
    """The vertical lines that divide most of the given bands into columns (a stroke across
    one row of two is a stray mark), with the grid's
    left and right edges when no rule is drawn there."""
    def covers(v: Line, i: int) -> bool:
        return v.start - tol <= grid.band_middle(i) <= v.end + tol

    need = len(bands) // 2 + 1
    chosen = [v for v in grid.columns if sum(covers(v, i) for i in bands) >= need]
    middle = (grid.top + grid.bottom) / 2
    if not chosen or chosen[0].at(middle) - grid.left > 2 * tol:
        chosen.insert(0, Line(False, grid.top, grid.bottom, grid.left))
    if chosen[-1].at(middle) < grid.right - 2 * tol:
        chosen.append(Line(False, grid.top, grid.bottom, grid.right))
    deduped: list[Line] = []
    for v in chosen:
        if not deduped or v.at(middle) - deduped[-1].at(middle) > tol:
            deduped.append(v)
    return deduped


def _on_rule(word: Word, seps: list[Line], tol: float) -> bool:
    """A mark OCR read off a vertical rule: a short, unsure or letterless word across it."""
    if word.conf is None or not (len(word.text) <= 2 and word.conf < 80
                                 or not any(ch.isalnum() for ch in word.text)):
        return False
    cy = (word.y0 + word.y1) / 2
    margin = 0.15 * tol
    return any(word.x0 - margin <= v.at(cy) <= word.x1 + margin for v in seps)


def _column_count(grid: Grid, tol: float) -> int:
    return len(_separators(grid, list(range(len(grid.rows) - 1)), tol)) - 1


def _cells(grid: Grid, band: int, words: list[Word], seps: list[Line], tol: float) -> list[Cell]:
    top, bottom = grid.rows[band], grid.rows[band + 1]
    parts: list[list[Word]] = [[] for _ in seps[:-1]]
    for word in words:
        if _on_rule(word, seps, tol):
            continue
        cx, cy = _centre(word)
        for i in range(len(seps) - 1):
            if cx < seps[i + 1].at(cy):
                if cx >= seps[i].at(cy):
                    parts[i].append(word)
                break
    cells = []
    ymid = grid.band_middle(band)
    for i, part in enumerate(parts):
        x0, x1 = seps[i].at(ymid), seps[i + 1].at(ymid)
        xmid = (x0 + x1) / 2
        cells.append(Cell(clean_text(part), part, (x0, top.at(xmid), x1, bottom.at(xmid))))
    return cells


def _is_header(words: list[Word], vocabulary: set[str], first: bool = False) -> bool:
    """Most of the words are words of the column headers. Under the title, where a header
    is expected, OCR slips are allowed and a smaller share will do."""
    tokens = [t for t in _norm(" ".join(w.text for w in words)).split() if len(t) > 1]
    if first:
        known = sum(t in vocabulary or any(len(v) > 2 and fuzz.ratio(t, v) >= 75 for v in vocabulary)
                    for t in tokens)
        return bool(tokens) and known >= FIRST_HEADER_SHARE * len(tokens)
    return bool(tokens) and sum(t in vocabulary for t in tokens) >= HEADER_SHARE * len(tokens)


def _vocabulary(spec: TableSpec) -> set[str]:
    return {t for c in spec.columns for t in _norm(c.header).split()}


def _read_grids(grids: list[Grid], spec: TableSpec, pages: list[_Page]) -> list[ReadRow]:
    vocabulary = _vocabulary(spec)
    rows: list[ReadRow] = []
    header: list[Cell] = []
    for grid in grids:
        page = pages[grid.page]
        bands = _bands(grid)
        first = 0
        while first < len(bands) and _is_header(bands[first], vocabulary,
                                                first=grid is grids[0] and not first):
            first += 1
        data = list(range(first, len(bands)))
        if not data:
            continue
        seps = _separators(grid, data, page.tol)
        if first:
            header = _header_cells(grid, bands[:first], seps)
        for i in data:
            cells = _cells(grid, i, bands[i], seps, page.tol)
            rows.append(_map_columns(ReadRow(grid.page, cells), spec, header))
    return [r for r in rows if not _is_empty(r)]


def _header_cells(grid: Grid, bands: list[list[Word]], seps: list[Line]) -> list[Cell]:
    """The header text over each column: every header word overlapping the column (a
    heading spanning two columns, "Tháng/năm" over "Từ" and "Đến", counts for both)."""
    words = [w for band in bands for w in band]
    cells = []
    for i in range(len(seps) - 1):
        over = []
        for w in words:
            cy = (w.y0 + w.y1) / 2
            x0, x1 = seps[i].at(cy), seps[i + 1].at(cy)
            overlap = min(w.x1, x1) - max(w.x0, x0)
            if overlap >= 0.3 * (w.x1 - w.x0):
                over.append(w)
        cells.append(Cell(clean_text(over), over, (0, 0, 0, 0)))
    return cells


def _map_columns(row: ReadRow, spec: TableSpec, header: list[Cell]) -> ReadRow:
    """Put the row's cells in catalog column order: one to one when the counts agree, else
    aligned (in order) on the header text; a printed column the catalog does not know is
    left out, and said."""
    n = len(spec.columns)
    if len(row.cells) == n:
        return row
    if header and len(header) == len(row.cells):
        order = _align([_norm(c.header) for c in spec.columns], [_norm(c.text) for c in header])
    else:
        order = list(range(min(n, len(row.cells))))
    empty = Cell("", [], row.cells[-1].box if row.cells else (0, 0, 0, 0))
    cells = [row.cells[j] if j is not None and j < len(row.cells) else empty for j in order]
    cells += [empty] * (n - len(cells))
    problems = [f"{len(row.cells)} cells for {n} columns: matched by the header text"]
    for j, cell in enumerate(row.cells):
        if j not in order and cell.text:
            printed = header[j].text if header and j < len(header) else f"column {j + 1}"
            problems.append(f"'{cell.text}' under '{printed}', not a catalog column: left out")
    return ReadRow(row.page, cells, DOUBT_COLUMNS_BY_HEADER, problems)


def _align(want: list[str], have: list[str]) -> list[int | None]:
    """Monotone alignment of catalog headers to printed headers maximising the similarity."""
    n, m = len(want), len(have)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1],
                             fuzz.token_set_ratio(want[i], have[j]) + best[i + 1][j + 1])
    order: list[int | None] = []
    i = j = 0
    while i < n:
        if j < m and best[i][j] == fuzz.token_set_ratio(want[i], have[j]) + best[i + 1][j + 1]:
            order.append(j)
            i, j = i + 1, j + 1
        elif j < m and best[i][j] == best[i][j + 1]:
            j += 1
        else:
            order.append(None)
            i += 1
    return order


def _is_empty(row: ReadRow) -> bool:
    text = _norm(" ".join(c.text for c in row.cells))
    return text in ("", "khong", "khong co")


def _read_transposed(grids: list[Grid], spec: TableSpec, pages: list[_Page]) -> list[ReadRow]:
    """Labels in the first column, one record per further column. A long history is
    printed in blocks, one under the other, each with the labels again."""
    rows = []
    for grid in grids:
        page = pages[grid.page]
        bands = _bands(grid)
        seps = _separators(grid, list(range(len(bands))), page.tol)
        block: dict[int, list[Cell]] = {}
        for i, words in enumerate(bands):
            cells = _cells(grid, i, words, seps, page.tol)
            key = _label(cells[0].text, spec)
            if key is None:
                continue
            if key in block:
                rows += _records(block, spec, grid.page)
                block = {}
            block[key] = cells
        rows += _records(block, spec, grid.page)
    return [r for r in rows if not _is_empty(r)]


def _label(text: str, spec: TableSpec) -> int | None:
    """Which column of the catalog a transposed grid's row label names, if any."""
    label = _norm(text)
    scores = [fuzz.ratio(_norm(c.header), label) for c in spec.columns]
    best = max(range(len(scores)), key=scores.__getitem__)
    return best if scores[best] >= LABEL_MIN_SCORE else None


def _records(block: dict[int, list[Cell]], spec: TableSpec, page: int) -> list[ReadRow]:
    if not block:
        return []
    width = max(len(cells) for cells in block.values())
    rows = []
    for j in range(1, width):
        cells = [Cell("", [], next(iter(block.values()))[0].box) for _ in spec.columns]
        for k, row in block.items():
            if j < len(row):
                cells[k] = row[j]
        rows.append(ReadRow(page, cells))
    return rows


# --- pages without rules --------------------------------------------------------------------

def _read_unruled(hit: _Found, end: Position, pages: list[_Page]) -> list[ReadRow]:
    """Columns from the header words' x ranges and the white gaps of the rows below them,
    rows from the gaps between lines."""
    lines = [ln for p in pages for ln in p.lines if hit.at < (ln.page, ln.top) < end
             and not _is_furniture(ln)]
    if hit.spec.transposed:
        return _read_unruled_grid(lines, hit.spec)
    vocabulary = _vocabulary(hit.spec)
    count = 0
    while count < min(4, len(lines)) and _is_header(lines[count].words, vocabulary, first=not count):
        count += 1
    if not count:
        return []
    header, body = lines[:count], [ln for ln in lines[count:] if not _is_header(ln.words, vocabulary)]
    bounds = _column_bounds([w for ln in header for w in ln.words], [w for ln in body for w in ln.words],
                            len(hit.spec.columns), pages[header[0].page].tol)
    rows: list[ReadRow] = []
    for group in _row_groups(body, pages):
        words = [w for ln in group for w in ln.words]
        parts: list[list[Word]] = [[] for _ in range(len(bounds) + 1)]
        for w in words:
            parts[sum(_centre(w)[0] >= b for b in bounds)].append(w)
        cells = [Cell(clean_text(p), p, _extent(p)) for p in parts]
        rows.append(ReadRow(group[0].page, cells, DOUBT_NO_RULES, ["no ruling lines on the page"]))
    return [r for r in rows if not _is_empty(r)]


def _column_bounds(header: list[Word], body: list[Word], columns: int, tol: float) -> list[float]:
    """Boundaries between columns: header words grouped where they overlap or nearly touch,
    merged down to the column count; each boundary in the widest white gap of the rows
    between two header groups (headers are centred, values start at the cell's left)."""
    groups: list[list[float]] = []
    for w in sorted(header, key=lambda w: w.x0):
        if groups and w.x0 - groups[-1][1] < tol:
            groups[-1][1] = max(groups[-1][1], w.x1)
        else:
            groups.append([w.x0, w.x1])
    while len(groups) > columns:
        gaps = [groups[i + 1][0] - groups[i][1] for i in range(len(groups) - 1)]
        i = gaps.index(min(gaps))
        groups[i:i + 2] = [[groups[i][0], groups[i + 1][1]]]
    return [_widest_gap(body, groups[i][1], groups[i + 1][0]) for i in range(len(groups) - 1)]


def _widest_gap(words: list[Word], lo: float, hi: float) -> float:
    """The middle of the widest stretch of [lo, hi] that no word covers (else the middle)."""
    edges = sorted((max(w.x0, lo), min(w.x1, hi)) for w in words if w.x1 > lo and w.x0 < hi)
    best, at, cursor = 0.0, (lo + hi) / 2, lo
    for x0, x1 in [*edges, (hi, hi)]:
        if x0 - cursor > best:
            best, at = x0 - cursor, (cursor + x0) / 2
        cursor = max(cursor, x1)
    return at


def _read_unruled_grid(lines: list[TextLine], spec: TableSpec) -> list[ReadRow]:
    """A transposed grid without rules: a line per label, its values matched across lines
    by position under the first line's values."""
    labelled: dict[int, list[Word]] = {}
    page = lines[0].page if lines else 0
    for line in lines[:2 * len(spec.columns)]:
        words = sorted(line.words, key=lambda w: w.x0)
        for k, column in enumerate(spec.columns):
            size = len(column.header.split())
            if k not in labelled and fuzz.ratio(_norm(column.header),
                                                _norm(" ".join(w.text for w in words[:size]))) >= 80:
                labelled[k] = words[size:]
                page = line.page if len(labelled) == 1 else page
                break
    if not labelled:
        return []
    anchors = labelled[min(labelled)]
    rows = []
    for j, anchor in enumerate(anchors):
        cells = [Cell("", [], _extent([anchor])) for _ in spec.columns]
        for k, words in labelled.items():
            mine = [w for w in words if _nearest(w, anchors) == j]
            cells[k] = Cell(clean_text(mine), mine, _extent(mine))
        rows.append(ReadRow(page, cells, DOUBT_NO_RULES, ["no ruling lines on the page"]))
    return [r for r in rows if not _is_empty(r)]


def _nearest(word: Word, anchors: list[Word]) -> int:
    cx = _centre(word)[0]
    return min(range(len(anchors)), key=lambda j: abs(_centre(anchors[j])[0] - cx))


def _row_groups(lines: list[TextLine], pages: list[_Page]) -> list[list[TextLine]]:
    """Lines closer than half a line height belong to one row (a wrapped cell)."""
    groups: list[list[TextLine]] = []
    for line in lines:
        gap_limit = 0.5 * pages[line.page].scale
        if groups and groups[-1][-1].page == line.page and line.top - groups[-1][-1].bottom < gap_limit:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _extent(words: list[Word]) -> tuple[float, float, float, float]:
    if not words:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words),
            max(w.y1 for w in words))


# --- values ---------------------------------------------------------------------------------

def _values(spec: TableSpec, rows: list[ReadRow], pages: list[_Page]) -> list[ExtractedValue]:
    values = []
    for r, row in enumerate(rows):
        page = pages[row.page].page
        for column, cell in zip(spec.columns, row.cells, strict=False):
            text, problems = (repair_ocr_cell(cell.text) if page.source is TextSource.ocr
                              else (cell.text, []))
            values.append(ExtractedValue(
                key=spec.key, raw=text, value=text,
                confidence=round(_confidence(cell, page) * row.doubt * OCR_REPAIR ** len(problems), 3),
                box=Box(row.page + 1, *(round(v, 1) for v in cell.box)),
                row=r, column=column.key, problems=[*row.problems, *problems],
            ))
    return values


_DECIMAL_POINT = re.compile(r"^(\d{1,2})\.(\d{2})$")
_LOPSIDED_DASH = re.compile(r"(?<=\S)(?: -|- )(?=\S)")


def repair_ocr_cell(text: str) -> tuple[str, list[str]]:
    """Slips of OCR that a cell's printed form rules out: a decimal comma read as a point
    ("4.32": Vietnamese writes 4,32, and a thousands point is followed by three digits), a
    dash between two periods or names read with a space on one side only ("05/1997- 08/1997",
    "Ngoại ngữ -Tin học": printed spaced on both sides or on neither)."""
    problems = []
    decimal = _DECIMAL_POINT.match(text)
    if decimal:
        text = f"{decimal.group(1)},{decimal.group(2)}"
        problems.append("decimal point read for a comma")
    spaced = _LOPSIDED_DASH.sub(" - ", text)
    if spaced != text:
        text = spaced
        problems.append("a dash spaced on one side only")
    return text, problems


def _confidence(cell: Cell, page: PageText) -> float:
    if page.source is not TextSource.ocr:
        return 1.0
    confs = [w.conf for w in cell.words if w.conf is not None]
    if confs:
        return sum(confs) / len(confs) / 100
    return (page.mean_conf or 0.0) / 100


def words_outside_tables(page: PageText) -> list[Word]:
    """The page's words that are not in a ruled table (of two or more columns and rows): the
    labels of a form's items are looked for there, not in a table's header."""
    scale = _scale(page)
    hlines, vlines = merge_rules(getattr(page, "rules", None) or [], 0.4 * scale)
    small = 0.35 * page.width  # a photo box ("Ảnh 4x6 cm"): a lone small ruled rectangle
    grids = [g for g in find_grids(hlines, vlines, 0.4 * scale, 0)
             if (len(g.rows) >= 3 and len(g.columns) >= 3) or (g.right - g.left) < small]
    if not grids:
        return list(page.words)
    return [w for w in page.words if not any(g.contains(*_centre(w)) for g in grids)]
