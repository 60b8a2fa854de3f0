"""A page writer for the varied benchmark forms: lays a document out over as many A4 pages as it
needs in one `Style`, and records where every field value and table cell was drawn.

Coordinates are pixels of a 300 dpi page, as in `samples.layout`; `Placed.to_truth` turns them
into PDF points (top-left origin) for the ground truth. Boxes are the ink extent of the glyphs.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from samples.layout import A4, BLACK, DPI, Color, Line, Page, Rect, Text, font
from samples.style import Style

PT = 72 / DPI
Box = tuple[float, float, float, float]
PAD = 14  # table cell padding, px


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def points(box: Box) -> list[float]:
    return [round(v * PT, 2) for v in box]


@dataclass(slots=True)
class Placed:
    """Where one value was drawn: its page in the document and one box per visual line."""

    page: int  # 0-based, in the document
    lines: list[tuple[float, Box]] = field(default_factory=list)  # (baseline, box)

    def add(self, baseline: float, box: Box) -> None:
        for i, (base, old) in enumerate(self.lines):
            if abs(base - baseline) < 0.5:
                self.lines[i] = (base, union([old, box]))
                return
        self.lines.append((baseline, box))

    def to_truth(self, first_page: int) -> dict:
        boxes = [b for _, b in self.lines]
        return {"page": first_page + self.page, "bbox": points(union(boxes)),
                "lines": [points(b) for b in boxes]}


@dataclass(frozen=True, slots=True)
class Item:
    """A label and its value on a form line."""

    label: str  # as printed, with the item number and colon
    key: str | None
    text: str  # the value as printed ("" leaves the dotted line empty)
    weight: str = "regular"


class Flow:
    """A cursor moving down the pages of one document; `found` and `cells` say where the values
    went."""

    def __init__(self, doc_type: str, style: Style, size: tuple[int, int] = A4) -> None:
        self.style = style
        self.doc_type = doc_type
        self.size = size
        self.pages: list[Page] = []
        self.found: dict[str, Placed] = {}
        self.cells: dict[str, list[dict]] = {}  # table key -> per row {"page", "bbox", "cells"}
        self.left, self.right = style.left, size[0] - style.right
        self.top = style.top
        self.bottom = size[1] - style.bottom - (round(style.size * 1.6) if style.page_numbers else 0)
        self.rng = random.Random(style.column_seed)
        self.new_page()

    # -- pages ------------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def body(self) -> float:
        return self.style.size

    def advance(self, size: float | None = None) -> float:
        return (size or self.body) * self.style.leading

    def new_page(self) -> None:
        self.pages.append(Page(self.doc_type, size=self.size))
        self.y = float(self.top)

    def need(self, height: float) -> None:
        """Start a new page unless `height` more fits on this one."""
        if self.y + height > self.bottom and self.y > self.top + 1:
            self.new_page()

    def gap(self, px: float) -> None:
        self.y += px

    def finish(self) -> list[Page]:
        if self.style.page_numbers and len(self.pages) > 1:
            for n, page in enumerate(self.pages, start=1):
                label = f"Trang {n}/{len(self.pages)}"
                size = self.body * 0.85
                x = (self.size[0] - self.measure(label, "italic", size)) / 2
                page.ops.append(Text(x, self.size[1] - self.style.bottom + size, label, "italic", size,
                                     family=self.style.family))
                page.lines.append(label)
        for page in self.pages:
            if not page.lines:
                raise ValueError(f"{self.doc_type}: an empty page")
        return self.pages

    # -- primitives -------------------------------------------------------------------------

    def measure(self, text: str, weight: str = "regular", size: float | None = None) -> float:
        return font(weight, size or self.body, self.style.family).getlength(text)

    def baseline(self, size: float | None = None) -> float:
        return self.y + round((size or self.body) * 0.95)

    def put(self, x: float, baseline: float, text: str, weight: str = "regular",
            size: float | None = None, key: str | None = None, color: Color = BLACK) -> float:
        """Draw `text` with its left end at `x`; returns the x where it ends."""
        size = size or self.body
        text = nfc(text)
        face = font(weight, size, self.style.family)
        self.page.ops.append(Text(x, baseline, text, weight, size, color, self.style.family))
        if key:
            left, top, right, bottom = face.getbbox(text, anchor="ls")
            self.mark(key, baseline, (x + left, baseline + top, x + right, baseline + bottom))
        return x + face.getlength(text)

    def mark(self, key: str, baseline: float, box: Box) -> None:
        placed = self.found.setdefault(key, Placed(len(self.pages) - 1))
        if placed.page == len(self.pages) - 1:
            placed.add(baseline, box)

    def emit(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.page.lines.append(nfc(text))

    def rule(self, x0: float, x1: float, y: float, width: float = 3) -> None:
        self.page.ops.append(Line(((x0, y), (x1, y)), width))

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float = 3) -> None:
        self.page.ops.append(Rect(x0, y0, x1, y1, width))

    def leader(self, x0: float, x1: float, baseline: float, size: float | None = None) -> None:
        """Dotted leader from x0 to x1: drawn, not part of the page text."""
        size = size or self.body
        dot = self.measure(".", "regular", size)
        count = int((x1 - x0) / dot)
        if count >= 3:
            self.page.ops.append(Text(x1 - count * dot, baseline, "." * count, "regular", size,
                                      family=self.style.family))

    # -- text blocks ------------------------------------------------------------------------

    def paragraph(self, text: str, x0: float | None = None, x1: float | None = None,
                  weight: str = "regular", size: float | None = None, align: str = "left",
                  indent: float = 0, key: str | None = None, advance: float | None = None,
                  find: tuple[str, str] | None = None) -> None:
        """Wrapped lines, aligned "left", "center", "right" or "justify". `find` (key, phrase)
        marks where the phrase first occurs, unless that key is placed already."""
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        size = size or self.body
        step = advance or self.advance(size)
        rows = self.wrap(text, x1 - x0, weight, size, first=x1 - x0 - indent)
        hits = self._find(rows, find[1]) if find and find[0] not in self.found else set()
        index = 0
        for i, row in enumerate(rows):
            self.need(step)
            start = x0 + (indent if i == 0 else 0)
            base = self.baseline(size)
            words = row.split()
            if align == "justify" and i < len(rows) - 1 and len(words) > 1:
                slack = x1 - start - sum(self.measure(w, weight, size) for w in words)
                step_x = slack / (len(words) - 1)
                x = start
                xs = []
                for word in words:
                    xs.append(x)
                    x = self.put(x, base, word, weight, size, key) + step_x
            else:
                w = self.measure(row, weight, size)
                x = {"center": (x0 + x1 - w) / 2, "right": x1 - w}.get(align, start)
                if row:
                    self.put(x, base, row, weight, size, key)
                xs = [x + self.measure(" ".join(words[:n] + [""]), weight, size) if n else x
                      for n in range(len(words))]
            for n, (word, wx) in enumerate(zip(words, xs, strict=True)):
                if index + n in hits and find:
                    face = font(weight, size, self.style.family)
                    left, top, right, bottom = face.getbbox(nfc(word.rstrip(",.;:")), anchor="ls")
                    self.mark(find[0], base, (wx + left, base + top, wx + right, base + bottom))
            index += len(words)
            self.emit(row)
            self.y += step

    @staticmethod
    def _find(rows: Sequence[str], phrase: str) -> set[int]:
        """Indices of the words of the first occurrence of `phrase` (ignoring trailing
        punctuation) in the words of `rows`."""
        words = [w.rstrip(",.;:") for row in rows for w in row.split()]
        target = phrase.split()
        for i in range(len(words) - len(target) + 1):
            if words[i:i + len(target)] == target:
                return set(range(i, i + len(target)))
        return set()

    def wrap(self, text: str, width: float, weight: str = "regular", size: float | None = None,
             first: float | None = None) -> list[str]:
        lines: list[str] = []
        current = ""
        limit = width if first is None else first
        words = []
        for word in text.split():  # a word wider than the column breaks after a slash
            if "/" in word[:-1] and self.measure(word, weight, size) > width:
                head, tail = word.split("/", 1)
                words += [head + "/", tail]
            else:
                words.append(word)
        for word in words:
            candidate = f"{current} {word}" if current else word
            if current and self.measure(candidate, weight, size) > limit:
                lines.append(current)
                current, limit = word, width
            else:
                current = candidate
        if current or not lines:
            lines.append(current)
        return lines

    # -- form fields ------------------------------------------------------------------------

    def fields(self, items: Sequence[Item], weights: Sequence[float] | None = None,
               x0: float | None = None, x1: float | None = None) -> None:
        """Form items on one line, each in its share, as the printed form has them; one per line
        when the style says so or one does not fit its share."""
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        if len(items) > 1:
            weights = list(weights or [1] * len(items))
            edges = [x0]
            for w in weights:
                edges.append(edges[-1] + (x1 - x0) * w / sum(weights))
            dots = self.measure("....")
            fits = all(self.measure(it.label) + self.style.label_gap + self.measure(it.text, it.weight)
                       + dots <= b - a for it, a, b in zip(items, edges[:-1], edges[1:], strict=True))
            if not (fits and self.style.side_by_side):
                for it in items:
                    self.fields([it], x0=x0, x1=x1)
                return
            self.need(self.advance())
            base = self.baseline()
            for it, a, b in zip(items, edges[:-1], edges[1:], strict=True):
                x = self.put(a, base, it.label)
                if it.text:
                    x = self.put(x + self.style.label_gap, base, it.text, it.weight, key=it.key)
                if self.style.leaders:
                    self.leader(x + self.measure(" "), b - self.measure(" "), base)
            self.emit(" ".join(f"{it.label} {it.text}" for it in items))
            self.y += self.advance()
            return
        self._run(items[0], x0, x1)

    def _run(self, it: Item, x0: float, x1: float) -> None:
        """One item flowing over as many lines as it needs: the label, then the value."""
        space = self.measure(" ")
        value_space = self.measure(" ", it.weight)
        # (word, weight, key, gap before it, whether that gap is a plain space)
        words: list[tuple[str, str, str | None, float, bool]] = [
            (w, "regular", None, space, True) for w in it.label.split()]
        for i, w in enumerate(it.text.split()):
            words.append((w, it.weight, it.key, self.style.label_gap if i == 0 else value_space,
                          i > 0))
        lines: list[list[tuple[str, str, str | None, bool, float]]] = [[]]
        x = x0
        value_x = None
        for word, weight, key, gap, plain in words:
            width = self.measure(word, weight)
            start = x + gap if lines[-1] else x
            if lines[-1] and start + width > x1:
                indent = value_x if self.style.hanging and value_x is not None else x0
                lines.append([])
                start = indent if indent < x1 - 600 else x0
            if key and value_x is None:
                value_x = start
            lines[-1].append((word, weight, key, plain and len(lines[-1]) > 0, start))
            x = start + width
        self.need(len(lines) * self.advance())
        for n, line in enumerate(lines):
            base = self.baseline()
            end = x0
            # Words that share a weight and key and sit a space apart are drawn as one string.
            groups: list[tuple[float, str, str | None, list[str]]] = []
            for word, weight, key, joins, start in line:
                if groups and joins and groups[-1][1:3] == (weight, key):
                    groups[-1][3].append(word)
                else:
                    groups.append((start, weight, key, [word]))
            for start, weight, key, group in groups:
                end = self.put(start, base, " ".join(group), weight, key=key)
            if n == len(lines) - 1 and self.style.leaders:
                self.leader(end + space, x1 - space, base)
            self.emit(" ".join(w[0] for w in line))
            self.y += self.advance()

    # -- tables -----------------------------------------------------------------------------

    def widths(self, fractions: Sequence[float], total: float) -> list[float]:
        """Column widths: the form's proportions, each nudged as a typist drags column borders."""
        jittered = [f * self.rng.uniform(0.88, 1.12) for f in fractions]
        return [total * f / sum(jittered) for f in jittered]

    def table(self, key: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
              fractions: Sequence[float], aligns: Sequence[str] | None = None,
              columns: Sequence[str] | None = None, blank_rows: int = 2) -> None:
        """A ruled table over the text width. Rows break across pages (the header repeats if the
        style says so); an empty table gets `blank_rows` empty rows, as a template has."""
        size = round(self.body * self.style.table_scale, 1)
        widths = self.widths(fractions, self.right - self.left)
        edges = [float(self.left)]
        for w in widths:
            edges.append(edges[-1] + w)
        aligns = list(aligns or ["left"] * len(widths))
        head = round(size * 0.92, 1)
        header_h = self._row_height(edges, headers, "bold", head)
        first_h = self._row_height(edges, rows[0], "regular", size) if rows else size * 2
        self.need(header_h + first_h)
        top = self.y
        self.rule(edges[0], edges[-1], top)
        self._row(edges, headers, "bold", head, ["center"] * len(widths))
        records: list[dict] = []
        for row in rows:
            height = self._row_height(edges, row, "regular", size)
            if self.y + height > self.bottom:
                self._verticals(edges, top)
                self.new_page()
                top = self.y
                self.rule(edges[0], edges[-1], top)
                if self.style.repeat_header:
                    self._row(edges, headers, "bold", head, ["center"] * len(widths))
            records.append(self._row(edges, row, "regular", size, aligns, columns))
        for _ in range(0 if rows else blank_rows):
            self._row(edges, [""] * len(widths), "regular", size, aligns)
        self._verticals(edges, top)
        self.cells[key] = records

    def _verticals(self, edges: Sequence[float], top: float) -> None:
        for x in edges:
            self.page.ops.append(Line(((x, top), (x, self.y)), 3))

    def _wrapped(self, edges: Sequence[float], cells: Sequence[str], weight: str,
                 size: float) -> list[list[str]]:
        return [self.wrap(c, b - a - 2 * PAD, weight, size) if c else []
                for c, a, b in zip(cells, edges[:-1], edges[1:], strict=True)]

    def _row_height(self, edges: Sequence[float], cells: Sequence[str], weight: str,
                    size: float) -> float:
        count = max(1, *(len(w) for w in self._wrapped(edges, cells, weight, size)))
        return count * size * 1.25 + 2 * PAD

    def _row(self, edges: Sequence[float], cells: Sequence[str], weight: str, size: float,
             aligns: Sequence[str], columns: Sequence[str] | None = None) -> dict:
        """One table row; each visual line of it is one line of page text."""
        wrapped = self._wrapped(edges, cells, weight, size)
        count = max(1, *(len(w) for w in wrapped))
        step = size * 1.25
        row_top = self.y
        placed: dict[str, Placed] = {}
        for i in range(count):
            base = self.y + PAD + round(size * 0.95) + i * step
            for c, (lines, a, b, align) in enumerate(zip(wrapped, edges[:-1], edges[1:], aligns,
                                                         strict=True)):
                if i < len(lines):
                    w = self.measure(lines[i], weight, size)
                    x = (a + b - w) / 2 if align == "center" else a + PAD
                    self.put(x, base, lines[i], weight, size)
                    if columns:
                        face = font(weight, size, self.style.family)
                        left, top, right, bottom = face.getbbox(nfc(lines[i]), anchor="ls")
                        placed.setdefault(columns[c], Placed(len(self.pages) - 1)).add(
                            base, (x + left, base + top, x + right, base + bottom))
            self.emit(" ".join(cell[i] for cell in wrapped if i < len(cell)))
        self.y += count * step + 2 * PAD
        self.rule(edges[0], edges[-1], self.y)
        return {"page": len(self.pages) - 1, "bbox": (edges[0], row_top, edges[-1], self.y),
                "cells": placed}

    def grid(self, key: str, rows: Sequence[tuple[str, str]], entries: Sequence[dict[str, str]],
             max_columns: int = 10) -> None:
        """A transposed table: one row per (column key, label), time running across; as many
        grids under each other as the entries need, empty columns filling the last."""
        size = round(self.body * self.style.table_scale, 1)
        label_w = max(self.measure(label, "bold", size) for _, label in rows) + 2 * PAD
        widest = max([self.measure(e[k], "regular", size) for e in entries for k, _ in rows] + [100])
        total = self.right - self.left
        count = max(1, min(max_columns, int((total - label_w) // (widest + 2 * PAD))))
        cell_w = (total - label_w) / count
        records: list[dict] = []
        chunks = [entries[i:i + count] for i in range(0, len(entries), count)] or [[]]
        for chunk in chunks:
            edges = [float(self.left), self.left + label_w]
            edges += [edges[1] + cell_w * (i + 1) for i in range(count)]
            height = len(rows) * (size * 1.25 + 2 * PAD)
            self.need(height)
            top = self.y
            self.rule(edges[0], edges[-1], top)
            boxes = [dict[str, Placed]() for _ in chunk]
            for k, label in rows:
                base = self.y + PAD + round(size * 0.95)
                self.put(edges[0] + PAD, base, label, "bold", size)
                texts = [label]
                for n, entry in enumerate(chunk):
                    text = entry[k]
                    x = (edges[n + 1] + edges[n + 2] - self.measure(text, "regular", size)) / 2
                    self.put(x, base, text, "regular", size)
                    face = font("regular", size, self.style.family)
                    left, top_, right, bottom = face.getbbox(nfc(text), anchor="ls")
                    boxes[n].setdefault(k, Placed(len(self.pages) - 1)).add(
                        base, (x + left, base + top_, x + right, base + bottom))
                    texts.append(text)
                self.emit(" ".join(texts))
                self.y += size * 1.25 + 2 * PAD
                self.rule(edges[0], edges[-1], self.y)
            self._verticals(edges, top)
            for n, cells in enumerate(boxes):
                col = (edges[n + 1], top, edges[n + 2], self.y)
                records.append({"page": len(self.pages) - 1, "bbox": col, "cells": cells})
            self.gap(self.body * 0.5)
        self.cells[key] = records

    def cells_truth(self, first_page: int) -> dict[str, list[dict]]:
        """Per table, per row: its page in the file, its box and its cells' boxes, in points."""
        return {key: [{"page": first_page + r["page"], "bbox": points(r["bbox"]),
                       "cells": {c: points(union([b for _, b in p.lines]))
                                 for c, p in r["cells"].items()}} for r in rows]
                for key, rows in self.cells.items()}


@dataclass(frozen=True, slots=True)
class Rendered:
    """A laid-out document: its pages, and the Flow that knows where each value was drawn."""

    pages: list[Page]
    flow: Flow
