"""Label-value reading from word boxes: hand-made lines for each rule, then born-digital forms
of every layout against their ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.fields import read_values, run_lines
from schemas.catalog import layout
from schemas.pages import PageText, Word
from schemas.status import TextSource

BNV = layout("2c_bnv_2008")


def _page(*lines: str, conf: float = 90.0) -> PageText:
    """OCR-like words at 300 dpi: 40 px per character cell, 60 px between lines."""
    words = []
    for row, text in enumerate(lines):
        x = 200.0
        for word in text.split():
            width = 22.0 * len(word)
            words.append(Word(word, x, 300 + 60 * row, x + width, 340 + 60 * row, conf, row))
            x += width + 18
    return PageText(1, TextSource.ocr, "\n".join(lines), words, 2480, 3508, "px", dpi=300)


def _values(*lines: str) -> dict[str, str]:
    return {v.spec.key: v.text for v in read_values(BNV, run_lines([_page(*lines)]))}


def test_side_by_side_items_stop_at_leaders_and_labels() -> None:
    got = _values("6) Dân tộc: Kinh ............ 7) Tôn giáo: Phật giáo ..............",
                  "Bậc lương: 1 ......... Hệ số: 2,34 ........ Ngày hưởng: 01/11/2019......")
    assert got["dan_toc"] == "Kinh" and got["ton_giao"] == "Phật giáo"
    assert (got["bac_luong"], got["he_so_luong"], got["ngay_huong_luong"]) == ("1", "2,34", "01/11/2019")


def test_no_leaders_the_next_items_number_is_not_part_of_the_value() -> None:
    got = _values("6) Dân tộc: Kinh 7) Tôn giáo: Không")
    assert got["dan_toc"] == "Kinh" and got["ton_giao"] == "Không"


def test_a_wrapped_value_runs_on_and_ocr_junk_after_a_leader_is_dropped() -> None:
    got = _values("8) Nơi đăng ký hộ khẩu thường trú: Thôn 5, Xã Lộc Châu, Tỉnh Lâm",
                  "Đồng ...................... HH TH 9d",
                  "9) Nơi ở hiện nay: Thôn 5 ........",
                  "22) Kỷ luật: Không 900000 000000000000000000060000")
    assert got["ho_khau_thuong_tru"] == "Thôn 5, Xã Lộc Châu, Tỉnh Lâm Đồng"
    assert got["noi_o_hien_nay"] == "Thôn 5" and got["ky_luat"] == "Không"


def test_labels_are_found_despite_ocr_errors_and_by_their_item_number() -> None:
    got = _values("11) Ngàỵ tuyến dụng: 01/08/1997 ..... Cơ quan tuyển dụng: UBND huyện Đức Trọng ....",
                  "15.5) Ngoại ngữ: Tiếng Anh B ....... 15.6) Tinhọc: Tin học trình độ B ......")
    assert got["ngay_tuyen_dung"] == "01/08/1997" and got["co_quan_tuyen_dung"] == "UBND huyện Đức Trọng"
    assert got["ngoai_ngu"] == "Tiếng Anh B" and got["tin_hoc"] == "Tin học trình độ B"


def test_blank_items_read_as_empty() -> None:
    got = _values("18) Ngày nhập ngũ: ............ Ngày xuất ngũ: ......... Quân hàm cao nhất: ......")
    assert got["ngay_nhap_ngu"] == got["ngay_xuat_ngu"] == got["quan_ham"] == ""


@pytest.fixture(scope="module")
def born_digital(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    from samples.forms import generate_forms

    folder = tmp_path_factory.mktemp("forms")
    generate_forms(folder, n_dossiers=15, seed=3, workers=2)
    return folder, json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))


def test_born_digital_cvs_of_every_layout(born_digital: tuple[Path, dict]) -> None:
    from extractors.document import read_document
    from schemas.settings import Limits, OcrOptions

    folder, truth = born_digital
    files = {f["file"]: f for f in truth["files"]}
    seen = set()
    for document in truth["documents"]:
        first = files[document["pages"][0]["file"]]
        if document["type"] != "so_yeu_ly_lich" or not first["text_layer"]:
            continue
        read = read_document((folder / first["file"]).read_bytes(), Limits(), OcrOptions())
        pages = [read.pages[p["page"] - 1] for p in document["pages"]]
        got = {v.spec.key: v.text for v in read_values(layout(document["layout"]), run_lines(pages))}
        expected = {k: " ".join(v["text"].split()) for k, v in document["fields"].items()}
        right = sum(got.get(k) == v for k, v in expected.items())
        assert right / len(expected) >= 0.9, {k: (v, got.get(k)) for k, v in expected.items()
                                              if got.get(k) != v}
        for key in ("ho_va_ten", "ngay_sinh", "so_cccd"):
            assert got[key] == expected[key]
        seen.add(document["layout"])
    assert seen == {"2c_bnv_2008", "tt06_2023", "2c_tctw_98"}


def test_born_digital_decisions(born_digital: tuple[Path, dict]) -> None:
    from extractors.decision import read_decision
    from extractors.document import read_document
    from schemas.settings import Limits, OcrOptions

    folder, truth = born_digital
    files = {f["file"]: f for f in truth["files"]}
    right = total = 0
    for document in truth["documents"]:
        first = files[document["pages"][0]["file"]]
        if document["type"] != "quyet_dinh" or not first["text_layer"]:
            continue
        read = read_document((folder / first["file"]).read_bytes(), Limits(), OcrOptions())
        pages = [read.pages[p["page"] - 1] for p in document["pages"]]
        got = {v.spec.key: v.text for v in read_decision(layout("quyet_dinh"), pages)}
        for key, field in document["fields"].items():
            total += 1
            right += got.get(key, "") == " ".join(field["text"].split())
        assert got["so_ky_hieu"] == document["fields"]["so_ky_hieu"]["text"]
    assert total and right / total >= 0.9


def test_papers_whose_items_come_in_any_order() -> None:
    birth = layout("giay_khai_sinh")
    page = _page("Họ và tên: VŨ XUÂN QUANG",
                 "Giới tính: Nam Dân tộc: Kinh Quốc tịch: Việt Nam",
                 "Ngày, tháng, năm sinh: 08/02/1994",
                 "Họ và tên cha: Vũ Văn Thành Năm sinh: 1965",
                 "Họ và tên mẹ: Nguyễn Hồng Ngọc Năm sinh: 1968")
    got = {v.spec.key: v.text for v in read_values(birth, run_lines([page]))}
    assert (got["dan_toc"], got["quoc_tich"], got["ngay_sinh"]) == ("Kinh", "Việt Nam", "08/02/1994")
    assert (got["nam_sinh_cha"], got["nam_sinh_me"]) == ("1965", "1968")  # a label printed twice
