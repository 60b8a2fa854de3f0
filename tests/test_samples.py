"""The sample-dossier generator: files as the manifest says, reproducible, and readable by the
real Tesseract."""

from __future__ import annotations

import io
import json
import os
import subprocess
import unicodedata
from datetime import date

import pypdfium2 as pdfium
import pytest
from PIL import Image

from samples.generate import GROUND_TRUTH, Manifest, generate, generate_pages
from samples.people import make_person
from samples.render import cv_pages, decision_page, rasterise


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(path) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        return nfc("".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Manifest:
    return generate(tmp_path_factory.mktemp("samples"), n_dossiers=4, seed=3)


def test_manifest_lists_exactly_the_files_written(sample: Manifest) -> None:
    truth = json.loads((sample.out_dir / GROUND_TRUTH).read_text(encoding="utf-8"))
    written = sorted(p.name for p in sample.out_dir.iterdir() if p.name != GROUND_TRUTH)
    assert sorted(f["file"] for f in truth["files"]) == written
    assert {f["format"] for f in truth["files"]} == {"pdf", "tiff", "jpeg"}
    assert sum(f["text_layer"] for f in truth["files"]) == 1

    pages = [p for f in truth["files"] for p in f["pages"]]
    assert {90, 180} <= {p["rotation"] for p in pages}
    for f in truth["files"]:
        assert f["page_count"] == len(f["pages"])
        assert f["person"]["full_name"] and f["documents"]
        for page in f["pages"]:
            assert page["text"] == nfc(page["text"]) and page["text"].strip()
            if not f["text_layer"]:
                assert 0.5 <= abs(page["skew"]) <= 2.5


def test_page_counts_and_orientation_match_the_files(sample: Manifest) -> None:
    for f in sample.files:
        path = sample.out_dir / f.file
        if f.format == "pdf":
            pdf = pdfium.PdfDocument(path)
            sizes = [pdf[i].get_size() for i in range(len(pdf))]
            pdf.close()
        else:
            with Image.open(path) as image:
                assert image.format == {"tiff": "TIFF", "jpeg": "JPEG"}[f.format]
                assert round(image.info["dpi"][0]) == 300
                sizes = []
                for i in range(getattr(image, "n_frames", 1)):
                    image.seek(i)
                    sizes.append(image.size)
        assert len(sizes) == f.page_count
        for (width, height), page in zip(sizes, f.pages, strict=True):
            assert (width > height) == (page.rotation in (90, 270)), (f.file, page.number)


def test_scanned_pdfs_have_no_text_layer(sample: Manifest) -> None:
    scanned = [f for f in sample.files if f.format == "pdf" and not f.text_layer]
    assert scanned
    for f in scanned:
        assert pdf_text(sample.out_dir / f.file).strip() == ""


def test_born_digital_pdf_has_a_vietnamese_text_layer(sample: Manifest) -> None:
    (digital,) = [f for f in sample.files if f.text_layer]
    text = pdf_text(sample.out_dir / digital.file)
    name = digital.person["full_name"]
    assert name == nfc(name) and name.upper() in text  # item 1 is written in capitals
    assert "1) Họ và tên khai sinh (viết chữ in hoa)" in text
    assert "QUAN HỆ GIA ĐÌNH" in text


def test_documents_carry_the_labels_the_extractor_keys_on(sample: Manifest) -> None:
    for f in sample.files:
        for doc in f.documents:
            text = "\n".join(f.pages[n - 1].text for n in doc["pages"])
            if doc["type"] == "quyet_dinh":
                d = doc["decision"]
                for needle in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                               f"Số: {d['so_ky_hieu']}", "QUYẾT ĐỊNH:", "Điều 1.", "Điều 2."):
                    assert needle in text
                issued = date.fromisoformat(d["ngay_ban_hanh"])
                assert f"năm {issued.year}" in text and d["trich_yeu"].startswith("Về việc")
            elif 1 in [f.pages[n - 1].document_page for n in doc["pages"]]:
                for needle in ("Mẫu 2C-BNV/2008", "Số hiệu cán bộ, công chức", "Ảnh 4x6 cm",
                               "3) Sinh ngày", "15.3) Lý luận chính trị:", "26) Số sổ BHXH:"):
                    assert needle in text


def test_same_seed_gives_identical_bytes(sample: Manifest, tmp_path) -> None:
    again = generate(tmp_path, n_dossiers=4, seed=3)
    assert [p.name for p in again.paths] == [p.name for p in sample.paths]
    for a, b in zip(sample.paths + [sample.out_dir / GROUND_TRUTH],
                    again.paths + [tmp_path / GROUND_TRUTH], strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_people_are_consistent() -> None:
    for seed in range(60):
        p = make_person(seed)
        assert p.full_name == nfc(p.full_name) and len(p.full_name.split()) >= 2
        assert p.gender in ("Nam", "Nữ")
        century = 0 if p.birth_date.year < 2000 else 2
        assert p.cccd == nfc(p.cccd) and len(p.cccd) == 12 and p.cccd.isdigit()
        assert p.cccd[:3] == "068"
        assert int(p.cccd[3]) == century + (0 if p.gender == "Nam" else 1)
        assert p.cccd[4:6] == f"{p.birth_date.year % 100:02d}"
        assert len(p.bhxh) == 10 and p.bhxh.isdigit()
        assert str(p.birthplace).endswith("Tỉnh Lâm Đồng")
        assert p.recruitment_date > p.birth_date and 1 <= len(p.decisions) <= 2
        assert make_person(seed) == p  # deterministic


def test_generate_pages_writes_exactly_n_scanned_pages(tmp_path) -> None:
    paths = generate_pages(tmp_path, 5, seed=1)
    counts = []
    for path in paths:
        assert pdf_text(path).strip() == ""
        pdf = pdfium.PdfDocument(path)
        counts.append(len(pdf))
        pdf.close()
    assert sum(counts) == 5 and all(1 <= c <= 3 for c in counts)
    truth = json.loads((tmp_path / GROUND_TRUTH).read_text(encoding="utf-8"))
    assert any(p["rotation"] == 90 for f in truth["files"] for p in f["pages"])


def test_pages_fit_on_a4() -> None:
    # Writer.finish raises when content runs past the bottom margin.
    for seed in range(40):
        p = make_person(f"fit-{seed}")
        cv_pages(p)
        for d in p.decisions:
            decision_page(d)


def test_tesseract_reads_a_clean_cv_page() -> None:
    # conftest fails the session when tesseract or its vie data is missing: never skipped.
    person = make_person("ocr")
    image = rasterise(cv_pages(person)[0]).convert("L")
    png = io.BytesIO()
    image.save(png, "PNG", dpi=(300, 300))
    result = subprocess.run(
        ["tesseract", "-", "-", "-l", "vie", "--psm", "3"], input=png.getvalue(),
        capture_output=True, timeout=120, check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    text = nfc(result.stdout.decode("utf-8"))
    assert "Họ và tên khai sinh" in text
    assert person.full_name.upper() in text
