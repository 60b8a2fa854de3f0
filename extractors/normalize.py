"""Raw value text -> normalized value, per catalog value type, with how sure the repair is.

The raw text comes from OCR, already stripped of its label and dotted leaders, and may be
damaged: lost or wrong diacritics, digit/letter confusions, stray punctuation. Each
normalizer cleans what it safely can, says what it repaired (`problems`) and lowers its
`certainty` for every repair, so the engine can weigh it with the OCR confidence.

Word lists (names, ethnic groups, religions, levels, provinces) live in `extractors/lexicon/`.
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from extractors.places import restore_place
from schemas.catalog import ValueType
from schemas.vietnamese import fold

LEXICON = Path(__file__).with_name("lexicon")


@dataclass(frozen=True, slots=True)
class Normalized:
    value: str | None  # ISO date, digits, proper-case name, canonical term…; None if not parseable
    certainty: float  # 1.0 clean parse, lower for each repair, 0.0 when nothing could be parsed
    problems: list[str] = field(default_factory=list)  # short English reasons


def normalize(kind: ValueType, raw: str) -> Normalized:
    """The normalized value of `raw` read for an item of type `kind`."""
    return _NORMALIZERS[kind](raw or "")


@cache
def lexicon(name: str) -> Any:
    """A data file of `extractors/lexicon/`, parsed once."""
    return json.loads((LEXICON / name).read_text(encoding="utf-8"))


class _Notes:
    """Certainty and problems gathered while one value is normalized."""

    def __init__(self) -> None:
        self.certainty = 1.0
        self.problems: list[str] = []

    def doubt(self, factor: float, problem: str) -> None:
        self.certainty *= factor
        self.problems.append(problem)

    def done(self, value: str | None, problem: str | None = None) -> Normalized:
        if problem:
            self.problems.append(problem)
        if value is None:
            return Normalized(None, 0.0, self.problems)
        return Normalized(value, round(self.certainty, 3), self.problems)


# ---------------------------------------------------------------- text

_SPACES = re.compile(r"\s+")
_EDGES = " .,;:…-–—_·•*~=|/\\"  # leaders, bullets and specks around a value
_SPECKS = re.compile(r"^[^\w|!$\[\]]+|[^\w|!$\[\]]+$")  # around a number: not the letters read as digits


def clean_text(raw: str) -> str:
    """NFC, one space between words, no stray punctuation or leaders at either end."""
    text = unicodedata.normalize("NFC", raw).replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip(_EDGES)


def _is_none_word(text: str) -> bool:
    return _compact(text) in ("khong", "ko")


def _text(raw: str) -> Normalized:
    notes = _Notes()
    text = clean_text(raw)
    if not text:
        return notes.done(None, "empty")
    if _is_none_word(text):
        return notes.done("Không")  # "KHÔNG", "Khong": the usual way to say "none"
    fixed = restore_tones(_recase(_measures(text, notes), notes), notes)
    last = fold(fixed.split()[-1].strip(",;:.")) if fixed.split() else ""
    if last in _DANGLING:
        notes.doubt(0.8, f"ends with '{fixed.split()[-1]}': the rest may be on a line not read")
    return notes.done(fixed)


_PARAGRAPH_BULLET = re.compile(r"^[-–+•]\s+(?=\w)")


def _place(raw: str) -> Normalized:
    """An address: text whose administrative units are put back as officially spelled
    (extractors.places)."""
    read = _text(raw)
    if not read.value:
        return read
    value, doubts = restore_place(read.value)
    notes = _Notes()
    notes.certainty, notes.problems = read.certainty, list(read.problems)
    for doubt in doubts:
        notes.doubt(0.95, doubt)
    return notes.done(value)


def _paragraph(raw: str) -> Normalized:
    """Free text in sentences (an assessment, the content of an addition): as `text`, but
    written as printed, with its bullet ("- Được nâng bậc …") and its final full stop."""
    text = unicodedata.normalize("NFC", raw).replace("\u00a0", " ")
    text = _SPACES.sub(" ", text).strip()
    bullet = _PARAGRAPH_BULLET.match(text)
    stop = text.rstrip(_EDGES.replace(".", "")).endswith(".") and not text.endswith("..")
    result = _text(text)
    if result.value is None or result.value == "Không":
        return result
    value = (bullet.group().strip() + " " if bullet else "") + result.value
    return Normalized(value + ("." if stop else ""), result.certainty, result.problems)


# Words that never end a value: a place or body's name follows them ("huyện Lâm Hà").
_DANGLING = {"huyen", "tinh", "xa", "phuong", "thon", "do", "va", "cua", "ve", "tai", "voi", "dai"}

def _recase(text: str, notes: _Notes) -> str:
    """OCR sometimes reads a marked vowel as a capital ("Chuyên VIÊn", "tuyên trUYỀN"). In a
    value written in ordinary case, a word with capitals after its first letter and a marked
    vowel (so not an abbreviation such as UBND) is set back in ordinary case."""
    words = text.split(" ")
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or sum(ch.isupper() for ch in letters) > len(letters) / 2:
        return text  # a value in capitals: as printed
    pairs = _vocabulary_pairs()
    for i, word in enumerate(words):
        core = word.strip(",;:.()")
        if not any(ch.isupper() for ch in core[1:]) or not _has_marks(core):
            continue
        title = i > 0 and words[i - 1][:1].isupper() and (fold(words[i - 1]), fold(core)) not in pairs
        fixed = core[:1].upper() + core[1:].lower() if title else core.lower()
        if i == 0:
            fixed = core[:1] + core[1:].lower()
        words[i] = word.replace(core, fixed, 1)
        notes.doubt(0.95, f"read '{core}' as '{fixed}'")
    return " ".join(words)


def _has_marks(word: str) -> bool:
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", word))

_HEIGHT = re.compile(r"\b[Il|!]m(\d{2})\b")  # "lm62": the 1 of a height read as a letter
_WEIGHT = re.compile(r"\b(\d{2,3})\s?k[gqp]\b")  # "64kg", "64 kp"


def _measures(text: str, notes: _Notes) -> str:
    """Heights and weights as forms print them: "1m62", "64 kg"."""
    fixed = _HEIGHT.sub(r"1m\1", text)
    fixed = _WEIGHT.sub(r"\1 kg", fixed)
    if fixed != text:
        notes.doubt(0.9, f"read '{text}' as '{fixed}'")
    return fixed


@cache
def _vocabulary() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Known words of two or more syllables (phrases.txt and province names), by their letters
    without marks."""
    words: list[str] = []
    for line in (LEXICON / "phrases.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    provinces = lexicon("provinces.json")
    for entry in provinces["provinces"]:
        name = entry["name"] if isinstance(entry, dict) else str(entry)
        words += [name, f"tỉnh {name}"]  # "Tinh Lâm Đồng": the mark of Tỉnh is often lost
    vocabulary: dict[tuple[str, ...], tuple[str, ...]] = {}
    for word in words:
        syllables = tuple(unicodedata.normalize("NFC", word).split())
        if len(syllables) >= 2:
            vocabulary.setdefault(tuple(fold(x) for x in syllables), syllables)
    return vocabulary


@cache
def _vocabulary_pairs() -> frozenset[tuple[str, ...]]:
    """The first two syllables of each known word, folded."""
    return frozenset(k[:2] for k in _vocabulary())


def restore_tones(text: str, notes: _Notes | None = None) -> str:
    """Put back the marks OCR lost or swapped in known words ("tố chức" -> "tổ chức", "Lầm Đồng"
    -> "Lâm Đồng"), keeping each syllable's case and punctuation."""
    vocabulary = _vocabulary()
    longest = max((len(k) for k in vocabulary), default=0)
    tokens = text.split(" ")
    cores = [t.strip(_EDGES + ",;:()") for t in tokens]
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 1, -1):
            key = tuple(fold(c) for c in cores[i:i + n])
            known = vocabulary.get(key)
            if known is None or any(not c for c in cores[i:i + n]) \
                    or any(t.rstrip()[-1:] in ",;:)" for t in tokens[i:i + n - 1]):
                continue  # a word does not run across a comma
            for j, syllable in enumerate(known):
                core = cores[i + j]
                if core.lower() != syllable.lower():
                    fixed = syllable.upper() if core.isupper() and len(core) > 1 else \
                        (syllable[:1].upper() + syllable[1:] if core[:1].isupper() else syllable)
                    tokens[i + j] = tokens[i + j].replace(core, fixed, 1)
                    if notes is not None:
                        notes.doubt(0.97, f"restored the marks of '{core}' ({' '.join(known)})")
            i += n - 1
            break
        i += 1
    return " ".join(tokens)


# ---------------------------------------------------------------- digits and numbers

# Letters OCR reads in place of digits (by the letter without its diacritics, case kept).
_AS_DIGIT = {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1", "!": "1",
             "[": "1", "]": "1",
             "Z": "2", "z": "2", "S": "5", "s": "5", "$": "5", "B": "8", "G": "6", "b": "6", "T": "7",
             "g": "9", "q": "9"}
_ASCII_DIGITS = frozenset("0123456789")


# What a letter may also stand for: a flagged "1" is read as "T" as often as a "7" is.
_AS_DIGIT_OTHER = {**_AS_DIGIT, "T": "1"}


def _as_digits(token: str, allow_all_letters: bool = False, other: bool = False,
               ) -> tuple[str, int] | None:
    """The digits a token stands for and how many letters were read as digits; None for a word.
    A token of letters only is a word unless `allow_all_letters` (a short date part between
    separators: "lO" in "12/lO/1978"). `other`: the second reading of ambiguous letters."""
    out: list[str] = []
    repairs = 0
    table = _AS_DIGIT_OTHER if other else _AS_DIGIT
    for ch in token:
        if ch in _ASCII_DIGITS:
            out.append(ch)
            continue
        digit = table.get(unicodedata.normalize("NFD", ch)[0])
        if digit is None:
            return None
        out.append(digit)
        repairs += 1
    if not out or (repairs == len(out) and not (allow_all_letters and len(out) <= 2)):
        return None
    return "".join(out), repairs


def _digit_groups(text: str, notes: _Notes, what: str) -> list[str]:
    """The digit groups of `text` in order: OCR letters repaired, words dropped (both noted)."""
    groups: list[str] = []
    for token in re.split(r"[\s.,;:/\\\-–—_()]+", text):
        token = _SPECKS.sub("", token)
        if not token:
            continue
        parsed = _as_digits(token)
        if parsed is None:
            notes.doubt(0.9, f"ignored {token!r} in the {what}")
            continue
        digits, repairs = parsed
        if repairs:
            notes.doubt(0.85 ** repairs, f"read {token!r} as {digits}")
        groups.append(digits)
    return groups


def _cccd(raw: str) -> Normalized:
    notes = _Notes()
    digits = "".join(_digit_groups(clean_text(raw), notes, "number"))
    if not digits:
        return notes.done(None, "no digits")
    if len(digits) not in (9, 12):
        return notes.done(None, f"{len(digits)} digits: a CCCD has 12, an old CMND 9")
    return notes.done(digits)


_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


def _digits(raw: str) -> Normalized:
    notes = _Notes()
    text = clean_text(raw)
    groups = _digit_groups(text, notes, "number")
    if not groups:
        return notes.done(None, "no digits")
    if len(groups) > 1 and all(_YEAR.match(g) for g in groups) and re.search(r"[-–—]", text):
        # "1945 - 2010" in a năm sinh column: a life span, not one number
        notes.doubt(0.7, f"kept the first of the years {text!r}")
        return notes.done(groups[0])
    return notes.done("".join(groups))


_DECIMAL = re.compile(r"^(\d{1,3})(?:([.,])(\d{1,4}))?$")


def _decimal(raw: str) -> Normalized:
    """Keeps the Vietnamese decimal comma ("2,34"); a point read by OCR becomes a comma."""
    notes = _Notes()
    tokens = clean_text(raw).replace(" ,", ",").replace(", ", ",").split()
    if not tokens:
        return notes.done(None, "empty")
    for extra in tokens[1:]:
        notes.doubt(0.9, f"ignored {extra!r}")
    number, repairs = "", 0
    for ch in tokens[0]:
        if ch in ".,":
            number += ch
            continue
        parsed = _as_digits(ch, allow_all_letters=True)
        if parsed is None:
            return notes.done(None, f"{tokens[0]!r} is not a number")
        number += parsed[0]
        repairs += parsed[1]
    match = _DECIMAL.match(number)
    if not match:
        return notes.done(None, f"{tokens[0]!r} is not a number")
    if repairs:
        notes.doubt(0.85 ** repairs, f"read {tokens[0]!r} as {number}")
    whole, _, fraction = match.groups()
    return notes.done(f"{whole},{fraction}" if fraction else whole)


# ---------------------------------------------------------------- dates

# Folded: "ngày 12 tháng 3 năm 1978"; OCR may make "thủng" or "thung" of "tháng".
_DATE_WORDS = re.compile(r"ngay|th[a-z]{1,2}ng|nam|sinh")
_MONTH_PREFIX = re.compile(r"^th?(?=\d)|^th?$")  # folded: "T3/1978", "Th.3/1978"


def _without_date_words(text: str) -> str:
    """The text with its date words blanked, also when glued to a number ("tháng3")."""
    folded = fold(text)
    if len(folded) != len(text):  # not one folded letter per letter: leave it
        return text
    chars = list(text)
    for word in _DATE_WORDS.finditer(folded):
        chars[word.start():word.end()] = " " * (word.end() - word.start())
    return "".join(chars)


def _date_numbers(raw: str, notes: _Notes, other: bool = False) -> list[str]:
    """The numbers of a written date ("ngày 12 tháng 3 năm 1978", "12/O3/1978", "T3/1978")."""
    numbers: list[str] = []
    text = clean_text(raw)
    unworded = _without_date_words(text)
    worded = unworded != text  # "tháng" written out: a "T" before a figure is not its prefix
    for token in re.split(r"[\s/.\-–—,:;()]+", unworded):
        token = _SPECKS.sub("", token)
        if not worded and _MONTH_PREFIX.match(fold(token)):
            token = _MONTH_PREFIX.sub("", fold(token))
        if not token:
            continue
        parsed = _as_digits(token, allow_all_letters=True, other=other)
        if parsed is None:
            notes.doubt(0.9, f"ignored {token!r} in the date")
            continue
        digits, repairs = parsed
        if repairs:
            notes.doubt(0.85 ** repairs * (0.9 if repairs == len(digits) else 1.0),
                        f"read {token!r} as {digits}")
        numbers.append(digits)
    return numbers


def _split_joined(numbers: list[str], notes: _Notes) -> list[str]:
    """"12031978" and "031978": a date printed without separators."""
    if len(numbers) == 1 and len(numbers[0]) in (6, 8):
        notes.doubt(0.9, "no separators between day, month and year")
        n = numbers[0]
        return [n[:2], n[2:4], n[4:]] if len(n) == 8 else [n[:2], n[2:]]
    return numbers


def _year(text: str) -> tuple[int | None, str | None]:
    if len(text) == 2:
        return None, f"two-digit year {text!r}: the century is unknown"
    if len(text) != 4:
        return None, f"year {text!r} is not 4 digits"
    return int(text), None


def _undoubled_year(text: str, notes: _Notes) -> str:
    """OCR sometimes reads one digit twice ("20119", "11976"): a year of 5 digits with a digit
    doubled is the year without the double, when that gives one plausible year."""
    if len(text) != 5:
        return text
    years = {text[:i] + text[i + 1:] for i in range(4) if text[i] == text[i + 1]}
    years = {y for y in years if 1900 <= int(y) <= 2100}
    if len(years) != 1:
        return text
    year = years.pop()
    notes.doubt(0.6, f"read the year {text!r} as {year} (a digit read twice)")
    return year


def _plausible_year(year: int, notes: _Notes) -> None:
    if not 1900 <= year <= 2100:
        notes.doubt(0.5, f"year {year} is implausible")


_UNITS = {"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
          "sau": 6, "bay": 7, "tam": 8, "chin": 9}


def spoken_number(words: list[str]) -> int | None:
    """A number written in words, folded: "mot nghin chin tram chin muoi tu" -> 1994."""
    total = group = digit = 0
    seen = False
    for i, word in enumerate(words):
        if word in ("linh", "le", "mung", "mong"):
            continue
        if word in _UNITS:
            digit = _UNITS[word]
        elif word == "muoi":  # "mươi" after a digit is its tens; "mười" alone is ten
            after_digit = i > 0 and words[i - 1] in _UNITS
            group, digit = group + (digit * 10 if after_digit else 10), 0
        elif word == "tram":
            group, digit = group + digit * 100, 0
        elif word in ("nghin", "ngan"):
            total, group, digit = total + (group + digit) * 1000, 0, 0
        else:
            return None
        seen = True
    return total + group + digit if seen else None


def _spoken_date(raw: str) -> str | None:
    """ "Ngày mùng tám, tháng hai, năm một nghìn chín trăm chín mươi tư" as "8/2/1994"."""
    parts = [fold(p).split() for p in raw.split(",")]
    if len(parts) != 3 or not all(parts) or [p[0] for p in parts] != ["ngay", "thang", "nam"]:
        return None
    numbers = [spoken_number(p[1:]) for p in parts]
    if any(n is None for n in numbers):
        return None
    return "/".join(str(n) for n in numbers)


def _date(raw: str) -> Normalized:
    """A date; where a letter read for a digit has two readings ("T": 7 or 1) and the first
    gives no date or an implausible year, the second is taken if it gives a plausible one."""
    first = _date_read(raw, other=False)
    if first.value and first.certainty and 1900 <= int(first.value[:4]) <= 2100:
        return first
    if "T" not in raw:
        return first
    second = _date_read(raw, other=True)
    return second if second.value and 1900 <= int(second.value[:4]) <= 2100 else first


def _date_read(raw: str, other: bool) -> Normalized:
    notes = _Notes()
    if not any(ch.isdigit() for ch in raw):
        raw = _spoken_date(raw) or raw
    numbers = _split_joined(_date_numbers(raw, notes, other), notes)
    if len(numbers) == 2:
        return notes.done(None, "only a month and a year, no day")
    if len(numbers) != 3:
        return notes.done(None, "no day, month and year found")
    day, month, year_text = (numbers[2], numbers[1], numbers[0]) if len(numbers[0]) == 4 else numbers
    year_text = _undoubled_year(year_text, notes)
    year, problem = _year(year_text)
    if year is None:
        return notes.done(None, problem)
    try:
        value = date(year, int(month), int(day))
    except ValueError:
        return notes.done(None, f"no such date: day {day}, month {month}, year {year}")
    _plausible_year(year, notes)
    return notes.done(value.isoformat())


def _month(raw: str) -> Normalized:
    notes = _Notes()
    numbers = _split_joined(_date_numbers(raw, notes), notes)
    if len(numbers) == 3:
        numbers = [numbers[1], numbers[2]] if len(numbers[0]) != 4 else [numbers[1], numbers[0]]
        notes.doubt(0.9, "a whole date where a month was expected: day dropped")
    if len(numbers) == 1 and len(numbers[0]) == 4:
        return notes.done(None, "only a year, no month")
    if len(numbers) != 2:
        return notes.done(None, "no month and year found")
    month, year_text = numbers[::-1] if len(numbers[0]) == 4 else numbers
    year, problem = _year(year_text)
    if year is None:
        return notes.done(None, problem)
    if not 1 <= int(month) <= 12:
        return notes.done(None, f"no such month: {month}")
    _plausible_year(year, notes)
    return notes.done(f"{year:04d}-{int(month):02d}")


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


# ---------------------------------------------------------------- gender

_GENDERS = {"nam": "Nam", "nu": "Nữ"}


def _gender(raw: str) -> Normalized:
    notes = _Notes()
    text = clean_text(raw)
    words = [w for w in re.split(r"[\s,.;:/()]+", text) if w]
    hits = {_GENDERS[fold(w)] for w in words if fold(w) in _GENDERS}
    if len(hits) > 1:
        return notes.done(None, f"both genders in {text!r}")
    if hits:
        value = hits.pop()
        word = next(w for w in words if fold(w) in _GENDERS)
        if word.lower() != value.lower():
            notes.doubt(0.9, f"read {word!r} as {value}")
        return notes.done(value)
    key = fold(text).replace("rn", "m").replace(" ", "")  # "rn" is OCR for "m"
    near = [v for k, v in _GENDERS.items() if Levenshtein.distance(key, k) <= 1]
    if len(key) >= 2 and len(near) == 1:
        notes.doubt(0.75, f"read {text!r} as {near[0]}")
        return notes.done(near[0])
    return notes.done(None, f"{text!r} is not a gender" if text else "empty")


# ---------------------------------------------------------------- closed lists

def _compact(text: str) -> str:
    """Folded, letters and digits only: "Gia-rai" and "Gia Rai" meet as "giarai"."""
    return re.sub(r"[^0-9a-z]", "", fold(text))


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text.lower())


def _tone_key(text: str) -> str:
    """Lower case, one tone placement per word: "Hoà Hảo" and "Hòa Hảo" meet."""
    words = unicodedata.normalize("NFC", text.lower()).split(" ")
    return " ".join(min(w, tone_variant(w) or w) for w in words)


@dataclass(frozen=True, slots=True)
class _Snap:
    value: str
    certainty: float
    problem: str | None


def _spelled(text: str) -> str:
    """With diacritics, but without case, spaces, hyphens, apostrophes or tone placement."""
    return re.sub(r"[\s\-']", "", _tone_key(_APOSTROPHES.sub("'", text)))


class _Terms:
    """A closed list (ethnic groups, religions): each entry's canonical name and its variants."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.spelled: dict[str, str] = {}
        self.compact: dict[str, list[tuple[str, str]]] = {}
        for entry in entries:
            for spelling in [entry["name"], *entry["variants"]]:
                self.spelled[_spelled(spelling)] = entry["name"]
                self.compact.setdefault(_compact(spelling), []).append((_spelled(spelling), entry["name"]))
        self.keys = list(self.compact)

    def snap(self, text: str) -> _Snap | None:
        if _spelled(text) in self.spelled:
            return _Snap(self.spelled[_spelled(text)], 1.0, None)
        key = _compact(text)
        if key in self.compact:  # the same letters, other diacritics
            read = _nfd(_spelled(text))
            _, name = min(self.compact[key], key=lambda c: Levenshtein.distance(_nfd(c[0]), read))
            return _Snap(name, 0.9, f"read {text!r} as {name!r} (diacritics)")
        if len(key) < 4:
            return None  # short names ("Co", "Mạ", "Lào") are too close to each other to guess
        edits = 1 if len(key) < 8 else 2
        near = process.extract(key, self.keys, scorer=Levenshtein.distance, score_cutoff=edits, limit=None)
        best = min((d for _, d, _ in near), default=None)
        names = {self.compact[k][0][1] for k, d, _ in near if d == best}
        if len(names) != 1:
            return None  # nothing near, or two entries as near
        name = names.pop()
        return _Snap(name, 0.8 if best == 1 else 0.7, f"read {text!r} as {name!r} (OCR repair)")


@cache
def _terms(name: str) -> _Terms:
    return _Terms(lexicon(name)["entries"])


_PREFIXES = {"ethnicity": re.compile(r"^(?:dân tộc|người)\s+", re.IGNORECASE),
             "religion": re.compile(r"^(?:tôn giáo)\s*:?\s+", re.IGNORECASE)}


def _closed(kind: str, lexicon_file: str, what: str) -> Callable[[str], Normalized]:
    def normalize_term(raw: str) -> Normalized:
        notes = _Notes()
        text = _PREFIXES[kind].sub("", clean_text(raw))
        if not text:
            return notes.done(None, "empty")
        terms = _terms(lexicon_file)
        snap = terms.snap(text) or terms.snap(re.sub(r"\s*\(.*?\)\s*", " ", text).strip())
        if snap is None:
            notes.doubt(0.5, f"{text!r} is not a known {what}")
            return notes.done(text)
        if snap.problem:
            notes.doubt(snap.certainty, snap.problem)
        return notes.done(snap.value)

    return normalize_term


# ---------------------------------------------------------------- levels

class _Phrases:
    """Known level terms by their folded words, longest first."""

    def __init__(self, phrases: list[str]) -> None:
        self.by_key = {tuple(_words_key(p.split())): p for p in phrases}
        self.longest = max(len(k) for k in self.by_key)
        self.keys = {" ".join(k): k for k in self.by_key}


def _words_key(words: list[str]) -> list[str]:
    return [k for k in (_compact(w) for w in words) if k]


@cache
def _phrases() -> _Phrases:
    return _Phrases(lexicon("levels.json")["phrases"])


def _phrase_at(words: list[str], i: int, phrases: _Phrases) -> tuple[int, str, float] | None:
    """The longest known phrase starting at word i: (word count, canonical, certainty)."""
    fuzzy: tuple[int, str, float] | None = None
    for n in range(min(phrases.longest, len(words) - i), 0, -1):
        span = words[i:i + n]
        if any(re.search(r"[,;:)]$", w) for w in span[:-1]):
            continue  # a phrase does not run across a comma
        key = tuple(_words_key(span))
        if key in phrases.by_key:
            canonical = phrases.by_key[key]
            read = " ".join(w.strip(",;:.()") for w in span)
            return n, canonical, 1.0 if read.lower() == canonical.lower() else 0.95
        joined = " ".join(key)
        if fuzzy is None and len(joined) >= 8:
            best = process.extractOne(joined, list(phrases.keys), scorer=fuzz.ratio, score_cutoff=90)
            if best and len(phrases.keys[best[0]]) == len(key):
                fuzzy = (n, phrases.by_key[phrases.keys[best[0]]], 0.85)
    return fuzzy


def _level(raw: str) -> Normalized:
    notes = _Notes()
    text = clean_text(raw)
    if not text:
        return notes.done(None, "empty")
    words, out, i, matched = text.split(" "), [], 0, 0
    phrases = _phrases()
    while i < len(words):
        found = _phrase_at(words, i, phrases)
        if found is None:
            out.append(words[i])
            i += 1
            continue
        n, canonical, certainty = found
        read = " ".join(words[i:i + n])
        if certainty < 1.0:
            notes.doubt(certainty, f"read {read!r} as {canonical!r}")
        trail = re.search(r"[,;:)]*$", words[i + n - 1]).group()
        out.append(canonical + trail)
        matched += 1
        i += n
    if not matched:
        notes.doubt(0.9, "no known level term")
    value = " ".join(out)
    return notes.done(value[:1].upper() + value[1:])


# ---------------------------------------------------------------- names

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below
_OPEN_PAIR = re.compile(r"(?<!q)(oa|oe|uy)$")
_NAME_DIGITS = {"0": "o", "1": "i", "3": "e", "5": "s", "8": "b"}
_APOSTROPHES = re.compile(r"[’‘`´ʼ]")


def tone_variant(syllable: str) -> str | None:
    """The same syllable with the tone mark in the other accepted place: "hòa" <-> "hoà"."""
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tone = next((c for c in decomposed if c in _TONES), None)
    if tone is None:
        return None
    bare = decomposed.replace(tone, "")
    match = _OPEN_PAIR.search(bare)
    if not match:
        return None
    old = bare[:match.start() + 1] + tone + bare[match.start() + 1:]
    new = bare + tone
    other = new if decomposed == old else old if decomposed == new else None
    return unicodedata.normalize("NFC", other) if other else None


class _NameLexicon:
    def __init__(self, data: dict[str, list[str]]) -> None:
        self.surnames = self._index(data["surnames"])
        self.given = self._index(data["surnames"] + data["given"])
        self.given_only = {s.lower() for s in data["given_only"]}
        self.minority = {_APOSTROPHES.sub("'", s).lower() for s in data["minority"]}

    @staticmethod
    def _index(syllables: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
        """(known spelling -> proper form, folded -> proper forms in lexicon order)."""
        known: dict[str, str] = {}
        by_fold: dict[str, list[str]] = {}
        for s in syllables:
            s = unicodedata.normalize("NFC", s)
            for spelling in filter(None, (s.lower(), tone_variant(s))):
                known.setdefault(spelling, s)
            if s not in by_fold.setdefault(fold(s), []):
                by_fold[fold(s)].append(s)
        return known, by_fold


@cache
def _names() -> _NameLexicon:
    return _NameLexicon(lexicon("names.json"))


@cache
def _surname_list() -> list[str]:
    return [unicodedata.normalize("NFC", s) for s in lexicon("names.json")["surnames"]]


@dataclass(slots=True)
class _Reading:
    read: str  # lower case, as OCR read it (digits already turned to letters)
    kind: str  # known, apostrophe, minority, fold, fuzzy, unknown
    snap: str | None = None  # the lexicon syllable it would become
    others: tuple[str, ...] = ()  # as close as `snap`


def _closest(read: str, candidates: list[str]) -> tuple[str, tuple[str, ...]]:
    """The candidate nearest with diacritics, then of the same length (OCR swaps letters more
    than it drops them), then the commonest; and the others as near."""
    def distance(c: str) -> tuple[int, int]:
        return Levenshtein.distance(_nfd(c), _nfd(read)), abs(len(fold(c)) - len(fold(read)))

    ranked = sorted(candidates, key=distance)
    return ranked[0], tuple(c for c in ranked[1:] if distance(c) == distance(ranked[0]))


# The shape of a Vietnamese syllable without diacritics: onset, vowels, final consonant.
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
                       r"[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?")


def _fuzzy(read: str, by_fold: dict[str, list[str]]) -> tuple[str, tuple[str, ...]] | None:
    """The syllable one misread letter away (folded), for readings of 4 letters or more that
    cannot be a Vietnamese syllable ("Quanc"): a well-formed one ("Ngông") is a rare name, not an
    OCR error. Only a swapped letter: one letter more or less is as likely another name."""
    key = fold(read)
    if len(key) < 4 or _SYLLABLE.fullmatch(key):
        return None
    near = [k for k in by_fold if len(k) == len(key) and Levenshtein.distance(k, key) == 1]
    return _closest(read, [s for k in near for s in by_fold[k]]) if near else None


def _read_syllable(read: str, first: bool, last: bool, lex: _NameLexicon) -> _Reading:
    known, by_fold = lex.given
    if first:
        surnames, surname_folds = lex.surnames
        if read in surnames:
            return _Reading(read, "known")
        if fold(read) in surname_folds:
            # almost every Vietnamese name starts with one of a few surnames: "NGUYÊN" is Nguyễn;
            # but a given name read exactly ("Quang") is not made a rare surname ("Quàng")
            snap, others = _closest(read, surname_folds[fold(read)])
            if read not in known or _surname_list().index(snap) < COMMON_SURNAMES:
                return _Reading(read, "minority" if read in lex.minority else "fold", snap, others)
    if read in known or (last and read in lex.given_only):
        return _Reading(read, "known")
    if "'" in read:
        return _Reading(read, "apostrophe")
    key = fold(read)
    candidates = by_fold.get(key, []) + [s.capitalize() for s in lex.given_only if last and fold(s) == key]
    if read in lex.minority:
        snap = _closest(read, candidates) if candidates else (None, ())
        return _Reading(read, "minority", *snap)
    if candidates:
        return _Reading(read, "fold", *_closest(read, candidates))
    near = (_fuzzy(read, lex.surnames[1]) if first else None) or _fuzzy(read, by_fold)
    return _Reading(read, "fuzzy", *near) if near else _Reading(read, "unknown")


def proper_case(word: str) -> str:
    """"K'BRƠI" -> "K'Brơi", "nguyễn" -> "Nguyễn"."""
    return re.sub(r"[^\s'\-]+", lambda m: m.group()[:1].upper() + m.group()[1:].lower(), word)


def _name_words(raw: str, notes: _Notes) -> list[str]:
    text = _APOSTROPHES.sub("'", clean_text(raw))
    # "K'" stands alone in "K' Brơi"; other edge apostrophes are OCR specks
    words = [w if re.fullmatch(r"\w'", w) else w.strip("'") for w in re.split(r"[\s,.;:()/\\]+", text)]
    out = []
    for word in filter(None, words):
        letters = "".join(_NAME_DIGITS.get(ch, ch) for ch in word)
        if letters != word:
            notes.doubt(0.85, f"read {word!r} as {proper_case(letters)!r}")
        if re.search(r"[0-9]", letters):
            notes.doubt(0.7, f"digits in the name: {word!r}")
        out.append(letters.lower())
    return out


_HATS = "\u0302\u0306\u031b"  # circumflex, breve, horn
COMMON_SURNAMES = 20  # the first surnames of the lexicon, which most Vietnamese bear


def _marks(text: str) -> tuple[str | None, str | None]:
    """The tone mark and the vowel's hat of a syllable (decomposed), None where it has none."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return (next((c for c in decomposed if c in _TONES), None),
            next((c for c in decomposed if c in _HATS), None))


def lost_surname(fragment: str, surnames: list[str]) -> str | None:
    """The surname whose first letters OCR lost, leaving `fragment` ("ạm" of Phạm, "ê" of Lê: a
    signature or a stamp over the start of the name). The fragment's marks choose among the
    surnames that end so; what it lacks says nothing (OCR drops marks), ties go to the commoner."""
    key = fold(fragment)
    if not key or not key.isalpha():
        return None
    tone, hat = _marks(fragment)

    def score(surname: str) -> int:
        tail_tone, tail_hat = _marks(surname[-len(key):])
        points = 2 * (tone is not None and tone == tail_tone)
        if hat is not None:
            points += 2 if tail_hat == hat else 1 if tail_hat is not None else 0
        return points + (surnames.index(surname) < COMMON_SURNAMES)

    ends = [s for s in surnames if len(fold(s)) > len(key) and fold(s).endswith(key)]
    return max(ends, key=score) if ends else None  # max keeps the first (commonest) of equals


def _name(raw: str) -> Normalized:
    notes = _Notes()
    words = _name_words(raw, notes)
    if len(words) >= 3 and fold(words[0]) in ("ong", "ba"):  # "Ông Nguyễn Văn An" on a degree
        notes.doubt(0.9, f"left out the form of address '{words[0]}'")
        words = words[1:]
    if not words:
        return notes.done(None, "empty")
    lex = _names()
    first = clean_text(raw).split()[0] if clean_text(raw) else ""
    if len(words) >= 2 and first[:1].islower() and words[0] not in lex.surnames[0]:
        # a name is written capitalised: a first word in small letters is the end of a surname
        surname = lost_surname(words[0], _surname_list())
        if surname is not None:
            notes.doubt(0.6, f"read {first!r} as {surname!r}: its first letters were not read")
            words[0] = surname.lower()
    readings = [_read_syllable(w, i == 0, i == len(words) - 1 and i > 0, lex) for i, w in enumerate(words)]
    # A minority syllable ("Ha" in "Ha Sa Mi") is kept as read unless the name shows it is
    # Kinh with its diacritics lost: another syllable read bare needed them, or it has Văn / Thị.
    lost = any(r.kind == "fold" and fold(r.read) == r.read for r in readings)
    chosen = [(r.snap or "").lower() if r.kind in ("fold", "fuzzy") else r.read for r in readings]
    kinh = "văn" in chosen or "thị" in chosen
    head = readings[0]
    if len(readings) >= 2 and head.kind == "known" and head.read not in lex.surnames[0] \
            and head.read not in lex.minority:
        notes.doubt(0.7, f"starts with {proper_case(head.read)!r}, not a surname: the surname may be lost")
    out = []
    for r in readings:
        shown = proper_case(r.read)
        if r.kind == "minority" and r.snap and (lost or kinh):
            notes.doubt(0.85, f"read {shown!r} as {r.snap!r}")
            out.append(r.snap)
        elif r.kind == "minority" and r.snap:
            notes.doubt(0.95, f"kept {shown!r} as read (or {r.snap!r})")
            out.append(shown)
        elif r.kind in ("fold", "fuzzy"):
            also = f" (or {', '.join(r.others)})" if r.others else ""
            notes.doubt((0.9 if r.kind == "fold" else 0.75) * (0.9 if r.others else 1.0),
                        f"read {shown!r} as {r.snap!r}{also}")
            out.append(r.snap)
        elif r.kind == "unknown":
            notes.doubt(0.85, f"unknown syllable {shown!r} kept as read")
            out.append(shown)
        else:
            out.append(shown)
    return notes.done(" ".join(out))


_NORMALIZERS: dict[str, Callable[[str], Normalized]] = {
    "text": _text,
    "paragraph": _paragraph,
    "place": _place,
    "name": _name,
    "date": _date,
    "month": _month,
    "cccd": _cccd,
    "digits": _digits,
    "decimal": _decimal,
    "gender": _gender,
    "ethnicity": _closed("ethnicity", "ethnicities.json", "ethnic group"),
    "religion": _closed("religion", "religions.json", "religion"),
    "level": _level,
}
