"""Every odd and broken file of the peers corpus, in one batch, ends as MANIFEST.tsv says."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pikepdf
import pytest
from conftest import make_settings

from flows.intake import intake
from flows.process import process
from flows.report import status_report
from flows.runtime import runtime, use_settings
from storage.db import session_scope, upgrade
from storage.queries import pages_of

# Expected outcomes whose files hold no readable words (a colour chart, a photo, a blank).
NO_TEXT_EXPECTED = {"ok"}


def manifest(peers: Path) -> dict[str, str]:
    with (peers / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return {row["file"]: row["expected"] for row in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="module")
def outcome(peers: Path, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None):
    tmp = tmp_path_factory.mktemp("peers")
    settings = make_settings(tmp, f"sqlite:///{tmp / 'hoso.db'}")
    use_settings(settings)
    upgrade(runtime().engine)
    files = sorted(str(peers / name) for name in manifest(peers))
    taken = intake(files, "PEERS")
    counts = process()
    report = status_report(runtime().engine, with_pages=True)
    return taken, counts, {row["source_name"]: row for row in report["documents"]}


def test_every_file_is_kept_and_ends_as_expected(peers: Path, outcome) -> None:
    taken, counts, docs = outcome
    expected = manifest(peers)
    assert not taken.unreadable
    assert set(docs) == set(expected), "every file has its document row"
    wrong = {}
    for name, want in expected.items():
        doc = docs[name]
        # The original is kept, byte for byte, whatever became of the file.
        data = (peers / name).read_bytes()
        assert doc["sha256"] == hashlib.sha256(data).hexdigest()
        assert runtime().store.get_bytes(f"originals/{doc['sha256']}", doc["sha256"]) == data
        if want.startswith("reject-"):
            got = f"reject-{doc['reject_code']}" if doc["status"] == "rejected" else doc["status"]
            if got != want or len(doc["reject_reason"] or "") < 20:
                wrong[name] = (want, got, doc["reject_reason"])
        else:
            ok = doc["status"] == "text_ready" and doc["pages"] >= 1
            text = runtime().store.get_bytes(doc["text"]).decode() if doc["text"] else ""
            if want not in NO_TEXT_EXPECTED and not text.strip():
                ok = False
            if not ok:
                wrong[name] = (want, doc["status"], doc["reject_reason"] or doc["error"])
    assert not wrong, "\n".join(f"{k}: expected {v[0]}, got {v[1]} ({v[2]})" for k, v in wrong.items())
    assert "failed" not in counts


def _pages(doc: dict) -> list:
    with session_scope(runtime().engine) as session:
        return pages_of(session, doc["id"])


def test_pages_rotations_and_sources(peers: Path, outcome) -> None:
    _, _, docs = outcome
    assert docs["pillow__g4-multi.tiff"]["pages"] == 3  # every TIFF frame
    rotated = pikepdf.open(peers / "qpdf__rotated.pdf")
    assert [p.rotation for p in _pages(docs["qpdf__rotated.pdf"])] == [
        int(page.obj.get("/Rotate", 0)) % 360 for page in rotated.pages]
    assert _pages(docs["qpdf__inherited-rotate.pdf"])[0].rotation == 90  # the page's own /Rotate
    # Content turned inside the image, no /Rotate: found by orientation detection.
    assert [p.rotation for p in _pages(docs["ocrmypdf__cardinal.pdf"])] == [0, 270, 180, 90]
    skewed = _pages(docs["ocrmypdf__rotated_skew.pdf"])[0]
    assert skewed.rotation == 90 and abs(skewed.skew) > 1
    mixed = docs["ocrmypdf__multipage.pdf"]
    assert mixed["pages"] == 6 and mixed["sources"] == {"ocr": 5, "text_layer": 1}
    assert docs["pypdf-samples__GeoTopo-komprimiert.pdf"]["sources"] == {"text_layer": 117}
    assert docs["pypdf-samples__pdflatex-image.pdf"]["sources"] == {"text_layer": 1}
    assert docs["qpdf__enc-R2-V1-O-master.pdf"]["pages"] == 30


def test_text_is_read(outcome) -> None:
    _, _, docs = outcome
    store = runtime().store

    def text(name: str) -> str:
        return store.get_bytes(docs[name]["text"]).decode()

    assert "Potato" in text("qpdf__inherited-rotate.pdf")
    assert "lot of 12 point text" in text("tesseract__phototest.tif")
    assert "Page2" in text("pillow__g4-multi.tiff").replace(" ", "")
    assert "Beautiful is better than ugly" in text("pdfminer__zen_of_python_corrupted.pdf")


def test_signed_pdf_is_its_own_searchable_copy(peers: Path, outcome) -> None:
    """A rewrite would break the signature: a PDF with a text layer is kept as it is."""
    _, _, docs = outcome
    doc = docs["qpdf__digitally-signed.pdf"]
    assert runtime().store.get_bytes(doc["searchable_pdf"]) == (
        peers / "qpdf__digitally-signed.pdf").read_bytes()


def test_reasons_speak_to_the_clerk(outcome) -> None:
    _, _, docs = outcome
    assert "password" in docs["pdfminer__aes-128.pdf"]["reject_reason"]
    assert "decompression bomb" in docs["ocrmypdf__hugemono.pdf"]["reject_reason"]
    assert "XFA" in docs["ocrmypdf__livecycle.pdf"]["reject_reason"]
    assert "webp" in docs["pillow__hopper_webp.tif"]["reject_reason"]
    assert "empty" in docs["pdfplumber__empty.pdf"]["reject_reason"]
