"""Reading generated office scans with real Tesseract, checked against their ground truth."""

from __future__ import annotations

import json
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from rapidfuzz.distance import Levenshtein

from extractors.document import read_document
from samples.generate import generate
from schemas.pages import DocumentText
from schemas.settings import Limits, OcrOptions
from schemas.status import FileKind, TextSource


@pytest.fixture(scope="module")
def dossiers(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, DocumentText]]:
    """The demo's four dossiers, each file read once."""
    folder = tmp_path_factory.mktemp("scans")
    generate(folder, n_dossiers=4, seed=7)
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    read = {}
    with ThreadPoolExecutor(2) as pool:
        for item in truth["files"]:
            read[item["file"]] = read_document((folder / item["file"]).read_bytes(), Limits(),
                                               OcrOptions(), pool=pool)
    return {item["file"]: item for item in truth["files"]}, read


def _pages(truth: dict, read: dict[str, DocumentText]):
    """(ground-truth page, read page) for every page of every file; JPEG sets are one page."""
    for name, item in truth.items():
        yield from zip(item["pages"], read[name].pages, strict=True)


def test_kinds_and_page_counts(dossiers) -> None:
    truth, read = dossiers
    kinds = {"pdf": FileKind.pdf, "tiff": FileKind.tiff, "jpeg": FileKind.jpeg}
    for name, item in truth.items():
        assert read[name].kind is kinds[item["format"]]
        assert len(read[name].pages) == item["page_count"]


def test_turned_pages_are_put_upright(dossiers) -> None:
    truth, read = dossiers
    turned = 0
    for want, got in _pages(truth, read):
        # Content turned θ clockwise is turned back: 360-θ clockwise.
        assert got.rotation == (360 - want["rotation"]) % 360, (want["number"], got.rotation)
        turned += bool(want["rotation"])
    assert turned >= 3  # the demo set holds pages turned 90, 180 and 270


def test_skew_is_corrected(dossiers) -> None:
    truth, read = dossiers
    for want, got in _pages(truth, read):
        if got.source is TextSource.ocr:
            assert abs(got.skew + want["skew"]) < 0.35, (want, got.skew)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[.…·_-]{2,}", " ", text)  # dotted leaders
    return re.sub(r"\s+", " ", text).strip()


def test_scanned_text_is_read(dossiers) -> None:
    """Character accuracy against the rendered text; names with their diacritics."""
    truth, read = dossiers
    scores = []
    for want, got in _pages(truth, read):
        if got.source is TextSource.ocr:
            expected = _norm(want["text"])
            scores.append(1 - Levenshtein.distance(_norm(got.text), expected) / len(expected))
            assert got.mean_conf and got.mean_conf > 40
            assert got.words and all(w.conf is not None for w in got.words)
    assert len(scores) >= 12
    assert sum(scores) / len(scores) > 0.8, scores
    print(f"mean character accuracy {sum(scores) / len(scores):.3f} over {len(scores)} pages")
    cv = next(n for n in truth if n.startswith("dossier-02_so-yeu"))
    name = truth[cv]["person"]["full_name"].upper()
    assert name in read[cv].pages[0].text  # item 1 is printed in capitals


def test_born_digital_pdf_uses_its_text_layer(dossiers) -> None:
    truth, read = dossiers
    name = next(n for n, item in truth.items() if item.get("text_layer"))
    doc = read[name]
    assert {p.source for p in doc.pages} == {TextSource.text_layer}
    assert truth[name]["person"]["full_name"].upper() in doc.text
    assert all(p.words and p.unit == "pt" for p in doc.pages)


def test_searchable_pdf_has_the_ocr_text(dossiers, tmp_path: Path) -> None:
    truth, read = dossiers
    name = next(n for n in truth if n.endswith(".tif"))
    pdf = pdfium.PdfDocument(read[name].searchable_pdf)
    assert len(pdf) == truth[name]["page_count"]
    for number, page in enumerate(pdf):
        layer = _norm(page.get_textpage().get_text_range())
        ocr_text = _norm(read[name].pages[number].text)
        assert len(layer) > 200
        assert Levenshtein.normalized_distance(layer.replace(" ", ""), ocr_text.replace(" ", "")) < 0.2
        width, height = page.get_size()
        assert abs(width / 72 - 8.27) < 0.3 and abs(height / 72 - 11.69) < 0.3  # A4 kept


def test_a_page_tesseract_reads_sideways_is_turned_and_read_again(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  ) -> None:
    """Orientation detection can be wrong about a page on its side (it says 180). Tesseract
    then reads the turned lines with a good confidence, but its words are taller than wide and
    its lines are not the form's: the page is turned and read again."""
    import io

    from extractors import document, ocr

    generate(tmp_path, n_dossiers=1, seed=7)
    pdf = pdfium.PdfDocument(tmp_path / "dossier-01_so-yeu-ly-lich.pdf")
    upright = pdf[0].render(scale=200 / 72, grayscale=True).to_pil()
    scan = io.BytesIO()
    upright.rotate(90, expand=True).save(scan, format="TIFF", dpi=(200, 200))
    monkeypatch.setattr(ocr, "detect_orientation", lambda *_args, **_kw: (180, 99.0))

    page = read_document(scan.getvalue(), Limits(), OcrOptions()).pages[0]

    assert page.rotation in (90, 270) and not document._sideways(page.words)
    assert "SƠ YẾU LÝ LỊCH" in unicodedata.normalize("NFC", page.text).upper()
