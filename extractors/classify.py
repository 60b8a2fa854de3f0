"""Split a run of pages into logical documents and say what each one is.

A run is one file, a scanned stack of several documents, or the files of one dossier in upload
order (a CV scanned as one JPEG per page). A document starts on a page whose top carries a
title, a form code, the national motto or a decision's number; any other page continues the
document before it. The type comes from the same cues; a CV's layout from its form code, else
from the item numbers and labels that only one layout prints (read from the catalog).

OCR text is noisy, so everything is matched on folded text reduced to letters and digits, with
rapidfuzz, and titles are looked for only in the top of the page: a CV page whose table says
"quyết định" is not a new decision.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from schemas.catalog import LayoutSpec, layouts
from schemas.extraction import ExtractedDocument
from schemas.pages import PageText, Word
from schemas.vietnamese import fold

CV = "so_yeu_ly_lich"
OTHER = "other"
DOCUMENT_TYPES = (CV, "quyet_dinh", "van_bang", "giay_khai_sinh", "phieu_bo_sung_ly_lich", OTHER)

TOP_SHARE = 0.40  # titles, form codes and the motto sit in the top of a first page
MIN_TITLE = 85  # fuzzy score (0-100) of a title, form code or motto on its line
MIN_LABEL = 90  # fuzzy score of a CV label found anywhere on a page
MIN_PHRASE = 85  # fuzzy score of a phrase that types a page by its body
MIN_CAPITALS = 0.6  # titles are printed in capitals; a lower-case phrase is running text
MIN_CV_ITEMS = 3  # labels of one CV layout that make a page without a title a CV continuation

# Titles printed in capitals on the first page, folded. The CV titles come from the catalog.
_TITLES: tuple[tuple[str, str, float], ...] = (  # (title, document type, weight)
    ("phieu bo sung ly lich", "phieu_bo_sung_ly_lich", 1.0),
    ("giay khai sinh", "giay_khai_sinh", 1.0),
    ("bang tot nghiep", "van_bang", 1.0),
    ("bang cu nhan", "van_bang", 1.0),
    ("bang ky su", "van_bang", 1.0),
    ("bang thac si", "van_bang", 1.0),
    ("bang tien si", "van_bang", 1.0),
    ("hieu truong truong", "van_bang", 0.9),  # the rector who grants the degree, over the title
)
_DECISION = "quyet dinh"  # alone on its line: the same words run through a CV's tables
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap tu do hanh phuc")
_EXTRA_CODES = {"phieu_bo_sung_ly_lich": "Mẫu 3-BNV/2008"}  # printed, but not in the catalog
# "Số: 1007/QĐ-UBND", the number and symbol of an administrative document, folded: at the start
# of a line or with its colon (OCR may glue it to the agency's name), not "quyết định số 12/QĐ-…"
# running through a CV's table.
_SYMBOL = r"\d[\w.]*\s*/\s*(?:\d{4}\s*/\s*)?([a-z]{1,5})\s*[-–]"
_NUMBER = re.compile(rf"^\W*s[o0]\s*[:.;]?\s*{_SYMBOL}|\bs[o0]\s*:\s*{_SYMBOL}")
_PAGE_MARK = re.compile(r"\btrang\s*(\d{1,2})\s*[/⁄]\s*(\d{1,2})\b")
# Phrases of the body that type a page whose title could not be read.
_BODY: dict[str, tuple[str, ...]] = {
    "quyet_dinh": ("can cu luat", "xet de nghi cua", "dieu 1", "noi nhan", "quyet dinh nay co hieu luc"),
    "giay_khai_sinh": ("ho va ten cha", "ho va ten me", "noi dang ky khai sinh", "so dang ky khai sinh"),
    "van_bang": ("xep loai tot nghiep", "so vao so cap bang", "danh hieu", "hinh thuc dao tao"),
    "phieu_bo_sung_ly_lich": ("nhung noi dung bo sung", "phieu bo sung"),
}
MIN_BODY = 2  # body phrases that type a page


@dataclass(frozen=True, slots=True)
class Cue:
    """One piece of evidence on a page: what was seen, what it says, how sure, where."""

    kind: str  # "form_code", "title", "header", "item", "number", "motto", "page_mark"
    document_type: str | None  # None: a start whose type must be read elsewhere (the motto)
    layout: str | None
    score: float  # 0..1
    text: str  # the line it was read on


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    compact: str  # folded, letters and digits only
    top: float  # share of the page height above the line
    capitals: float  # share of the letters printed in capitals
    item: str | None  # the item number it starts with ("15.3"), if any
    rest: str  # compact text after the item number


def classify(pages: list[PageText]) -> list[ExtractedDocument]:
    """The logical documents of a run of pages, in order, each with its type and layout and its
    page numbers (1-based positions in the run); values are left empty."""
    runs: list[tuple[str, str | None, list[PageText], list[int]]] = []
    for position, page in enumerate(pages, start=1):
        start = page_start(page)
        if start is None and runs:
            runs[-1][2].append(page)
            runs[-1][3].append(position)
            continue
        document_type, layout, _ = start or (_body_type(page), None, 0.0)
        runs.append((document_type, layout, [page], [position]))
    return [ExtractedDocument(document_type=kind, layout=_layout(kind, hint, members), pages=positions)
            for kind, hint, members, positions in runs]


def page_start(page: PageText) -> tuple[str, str | None, float] | None:
    """(document type, layout hint, score 0..1) if a new document starts on this page, else None.
    The layout hint is a CV's form code or header; the final layout also weighs later pages."""
    cues = start_cues(page)
    if not cues:
        return None
    typed = [c for c in cues if c.document_type is not None]
    mark = _page_mark(_lines(page))
    if mark is not None and mark[0] > 1 and max((c.score for c in typed), default=0) < 0.95:
        return None  # "Trang 2/3": a continuation, whatever weak cue it shows
    if not typed:
        return _body_type(page), None, max(c.score for c in cues)
    kind = _strongest(typed)
    layout = next((c.layout for c in sorted(typed, key=lambda c: -c.score) if c.layout), None)
    return kind, layout if kind == CV else None, max(c.score for c in typed if c.document_type == kind)


def _strongest(cues: list[Cue]) -> str:
    """The type most cues agree on: each kind of cue counts once, by its best score (a decision's
    title and number outweigh the rector who signs it)."""
    best: dict[tuple[str, str], float] = {}
    for cue in cues:
        key = (cue.document_type or OTHER, cue.kind)
        best[key] = max(best.get(key, 0.0), cue.score)
    totals = Counter[str]()
    for (kind, _), score in best.items():
        totals[kind] += score
    return totals.most_common(1)[0][0]


def start_cues(page: PageText) -> list[Cue]:
    """Every cue on the page that says a document starts here (for debugging and page_start)."""
    lines = _lines(page)
    cues = [cue for line in lines if line.top < TOP_SHARE for cue in _line_cues(line)]
    mark = _page_mark(lines)
    if mark is not None and mark[0] == 1:
        cues.append(Cue("page_mark", None, None, 0.8, f"trang {mark[0]}/{mark[1]}"))
    return cues


# --- cues on one line ---------------------------------------------------------------------------

def _line_cues(line: _Line) -> list[Cue]:
    cues = [_form_code(line), _title(line), _decision_title(line), _header(line), _first_item(line),
            _number(line), _motto(line)]
    return [c for c in cues if c is not None]


def _form_code(line: _Line) -> Cue | None:
    scored = [(_find(code, line.compact), kind, layout) for code, kind, layout in _form_codes()]
    score, kind, layout = max(scored, key=lambda s: s[0])
    return Cue("form_code", kind, layout, score / 100, line.text) if score >= MIN_TITLE else None


def _title(line: _Line) -> Cue | None:
    if line.capitals < MIN_CAPITALS:
        return None
    # the longest title that matches: "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC" names the 2008 layout
    scored = [(_find(title, line.compact) * weight, len(title), kind, layout)
              for title, kind, layout, weight in _titles()]
    score, _, kind, layout = max(scored, key=lambda s: s[:2])
    return Cue("title", kind, layout, score / 100, line.text) if score >= MIN_TITLE else None


def _decision_title(line: _Line) -> Cue | None:
    title = _compact(_DECISION)
    if line.capitals < MIN_CAPITALS or len(line.compact) > len(title) + 4:
        return None
    score = fuzz.ratio(title, line.compact[: len(title) + 1])
    return Cue("title", "quyet_dinh", None, score / 100, line.text) if score >= MIN_TITLE - 5 else None


def _header(line: _Line) -> Cue | None:
    """A line a form prints above item 1 ("Cơ quan, đơn vị sử dụng CBCC", "Mã số định danh")."""
    scored = [(_find(label, line.compact), kind, layout) for label, kind, layout in _form_headers()]
    score, kind, layout = max(scored, key=lambda s: s[0])
    return Cue("header", kind, layout, 0.8 * score / 100, line.text) if score >= MIN_LABEL else None


def _first_item(line: _Line) -> Cue | None:
    """Item 1 of a form ("1) Họ và tên khai sinh"); the longest label that fits names the form."""
    if line.item != "1":
        return None
    found = [(len(label), kind) for label, kind in _first_items() if _starts_with(label, line.rest)]
    if not found:
        return None
    return Cue("item", max(found)[1], None, 0.85, line.text)


def _number(line: _Line) -> Cue | None:
    match = _NUMBER.search(fold(line.text))
    if match is None:
        return None
    symbol = match.group(1) or match.group(2)  # one of the two alternatives matched
    return Cue("number", "quyet_dinh" if symbol.startswith("qd") else None, None, 0.9, line.text)


def _motto(line: _Line) -> Cue | None:
    score = max(_find(_compact(words), line.compact) for words in _MOTTO)
    return Cue("motto", None, None, 0.8 * score / 100, line.text) if score >= MIN_TITLE else None


def _find(needle: str, line: str) -> float:
    """How well `needle` appears in `line` (0-100); a line shorter than the needle is scored
    whole, so that a stray word does not match a long title."""
    if len(line) < len(needle):
        return fuzz.ratio(needle, line)
    return fuzz.partial_ratio(needle, line)


# --- pages without a start, body typing, layouts -----------------------------------------------

def _body_type(page: PageText) -> str:
    """The type of a page whose top says nothing: a run's first page (a CV continuation if its
    numbered items say so), or a page under the motto alone. Else other."""
    if sum(_layout_votes(page).values()) >= MIN_CV_ITEMS:
        return CV
    text = _compact(page.text)
    hits = {kind: sum(fuzz.partial_ratio(_compact(p), text) >= MIN_PHRASE for p in phrases)
            for kind, phrases in _BODY.items()}
    kind, count = max(hits.items(), key=lambda item: item[1])
    return kind if count >= MIN_BODY else OTHER


def _layout(kind: str, hint: str | None, pages: list[PageText]) -> str | None:
    if kind == OTHER:
        return None
    if kind != CV:
        return kind
    if hint is not None and _code_layout(pages[0]) == hint:
        return hint  # the printed form code decides
    votes = Counter[str]()
    for page in pages:
        votes.update(_layout_votes(page))
    if hint is not None:
        votes[hint] += 2  # a header or title of one layout
    if not votes:
        return "tt06_2023"  # the one layout that prints no form code
    return votes.most_common(1)[0][0]


def _code_layout(page: PageText) -> str | None:
    for cue in start_cues(page):
        if cue.kind == "form_code" and cue.document_type == CV:
            return cue.layout
    return None


def _layout_votes(page: PageText) -> Counter[str]:
    """For each CV layout, how many of the labels only it prints are on the page."""
    text = _compact(page.text)
    votes = Counter[str]()
    numbered = [(line.item, line.rest) for line in _lines(page) if line.item]
    for layout, keys in _numbered_keys().items():
        votes[layout] += sum(any(item == key[0] and _starts_with(key[1], rest) for item, rest in numbered)
                             for key in keys)
    for layout, labels in _distinct_labels().items():
        votes[layout] += sum(fuzz.partial_ratio(label, text) >= MIN_LABEL for label in labels)
    return +votes


def _starts_with(label: str, rest: str) -> bool:
    """The label right after the item number ("27. ĐÀO TẠO, BỒI DƯỠNG…")."""
    return fuzz.ratio(label, rest[: len(label)]) >= MIN_LABEL - 2


def _page_mark(lines: list[_Line]) -> tuple[int, int] | None:
    for line in lines:
        match = _PAGE_MARK.search(fold(line.text))
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


# --- lines and text -----------------------------------------------------------------------------

def _lines(page: PageText) -> list[_Line]:
    """The page's lines in reading order, from the words' line numbers and boxes."""
    if not page.words:
        rows = [row for row in page.text.splitlines() if row.strip()]
        return [_line(row, i / max(len(rows), 1)) for i, row in enumerate(rows)]
    grouped: dict[int, list[Word]] = {}
    for word in page.words:
        grouped.setdefault(word.line, []).append(word)
    height = page.height or max(w.y1 for w in page.words) or 1.0
    lines = []
    for number in sorted(grouped):
        words = sorted(grouped[number], key=lambda w: w.x0)
        lines.append(_line(" ".join(w.text for w in words), min(w.y0 for w in words) / height))
    return lines


_ITEM = re.compile(r"^\W*(\d{1,2}(?:\.\d{1,2})?)\s*[.):-]")


def _line(text: str, top: float) -> _Line:
    letters = [ch for ch in text if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0
    folded = fold(text)
    item = _ITEM.match(folded)
    rest = folded[item.end():] if item else folded
    return _Line(text=text, compact=_compact(text), top=top, capitals=capitals,
                 item=item.group(1) if item else None, rest=_compact(rest))


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


# --- what the catalog says ----------------------------------------------------------------------

def _cv_layouts() -> dict[str, LayoutSpec]:
    return {key: spec for key, spec in layouts().items() if spec.document_type == CV}


@cache
def _form_codes() -> tuple[tuple[str, str, str | None], ...]:
    codes = [(_compact(s.form_code), s.document_type, s.layout if s.document_type == CV else None)
             for s in layouts().values() if s.form_code]
    codes += [(_compact(code), kind, None) for kind, code in _EXTRA_CODES.items()]
    return tuple(codes)


@cache
def _titles() -> tuple[tuple[str, str, str | None, float], ...]:
    """The catalog's titles first (a CV's, with its layout when only one layout prints it)."""
    by_title: dict[str, list[str]] = {}
    for spec in _cv_layouts().values():
        by_title.setdefault(_compact(spec.title), []).append(spec.layout)
    titles = [(title, CV, found[0] if len(found) == 1 else None, 1.0) for title, found in by_title.items()]
    titles += [(_compact(title), kind, None, weight) for title, kind, weight in _TITLES]
    return tuple(titles)


def _forms() -> list[LayoutSpec]:
    """Layouts printed as numbered items under a header: the CVs and the supplement sheet."""
    return [spec for spec in layouts().values() if any(f.item for f in spec.fields)]


@cache
def _form_headers() -> tuple[tuple[str, str, str | None], ...]:
    """The unnumbered lines a form prints above item 1, long enough to be told apart; the CV
    layout when only one layout prints the line."""
    headers = [(_compact(label), spec.document_type, spec.layout) for spec in _forms()
               for _, label in _head(spec) if len(_compact(label)) >= 10]
    counts = Counter(label for label, _, _ in headers)
    return tuple((label, kind, layout if kind == CV and counts[label] == 1 else None)
                 for label, kind, layout in headers)


@cache
def _first_items() -> tuple[tuple[str, str], ...]:
    """The label of item 1 of each form ("hovatenkhaisinh", "hovaten")."""
    firsts = {(_compact(next(f.label for f in spec.fields if f.item))[:30], spec.document_type)
              for spec in _forms()}
    return tuple(sorted(firsts))


@cache
def _numbered_keys() -> dict[str, tuple[tuple[str, str], ...]]:
    """(item number, label) that start a line of one layout ("9", "noiohiennay") and of no other
    layout: the same label under another number tells the layouts apart."""
    keys = {key: {(item, _compact(label)[:30]) for item, label in _items(spec) if len(_compact(label)) >= 4}
            for key, spec in _cv_layouts().items()}

    def elsewhere(key: tuple[str, str], layout: str) -> bool:
        return any(key[0] == other[0] and _same_start(key[1], other[1])
                   for name, own in keys.items() if name != layout for other in own)

    return {layout: tuple(sorted(k for k in own if not elsewhere(k, layout))) for layout, own in keys.items()}


@cache
def _distinct_labels() -> dict[str, tuple[str, ...]]:
    """Labels, numbers aside, that only one layout prints ("Mã số định danh", "Đơn vị trực thuộc")."""
    labels = {key: {_compact(label)[:40] for _, label in _items(spec) + _head(spec)
                    if len(_compact(label)) >= 8}
              for key, spec in _cv_layouts().items()}

    def elsewhere(label: str, layout: str) -> bool:
        return any(fuzz.partial_ratio(label, other) >= 80
                   for name, own in labels.items() if name != layout for other in own)

    return {layout: tuple(sorted(k for k in own if not elsewhere(k, layout)))
            for layout, own in labels.items()}


def _same_start(a: str, b: str) -> bool:
    """One label begins like the other ("hovatenkhaisinh", "hovatenkhaisinhviet…")."""
    n = min(len(a), len(b))
    return fuzz.ratio(a[:n], b[:n]) >= 80


def _items(spec: LayoutSpec) -> list[tuple[str, str]]:
    """The numbered items of a CV layout and its tables: (item number, label)."""
    return ([(f.item, f.label) for f in spec.fields if f.item]
            + [(t.item, t.title) for t in spec.tables if t.item])


def _head(spec: LayoutSpec) -> list[tuple[str, str]]:
    """The unnumbered fields above item 1 (the footer's "Người khai" is printed on every layout)."""
    head = []
    for field in spec.fields:
        if field.item:
            break
        head.append(("", field.label))
    return head
