"""Files as offices hand them in, written byte-for-byte reproducibly: every date a writer
would stamp is pinned to FIXED_DATE."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from PIL import Image

from samples.layout import A4, DPI, SERIF, Ellipse, Line, Page, Polygon, Rect, Text, font_path

FIXED_DATE = datetime(2022, 6, 30, 8, 0, tzinfo=UTC)
PDF_JPEG_QUALITY = 75
JPEG_QUALITY = 85

_STYLES = {"regular": "", "bold": "B", "italic": "I", "bolditalic": "BI"}


def image_pdf(scans: Sequence[Image.Image], path: Path, dpi: int = DPI) -> None:
    """An image-only PDF, one JPEG (or CCITT G4 for 1-bit) page per scan at `dpi`, no text."""
    stamp = time.gmtime(FIXED_DATE.timestamp())
    first, *rest = scans
    quality = {} if first.mode == "1" else {"quality": PDF_JPEG_QUALITY}  # 1-bit: CCITT G4
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=dpi, title=path.stem,
               creationDate=stamp, modDate=stamp, **quality)


def tiff(scans: Sequence[Image.Image], path: Path, dpi: int = DPI, jpeg: bool = False) -> None:
    """A multi-page TIFF: CCITT Group 4 for black and white, LZW otherwise (or JPEG-in-TIFF, as
    many office scanners write grey and colour pages)."""
    first, *rest = scans
    if first.mode == "1":
        first.save(path, "TIFF", save_all=True, append_images=rest, compression="group4",
                   dpi=(dpi, dpi))
    elif jpeg:
        first.save(path, "TIFF", save_all=True, append_images=rest, compression="jpeg",
                   quality=PDF_JPEG_QUALITY, dpi=(dpi, dpi))
    else:
        first.save(path, "TIFF", save_all=True, append_images=rest, compression="tiff_lzw",
                   dpi=(dpi, dpi))


def jpeg(scan: Image.Image, path: Path, dpi: int = DPI) -> None:
    scan.save(path, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi))


def text_pdf(pages: Sequence[Page], path: Path, title: str) -> None:
    """A born-digital PDF: the same layout drawn as vector text with an embedded TrueType
    font, so it has a real Unicode text layer."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_creator("hoso samples")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    families = dict.fromkeys(op.family for page in pages for op in page.ops if isinstance(op, Text))
    for family in families or [SERIF]:
        for style, key in _STYLES.items():
            pdf.add_font(family, key, str(font_path(style, family)))
    scale = 72 / DPI
    for page in pages:
        if page.size == A4:
            pdf.add_page()
        else:
            pdf.add_page(format=(page.size[0] * scale, page.size[1] * scale))
        for op in page.ops:
            if isinstance(op, Text):
                pdf.set_font(op.family, _STYLES[op.style], op.size * scale)
                pdf.set_text_color(*op.color)
                pdf.text(op.x * scale, op.baseline * scale, op.text)
            elif isinstance(op, Line):
                pdf.set_draw_color(*op.color)
                pdf.set_line_width(op.width * scale)
                pdf.polyline([(x * scale, y * scale) for x, y in op.points])
            elif isinstance(op, Rect):
                pdf.set_draw_color(0, 0, 0)
                pdf.set_line_width(op.width * scale)
                pdf.rect(op.x0 * scale, op.y0 * scale, (op.x1 - op.x0) * scale,
                         (op.y1 - op.y0) * scale)
            elif isinstance(op, Ellipse):
                pdf.set_draw_color(*op.color)
                pdf.set_line_width(op.width * scale)
                pdf.ellipse(op.x0 * scale, op.y0 * scale, (op.x1 - op.x0) * scale,
                            (op.y1 - op.y0) * scale)
            elif isinstance(op, Polygon):
                pdf.set_fill_color(*op.color)
                pdf.polygon([(x * scale, y * scale) for x, y in op.points], style="F")
    pdf.output(str(path))
