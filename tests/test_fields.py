"""Label-value reading from word boxes: hand-made lines for each rule, then born-digital forms
of every layout against their ground truth."""

from __future__ import annotations

import json
from dataclasses import replace
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


def _read(name: str, *lines: str) -> dict[str, str]:
    return {v.spec.key: v.text for v in read_values(layout(name), run_lines([_page(*lines)]))}


def test_a_long_label_that_wraps_is_found_across_its_lines_and_a_paragraph_keeps_its_stop() -> None:
    got = _values("32) NHẬN XÉT, ĐÁNH GIÁ CỦA CƠ QUAN, ĐƠN VỊ QUẢN LÝ VÀ SỬ DỤNG CÁN BỘ,",
                  "CÔNG CHỨC",
                  "Lý lịch rõ ràng; bản thân chấp hành tốt",
                  "các quy định của cơ quan.")
    assert got["nhan_xet"] == "Lý lịch rõ ràng; bản thân chấp hành tốt các quy định của cơ quan."
    got = _read("2c_tctw_98",
                "- Khai rõ: bị bắt, bị tù (từ ngày tháng năm nào đến ngày tháng năm nào, ở đâu), đã khai",
                "báo cho ai, những vấn đề gì?: Không")
    assert got["lich_su_ban_than"] == "Không"


def test_a_wrapped_value_keeps_the_punctuation_at_its_line_ends() -> None:
    got = _values("8) Nơi đăng ký hộ khẩu thường trú: Thôn 5, Xã Lộc Châu,",
                  "Tỉnh Lâm Đồng")
    assert got["ho_khau_thuong_tru"] == "Thôn 5, Xã Lộc Châu, Tỉnh Lâm Đồng"


def test_a_title_in_capitals_is_not_the_continuation_of_a_value() -> None:
    got = _read("2c_tctw_98", "Đơn vị cơ sở: Phòng Tư pháp huyện Di Linh", "SƠ YẾU LÝ LỊCH",
                "1) Họ và tên khai sinh: NGUYỄN VĂN AN")
    assert got["don_vi_co_so"] == "Phòng Tư pháp huyện Di Linh"


def test_a_paragraph_without_a_label_is_read_under_its_items_line() -> None:
    got = _read("phieu_bo_sung_ly_lich",
                "4) Những nội dung bổ sung từ ngày: 01/01/2021 ...... đến ngày: 31/12/2021 ......",
                "- Được nâng bậc lương thường xuyên từ bậc 3 lên bậc 4, ngạch Chuyên viên (mã số",
                "01.003), kể từ ngày 01 tháng 8 năm 2021.",
                "Lâm Đồng, ngày 27 tháng 01 năm 2022")
    assert (got["tu_ngay"], got["den_ngay"]) == ("01/01/2021", "31/12/2021")
    assert got["noi_dung_bo_sung"] == ("- Được nâng bậc lương thường xuyên từ bậc 3 lên bậc 4, ngạch Chuyên "
                                       "viên (mã số 01.003), kể từ ngày 01 tháng 8 năm 2021.")


def test_a_date_in_words_runs_on_to_the_next_line() -> None:
    got = _read("giay_khai_sinh", "Ngày, tháng, năm sinh: 27/01/1972",
                "ghi bằng chữ: Ngày hai mươi bảy, tháng một, năm một nghìn chín trăm bảy",
                "mươi hai", "Nơi sinh: Xã Liêng Srônh, Huyện Đam Rông, Tỉnh Lâm Đồng")
    assert got["ngay_sinh_bang_chu"].endswith("chín trăm bảy mươi hai")
    assert got["ngay_sinh"] == "27/01/1972"


def test_a_word_glued_to_its_leader_gets_its_case_back() -> None:
    got = _values("22) Kỷ luật: UBND.........", "23) Tình trạng sức khoẻ: TỐT................")
    assert got["suc_khoe"] == "Tốt" and got["ky_luat"] == "UBND"


def _placed(*lines: tuple[str, float]) -> PageText:
    """Like _page, each line starting at its own x (a centred title)."""
    words = []
    for row, (text, x) in enumerate(lines):
        for word in text.split():
            width = 22.0 * len(word)
            words.append(Word(word, x, 300 + 60 * row, x + width, 340 + 60 * row, 90.0, row))
            x += width + 18
    return PageText(1, TextSource.ocr, "\n".join(t for t, _ in lines), words, 2480, 3508, "px", dpi=300)


def test_a_centred_title_under_a_short_label_and_the_date_line_of_a_degree() -> None:
    page = _placed(("HIỆU TRƯỞNG TRƯỜNG ĐẠI HỌC ĐÀ LẠT", 600), ("cấp", 1150),
                   ("BẰNG TỐT NGHIỆP ĐẠI HỌC", 800), ("Ngành: Luật", 300),
                   ("Số hiệu: C 546445", 300), ("Đà Lạt, ngày 23 tháng 7 năm 2012", 1300))
    got = {v.spec.key: v.text for v in read_values(layout("van_bang"), run_lines([page]))}
    assert got["co_so_cap"] == "TRƯỜNG ĐẠI HỌC ĐÀ LẠT"
    assert got["loai_van_bang"] == "BẰNG TỐT NGHIỆP ĐẠI HỌC"
    assert got["ngay_cap"] == "ngày 23 tháng 7 năm 2012"


def test_a_signer_whose_first_letters_are_hidden_is_still_read() -> None:
    from extractors.decision import _signer
    from extractors.fields import page_lines

    page = _placed(("KT. CHỦ TỊCH", 1500), ("PHÓ CHỦ TỊCH", 1500), ("ạm Văn Hòa", 1500))
    words = _signer(page_lines(page, 1), 595.0)
    assert [w.text for w in words] == ["ạm", "Văn", "Hòa"]


def test_a_dash_between_words_does_not_end_the_value() -> None:
    """A dash is a few pixels tall: the gap after it is measured against the line's letters."""
    page = _page("Đơn vị sử dụng công chức: Phòng Tài chính - Kế hoạch huyện Lâm Hà")
    # as printed: a short stroke at mid-height, not a letter box
    page.words = [replace(w, y0=w.y0 + 18, y1=w.y0 + 22) if w.text == "-" else w for w in page.words]
    got = {v.spec.key: v.text for v in read_values(layout("tt06_2023"), run_lines([page]))}
    assert got["don_vi_su_dung"] == "Phòng Tài chính - Kế hoạch huyện Lâm Hà"


def test_the_date_line_after_a_misread_comma_and_not_the_birth_date_prompt() -> None:
    got = _values("Ngày, tháng, năm sinh: 12/03/1978",
                  "Lâm Hà. ngày 08 thủng 8 năm 2023")
    assert got["ngay_khai"] == "ngày 08 thủng 8 năm 2023"
    only_prompt = _values("3) Ngày, tháng, năm sinh: 12/03/1978")
    assert not only_prompt.get("ngay_khai")


def test_a_name_in_capitals_that_wraps_beside_the_photo_is_read_whole() -> None:
    got = _values("1) Họ và tên khai sinh (viết chữ in hoa): NGUYỄN CÔNG", "NHIÊN",
                  "2) Tên gọi khác: Không")
    assert got["ho_va_ten"] == "NGUYỄN CÔNG NHIÊN" and got["ten_goi_khac"] == "Không"
    # A heading after the name is not part of it: it is in small letters or a run of capitals
    # of its own, and a label stops it.
    got = _values("1) Họ và tên khai sinh (viết chữ in hoa): TRẦN VĂN AN", "2) Tên gọi khác: Không")
    assert got["ho_va_ten"] == "TRẦN VĂN AN"


def test_the_signers_name_is_read_under_the_signature_not_from_it() -> None:
    page = _placed(("Người khai", 600), ("(Ký, ghi rõ họ tên)", 560), ("VÀ Ai", 560), ("Vũ Xuân Khoa", 560))
    # The signature is written by hand, three times the height of the print; the name under it.
    page.words = [replace(w, y1=w.y0 + 120) if w.line == 2 else
                  replace(w, y0=w.y0 + 80, y1=w.y1 + 80) if w.line == 3 else w for w in page.words]
    got = {v.spec.key: v.text for v in read_values(BNV, run_lines([page]))}
    assert got["nguoi_khai"] == "Vũ Xuân Khoa"


def test_a_degree_signed_by_a_director_names_its_academy() -> None:
    page = _placed(("GIÁM ĐỐC HỌC VIỆN HÀNH CHÍNH QUỐC GIA", 600), ("cấp", 1150),
                   ("BẰNG TỐT NGHIỆP ĐẠI HỌC", 800))
    got = {v.spec.key: v.text for v in read_values(layout("van_bang"), run_lines([page]))}
    assert got["co_so_cap"] == "HỌC VIỆN HÀNH CHÍNH QUỐC GIA"
