"""Page layout in pixels of an A4 page at 300 dpi, kept as drawing operations so the same page
can be rasterised (a scan) or written as a born-digital PDF with a text layer.

A `Writer` moves a cursor down the page and records, next to the drawing, the plain text of
every line it lays out: that text is the ground truth OCR is measured against.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from PIL import ImageFont

DPI = 300
A4 = (2480, 3508)  # 210 x 297 mm at 300 dpi
BODY = 48  # 11.5 pt at 300 dpi
LEADING = 1.4  # line advance, in font sizes

Color = tuple[int, int, int]
BLACK: Color = (0, 0, 0)

_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"),
              Path("/usr/share/fonts/truetype/liberation"),
              Path("/usr/share/fonts/truetype/dejavu"))
# Liberation Serif has the metrics of Times New Roman, the usual font of these forms.
_FONT_FILES = {
    "regular": ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"),
    "bold": ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"),
    "italic": ("LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf"),
    "bolditalic": ("LiberationSerif-BoldItalic.ttf", "DejaVuSerif-BoldItalic.ttf"),
}


# More families for the varied benchmark forms: (file per style, Debian package). No fallback:
# a missing font would silently change the output of a seed.
FAMILIES: dict[str, tuple[dict[str, str], str]] = {
    "liberation-serif": ({"regular": "LiberationSerif-Regular.ttf", "bold": "LiberationSerif-Bold.ttf",
                          "italic": "LiberationSerif-Italic.ttf",
                          "bolditalic": "LiberationSerif-BoldItalic.ttf"}, "fonts-liberation2"),
    "liberation-sans": ({"regular": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf",
                         "italic": "LiberationSans-Italic.ttf",
                         "bolditalic": "LiberationSans-BoldItalic.ttf"}, "fonts-liberation2"),
    "dejavu-serif": ({"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf",
                      "italic": "DejaVuSerif-Italic.ttf", "bolditalic": "DejaVuSerif-BoldItalic.ttf"},
                     "fonts-dejavu-core"),
    "dejavu-serif-condensed": ({"regular": "DejaVuSerifCondensed.ttf",
                                "bold": "DejaVuSerifCondensed-Bold.ttf",
                                "italic": "DejaVuSerifCondensed-Italic.ttf",
                                "bolditalic": "DejaVuSerifCondensed-BoldItalic.ttf"}, "fonts-dejavu-extra"),
    "dejavu-sans-condensed": ({"regular": "DejaVuSansCondensed.ttf",
                               "bold": "DejaVuSansCondensed-Bold.ttf",
                               "italic": "DejaVuSansCondensed-Oblique.ttf",
                               "bolditalic": "DejaVuSansCondensed-BoldOblique.ttf"}, "fonts-dejavu-extra"),
}
SERIF = "serif"  # the demo's family: Liberation Serif, DejaVu Serif where it is missing


@cache
def font_path(style: str, family: str = SERIF) -> Path:
    if family != SERIF:
        files, package = FAMILIES[family]
        for folder in _FONT_DIRS:
            if (folder / files[style]).is_file():
                return folder / files[style]
        raise FileNotFoundError(f"no {files[style]}: install the Debian package {package}")
    for name in _FONT_FILES[style]:
        for folder in _FONT_DIRS:
            if (folder / name).is_file():
                return folder / name
    raise FileNotFoundError(f"no {style} serif font: install fonts-liberation2 or fonts-dejavu")


@cache
def font(style: str, size: float, family: str = SERIF) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(style, family)), size)


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    baseline: float
    text: str
    style: str
    size: float
    color: Color = BLACK
    family: str = SERIF


@dataclass(frozen=True, slots=True)
class Line:
    points: tuple[tuple[float, float], ...]  # a polyline
    width: float
    color: Color = BLACK


@dataclass(frozen=True, slots=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float


@dataclass(frozen=True, slots=True)
class Ellipse:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    color: Color


@dataclass(frozen=True, slots=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    color: Color  # filled


Op = Text | Line | Rect | Ellipse | Polygon


@dataclass(slots=True)
class Page:
    doc_type: str  # "so_yeu_ly_lich", "quyet_dinh"
    ops: list[Op] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    size: tuple[int, int] = A4

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def measure(text: str, style: str = "regular", size: float = BODY, family: str = SERIF) -> float:
    return font(style, size, family).getlength(text)


def wrap(text: str, width: float, style: str = "regular", size: int = BODY,
         first_width: float | None = None) -> list[str]:
    """Greedy word wrap; the first line may be narrower (it follows a label)."""
    lines: list[str] = []
    current = ""
    limit = width if first_width is None else first_width
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate, style, size) > limit:
            lines.append(current)
            current, limit = word, width
        else:
            current = candidate
    if current or not lines:
        lines.append(current)
    return lines


class Writer:
    """Lays out one page top to bottom between the margins."""

    def __init__(self, doc_type: str, left: int = 250, right: int = 200, top: int = 190,
                 bottom: int = 190) -> None:
        self.page = Page(doc_type)
        self.left, self.right = left, A4[0] - right
        self.bottom = A4[1] - bottom
        self.y = float(top)

    def finish(self) -> Page:
        if self.y > self.bottom:
            raise ValueError(f"{self.page.doc_type}: content runs {self.y - self.bottom:.0f} px "
                             "past the bottom margin")
        return self.page

    # -- primitives -------------------------------------------------------------------------

    def draw(self, x: float, baseline: float, text: str, style: str = "regular",
             size: int = BODY) -> None:
        self.page.ops.append(Text(x, baseline, unicodedata.normalize("NFC", text), style, size))

    def emit(self, text: str) -> None:
        """Record one line of the page's plain text."""
        text = " ".join(text.split())
        if text:
            self.page.lines.append(unicodedata.normalize("NFC", text))

    def rule(self, x0: float, x1: float, y: float, width: float = 3) -> None:
        self.page.ops.append(Line(((x0, y), (x1, y)), width))

    def gap(self, px: float) -> None:
        self.y += px

    def baseline(self, size: int) -> float:
        return self.y + round(size * 0.95)

    # -- text blocks ------------------------------------------------------------------------

    def lines(self, text: str, x0: float | None = None, x1: float | None = None,
              style: str = "regular", size: int = BODY, align: str = "left",
              indent: float = 0) -> None:
        """A paragraph: wrapped, aligned ("left", "center", "right", "justify"), drawn."""
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        rows = wrap(text, x1 - x0, style, size, first_width=x1 - x0 - indent)
        for i, row in enumerate(rows):
            start = x0 + (indent if i == 0 else 0)
            base = self.baseline(size)
            words = row.split()
            if align == "justify" and i < len(rows) - 1 and len(words) > 1:
                # Spread the slack over the gaps between words, as a word processor does.
                slack = x1 - start - sum(measure(w, style, size) for w in words)
                step = slack / (len(words) - 1)
                x = start
                for word in words:
                    self.draw(x, base, word, style, size)
                    x += measure(word, style, size) + step
            else:
                w = measure(row, style, size)
                x = {"center": (x0 + x1 - w) / 2, "right": x1 - w}.get(align, start)
                self.draw(x, base, row, style, size)
            self.emit(row)
            self.y += size * LEADING

    def fields(self, items: Sequence[tuple[str, str]], x0: float | None = None,
               x1: float | None = None, size: int = BODY, weights: Sequence[float] | None = None,
               value_style: str = "regular") -> None:
        """Form fields "label value ......" side by side, each in its share of the line.

        Fields that do not fit their share go one per line; a value too long for a whole line
        wraps under its label. Dotted leaders fill the rest of each share, as on the paper form.
        """
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        weights = list(weights or [1] * len(items))
        total = sum(weights)
        edges = [x0]
        for w in weights:
            edges.append(edges[-1] + (x1 - x0) * w / total)
        space = measure(" ", "regular", size)
        pieces = []
        for (label, value), a, b in zip(items, edges[:-1], edges[1:], strict=True):
            needed = measure(label, "regular", size) + space + measure(value, value_style, size)
            pieces.append((label, value, a, b, needed <= b - a - space * 2))
        if len(items) > 1 and not all(p[4] for p in pieces):
            for label, value in items:
                self.fields([(label, value)], x0, x1, size, value_style=value_style)
            return

        base = self.baseline(size)
        text = [""]  # the plain text of each visual line
        for label, value, a, b, _ in pieces:
            self.draw(a, base, label, "regular", size)
            x = a + measure(label, "regular", size) + space
            value_lines = wrap(value, x1 - x0, value_style, size, first_width=b - x)
            text[-1] += f" {label} {value_lines[0]}"
            for i, row in enumerate(value_lines):
                if i:  # continuation lines of a long value start at the margin
                    self.y += size * LEADING
                    base = self.baseline(size)
                    x = x0
                    text.append(row)
                if row:
                    self.draw(x, base, row, value_style, size)
                    x += measure(row, value_style, size) + space
            self.leader(x, b - space, base, size)
        for line in text:
            self.emit(line)
        self.y += size * LEADING

    def leader(self, x0: float, x1: float, baseline: float, size: int) -> None:
        """A dotted leader; drawn, but not part of the plain text."""
        dot = measure(".", "regular", size)
        count = int((x1 - x0) / dot)
        if count >= 3:
            self.page.ops.append(Text(x1 - count * dot, baseline, "." * count, "regular", size))

    def table(self, widths: Sequence[float], header: Sequence[str],
              rows: Sequence[Sequence[str]], size: int = BODY,
              aligns: Sequence[str] | None = None) -> None:
        """A ruled table; the header bold and centred. Each visual line of a row becomes one
        line of plain text, its cells joined left to right."""
        aligns = list(aligns or ["left"] * len(widths))
        edges = [float(self.left)]
        for w in widths:
            edges.append(edges[-1] + w)
        top = self.y
        self.rule(edges[0], edges[-1], top)
        self._row(edges, header, "bold", size, ["center"] * len(widths))
        for row in rows:
            self._row(edges, row, "regular", size, aligns)
        for x in edges:
            self.page.ops.append(Line(((x, top), (x, self.y)), 3))

    def _row(self, edges: list[float], cells: Sequence[str], style: str, size: int,
             aligns: Sequence[str]) -> None:
        pad = 14
        wrapped = [wrap(c, b - a - 2 * pad, style, size) if c else []
                   for c, a, b in zip(cells, edges[:-1], edges[1:], strict=True)]
        count = max(1, *(len(w) for w in wrapped))
        step = size * 1.25
        for i in range(count):
            base = self.y + pad + round(size * 0.95) + i * step
            for cell, a, b, align in zip(wrapped, edges[:-1], edges[1:], aligns, strict=True):
                if i < len(cell):
                    w = measure(cell[i], style, size)
                    x = (a + b - w) / 2 if align == "center" else a + pad
                    self.draw(x, base, cell[i], style, size)
            self.emit(" ".join(cell[i] for cell in wrapped if i < len(cell)))
        self.y += count * step + 2 * pad
        self.rule(edges[0], edges[-1], self.y)
