"""Dotted leaders found and erased before OCR, and read back by the field reader as leaders."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors import leaders, ocr
from extractors.fields import read_values, run_lines
from schemas.catalog import layout
from schemas.pages import PageText, Word
from schemas.status import TextSource

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINE = "Chiều cao: 1m60 .................... Cân nặng: 54 kg ......................"


def _line_image() -> np.ndarray:
    """One printed form line at 300 dpi (12 pt type), black on white."""
    image = Image.new("L", (2400, 160), 255)
    ImageDraw.Draw(image).text((60, 40), LINE, font=ImageFont.truetype(FONT, 50), fill=0)
    return np.where(np.asarray(image) < 128, 0, 255).astype(np.uint8)


def test_leaders_are_found_and_only_they_are_erased() -> None:
    page = _line_image()
    erased, found = leaders.find_and_erase(page, 300)
    assert len(found) == 2
    (a, b) = sorted(found)
    assert a[2] - a[0] > 300 and b[2] - b[0] > 300  # each a whole run of dots
    covered = np.zeros(page.shape, dtype=bool)
    for x0, y0, x1, y1 in found:
        covered[int(y0):int(y1), int(x0):int(x1)] = True
        assert (erased[int(y0):int(y1), int(x0):int(x1)] == 255).all()
    # The letters, the figures and both colons (whose lower dot sits on the same baseline) stay.
    assert ((page == 0) & ~covered).sum() == ((erased == 0) & ~covered).sum() > 0
    assert ((page == 0) & covered).sum() > 0


def test_the_erased_line_reads_as_words_and_blank_space() -> None:
    erased, _ = leaders.find_and_erase(_line_image(), 300)
    text = ocr.ocr_page(erased, 300, "vie", 60).text
    assert "1m60" in text and "54 kg" in text
    assert not any(mark in text for mark in ("...", "…", "..")), text


def test_a_page_without_leaders_is_left_as_it_is() -> None:
    image = Image.new("L", (1200, 160), 255)
    font = ImageFont.truetype(FONT, 50)
    ImageDraw.Draw(image).text((60, 40), "Ngày 1.2.2020: a, b; c. Xong.", font=font, fill=0)
    page = np.where(np.asarray(image) < 128, 0, 255).astype(np.uint8)
    erased, found = leaders.find_and_erase(page, 300)
    assert found == [] and (erased == page).all()


def _page(words: list[tuple[str, float]], segments: list[tuple[float, float, float, float]]) -> PageText:
    """One OCR line at 300 dpi, the leaders erased from it given as segments."""
    placed = [Word(text, x, 300, x + 22.0 * len(text), 340, 90.0, 0) for text, x in words]
    return PageText(1, TextSource.ocr, " ".join(t for t, _ in words), placed, 2480, 3508, "px",
                    dpi=300, leaders=segments)


def test_stored_leaders_close_values_like_printed_ones() -> None:
    words = [("6)", 200), ("Dân", 260), ("tộc:", 350), ("Kinh", 460), ("Mường", 680),
             ("7)", 1200), ("Tôn", 1260), ("giáo:", 1350)]
    dots = [(556.0, 332.0, 640.0, 340.0), (1480.0, 332.0, 2300.0, 340.0)]
    bnv = layout("2c_bnv_2008")
    with_leaders = {v.spec.key: v for v in read_values(bnv, run_lines([_page(words, dots)]))}
    assert with_leaders["dan_toc"].text == "Kinh"  # the leader ends it before the stray word
    assert with_leaders["ton_giao"].text == "" and with_leaders["ton_giao"].leader
    without = {v.spec.key: v for v in read_values(bnv, run_lines([_page(words, [])]))}
    assert without["dan_toc"].text == "Kinh Mường"
    assert without["ton_giao"].text == "" and not without["ton_giao"].leader
