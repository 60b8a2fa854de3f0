"""The metadata of an administrative decision (Thông tư 02/2019): number and symbol, date and
place, the issuing body (and the body above it), the summary, the person it is about, the
signer. A decision has no labels; each item has its place in the layout of Nghị định 30/2020.
"""

from __future__ import annotations

import re

from extractors.fields import (
    BELOW_MAX_PT,
    DATE_IN_FIGURES,
    Line,
    RawValue,
    Token,
    page_lines,
    raw_value,
)
from schemas.catalog import LayoutSpec
from schemas.pages import PageText
from schemas.vietnamese import fold

# The first words of a body's name: a new line of the header that starts a new body.
_BODIES = ("ubnd", "uy ban", "so ", "ban ", "phong ", "tinh uy", "huyen uy", "thanh uy", "dang uy",
           "truong ", "van phong", "hoi ", "mat tran", "bo ", "cuc ", "chi cuc", "trung tam", "hdnd",
           "hoi dong", "toa an", "vien ", "lien doan", "tinh doan", "huyen doan", "cong an")
_NUMBER = re.compile(r"^s[o0ố6][\s.]*[:;]?\s*(\S+/\S+)", re.IGNORECASE)
_DATELINE = re.compile(r"^(?P<place>[^,]{2,40})[,.;]\s*(?P<date>" + DATE_IN_FIGURES + ")", re.IGNORECASE)
_PERSON = re.compile(r"\b(?:ông|bà|đồng chí)\s+((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ']*\s*){2,5})")
_MOTTO = ("cong hoa", "doc lap", "tu do", "hanh phuc")


def read_decision(spec: LayoutSpec, pages: list[PageText]) -> list[RawValue]:
    """The decision's items, read from its first page (and its last, for the signer)."""
    first = page_lines(pages[0], 1)
    width = pages[0].width * (72.0 / pages[0].dpi if pages[0].unit == "px" and pages[0].dpi else 1.0)
    found: dict[str, tuple[list[Token], int]] = {}
    number_line = next((i for i, line in enumerate(first) if _NUMBER.match(_text(line))), None)
    header = first[:number_line] if number_line is not None else first[:8]
    bodies = _header_bodies(header, width)
    if bodies:
        found["co_quan_ban_hanh"] = (bodies[-1], 1)
        found["co_quan_chu_quan"] = (bodies[0] if len(bodies) > 1 else [], 1)
    if number_line is not None:
        line = first[number_line]
        tokens = [t for t in line.tokens if (t.x0 + t.x1) / 2 < width * 0.55]
        match = _NUMBER.match(_text(Line(1, tokens)))
        if match:
            found["so_ky_hieu"] = (_tokens_of(tokens, match.group(1)), 1)
    for line in first[:14]:
        right = [t for t in line.tokens if (t.x0 + t.x1) / 2 > width * 0.35]
        match = _DATELINE.search(_text(Line(1, right)))
        if match:
            found["noi_ban_hanh"] = (_tokens_of(right, match.group("place").strip()), 1)
            found["ngay_ban_hanh"] = (_tokens_of(right, match.group("date")), 1)
            break
    summary = _summary(first)
    if summary:
        found["trich_yeu"] = (summary, 1)
    person = _person(first)
    if person:
        found["nguoi_duoc_nhac"] = (person, 1)
    last = page_lines(pages[-1], len(pages))
    signer = _signer(last, width)
    if signer:
        found["nguoi_ky"] = (signer, len(pages))
    return [raw_value(spec.field(key), words, page) for key, (words, page) in found.items()
            if any(f.key == key for f in spec.fields)]


def _text(line: Line) -> str:
    return " ".join(t.text for t in line.tokens)


def _header_bodies(header: list[Line], width: float) -> list[list[Token]]:
    """The left header's bodies, top to bottom: a line starting with a body's name starts one."""
    bodies: list[list[Token]] = []
    for line in header:
        left = [t for t in line.tokens if (t.x0 + t.x1) / 2 < width * 0.45]
        text = fold(" ".join(t.text for t in left))
        if not left or any(m in text for m in _MOTTO) or not _mostly_upper(left):
            continue
        if not bodies or text.startswith(_BODIES):
            bodies.append(list(left))
        else:
            bodies[-1].extend(left)
    return bodies


def _mostly_upper(tokens: list[Token]) -> bool:
    letters = [ch for t in tokens for ch in t.text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.7 * len(letters)


def _summary(lines: list[Line]) -> list[Token]:
    """The lines under the "QUYẾT ĐỊNH" title that start "Về việc …", until the next part."""
    for i, line in enumerate(lines):
        if fold(_text(line)).strip().rstrip(":") == "quyet dinh" and i + 1 < len(lines):
            words: list[Token] = []
            for following in lines[i + 1:i + 4]:
                text = fold(_text(following))
                if words and (_mostly_upper(following.tokens) or text.startswith("can cu")):
                    break
                if not words and not text.startswith("ve viec"):
                    break
                words.extend(following.tokens)
            return words
    return []


def _person(lines: list[Line]) -> list[Token]:
    """The first person named "ông …" / "bà …" in the summary or the articles (a name may run
    over a line break)."""
    tokens = [t for line in lines for t in line.tokens]
    match = _PERSON.search(" ".join(t.text for t in tokens))
    if not match:
        return []
    words: list[str] = []
    for word in match.group(1).split()[:4]:
        letters = [ch for ch in word if ch.isalpha()]
        if len(letters) > 1 and all(ch.isupper() for ch in letters):
            break  # a title in capitals ("CHỦ TỊCH") on the next line: the name has ended
        words.append(word.rstrip(",.;"))
    while words and not words[-1][:1].isupper():
        words.pop()
    return _tokens_of(tokens, " ".join(words))


def _signer(lines: list[Line], width: float) -> list[Token]:
    """The name under the signature: the lowest short line of capitalised words on the right."""
    for line in reversed(lines):
        words = [t for t in line.tokens if (t.x0 + t.x1) / 2 > width * 0.4]
        # the signature may hide the first letters of the name: "ạm Văn Hòa" (normalization
        # restores the surname, and doubts it)
        named = words[1:] if len(words) >= 3 and _fragment(words[0].text) else words
        if 2 <= len(named) <= 5 and all(w.text[:1].isupper() for w in named) and not _mostly_upper(named):
            return words
        if lines and line.y0 < lines[-1].y1 - 4 * BELOW_MAX_PT:
            break
    return []


def _fragment(text: str) -> bool:
    """The end of a word in small letters, such as OCR leaves of a half-hidden surname."""
    return 1 <= len(text) <= 4 and text.isalpha() and text.islower()


def _tokens_of(tokens: list[Token], text: str) -> list[Token]:
    """The tokens that spell `text` (its words in order), trimmed to it."""
    wanted = text.split()
    for start in range(len(tokens)):
        window = tokens[start:start + len(wanted)]
        if len(window) == len(wanted) and all(w in t.text for w, t in zip(wanted, window, strict=True)):
            return [Token(w, fold(w), t.x0, t.y0, t.x1, t.y1, t.conf)
                    for w, t in zip(wanted, window, strict=True)]
    return [Token(text, fold(text), tokens[0].x0, tokens[0].y0, tokens[-1].x1, tokens[-1].y1, None)] \
        if tokens else []
