"""PDF pages: open safely, judge the text layer, take its words, render scans for OCR.

PDFium (pypdfium2) reads text and renders; it is not thread-safe, so every call into it
holds PDFIUM_LOCK. pikepdf (qpdf) checks structure: encryption, dynamic XFA, repairs.
"""

from __future__ import annotations

import ctypes
import io
import math
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from extractors.rules import Rule
from extractors.textlayer import MIN_LETTERS_OVER_SCAN, judge
from schemas.pages import InputRejected, Word
from schemas.settings import Limits
from schemas.status import RejectReason

PDFIUM_LOCK = threading.RLock()

# An image covering this share of the page makes it a scanned page.
SCAN_COVERAGE = 0.3
# A drawn line is a table rule when it is axis-aligned (this slope at most) and this long
# (points); a filled rectangle is a rule when it is thinner than RULE_THICK points.
RULE_MIN_PT = 13.0
RULE_SLOPE = 0.02
RULE_THICK = 2.5
# Huge pages are drawn at a lower resolution, but never below this one; a page too large even
# then (kilometres of page box) is refused.
MIN_RENDER_DPI = 36


@dataclass(slots=True)
class PdfPageFacts:
    number: int
    rotation: int  # the page's effective /Rotate
    width: float  # displayed (rotated) size in points
    height: float
    text: str
    text_usable: bool
    why_not: str
    scanned: bool  # an image covers much of the page
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)  # drawn table rules, displayed frame


@dataclass(slots=True)
class PdfStructure:
    warnings: list[str]
    copyable: bool  # qpdf opens it, so its pages can be copied into the searchable PDF
    pages: int = 0  # as qpdf counts them (PDFium may count a damaged page tree otherwise)


def check_structure(data: bytes, limits: Limits) -> PdfStructure:
    """Refuse what cannot be read (password, dynamic XFA, too many pages); warn about repairs."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            dynamic_xfa = pdf.Root.get("/NeedsRendering") is True
            warnings = ["the PDF was damaged and has been repaired"] if pdf.get_warnings() else []
            count = len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise _encrypted() from exc
    except Exception:  # qpdf cannot make sense of it (PdfError, QpdfRuntimeError, a broken
        return PdfStructure([], copyable=False)  # /Root...): PDFium may still read it, or says not
    if dynamic_xfa:
        raise InputRejected(
            RejectReason.unsupported,
            "dynamic XFA form (Adobe LiveCycle): its pages are drawn by Adobe software "
            "and hold no content here. Print it to PDF and upload that.",
        )
    check_page_count(count, limits)
    return PdfStructure(warnings, copyable=True, pages=count)


def check_page_count(count: int, limits: Limits) -> None:
    if count > limits.max_pages:
        raise InputRejected(
            RejectReason.too_large,
            f"the PDF has {count} pages, more than the limit of {limits.max_pages}; "
            "split it into smaller files.",
        )


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise _encrypted() from exc
            raise InputRejected(
                RejectReason.corrupt,
                f"the PDF is damaged beyond repair ({exc}). Export or scan it again.",
            ) from exc
        if len(pdf) == 0:
            raise InputRejected(RejectReason.empty, "the PDF has no pages.")
        return pdf


def page_facts(pdf: pdfium.PdfDocument, index: int, limits: Limits) -> PdfPageFacts:
    """What a page holds, and its words when its text layer is to be used."""
    with PDFIUM_LOCK, _damaged_page(index):
        page = pdf[index]
        try:
            width, height = page.get_size()
            rotation = page.get_rotation()
            _check_images(page, index + 1, limits)
            scanned = _image_coverage(page, width * height) >= SCAN_COVERAGE
            textpage = page.get_textpage()
            try:
                text = _clean(textpage.get_text_range())
                usable, why = judge(text)
                letters = sum(ch.isalpha() for ch in text)
                if usable and scanned and letters < MIN_LETTERS_OVER_SCAN:
                    usable, why = False, "only a few stray characters over a scanned image"
                words = _words(textpage, page, rotation) if usable else []
            finally:
                textpage.close()
            rules = _rules(page, rotation) if usable else []
        finally:
            page.close()
    return PdfPageFacts(index + 1, rotation, width, height, text, usable, why, scanned, words, rules)


def render(pdf: pdfium.PdfDocument, index: int, dpi: int, limits: Limits) -> tuple[Image.Image, int]:
    """The page upright as displayed (its /Rotate applied), at `dpi` or lower for huge pages."""
    with PDFIUM_LOCK, _damaged_page(index):
        page = pdf[index]
        try:
            width, height = (abs(v) for v in page.get_size())
            pixels = width * height * (dpi / 72) ** 2
            if not (math.isfinite(pixels) and min(width, height) * MIN_RENDER_DPI / 72 >= 1):
                raise InputRejected(RejectReason.corrupt, f"page {index + 1} of the PDF has no "
                                    f"usable size ({width} x {height} points). Export it again.")
            if pixels > limits.max_render_pixels:
                dpi = max(int(dpi * math.sqrt(limits.max_render_pixels / pixels)), MIN_RENDER_DPI)
                if width * height * (dpi / 72) ** 2 > limits.max_render_pixels:
                    raise _too_large_to_draw(index + 1, width, height, limits)
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
            image = bitmap.to_pil().convert("RGB")
            bitmap.close()
        finally:
            page.close()
    return image, dpi


def _too_large_to_draw(number: int, width: float, height: float, limits: Limits) -> InputRejected:
    return InputRejected(
        RejectReason.too_large,
        f"page {number} measures {width / 72 * 2.54:,.0f} x {height / 72 * 2.54:,.0f} cm: too "
        f"large to draw even at {MIN_RENDER_DPI} dpi within {limits.max_render_megapixels:,.0f} "
        "megapixels (a damaged page box, or not a document page). Export it at paper size.",
    )


@contextmanager
def _damaged_page(index: int) -> Iterator[None]:
    """PDFium failing on one page (it opened the file, but cannot load or draw this page)."""
    try:
        yield
    except pdfium.PdfiumError as exc:
        raise InputRejected(
            RejectReason.corrupt,
            f"page {index + 1} of the PDF is damaged and cannot be read ({exc}). Export or "
            "scan it again.",
        ) from exc


def _check_images(page: pdfium.PdfPage, number: int, limits: Limits) -> None:
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=5):
        w, h = obj.get_px_size()
        if w * h > limits.max_page_pixels:
            raise InputRejected(
                RejectReason.too_large,
                f"page {number} holds a {w}x{h} pixel image ({w * h / 1e6:,.0f} megapixels), "
                f"over the limit of {limits.max_page_megapixels:,.0f}: a decompression bomb or "
                "an oversized scan. Scan it again at 300 dpi.",
            )


def _image_coverage(page: pdfium.PdfPage, page_area: float) -> float:
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=5):
        left, bottom, right, top = obj.get_bounds()
        covered = max(covered, abs(right - left) * abs(top - bottom))
    return covered / page_area if page_area else 0.0


def _words(textpage: pdfium.PdfTextPage, page: pdfium.PdfPage, rotation: int) -> list[Word]:
    """Words from the character boxes, in points of the displayed page (top-left origin)."""
    box = _page_box(page)
    words: list[Word] = []
    chars: list[str] = []
    bounds = [math.inf, math.inf, -math.inf, -math.inf]
    line = 0

    def flush() -> None:
        if chars:
            text = unicodedata.normalize("NFC", "".join(chars))
            left, top, right, bottom = _to_display(bounds, box, rotation)
            words.append(Word(text, left, top, right, bottom, conf=None, line=line))
            chars.clear()
            bounds[:] = [math.inf, math.inf, -math.inf, -math.inf]

    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        ch = chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else ""
        if ch == "\n":
            flush()
            line += 1
        elif not ch or ch.isspace() or ch in "\r\x02":
            flush()
        else:
            left, bottom, right, top = textpage.get_charbox(i)
            chars.append(ch)
            bounds[0], bounds[1] = min(bounds[0], left), min(bounds[1], bottom)
            bounds[2], bounds[3] = max(bounds[2], right), max(bounds[3], top)
    flush()
    return words


def _rules(page: pdfium.PdfPage, rotation: int) -> list[Rule]:
    """Horizontal and vertical lines drawn on the page (stroked path segments, thin filled
    rectangles), in points of the displayed page, top-left origin, like the words."""
    box = _page_box(page)
    rules: list[Rule] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=5):
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
        if stroke.value:
            lines = _path_lines(obj)
        elif fill.value:
            lines = _thin_fill(obj)
        else:
            continue
        for ax, ay, bx, by in lines:
            left, top, right, bottom = _to_display(
                [min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)], box, rotation)
            rules.append((round(left, 2), round(top, 2), round(right, 2), round(bottom, 2)))
    return rules


def _object_matrix(obj: pdfium.PdfObject) -> pdfium.PdfMatrix:
    """Path space -> page space, through any Form XObjects holding the object."""
    matrix = obj.get_matrix()
    container = obj.container
    while container is not None:
        matrix = matrix.multiply(container.get_matrix())
        container = container.container
    return matrix


def _path_points(obj: pdfium.PdfObject) -> list[tuple[int, float, float, bool]]:
    """(segment type, x, y, closes the subpath) of each path segment, in page space."""
    matrix = _object_matrix(obj)
    x, y = ctypes.c_float(), ctypes.c_float()
    points = []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        px, py = matrix.on_point(x.value, y.value)
        points.append((pdfium_c.FPDFPathSegment_GetType(segment), px, py,
                       bool(pdfium_c.FPDFPathSegment_GetClose(segment))))
    return points


def _path_lines(obj: pdfium.PdfObject) -> list[tuple[float, float, float, float]]:
    """The straight, axis-aligned, long enough segments of a stroked path."""
    lines = []
    start = last = None
    for kind, px, py, closes in _path_points(obj):
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = last = (px, py)
            continue
        if last is not None and kind == pdfium_c.FPDF_SEGMENT_LINETO:
            lines.append((*last, px, py))
        last = (px, py)
        if closes and start is not None:
            lines.append((px, py, *start))
            last = start
    return [line for line in lines if _is_rule(*line)]


def _thin_fill(obj: pdfium.PdfObject) -> list[tuple[float, float, float, float]]:
    """A filled bar drawn as a rule (what word processors export): its centre line."""
    left, bottom, right, top = obj.get_bounds()
    if right - left >= RULE_MIN_PT and top - bottom <= RULE_THICK:
        middle = (top + bottom) / 2
        return [(left, middle, right, middle)]
    if top - bottom >= RULE_MIN_PT and right - left <= RULE_THICK:
        middle = (left + right) / 2
        return [(middle, bottom, middle, top)]
    return []


def _is_rule(ax: float, ay: float, bx: float, by: float) -> bool:
    dx, dy = abs(bx - ax), abs(by - ay)
    return max(dx, dy) >= RULE_MIN_PT and min(dx, dy) <= RULE_SLOPE * max(dx, dy)


def _page_box(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """The displayed area of the page (crop box within media box), as PDFium sees it: boxes
    inherited from the page tree count (pypdfium2's get_cropbox would fall back to US
    Letter when the page itself has none, shifting every word of an A4 page by 50 pt)."""
    x0, y0, x1, y1 = page.get_bbox()
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _to_display(b: list[float], box: tuple[float, float, float, float],
                rotation: int) -> tuple[float, float, float, float]:
    """PDF user space (y up) -> displayed page, top-left origin, after /Rotate (clockwise)."""
    cx0, cy0, cx1, cy1 = box
    w, h = cx1 - cx0, cy1 - cy0
    # Unrotated top-left coordinates, then the page turned clockwise.
    u0, u1 = b[0] - cx0, b[2] - cx0
    v0, v1 = cy1 - b[3], cy1 - b[1]
    if rotation == 90:
        return h - v1, u0, h - v0, u1
    if rotation == 180:
        return w - u1, h - v1, w - u0, h - v0
    if rotation == 270:
        return v0, w - u1, v1, w - u0
    return u0, v0, u1, v1


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "")
    return unicodedata.normalize("NFC", text).strip()


def _encrypted() -> InputRejected:
    return InputRejected(
        RejectReason.encrypted,
        "the PDF is protected by a password that is needed to open it. Ask the sender for a "
        "copy without a password (or remove it with the password), then upload it again.",
    )

