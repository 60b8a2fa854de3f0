"""The varied benchmark set (samples.forms): reproducible, every layout and file kind, ground
truth that agrees with itself and with the files."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from samples import fields
from samples.forms import GROUND_TRUTH, FormSet, generate_forms
from samples.layout import FAMILIES
from samples.places import cccd_code

SEED = 11
DOSSIERS = 6


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def squeeze(text: str) -> str:
    return "".join(nfc(text).split())


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> FormSet:
    return generate_forms(tmp_path_factory.mktemp("forms"), DOSSIERS, SEED, workers=2)


@pytest.fixture(scope="module")
def truth(forms: FormSet) -> dict:
    return json.loads((forms.out_dir / GROUND_TRUTH).read_text(encoding="utf-8"))


def cvs(truth: dict) -> list[dict]:
    return [d for d in truth["documents"] if d["type"] == fields.SO_YEU_LY_LICH]


def test_same_seed_same_bytes(forms: FormSet, tmp_path: Path) -> None:
    again = generate_forms(tmp_path, DOSSIERS, SEED, workers=1)
    assert [p.name for p in again.paths] == [p.name for p in forms.paths]
    for a, b in zip(forms.paths + [forms.out_dir / GROUND_TRUTH],
                    again.paths + [tmp_path / GROUND_TRUTH], strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_every_layout_kind_and_format_appears(forms: FormSet, truth: dict) -> None:
    assert {d["layout"] for d in cvs(truth)} == set(fields.LAYOUTS)
    files = truth["files"]
    assert any(f["text_layer"] for f in files)
    assert any(f["format"] == "pdf" and not f["text_layer"] for f in files)
    assert any(f["format"] == "tiff" and f["page_count"] > 1 and f["compression"] == "group4"
               for f in files)
    assert any(f["format"] == "jpeg" for f in files)
    assert {f["dpi"] for f in files if not f["text_layer"]} == {200, 300}
    assert any(f["stack"] and len({d["type"] for d in f["documents"]}) >= 2 for f in files)
    assert {p["rotation"] for f in files for p in f["pages"]} == {0, 90, 180, 270}
    assert fields.QUYET_DINH in {d["type"] for d in truth["documents"]}
    assert len(truth["dossiers"]) == DOSSIERS
    written = sorted(p.name for p in forms.out_dir.iterdir() if p.name != GROUND_TRUTH)
    assert written == sorted(f["file"] for f in files)


def test_files_match_their_truth(forms: FormSet, truth: dict) -> None:
    for f in truth["files"]:
        path = forms.out_dir / f["file"]
        if f["format"] == "pdf":
            pdf = pdfium.PdfDocument(path)
            sizes = [pdf[i].get_size() for i in range(len(pdf))]
            text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
            pdf.close()
            assert bool(text.strip()) == f["text_layer"], f["file"]
        else:
            with Image.open(path) as image:
                assert round(image.info["dpi"][0]) == f["dpi"]
                sizes = []
                for i in range(getattr(image, "n_frames", 1)):
                    image.seek(i)
                    sizes.append(image.size)
                    if f["compression"] == "group4":
                        assert image.mode == "1"
        assert len(sizes) == f["page_count"] == len(f["pages"])
        for (width, height), page in zip(sizes, f["pages"], strict=True):
            upright_landscape = page["size"][0] > page["size"][1]
            assert (width > height) == (upright_landscape != (page["rotation"] in (90, 270)))
            assert page["text"] == nfc(page["text"]) and page["text"].strip()
    # every page of every document is somewhere, once
    placed = [(p["file"], p["page"]) for d in truth["documents"] for p in d["pages"]]
    assert len(placed) == len(set(placed)) == sum(f["page_count"] for f in truth["files"])
    for d in truth["documents"]:
        assert len(d["pages"]) == d["page_count"]


def test_fields_follow_the_registry(truth: dict) -> None:
    for layout in fields.LAYOUTS:
        keys = fields.keys(layout)
        assert len(keys) == len(set(keys))
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys)
    for d in cvs(truth):
        spec = fields.LAYOUT_SPECS[d["layout"]]
        assert list(d["fields"]) == fields.keys(d["layout"])
        assert set(d["tables"]) == {t.key for t in spec.tables}
        for t in spec.tables:
            for row in d["tables"][t.key]:
                assert list(row) == [c.key for c in t.columns]
        for key, f in d["fields"].items():
            assert f["text"] == nfc(f["text"])
            if f["text"]:
                assert f["page"] and len(f["bbox"]) == 4 and f["lines"], key
                x0, y0, x1, y1 = f["bbox"]
                assert 0 <= x0 < x1 <= 842 and 0 <= y0 < y1 <= 842
        assert d["fields"]["ho_va_ten"]["text"].isupper()
        for key in ("ngay_sinh", "ngay_tuyen_dung"):
            date.fromisoformat(d["fields"][key]["value"])
    for d in truth["documents"]:
        if d["type"] != fields.SO_YEU_LY_LICH:
            assert list(d["fields"]) == [f.key for f in fields.DOCUMENT_FIELDS[d["type"]]]


def violations(cv: dict) -> set[str]:
    """The cross-checks a validator makes, on the printed values."""
    f = {k: v["value"] for k, v in cv["fields"].items()}
    born = date.fromisoformat(f["ngay_sinh"])
    province = f["noi_sinh"].rsplit(", ", 1)[-1]
    bad: set[str] = set()
    cccd = f["so_cccd"]
    assert len(cccd) == 12 and cccd.isdigit()
    sex = (0 if f["gioi_tinh"] == "Nam" else 1) + (2 if born.year >= 2000 else 0)
    if cccd[:3] != cccd_code(province) or cccd[3] != str(sex) or cccd[4:6] != f"{born.year % 100:02d}":
        bad.add("so_cccd")
    if f["ngay_vao_dang"] and f["ngay_chinh_thuc"] and f["ngay_chinh_thuc"] <= f["ngay_vao_dang"]:
        bad |= {"ngay_vao_dang", "ngay_chinh_thuc"}
    recruited = date.fromisoformat(f["ngay_tuyen_dung"])
    if recruited < born.replace(year=born.year + 16, day=min(born.day, 28)):
        bad.add("ngay_tuyen_dung")
    return bad


def months(cells: list[str]) -> list[tuple[int, int]]:
    out = []
    for cell in cells:
        if cell != "nay":
            m, y = re.split(r"[/-]", cell)
            out.append((int(y), int(m)))
    return out


def test_truth_is_consistent_except_where_marked(truth: dict) -> None:
    flawed = 0
    for d in cvs(truth):
        assert violations(d) == set(d["inconsistent"]), d["id"]
        flawed += bool(d["inconsistent"])
        career = d["tables"]["qua_trinh_cong_tac"]
        if "tu" in (career[0] if career else {}):
            starts = months([r["tu"] for r in career])
        else:
            starts = months([r["thoi_gian"].split(" - ")[0] for r in career])
        assert starts == sorted(starts)
        grid = d["tables"].get("dien_bien_luong") or d["tables"].get("qua_trinh_luong")
        when = months([r.get("thang_nam") or r["tu"] for r in grid])
        assert when == sorted(when) and len(grid) >= 1
    assert flawed == 1  # one in each block of ten; six dossiers are one block


def test_decisions_state_their_metadata(truth: dict) -> None:
    pages = {(f["file"], p["number"]): p["text"] for f in truth["files"] for p in f["pages"]}
    decisions = [d for d in truth["documents"] if d["type"] == fields.QUYET_DINH]
    assert decisions
    for d in decisions:
        text = "\n".join(pages[p["file"], p["page"]] for p in d["pages"])
        f = {k: v["text"] for k, v in d["fields"].items()}
        assert f"Số: {f['so_ky_hieu']}" in text and "QUYẾT ĐỊNH" in text
        assert f["trich_yeu"].startswith("Về việc") and f["nguoi_duoc_nhac"] in text
        issued = date.fromisoformat(d["fields"]["ngay_ban_hanh"]["value"])
        assert f["ngay_ban_hanh"].endswith(f"năm {issued.year}") and f["ngay_ban_hanh"] in text
        for key in ("so_ky_hieu", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu",
                    "nguoi_duoc_nhac"):
            assert d["fields"][key]["bbox"], key


def test_born_digital_cv_text_layer_holds_every_value(forms: FormSet, truth: dict) -> None:
    digital = {f["file"] for f in truth["files"] if f["text_layer"]}
    checked = 0
    for d in cvs(truth):
        if not all(p["file"] in digital for p in d["pages"]):
            continue
        files = {p["file"] for p in d["pages"]}
        pdf = pdfium.PdfDocument(forms.out_dir / files.pop())
        for key, f in d["fields"].items():
            if not f["text"]:
                continue
            page = pdf[d["pages"][f["page"] - 1]["page"] - 1]
            textpage = page.get_textpage()
            assert squeeze(f["text"]) in squeeze(textpage.get_text_range()), key
            # ... and the box holds exactly the value
            height = page.get_size()[1]
            inside = " ".join(textpage.get_text_bounded(left=x0 - 1, bottom=height - y1 - 1,
                                                        right=x1 + 1, top=height - y0 + 1)
                              for x0, y0, x1, y1 in f["lines"])
            assert squeeze(inside) == squeeze(f["text"]), key
            checked += 1
        pdf.close()
    assert checked > 40


def test_fonts_vary_between_dossiers(forms: FormSet, truth: dict) -> None:
    styles = [d["style"] for d in truth["dossiers"]]
    assert len({s["family"] for s in styles}) >= 2
    assert len({(s["family"], s["size"], s["leading"], s["left"]) for s in styles}) == len(styles)
    # the born-digital files embed the font their style names
    for f in truth["files"]:
        if not f["text_layer"]:
            continue
        doc = next(d for d in truth["documents"] if d["id"] == f["documents"][0]["id"])
        stem = FAMILIES[doc["style"]["family"]][0]["regular"].removesuffix(".ttf").split("-")[0]
        with pikepdf.open(forms.out_dir / f["file"]) as pdf:
            fonts = {str(font.BaseFont) for page in pdf.pages
                     for font in page.Resources.Font.values()}
        assert any(stem.lower() in name.lower() for name in fonts), (stem, fonts)
