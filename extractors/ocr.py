"""Tesseract, for real: orientation detection and one OCR pass per page.

Every call runs its own `tesseract` process limited to one thread (OpenMP threads make it
about 4x slower on a shared machine); parallelism comes from reading several pages at once.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image

from schemas.pages import Word

# Inherited by every tesseract process this one starts (pytesseract passes os.environ on).
os.environ["OMP_THREAD_LIMIT"] = "1"

# OSD stops after this many characters (Tesseract's default is 50): on generated 300 dpi
# scans 20 still gave every angle right, in 0.3 s a page instead of 0.55 s.
OSD_CHARACTERS = 20
# Below this OSD confidence a page is left as it is. OCRmyPDF uses 14 (with 50 characters),
# but Vietnamese text, whose diacritics confuse OSD's Latin models, scores far lower on
# turned pages whose angle OSD still gets right: 1.9–3.5 with 20 characters.
ORIENTATION_MIN_CONFIDENCE = 1.5


class OcrTimeout(Exception):
    """Tesseract did not finish one page within the time limit."""


@dataclass(slots=True)
class OcrResult:
    text: str
    words: list[Word]
    mean_conf: float | None
    textonly_pdf: bytes  # an invisible text layer the size of the page image


def detect_orientation(gray: np.ndarray, dpi: int, timeout: float) -> tuple[int, float]:
    """How far the page content is turned clockwise (0/90/180/270) and the OSD confidence.

    Runs on a half-size copy written as an uncompressed file: OSD needs only the shape of
    the text lines, and this keeps its cost a small fraction of the OCR pass. Pages with
    too little text give (0, 0).
    """
    image = Image.fromarray(gray)
    small = image.reduce(2) if min(gray.shape) > 1200 else image
    scale = gray.shape[1] / small.width
    with tempfile.TemporaryDirectory(prefix="hoso-osd-") as tmp:
        src = Path(tmp, "page.pgm")
        small.save(src)
        try:
            osd = pytesseract.image_to_osd(
                str(src),
                config=f"--dpi {max(int(dpi / scale), 70)} -c min_characters_to_try={OSD_CHARACTERS}",
                output_type=pytesseract.Output.DICT, timeout=timeout,
            )
        except pytesseract.TesseractError:
            return 0, 0.0  # "Too few characters": nothing to orient by
        except RuntimeError as exc:  # pytesseract's timeout
            raise OcrTimeout(str(exc)) from exc
    return int(osd.get("orientation", 0)) % 360, float(osd.get("orientation_conf", 0.0))


def ocr_page(gray: np.ndarray, dpi: int, lang: str, timeout: float) -> OcrResult:
    """One Tesseract pass: words with boxes and confidences (TSV), plain text, and a
    text-only PDF page to lay over the page image."""
    with tempfile.TemporaryDirectory(prefix="hoso-ocr-") as tmp:
        src = Path(tmp, "page.pgm")  # uncompressed: nothing to encode or decode
        Image.fromarray(gray).save(src)
        base = Path(tmp, "out")
        try:
            pytesseract.pytesseract.run_tesseract(
                str(src), str(base), extension="txt pdf", lang=lang,
                config=f"--oem 1 --psm 3 --dpi {dpi} -c textonly_pdf=1 tsv", timeout=timeout,
            )
        except RuntimeError as exc:
            raise OcrTimeout(f"OCR took longer than {timeout:.0f} s") from exc
        text = _nfc(base.with_suffix(".txt").read_text(encoding="utf-8"))
        words = parse_tsv(base.with_suffix(".tsv").read_text(encoding="utf-8"))
        pdf = base.with_suffix(".pdf").read_bytes()
    confs = [w.conf for w in words if w.conf is not None]
    mean = round(sum(confs) / len(confs), 2) if confs else None
    return OcrResult(text=text.strip(), words=words, mean_conf=mean, textonly_pdf=pdf)


def parse_tsv(tsv: str) -> list[Word]:
    """Words (TSV level 5) with their boxes, confidences and reading-order line numbers."""
    words: list[Word] = []
    line_ids: dict[tuple[str, str, str, str], int] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = _nfc(row.get("text") or "").strip()
        if not text:
            continue
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        line = line_ids.setdefault(key, len(line_ids))
        left, top = float(row["left"]), float(row["top"])
        conf = float(row["conf"])
        words.append(Word(text, left, top, left + float(row["width"]), top + float(row["height"]),
                          conf=conf if conf >= 0 else None, line=line))
    return words


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
