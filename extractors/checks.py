"""Cross-checks over one document's normalized values: the CCCD's structure against gender,
birth date and birth place; dates that must come in order or at a plausible age; table
periods in order. A failure names the fields whose confidence should drop and says why.

Only values present are checked: a missing or unparseable value is never a failure (the
normalizer has already said so). Dates are ISO ("1978-03-12"), months "1978-03"; table
cells may still be as printed ("07/2016 - 10/2019", "T7/2016", "nay").

Keys of table cells are written `table[row].column` (row 0-based, as in ExtractedValue);
messages count rows from 1. CCCD numbers are masked in messages after the 6 digits they
check (personal data: domain README §7).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache

from extractors.normalize import lexicon, month_bounds
from schemas.vietnamese import fold

CCCD_KEYS = ("so_cccd", "ma_so_dinh_danh")
PLACE_KEYS = ("noi_sinh", "que_quan", "que_quan_tinh", "ho_khau_thuong_tru", "noi_o_hien_nay", "noi_dang_ky")
EARLIEST_BIRTH = date(1930, 1, 1)
MIN_AGE_TODAY = 16
PROBATION_MONTHS = (9, 18)  # the Party's probation is 12 months; outside this range is doubtful
PROBATION_RULE_SINCE = 1977  # before, probation lengths varied: only the order is checked
FIRST_12_DIGIT_CARD = date(2012, 1, 1)
# Youngest plausible age at each event (years). Keys not listed must only follow the birth.
MIN_AGE = {"ngay_tuyen_dung": 16, "ngay_vao_co_quan": 16, "ngay_vao_dang": 18, "ngay_chinh_thuc": 18,
           "ngay_cap_cccd": 14, "ngay_nhap_ngu": 15, "ngay_tham_gia_to_chuc": 14}
# (earlier, later, strictly): the later may not fall on the same day when strictly
ORDERED = (("ngay_vao_dang", "ngay_chinh_thuc", True), ("ngay_nhap_ngu", "ngay_xuat_ngu", True),
           ("ngay_tuyen_dung", "ngay_vao_co_quan", False), ("tu_ngay", "den_ngay", False),
           ("ngay_bo_nhiem", "ngay_bo_nhiem_lai", True))
PARENT_CHILD_GAP = 12  # years


@dataclass(frozen=True, slots=True)
class CheckFailure:
    keys: tuple[str, ...]  # the fields (or table cells) whose confidence should drop
    message: str  # English, specific
    check: str = ""  # which check: "cccd_place", "cccd_gender", "party_probation", …


@dataclass(frozen=True, slots=True)
class Span:
    """A date as precise as it was written: the first and last day it may mean."""

    lo: date
    hi: date
    text: str  # as given, for messages

    def __str__(self) -> str:
        return self.text


def cell_key(table: str, row: int, column: str) -> str:
    return f"{table}[{row}].{column}"


def split_key(key: str) -> tuple[str, int | None, str | None]:
    """"dao_tao[2].thoi_gian" -> ("dao_tao", 2, "thoi_gian"); "ngay_sinh" -> ("ngay_sinh", None, None)."""
    match = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", key)
    return (match[1], int(match[2]), match[3]) if match else (key, None, None)


# ---------------------------------------------------------------- reading dates

_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_PRINTED = re.compile(r"(?:(\d{1,2})[/.\-])?(?:(\d{1,2})[/.\-])?(\d{4})")
_WHEN = re.compile(r"(?<!\d)(?:\d{4}-\d{1,2}(?:-\d{1,2})?|(?:\d{1,2}[/.\-]){0,2}\d{4})(?!\d)")
_OPEN_END = re.compile(r"\b(nay|hien nay|hien tai|den nay)\b")


def _span(year: int, month: int | None, day: int | None, text: str) -> Span | None:
    try:
        if day is not None and month is not None:
            return Span(date(year, month, day), date(year, month, day), text)
        if month is not None:
            return Span(*month_bounds(year, month), text)
        return Span(date(year, 1, 1), date(year, 12, 31), text)
    except ValueError:
        return None


def parse_when(text: str | None) -> Span | None:
    """A single date, month or year: ISO ("1978-03-12", "1978-03", "1978") or as printed
    ("12/03/1978", "03/1978", "T3/1978")."""
    if not text:
        return None
    found = _WHEN.search(text)
    if not found:
        return None
    token = found.group()
    if iso := _ISO.fullmatch(token):
        year, month, day = (int(g) if g else None for g in iso.groups())
        return _span(year, month, day, text.strip())
    first, second, year = _PRINTED.fullmatch(token).groups()
    day, month = (first, second) if second else (None, first)
    return _span(int(year), int(month) if month else None, int(day) if day else None, text.strip())


@dataclass(frozen=True, slots=True)
class Period:
    start: Span | None
    end: Span | None  # None when open ("nay") or absent


def parse_period(text: str | None) -> Period:
    """"07/2016 - 10/2019", "Từ 7/2016 đến nay", "2016-2019" -> its start and end."""
    if not text:
        return Period(None, None)
    tokens = _WHEN.findall(text)
    spans = [parse_when(t) for t in tokens[:2]]
    start = spans[0] if spans else None
    end = spans[1] if len(spans) > 1 and not _OPEN_END.search(fold(text.split(tokens[1])[0])) else None
    return Period(start, end)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, month_bounds(year, month)[1].day))


def _year_of(text: str | None) -> int | None:
    found = re.search(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text or "")
    return int(found[1]) if found else None


# ---------------------------------------------------------------- the document

@dataclass(slots=True)
class _Doc:
    values: dict[str, str | None]
    tables: dict[str, list[dict[str, str | None]]]
    today: date
    dates: dict[str, Span]  # every scalar that reads as a date, by key

    @property
    def born(self) -> Span | None:
        return self.dates.get("ngay_sinh")


def _is_date_key(key: str) -> bool:
    return key.startswith("ngay_") or key in ("tu_ngay", "den_ngay")


def _document(values: dict[str, str | None], tables: dict[str, list[dict[str, str | None]]],
              today: date) -> _Doc:
    dates = {k: s for k, v in values.items() if _is_date_key(k) and (s := parse_when(v)) is not None}
    return _Doc(values, tables, today, dates)


Check = Callable[[_Doc], Iterator[CheckFailure]]


def run_checks(values: dict[str, str | None], tables: dict[str, list[dict[str, str | None]]] | None = None,
               *, today: date | None = None) -> list[CheckFailure]:
    """Every inconsistency found among one document's normalized values and tables."""
    doc = _document(values, tables or {}, today or date.today())
    return [failure for check in CHECKS for failure in check(doc)]


# ---------------------------------------------------------------- CCCD

@cache
def provinces() -> dict[str, str]:
    """Place code -> province name (the 63 provinces of 2008–2025)."""
    return {p["code"]: p["name"] for p in lexicon("provinces.json")["provinces"]}


@cache
def _place_names() -> dict[tuple[str, ...], frozenset[str]]:
    """Folded words of each province name, alias and former name -> the codes it may mean."""
    data = lexicon("provinces.json")
    names: dict[tuple[str, ...], frozenset[str]] = {}
    for p in data["provinces"]:
        for name in [p["name"], *p["aliases"]]:
            names[_words(name)] = frozenset([p["code"], *p["also"]])
    for former in data["former"]:
        names[_words(former["name"])] = names.get(_words(former["name"]), frozenset()) | set(former["codes"])
    return names


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[0-9a-z]+", fold(text)))


def province_codes(place: str | None) -> frozenset[str]:
    """The codes of the province a place names: its last province name that ends the text or
    follows "tỉnh" / "thành phố" / "TP" (so a commune called Hòa Bình is not the province)."""
    words = _words(place or "")
    names = _place_names()
    longest = max(len(k) for k in names)
    found: frozenset[str] = frozenset()
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            codes = names.get(words[i:i + n])
            if codes is None:
                continue
            before = words[max(0, i - 2):i]
            marked = before[-1:] in (("tinh",), ("tp",), ("t",)) or before == ("thanh", "pho")
            if marked or i + n == len(words):
                found = codes
            i += n - 1
            break
        i += 1
    return found


def _masked(number: str) -> str:
    return number[:6] + "*" * (len(number) - 6)


def _cccd_numbers(doc: _Doc) -> Iterator[tuple[str, str]]:
    for key in CCCD_KEYS:
        number = re.sub(r"\D", "", doc.values.get(key) or "")
        if len(number) == 12:
            yield key, number


def check_cccd_place(doc: _Doc) -> Iterator[CheckFailure]:
    """Digits 1–3: the province where the birth was registered, a real code, and one the
    places of the form can mean (birth place, home town, residence)."""
    for key, number in _cccd_numbers(doc):
        code = number[:3]
        if code not in provinces():
            yield CheckFailure((key,), f"CCCD {_masked(number)} starts with {code}, which is no "
                                       "province code", "cccd_place")
            continue
        born_in = province_codes(doc.values.get("noi_sinh"))
        if not born_in:
            continue
        named = frozenset().union(*(province_codes(doc.values.get(k)) for k in PLACE_KEYS))
        if code not in named:
            province = provinces()[code]
            yield CheckFailure(
                (key, "noi_sinh"),
                f"CCCD {_masked(number)}: place code {code} is {province}, but neither noi_sinh "
                f"{doc.values['noi_sinh']!r} nor any other place on the form is in {province}",
                "cccd_birthplace")


def _century_digit(digit: int) -> tuple[str, int]:
    """Digit 4: 0/1 male/female born 1900–1999, 2/3 2000–2099, … 8/9 2300–2399."""
    return ("Nam" if digit % 2 == 0 else "Nữ"), 1900 + 100 * (digit // 2)


def check_cccd_person(doc: _Doc) -> Iterator[CheckFailure]:
    """Digit 4 (gender and century) and digits 5–6 (birth year) against the form."""
    for key, number in _cccd_numbers(doc):
        gender, century = _century_digit(int(number[3]))
        sex = "male" if gender == "Nam" else "female"
        says = f"CCCD {_masked(number)}: digit 4 is {number[3]} ({sex}, born {century}–{century + 99})"
        stated = doc.values.get("gioi_tinh")
        if stated and fold(stated) in ("nam", "nu") and fold(stated) != fold(gender):
            yield CheckFailure((key, "gioi_tinh"), f"{says} but gioi_tinh is {stated}", "cccd_gender")
        born = doc.born
        if born is None or born.lo.year != born.hi.year:
            continue
        if not century <= born.lo.year < century + 100:
            yield CheckFailure((key, "ngay_sinh"), f"{says} but ngay_sinh is {born}", "cccd_century")
        elif int(number[4:6]) != born.lo.year % 100:
            year = century + int(number[4:6])
            yield CheckFailure((key, "ngay_sinh"), f"CCCD {_masked(number)} says born {year} (digits 5-6) "
                                                   f"but ngay_sinh is {born}", "cccd_birth_year")


def check_cccd_issue(doc: _Doc) -> Iterator[CheckFailure]:
    """A 12-digit card was first issued in 2012."""
    issued = doc.dates.get("ngay_cap_cccd")
    number = re.sub(r"\D", "", doc.values.get("so_cccd") or "")
    if issued and len(number) == 12 and issued.hi < FIRST_12_DIGIT_CARD:
        yield CheckFailure(("so_cccd", "ngay_cap_cccd"),
                           f"12-digit card {_masked(number)} issued on {issued}, before 12-digit cards "
                           f"existed ({FIRST_12_DIGIT_CARD.year})", "cccd_issue_date")


# ---------------------------------------------------------------- dates

def check_birth(doc: _Doc) -> Iterator[CheckFailure]:
    """A serving cadre was born after 1930 and is at least 16 today."""
    born = doc.born
    if born is None:
        return
    if born.hi < EARLIEST_BIRTH:
        yield CheckFailure(("ngay_sinh",), f"ngay_sinh {born} is before {EARLIEST_BIRTH.year}", "birth_range")
    latest = _add_years(doc.today, -MIN_AGE_TODAY)
    if born.lo > latest:
        yield CheckFailure(("ngay_sinh",), f"ngay_sinh {born} makes the cadre younger than {MIN_AGE_TODAY} "
                                           f"on {doc.today.isoformat()}", "birth_range")


def check_ages(doc: _Doc) -> Iterator[CheckFailure]:
    """Every other date comes after the birth, and some only at an age (MIN_AGE)."""
    born = doc.born
    if born is None:
        return
    for key, when in doc.dates.items():
        if key == "ngay_sinh":
            continue
        age = MIN_AGE.get(key, 0)
        if when.hi < _add_years(born.lo, age):
            what = f"the {age}th birthday" if age else "the birth"  # ages are 14 to 18: "th" fits
            yield CheckFailure((key, "ngay_sinh"), f"{key} {when} is before {what} (ngay_sinh {born})", "age")


def check_order(doc: _Doc) -> Iterator[CheckFailure]:
    """Pairs that come in order: joining the Party before becoming a full member, …"""
    for first, then, strictly in ORDERED:
        a, b = doc.dates.get(first), doc.dates.get(then)
        if a and b and (a.lo >= b.hi if strictly else a.lo > b.hi):
            yield CheckFailure((first, then), f"{then} {b} is not after {first} {a}", "order")


def check_probation(doc: _Doc) -> Iterator[CheckFailure]:
    """Full Party membership comes about 12 months after joining (probation)."""
    joined, full = doc.dates.get("ngay_vao_dang"), doc.dates.get("ngay_chinh_thuc")
    if not joined or not full or joined.lo >= full.hi or joined.lo.year < PROBATION_RULE_SINCE:
        return
    shortest, longest = PROBATION_MONTHS
    months = (full.lo.year - joined.lo.year) * 12 + full.lo.month - joined.lo.month
    if full.hi < _add_months(joined.lo, shortest) or full.lo > _add_months(joined.hi, longest):
        yield CheckFailure(("ngay_vao_dang", "ngay_chinh_thuc"),
                           f"ngay_chinh_thuc {full} is {months} months after ngay_vao_dang {joined}; "
                           f"the probation is 12 months", "party_probation")


def check_future(doc: _Doc) -> Iterator[CheckFailure]:
    today = doc.today.isoformat()
    for key, when in doc.dates.items():
        if when.lo > doc.today:
            yield CheckFailure((key,), f"{key} {when} is in the future (today {today})", "future")
    for table, row, column, when in _table_dates(doc):
        if when.lo > doc.today:
            yield CheckFailure((cell_key(table, row, column),),
                               f"{table} row {row + 1}: {when} is in the future (today {today})", "future")


def check_declaration(doc: _Doc) -> Iterator[CheckFailure]:
    """The form is dated (ngay_khai) after everything it declares."""
    declared = doc.dates.get("ngay_khai")
    if declared is None:
        return
    for key, when in doc.dates.items():
        if key != "ngay_khai" and when.lo > declared.hi:
            yield CheckFailure(("ngay_khai", key), f"{key} {when} is after the declaration date ngay_khai "
                                                    f"{declared}", "declaration")
    for table, row, column, when in _table_dates(doc):
        if when.lo > declared.hi:
            yield CheckFailure(("ngay_khai", cell_key(table, row, column)),
                               f"{table} row {row + 1}: {when} is after the declaration date ngay_khai "
                               f"{declared}", "declaration")


# ---------------------------------------------------------------- tables

_PERIOD_COLUMNS = ("thoi_gian",)  # "07/2016 - 10/2019" in one cell
_START_END = ("tu", "den")  # or in two
_POINT_COLUMNS = ("thang_nam",)  # the transposed salary grid: one month per column


@dataclass(frozen=True, slots=True)
class _Row:
    index: int
    start: Span | None
    end: Span | None
    start_column: str
    end_column: str


def _rows(rows: list[dict[str, str | None]]) -> Iterator[_Row]:
    for i, row in enumerate(rows):
        if column := next((c for c in _PERIOD_COLUMNS if row.get(c)), None):
            period = parse_period(row[column])
            yield _Row(i, period.start, period.end, column, column)
        elif row.get("tu") or row.get("den"):
            end = row.get("den") or ""
            open_end = _OPEN_END.search(fold(end))
            yield _Row(i, parse_when(row.get("tu")), None if open_end else parse_when(end), *_START_END)
        elif column := next((c for c in _POINT_COLUMNS if row.get(c)), None):
            when = parse_when(row[column])
            yield _Row(i, when, None, column, column)


def _table_dates(doc: _Doc) -> Iterator[tuple[str, int, str, Span]]:
    for table, rows in doc.tables.items():
        for row in _rows(rows):
            if row.start:
                yield table, row.index, row.start_column, row.start
            if row.end:
                yield table, row.index, row.end_column, row.end


def check_periods(doc: _Doc) -> Iterator[CheckFailure]:
    """Each period starts before it ends; rows run in time order; none before the birth."""
    born = doc.born
    for table, rows in doc.tables.items():
        previous: _Row | None = None
        for row in _rows(rows):
            start_key = cell_key(table, row.index, row.start_column)
            if row.start and row.end and row.start.lo > row.end.hi:
                keys = tuple(dict.fromkeys((start_key, cell_key(table, row.index, row.end_column))))
                yield CheckFailure(keys, f"{table} row {row.index + 1}: from {row.start} is after to "
                                         f"{row.end}", "period")
            if row.start is None:
                continue
            if previous and row.start.hi < previous.start.lo:
                yield CheckFailure(
                    (cell_key(table, previous.index, previous.start_column), start_key),
                    f"{table} row {row.index + 1} starts {row.start}, before row {previous.index + 1} "
                    f"({previous.start})", "period_order")
            if born and row.start.hi < born.lo:
                yield CheckFailure((start_key, "ngay_sinh"),
                                   f"{table} row {row.index + 1} starts {row.start}, before ngay_sinh {born}",
                                   "period_birth")
            previous = row


_PARENTS = frozenset({"bo", "cha", "me", "ba", "ma", "tia", "u", "thay"})
_CHILDREN = frozenset({"con"})
_NOT_BLOOD = frozenset({"nuoi", "ke", "duong", "vo", "chong", "dau", "re", "rieng", "chau"})


def _relation(text: str | None) -> str | None:
    words = _words(text or "")
    if not words or _NOT_BLOOD & set(words):
        return None
    return "parent" if words[0] in _PARENTS else "child" if words[0] in _CHILDREN else None


def check_family(doc: _Doc) -> Iterator[CheckFailure]:
    """Parents are born well before the cadre, children well after (own family only)."""
    born = doc.born
    if born is None or born.lo.year != born.hi.year:
        return
    year = born.lo.year
    people = [(cell_key("gia_dinh_ban_than", i, "nam_sinh"), _relation(r.get("moi_quan_he")),
               r.get("nam_sinh"), f"gia_dinh_ban_than row {i + 1} ({r.get('moi_quan_he')})")
              for i, r in enumerate(doc.tables.get("gia_dinh_ban_than", []))]
    people += [(k, "parent", doc.values.get(k), k) for k in ("nam_sinh_cha", "nam_sinh_me")]
    for key, relation, text, who in people:
        their = _year_of(text)
        if their is None or relation is None:
            continue
        if relation == "parent" and their > year - PARENT_CHILD_GAP:
            yield CheckFailure((key, "ngay_sinh"), f"{who} born {their}, less than {PARENT_CHILD_GAP} years "
                                                   f"before ngay_sinh {born}", "family_age")
        if relation == "child" and their < year + PARENT_CHILD_GAP:
            yield CheckFailure((key, "ngay_sinh"), f"{who} born {their}, less than {PARENT_CHILD_GAP} years "
                                                   f"after ngay_sinh {born}", "family_age")


CHECKS: tuple[Check, ...] = (check_cccd_place, check_cccd_person, check_cccd_issue, check_birth, check_ages,
                             check_order, check_probation, check_future, check_declaration, check_periods,
                             check_family)
