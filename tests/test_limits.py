"""Every limit is a setting, and each turns bad input into a clear rejection or a kept page."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.document import read_document
from schemas.pages import InputRejected
from schemas.settings import Limits, OcrOptions
from schemas.status import RejectReason, TextSource


def _read(path: Path, **limits: float) -> object:
    return read_document(path.read_bytes(), Limits(**limits), OcrOptions(ocr_workers=1))


def test_file_size_limit(peers: Path) -> None:
    with pytest.raises(InputRejected) as refused:
        _read(peers / "tesseract__phototest.tif", max_file_mb=0.01)
    assert refused.value.reason is RejectReason.too_large and "MB" in refused.value.message


def test_page_count_limit(peers: Path) -> None:
    for name in ("pillow__g4-multi.tiff", "qpdf__rotated.pdf"):
        with pytest.raises(InputRejected) as refused:
            _read(peers / name, max_pages=2)
        assert refused.value.reason is RejectReason.too_large
        assert "split it" in refused.value.message


def test_pixel_limit(peers: Path) -> None:
    with pytest.raises(InputRejected) as refused:
        _read(peers / "pillow__g4-multi.tiff", max_page_megapixels=10)  # 3307x4677 pages
    assert refused.value.reason is RejectReason.too_large


def test_huge_page_is_read_at_a_lower_dpi(peers: Path) -> None:
    doc = _read(peers / "ocrmypdf__enormous.pdf", max_render_megapixels=20)
    (page,) = doc.pages
    assert page.width * page.height <= 20_000_000 and page.dpi < 300


def test_a_page_over_the_ocr_time_limit_is_kept_as_an_image(peers: Path) -> None:
    doc = _read(peers / "tesseract__phototest.tif", ocr_page_timeout_s=0.001)
    (page,) = doc.pages
    assert page.source is TextSource.none and page.text == ""
    assert any("not read" in w for w in doc.warnings)
    assert doc.searchable_pdf.startswith(b"%PDF")  # the image is still in the searchable PDF
