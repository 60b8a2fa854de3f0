"""Addresses: administrative units put back as the official list spells them."""

from __future__ import annotations

import pytest

from extractors.normalize import normalize
from extractors.places import restore_place


@pytest.mark.parametrize(("read", "want"), [
    # a lost or wrong mark: the letters match one commune of the district exactly
    ("Thị trấn Lộc Tháng, Huyện Bảo Lâm, Tỉnh Lâm Đồng",
     "Thị trấn Lộc Thắng, Huyện Bảo Lâm, Tỉnh Lâm Đồng"),
    ("Xã Rõ Men, Huyện Đam Rông, Tỉnh Lâm Đồng", "Xã Rô Men, Huyện Đam Rông, Tỉnh Lâm Đồng"),
    # the unit words too, and a semicolon OCR made of a comma
    ("Xã Ninh Giá, Huyền Đức Trong, Tĩnh Lâm Đồng", "Xã Ninh Gia, Huyện Đức Trọng, Tỉnh Lâm Đồng"),
    ("Phường 1; Thành phổ Đà Lạt, Tỉnh Lâm Đồng", "Phường 1, Thành phố Đà Lạt, Tỉnh Lâm Đồng"),
    # outside Lâm Đồng, and in running text
    ("Ủy ban nhân dân xã Quỳnh Đôi, huyện Quỳnh Lưu, tỉnh Nghệ Ăn",
     "Ủy ban nhân dân xã Quỳnh Đôi, huyện Quỳnh Lưu, tỉnh Nghệ An"),
    # what names no unit is kept as read
    ("Số 153 đường Lý Thường Kiệt, Phường Lộc Phát, Thành phố Bảo Lộc, Tỉnh Lâm Đồng",
     "Số 153 đường Lý Thường Kiệt, Phường Lộc Phát, Thành phố Bảo Lộc, Tỉnh Lâm Đồng"),
])
def test_units_are_spelled_as_officially(read: str, want: str) -> None:
    assert restore_place(read)[0] == want


def test_a_damaged_name_close_to_one_unit_is_taken_with_a_doubt() -> None:
    value, doubts = restore_place("Phường Lộc Phát, Thành phố Bảo Lộc, Tỉnh FLam Đồng")
    assert value.endswith("Tỉnh Lâm Đồng") and len(doubts) == 1 and "FLam Đồng" in doubts[0]
    read = normalize("place", "Thôn 6, Xã Mê Linh, Huyện Lâm Hà, Tỉnh Lầãm Đồng")
    assert read.value == "Thôn 6, Xã Mê Linh, Huyện Lâm Hà, Tỉnh Lâm Đồng" and read.certainty < 1


def test_what_cannot_be_told_apart_is_left_as_read() -> None:
    # Not close to any district of Lâm Đồng, and a commune without a district found: as read.
    assert restore_place("Xã Xyz, Huyện Qwerty, Tỉnh Lâm Đồng")[0] == "Xã Xyz, Huyện Qwerty, Tỉnh Lâm Đồng"
    # One part, no province to look it up under.
    assert restore_place("Xã Tả Nung") == ("Xã Tả Nung", [])
    # "Phường 1" is in many districts: under no district it is not guessed (nor changed).
    assert restore_place("Phường 1, Tỉnh Lâm Đồng")[0] == "Phường 1, Tỉnh Lâm Đồng"


def test_a_family_rows_place_and_occupation_keep_their_semicolon() -> None:
    """The family tables write "<place>; <occupation>", the province often without "Tỉnh", or
    left out: the district is then looked up in the whole country (an exact match only)."""
    assert restore_place("Xã Quỳnh Đôi, Huyện Qưỳnh Lưu, Nghệ An; Buôn bán")[0] == \
        "Xã Quỳnh Đôi, Huyện Quỳnh Lưu, Nghệ An; Buôn bán"
    assert restore_place("Thị trấn Định Văn, Huyện Lâm Hà; Viên chức Trung tâm Y tế")[0] == \
        "Thị trấn Đinh Văn, Huyện Lâm Hà; Viên chức Trung tâm Y tế"
    assert restore_place("Xã Liêng Sronh, Huyện Đam Rông; Làm nông")[0] == \
        "Xã Liêng Srônh, Huyện Đam Rông; Làm nông"
    # No unit at all: nothing changes, not even the separators.
    assert restore_place("Làm nông; Đã mất năm 2016")[0] == "Làm nông; Đã mất năm 2016"


def test_family_names_in_tables_are_normalized_as_names() -> None:
    from schemas.catalog import layout

    for name in ("2c_bnv_2008", "2c_tctw_98", "tt06_2023"):
        tables = {t.key: t for t in layout(name).tables}
        for key in (k for k in tables if k.startswith("gia_dinh")):
            kinds = {c.key: c.type for c in tables[key].columns}
            assert kinds["ho_va_ten"] == "name" and kinds["thong_tin"] == "place", (name, key)
    assert normalize("name", "Trân Ngọc Thảo").value == "Trần Ngọc Thảo"
