"""Label-value reading of a form from word boxes: find each printed label despite OCR errors,
then take the words that follow it, up to the dotted leader or the next label.

Pages are rebuilt into visual lines from the word boxes (Tesseract may cut a line of side-by-side
items into separate blocks). Labels are matched fuzzily on folded text (no case, no diacritics),
and the matches are chosen so that the catalog's items keep their printed order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.tables import words_outside_tables
from schemas.catalog import FieldSpec, LayoutSpec
from schemas.extraction import Box
from schemas.pages import PageText
from schemas.vietnamese import fold

MIN_LABEL_SCORE = 78.0  # fuzz.ratio of folded label and words, 0–100
# A run of dots (or an ellipsis) is a leader: the value ends where it starts.
_LEADER = re.compile(r"(\.{3,}|…|\.\s?\.\s?\.|_{3,})")
LEADER_TEXT = "…"  # the text of a leader erased from a scan (`PageText.leaders`)
_ITEM_NUMBER = re.compile(r"^\d{1,2}(\.\d{1,2})?[).:\-]?$")
_PUNCT = re.compile(r"[^0-9a-z ]+")
MAX_CONTINUATION_LINES = 3
LONG_LABEL_TAIL = 7  # words of a long label matched (its end, where the value follows)
WRAPPED_LABEL_WORDS = 4  # a label this long may wrap onto the next line
ITEM_BONUS = 12.0  # the label comes right after its own item number
BELOW_MAX_PT = 160.0  # how far under its label a "below" value may be (a signature's height)
# A signing date in figures ("ngày 08 tháng 8 năm 2023"; "thủng" is how OCR may read
# "tháng"), not a prompt: "Ngày, tháng, năm sinh" is a label.
DATE_IN_FIGURES = (r"ng[aà]y\s*[^\s,.;:]{1,3}\s*th\w{1,3}ng\s*[^\s,.;:]{1,3}\s*n[aă]m\s*"
                   r"(?=\S*\d\S*\d)\S{4}")
# The dateline: after the place, a comma or what OCR makes of one.
_DATELINE = re.compile(r"(?<=[,.;])\s*" + DATE_IN_FIGURES, re.IGNORECASE)


@dataclass(slots=True)
class Token:
    text: str
    key: str  # folded, punctuation removed: what labels are matched on
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float | None  # 0–100; None for a text layer


@dataclass(slots=True)
class Line:
    page: int  # 1-based position of the page in the run
    tokens: list[Token]

    @property
    def y0(self) -> float:
        return min(t.y0 for t in self.tokens)

    @property
    def y1(self) -> float:
        return max(t.y1 for t in self.tokens)


@dataclass(slots=True)
class Anchor:
    """Where one field's label was found."""

    spec: FieldSpec
    line: int  # index into the run's lines
    start: int  # first token of the label
    end: int  # one past its last token
    score: float

    @property
    def position(self) -> tuple[int, int]:
        return (self.line, self.start)


@dataclass(slots=True)
class RawValue:
    spec: FieldSpec
    text: str  # the value as read, leaders cut
    words: list[Token]
    box: Box | None
    label_score: float
    word_conf: float | None  # mean OCR confidence of the value's words, 0–100
    leader: bool = False  # a dotted leader closed it on the label's line (a blank is really blank)
    lines: int = 1  # lines it was read from (a wrapped value may have taken a neighbour's words)


def _key(text: str) -> str:
    return _PUNCT.sub(" ", fold(text)).strip()


def page_lines(page: PageText, number: int, leaders: bool = False) -> list[Line]:
    """The page's words in visual lines, top to bottom, left to right, in points; words in
    ruled tables are left to the table reader. With `leaders`, the dotted leaders erased
    before OCR come back as leader tokens where they were printed."""
    scale = 72.0 / page.dpi if page.unit == "px" and page.dpi else 1.0
    tokens = [Token(w.text, _key(w.text), w.x0 * scale, w.y0 * scale, w.x1 * scale, w.y1 * scale, w.conf)
              for w in words_outside_tables(page) if w.text.strip()]
    if leaders:
        tokens += _leader_tokens(page, tokens, scale)
    tokens.sort(key=lambda t: (t.y0 + t.y1) / 2)
    lines: list[list[Token]] = []
    for token in tokens:
        middle = (token.y0 + token.y1) / 2
        for line in reversed(lines[-3:]):  # a word joins a recent line it sits level with
            top, bottom = min(t.y0 for t in line), max(t.y1 for t in line)
            if top <= middle <= bottom and _height_ok(token, top, bottom):
                line.append(token)
                break
        else:
            lines.append([token])
    return [Line(number, sorted(line, key=lambda t: t.x0)) for line in lines]


def _leader_tokens(page: PageText, tokens: list[Token], scale: float) -> list[Token]:
    """A token "…" for each dotted leader erased from the scan (`PageText.leaders`), as a text
    layer prints them: it closes the value before it. Its box rises from the dots (on the
    baseline) to about the middle of the page's words, so that it joins their line."""
    found = getattr(page, "leaders", None) or []
    if not found:
        return []
    heights = sorted(t.y1 - t.y0 for t in tokens)
    height = heights[len(heights) // 2] if heights else 8.0
    return [Token(LEADER_TEXT, "", x0 * scale, y1 * scale - 0.75 * height, x1 * scale, y1 * scale, None)
            for x0, _, x1, y1 in found]


def _height_ok(token: Token, top: float, bottom: float) -> bool:
    """A word much taller than the line (a photo box's text, a stamp) starts its own line."""
    return (token.y1 - token.y0) < 2.5 * max(bottom - top, 1.0)


def run_lines(pages: list[PageText]) -> list[Line]:
    lines: list[Line] = []
    for number, page in enumerate(pages, start=1):
        lines.extend(page_lines(page, number, leaders=True))
    return lines


def _label_words(label: str) -> str:
    """The words a label is matched on. A long prompt wraps over lines and its value follows
    its end, so only its last words are looked for."""
    words = _key(label).split()
    return " ".join(words[-LONG_LABEL_TAIL:])


def _item_before(line: Line, start: int, item: str) -> bool:
    """The item's number printed just before the label ("15.3)", "15.3.", "15.3-")."""
    if not item or start == 0:
        return False
    return line.tokens[start - 1].text.rstrip(").:-").rstrip(".") == item


def _candidates(spec: FieldSpec, lines: list[Line]) -> list[Anchor]:
    """The places the label (in any of its wordings) may be: at most a few per line, best
    first."""
    found: list[Anchor] = []
    for label in (spec.label, *spec.also):
        found.extend(_label_candidates(spec, _label_words(label), lines))
    return found


def _label_candidates(spec: FieldSpec, label: str, lines: list[Line]) -> list[Anchor]:
    size = len(label.split())
    found: list[Anchor] = []
    for index, line in enumerate(lines):
        keys = [t.key for t in line.tokens]
        options: list[Anchor] = []
        for start in range(len(keys)):
            if not keys[start]:
                continue
            best: Anchor | None = None
            for n in (size - 1, size, size + 1):
                if n < 1 or start + n > len(keys):
                    continue
                text = " ".join(k for k in keys[start:start + n] if k)
                score = fuzz.ratio(text, label)
                if score >= MIN_LABEL_SCORE and (best is None or score > best.score):
                    best = Anchor(spec, index, start, start + n, score)
            if best is not None:
                if _item_before(line, start, spec.item):
                    best.score += ITEM_BONUS
                options.append(best)
        options.sort(key=lambda a: -a.score)
        kept: list[Anchor] = []
        for option in options:  # overlapping windows are one place: keep the best of them
            if all(option.end <= k.start or option.start >= k.end for k in kept):
                kept.append(option)
        found.extend(kept[:3])
        if size >= WRAPPED_LABEL_WORDS and index + 1 < len(lines):
            found.extend(_wrapped_candidates(spec, label, lines, index))
    return found


def _wrapped_candidates(spec: FieldSpec, label: str, lines: list[Line], index: int) -> list[Anchor]:
    """A long label that wraps: its words end on the next line, where its value follows. The
    anchor is the part on the next line (the value is read after it)."""
    line, below = lines[index], lines[index + 1]
    if below.page != line.page or below.y0 - line.y1 > 1.2 * (line.y1 - line.y0):
        return []
    size = len(label.split())
    head = [t.key for t in line.tokens]
    tail = [t.key for t in below.tokens]
    best: Anchor | None = None
    for start in range(max(0, len(head) - size), len(head)):
        if not head[start]:
            continue
        for end in range(1, min(len(tail), size) + 1):
            if not max(size - 1, 2) <= len(head) - start + end <= size + 1:
                continue
            text = " ".join(k for k in head[start:] + tail[:end] if k)
            score = fuzz.ratio(text, label)
            if score >= MIN_LABEL_SCORE and (best is None or score > best.score):
                best = Anchor(spec, index + 1, 0, end, score)
                if _item_before(line, start, spec.item):
                    best.score += ITEM_BONUS
    return [best] if best is not None else []


def find_labels(layout: LayoutSpec, lines: list[Line]) -> list[Anchor]:
    """One anchor per field found, chosen so that the fields keep the catalog's order and the
    total label score is highest (a weighted longest increasing subsequence)."""
    options: list[Anchor] = []
    for spec in layout.fields:
        if spec.where != "under":  # no label of its own
            options.extend(_candidates(spec, lines))
    if not layout.ordered:
        return _best_each(layout, options)
    order = {spec.key: i for i, spec in enumerate(layout.fields)}
    options.sort(key=lambda a: a.position)
    # best[i]: the best total of a chain ending at option i; the chain's fields and positions
    # both increase, and two labels never share a token.
    best: list[float] = []
    back: list[int] = []
    for i, option in enumerate(options):
        best.append(option.score)
        back.append(-1)
        for j in range(i):
            prev = options[j]
            if order[prev.spec.key] < order[option.spec.key] and _before(prev, option) \
                    and best[j] + option.score > best[i]:
                best[i], back[i] = best[j] + option.score, j
    if not options:
        return []
    i = max(range(len(options)), key=best.__getitem__)
    chain = []
    while i >= 0:
        chain.append(options[i])
        i = back[i]
    return chain[::-1]


def _best_each(layout: LayoutSpec, options: list[Anchor]) -> list[Anchor]:
    """Each label at its best place, best labels first, no two on the same words; in reading
    order. A label printed twice ("Năm sinh" of the father, then of the mother) is taken at its
    best places, which go to its fields in their printed order."""
    chosen: list[Anchor] = []
    done: set[str] = set()
    for option in sorted(options, key=lambda a: (-a.score, a.position)):
        label = option.spec.label
        if label in done:
            continue
        twins = [f for f in layout.fields if f.label == label]
        places: list[Anchor] = []
        same = (o for o in options if o.spec.label == label)
        for place in sorted(same, key=lambda a: (-a.score, a.position)):
            clash = any(c.line == place.line and not (place.end <= c.start or place.start >= c.end)
                        for c in chosen + places)
            if not clash:
                places.append(place)
            if len(places) == len(twins):
                break
        for spec, place in zip(twins, sorted(places, key=lambda a: a.position), strict=False):
            chosen.append(Anchor(spec, place.line, place.start, place.end, place.score))
        done.add(label)
    return sorted(chosen, key=lambda a: a.position)


def _before(a: Anchor, b: Anchor) -> bool:
    return a.line < b.line or (a.line == b.line and a.end <= b.start)


def read_values(layout: LayoutSpec, lines: list[Line]) -> list[RawValue]:
    """Each found label's value, read where the catalog says it is printed."""
    anchors = find_labels(layout, lines)
    heads = _label_heads(layout)
    values = []
    for k, anchor in enumerate(anchors):
        where = anchor.spec.where
        if where == "dateline":
            values.append(_dateline(anchor, lines, None))
        elif where == "below":
            values.append(_below(anchor, lines))
        else:
            values.append(_right(anchor, anchors, k, lines, where == "block", heads))
    for spec in layout.fields:
        if spec.where == "under":
            values.append(_under(spec, anchors, lines, heads))
    found = {a.spec.key for a in anchors}
    signer = next((a.line for a in anchors if a.spec.where == "below" and a.spec.type == "name"), None)
    for spec in layout.fields:  # a date line has no printed label to anchor it
        if spec.where == "dateline" and spec.key not in found:
            values.append(_dateline(Anchor(spec, len(lines), 0, 0, 100.0), lines, signer))
    return [v for v in values if v is not None]


def _under(spec: FieldSpec, anchors: list[Anchor], lines: list[Line], heads: list[str]) -> RawValue | None:
    """A paragraph with no label of its own, printed under its item's line(s): it starts on
    the line after the last label of its item that was found."""
    own = [a for a in anchors if spec.item and a.spec.item == spec.item]
    if not own:
        return None
    host = max(own, key=lambda a: a.position)
    end = len(lines[host.line].tokens)
    place = Anchor(spec, host.line, end, end, host.score)
    chain = sorted([*anchors, place], key=lambda a: a.position)
    return _right(place, chain, chain.index(place), lines, True, heads)


def _label_heads(layout: LayoutSpec) -> list[str]:
    """The first words of the long labels: a line starting with one is the next prompt, not
    the continuation of a value (the three prompts of item 29)."""
    heads = []
    for spec in layout.fields:
        words = _key(spec.label).split()
        if len(words) > LONG_LABEL_TAIL:
            heads.append(" ".join(words[:4]))
    return heads


def _starts_a_label(line: Line, heads: list[str]) -> bool:
    keys = [t.key for t in line.tokens if t.key and t.key != "-"][:4]
    text = " ".join(keys)
    return bool(text) and any(fuzz.ratio(text, head) >= 85 for head in heads)


def _right(anchor: Anchor, anchors: list[Anchor], k: int, lines: list[Line], block: bool,
           heads: list[str]) -> RawValue:
    """The words after the label on its line, up to the leader or the next label, continued on
    the following lines while the value wraps (a block: the paragraph under a heading)."""
    starts = {(a.line, a.start) for a in anchors}
    line = lines[anchor.line]
    following = [a for a in anchors[k + 1:] if a.line == anchor.line]
    stop = following[0].start if following else len(line.tokens)
    rest = line.tokens[anchor.end:stop]
    reach = 4 if len(_key(anchor.spec.label).split()) > LONG_LABEL_TAIL else 2
    for i, token in enumerate(rest[:reach]):  # the label's own end, read as words of its own
        if token.text.endswith(":") and i < len(rest) - 1:
            rest = rest[i + 1:]
            break
    words, ended = _take(_until_gap(rest), trim=False)
    words = _until_heading(words)
    closed = ended
    if following and not ended and words and following[0].spec.item \
            and words[-1].text.rstrip(").:-").rstrip(".") == following[0].spec.item:
        words = words[:-1]  # the next item's number, printed before its label
    if not _trim(words):
        words = []
    nxt = anchors[k + 1].line if k + 1 < len(anchors) else len(lines)
    limit = MAX_CONTINUATION_LINES * (4 if block else 1)
    long_label = len(_key(anchor.spec.label).split()) > LONG_LABEL_TAIL
    # Only a started value runs on; after a long prompt that filled its line, it starts below.
    wraps = (words or long_label) and not ended and (_wraps(anchor.spec) or _in_words(anchor.spec, words)
                                                     or _name_in_capitals(anchor.spec, words))
    lines_read = 1
    if not following and (block or wraps):
        previous = line
        for index in range(anchor.line + 1, min(nxt, anchor.line + 1 + limit)):
            more = lines[index]
            if more.page != previous.page or more.y0 - previous.y1 > 1.2 * (previous.y1 - previous.y0):
                break  # a page break, or a gap: a footer, a table, another part of the form
            previous = more
            rest_of_name = anchor.spec.type == "name" and all(_capitals(t.text) for t in more.tokens)
            if any((index, s) in starts for s in range(len(more.tokens))) \
                    or (_is_heading(more) and not rest_of_name) \
                    or _DATELINE.search(" ".join(t.text for t in more.tokens)) \
                    or _starts_a_label(more, heads):
                break
            extra, ended = _take(more.tokens, trim=False)
            extra = _until_heading(extra) if _trim(extra) else []
            if anchor.spec.type == "name" and not (
                    extra and all(_capitals(w.text) for w in extra) and len(words) + len(extra) <= 6):
                break  # a name in capitals runs on only with the rest of its words in capitals
            if anchor.spec.type != "name" and _capitals_run(words) and extra \
                    and not _capitals_run(extra):
                break  # a value in capitals does not run on in small letters ("… ĐÀ LẠT" / "cấp")
            words += extra
            lines_read += bool(extra)
            if (ended and not block) or not extra:
                break
    value = _raw_value(anchor, _trim(words, paragraph=block), line.page)
    value.leader, value.lines = closed, lines_read
    return value


def _until_heading(words: list[Token]) -> list[Token]:
    """A value in ordinary case stops where a run of capitals starts: a title or heading that
    shares its line (the form's title beside the header items)."""
    for i in range(1, len(words) - 2):
        run = words[i:i + 3]
        if all(_capitals(w.text) for w in run) and not _capitals(words[i - 1].text):
            return words[:i]
    return words


def _capitals_run(words: list[Token]) -> bool:
    """Words in capitals (two or more of them with letters)."""
    lettered = [w.text for w in words if sum(ch.isalpha() for ch in w.text) >= 2]
    return len(lettered) >= 2 and all(_capitals(w) for w in lettered)


def _capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _below(anchor: Anchor, lines: list[Line]) -> RawValue:
    """The name printed under the label in its column, below the signature: the first short
    line of capitalised words (not a sentence, not a "(Ký, ghi rõ họ tên)" hint)."""
    label = lines[anchor.line].tokens[anchor.start:anchor.end]
    left, right = min(t.x0 for t in label), max(t.x1 for t in label)
    width = right - left
    bottom = max(t.y1 for t in label)
    letter = sorted(t.y1 - t.y0 for t in label)[len(label) // 2]
    for line in lines[anchor.line + 1:]:
        if line.page != lines[anchor.line].page or line.y0 - bottom > BELOW_MAX_PT:
            break
        words = _column_words(line, left - width, right + width)
        words, _ = _take(words)
        if anchor.spec.type == "name" and words \
                and sorted(w.y1 - w.y0 for w in words)[len(words) // 2] > 2 * letter:
            continue  # a signer's signature: written far larger than the print of the name
        if 2 <= len(words) <= 6 and all(w.text[:1].isupper() for w in words) \
                and not any("(" in w.text or ")" in w.text for w in words):
            return _raw_value(anchor, words, line.page)
    return _raw_value(anchor, [], lines[anchor.line].page)


def _column_words(line: Line, left: float, right: float) -> list[Token]:
    """The words of a line under a label's column: each group of words (split at wide gaps)
    that reaches into the column, whole (a centred title is wider than its short label)."""
    groups: list[list[Token]] = []
    for token in line.tokens:
        if groups and token.x0 - groups[-1][-1].x1 <= 4 * max(token.y1 - token.y0, 1.0):
            groups[-1].append(token)
        else:
            groups.append([token])
    return [t for g in groups if any(left <= (t.x0 + t.x1) / 2 <= right for t in g) for t in g]


def _dateline(anchor: Anchor, lines: list[Line], signer: int | None) -> RawValue | None:
    """The "<place>, ngày … tháng … năm …" line the form was signed on: the one just above the
    signer's label when it was found, else the first after the items."""
    if signer is not None:
        candidates = lines[max(0, signer - 4):signer + 1][::-1]
    else:
        candidates = lines
    for line in candidates:
        text = " ".join(t.text for t in line.tokens)
        match = _DATELINE.search(text)
        if match:
            words, _ = _take(_span_tokens(line.tokens, text, match.start(), match.end()))
            return _raw_value(anchor, words, line.page)
    return None


def _span_tokens(tokens: list[Token], text: str, start: int, end: int) -> list[Token]:
    """The tokens covering characters start..end of their space-joined text."""
    out, position = [], 0
    for token in tokens:
        if position + len(token.text) > start and position < end:
            out.append(token)
        position += len(token.text) + 1
    return out


def _wraps(spec: FieldSpec) -> bool:
    """Free text may run on over the next lines; dates, numbers and codes do not, but after a
    long prompt any value may start on the next line."""
    return spec.type in ("text", "place", "paragraph", "level") \
        or len(_key(spec.label).split()) > LONG_LABEL_TAIL


def _name_in_capitals(spec: FieldSpec, words: list[Token]) -> bool:
    """A name printed in capitals (item 1) wraps where the form leaves it little room (beside
    the photo): "NGUYỄN CÔNG" / "NHIÊN"."""
    return spec.type == "name" and bool(words) and all(_capitals(w.text) for w in words)


def _in_words(spec: FieldSpec, words: list[Token]) -> bool:
    """A date written out in words ("ngày hai mươi bảy, tháng một, năm một nghìn …") is long
    enough to wrap, unlike one in figures."""
    return spec.type == "date" and len(words) >= 3 and not any(ch.isdigit() for w in words for ch in w.text)


def _is_heading(line: Line) -> bool:
    """A numbered item or a section title: not the continuation of a value."""
    first = line.tokens[0].text
    if _ITEM_NUMBER.match(first):
        return True
    words = [t.text for t in line.tokens[:4] if sum(ch.isalpha() for ch in t.text) >= 2]
    # a title in capitals ("SƠ YẾU LÝ LỊCH"), however short its words
    return len(words) >= 2 and all(_capitals(w) for w in words) \
        and sum(ch.isalpha() for w in words for ch in w) >= 6


def _is_leader_junk(text: str) -> bool:
    """What OCR makes of a dotted leader: long runs of dots, zeros, dashes and ticks."""
    if len(text) < 6:
        return False
    leaderish = sum(ch in ".,:;-_—–~'`\"0oO°" for ch in text)
    return leaderish / len(text) >= 0.7


def _take(tokens: list[Token], trim: bool = True) -> tuple[list[Token], bool]:
    """The value's words from the start of `tokens`; True when a leader ended it. Untrimmed,
    for a line the value runs on from (its end is the middle of the value)."""
    words: list[Token] = []
    ended = False
    for token in tokens:
        match = _LEADER.search(token.text)
        if match:
            head = token.text[:match.start()].rstrip()
            if head and not _is_leader_junk(head):
                head = _glued_case(head, words)
                words.append(Token(head, _key(head), token.x0, token.y0, token.x1, token.y1, token.conf))
            ended = True
            break
        if _is_leader_junk(token.text):
            ended = True
            break
        words.append(token)
    return (_trim(words) if trim else words), ended


def _glued_case(head: str, before: list[Token]) -> str:
    """A word printed against its leader is read as one long word with it, and Tesseract then
    often takes its small letters for capitals ("TỐT……" for "Tốt"). A marked word in capitals
    after words in ordinary case, or alone, is set back in ordinary case (an abbreviation such
    as UBND has no marks and is kept)."""
    if not _capitals(head) or not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", head)):
        return head
    words = [w.text for w in before if sum(ch.isalpha() for ch in w.text) >= 2]
    if words and all(_capitals(w) for w in words):
        return head  # a value in capitals
    return head[:1] + head[1:].lower() if not words else head.lower()


def _until_gap(tokens: list[Token]) -> list[Token]:
    """Words up to a wide horizontal gap: what lies beyond is another column (a form code, a
    photo box, a second signature). The gap is measured against the line's letter height, not
    a neighbour's: a dash is a few pixels tall."""
    if not tokens:
        return tokens
    heights = sorted(t.y1 - t.y0 for t in tokens)
    height = max(heights[len(heights) // 2], 1.0)
    for i in range(1, len(tokens)):
        if tokens[i].x0 - tokens[i - 1].x1 > 4 * height:
            return tokens[:i]
    return tokens


_BULLETS = ("-", "–", "+", "•")
_MARKS = "\"'“”‘’_:;,.-–—|"


def _trim(words: list[Token], paragraph: bool = False) -> list[Token]:
    """Drop the colon after the label, stray marks at both ends, and a final full stop. A
    paragraph keeps what a sentence is written with: its bullet and its full stop."""
    words, bullet = list(words), None
    if paragraph and len(words) > 1 and words[0].text in _BULLETS:
        bullet, words = words[0], words[1:]
    while words and not any(ch.isalnum() for ch in words[0].text):
        words = words[1:]
    if words and words[0].text.startswith(":"):
        first = words[0]
        rest = first.text[1:].strip()  # ":Không" glued to the colon
        words = ([_retext(first, rest)] if rest else []) + words[1:]
    while words and not any(ch.isalnum() for ch in words[-1].text):  # "¬", "—", "-"
        words = words[:-1]
    if words:
        words[0] = _retext(words[0], words[0].text.lstrip(_MARKS))
        last = words[-1].text
        end = last.rstrip(_MARKS)
        if paragraph and last.rstrip("\"'“”‘’_|").endswith((".", "!", "?")) and end:
            end += last.rstrip("\"'“”‘’_|")[-1]
        words[-1] = _retext(words[-1], end)
    words = [w for w in words if w.text]
    return [bullet] + words if bullet is not None and words else words


def _retext(token: Token, text: str) -> Token:
    return Token(text, _key(text), token.x0, token.y0, token.x1, token.y1, token.conf)


def _raw_value(anchor: Anchor, words: list[Token], page: int) -> RawValue:
    return raw_value(anchor.spec, words, page, anchor.score)


def raw_value(spec: FieldSpec, words: list[Token], page: int, label_score: float = 100.0) -> RawValue:
    """A value from its words: their text, their box on the page and their mean confidence."""
    text = " ".join(w.text for w in words).strip()
    confs = [w.conf for w in words if w.conf is not None]
    box = None
    if words:
        box = Box(page=page, x0=min(w.x0 for w in words), y0=min(w.y0 for w in words),
                  x1=max(w.x1 for w in words), y1=max(w.y1 for w in words))
    return RawValue(spec, text, words, box, label_score, sum(confs) / len(confs) if confs else None)
