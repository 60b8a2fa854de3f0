"""Searchable PDF: each page's image with an invisible text layer, assembled per document."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
from PIL import Image

JPEG_QUALITY = 80


def image_page(pixels: np.ndarray, dpi: int, textonly_pdf: bytes | None = None) -> bytes:
    """A one-page PDF of the (upright, straightened) page image at its true size, with
    Tesseract's text-only page laid over it when there is one."""
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PDF", resolution=dpi, quality=JPEG_QUALITY)
    if textonly_pdf is None:
        return buf.getvalue()
    with pikepdf.open(buf) as pdf, pikepdf.open(io.BytesIO(textonly_pdf)) as text:
        pdf.pages[0].add_overlay(text.pages[0])
        out = io.BytesIO()
        pdf.save(out, compress_streams=True)
    return out.getvalue()


def assemble(pages: list[bytes | None], original: bytes | None = None) -> bytes:
    """One PDF from page PDFs; a None page is copied from the original PDF as it is (its own
    text layer is already searchable). A PDF whose pages all have a text layer is its own
    searchable copy: returned untouched, so signatures and forms stay valid."""
    if original is not None and all(page is None for page in pages):
        return original
    out = pikepdf.new()
    source = pikepdf.open(io.BytesIO(original)) if original and None in pages else None
    opened: list[pikepdf.Pdf] = []
    try:
        for index, page in enumerate(pages):
            if page is None:
                if source is None:
                    raise ValueError(f"page {index + 1} has no PDF and there is no original")
                out.add_pages_from(source, [index])  # keeps its form fields working
            else:
                pdf = pikepdf.open(io.BytesIO(page))
                opened.append(pdf)
                out.pages.append(pdf.pages[0])
        buf = io.BytesIO()
        out.save(buf, compress_streams=True, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buf.getvalue()
    finally:
        for pdf in opened:
            pdf.close()
        if source is not None:
            source.close()
