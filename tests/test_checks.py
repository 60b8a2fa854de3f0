"""Cross-checks of one document: a consistent record passes every check; each kind of
inconsistency fails with the right keys and a message that says what disagrees."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.checks import (
    CheckFailure,
    cell_key,
    parse_period,
    parse_when,
    province_codes,
    provinces,
    run_checks,
    split_key,
)

TODAY = date(2023, 6, 1)

# A consistent 2C-BNV/2008 record: a man born in Lâm Đồng in 1978.
RECORD: dict[str, str | None] = {
    "ho_va_ten": "Nguyễn Văn An",
    "so_cccd": "068078001234",
    "gioi_tinh": "Nam",
    "ngay_sinh": "1978-03-12",
    "noi_sinh": "Xã Hiệp Thạnh, huyện Đức Trọng, tỉnh Lâm Đồng",
    "que_quan": "Xã Nghĩa Hưng, huyện Nghĩa Đàn, tỉnh Nghệ An",
    "ngay_tuyen_dung": "2000-09-01",
    "ngay_vao_dang": "2005-05-19",
    "ngay_chinh_thuc": "2006-05-19",
    "ngay_cap_cccd": "2021-06-10",
    "ngay_huong_luong": "2020-09",
    "ngay_khai": "2022-08-15",
    "ton_giao": "Không",
    "so_bhxh": None,
}
TABLES: dict[str, list[dict[str, str | None]]] = {
    "dao_tao": [
        {"ten_truong": "Đại học Đà Lạt", "thoi_gian": "09/1996 - 06/2000"},
        {"ten_truong": "Học viện Chính trị khu vực II", "thoi_gian": "03/2010 - 12/2011"},
    ],
    "qua_trinh_cong_tac": [
        {"thoi_gian": "09/2000 - 06/2005", "chuc_danh_don_vi": "Chuyên viên"},
        {"thoi_gian": "07/2005 - 12/2015", "chuc_danh_don_vi": "Phó phòng"},
        {"thoi_gian": "01/2016 - nay", "chuc_danh_don_vi": "Trưởng phòng"},
    ],
    "gia_dinh_ban_than": [
        {"moi_quan_he": "Bố đẻ", "ho_va_ten": "Nguyễn Văn Bình", "nam_sinh": "1950"},
        {"moi_quan_he": "Mẹ đẻ", "ho_va_ten": "Trần Thị Hoa", "nam_sinh": "1953"},
        {"moi_quan_he": "Con", "ho_va_ten": "Nguyễn Văn Cường", "nam_sinh": "2005"},
    ],
    "dien_bien_luong": [{"thang_nam": "2000-09"}, {"thang_nam": "2003-09"}, {"thang_nam": "2006-09"}],
}


def checks(changes: dict[str, str | None] | None = None,
           tables: dict[str, list[dict[str, str | None]]] | None = None) -> list[CheckFailure]:
    return run_checks({**RECORD, **(changes or {})}, {**TABLES, **(tables or {})}, today=TODAY)


def only(failures: list[CheckFailure], check: str) -> CheckFailure:
    """The one failure there is, of the kind expected."""
    assert len(failures) == 1, failures
    assert failures[0].check == check, failures
    return failures[0]


def test_a_consistent_record_passes() -> None:
    assert checks() == []


def test_missing_values_are_never_failures() -> None:
    assert run_checks({}, today=TODAY) == []
    empty_row = {"qua_trinh_cong_tac": [{"thoi_gian": None}]}
    assert run_checks({k: None for k in RECORD}, empty_row, today=TODAY) == []
    assert run_checks({"so_cccd": "068078001234"}, today=TODAY) == []


def test_unparseable_values_are_left_to_the_normalizer() -> None:
    assert checks({"ngay_sinh": "không rõ", "ngay_khai": None, "so_cccd": "0680"}) == []


def test_default_today_is_the_real_today() -> None:
    failure = only(run_checks({"ngay_cap_cccd": "2999-01-01"}), "future")
    assert failure.keys == ("ngay_cap_cccd",)


# ---------------------------------------------------------------- CCCD structure

def test_place_code_must_be_a_province() -> None:
    failure = only(checks({"so_cccd": "099078001234"}), "cccd_place")
    assert failure.keys == ("so_cccd",)
    assert "099" in failure.message and "province" in failure.message


def test_province_codes_are_the_63_of_circular_07_2016() -> None:
    codes = provinces()
    assert len(codes) == 63
    assert codes["001"] == "Hà Nội" and codes["079"] == "TP Hồ Chí Minh" and codes["068"] == "Lâm Đồng"
    assert codes["046"] == "Thừa Thiên Huế" and codes["096"] == "Cà Mau"
    assert "003" not in codes and "050" not in codes


@pytest.mark.parametrize(("digit", "gender", "born"), [
    ("0", "Nam", "1978-03-12"), ("1", "Nữ", "1978-03-12"),  # 0/1: male/female born 1900–1999
    ("2", "Nam", "2003-03-12"), ("3", "Nữ", "2003-03-12"),  # 2/3: male/female born 2000–2099
])
def test_gender_and_century_digit_consistent(digit: str, gender: str, born: str) -> None:
    number = f"068{digit}{born[2:4]}001234"
    assert run_checks({"so_cccd": number, "gioi_tinh": gender, "ngay_sinh": born}, today=TODAY) == []


@pytest.mark.parametrize(("digit", "gender", "born", "expected"), [
    ("0", "Nữ", "1978-03-12", {"cccd_gender"}),  # 0: male, 1900s
    ("1", "Nam", "1978-03-12", {"cccd_gender"}),  # 1: female, 1900s
    ("2", "Nam", "1978-03-12", {"cccd_century"}),  # 2: male, 2000s
    ("3", "Nữ", "1978-03-12", {"cccd_century"}),  # 3: female, 2000s
    ("0", "Nam", "2003-03-12", {"cccd_century"}),
    ("1", "Nam", "2003-03-12", {"cccd_gender", "cccd_century"}),
    ("4", "Nam", "1978-03-12", {"cccd_century"}),  # 4: male, 2100s
])
def test_gender_and_century_digit_inconsistent(digit: str, gender: str, born: str,
                                               expected: set[str]) -> None:
    number = f"068{digit}{born[2:4]}001234"
    failures = run_checks({"so_cccd": number, "gioi_tinh": gender, "ngay_sinh": born}, today=TODAY)
    assert {f.check for f in failures} == expected
    for failure in failures:
        other = "gioi_tinh" if failure.check == "cccd_gender" else "ngay_sinh"
        assert failure.keys == ("so_cccd", other)
        assert f"digit 4 is {digit}" in failure.message


def test_gender_digit_message() -> None:
    failure = only(checks({"gioi_tinh": "Nữ"}), "cccd_gender")
    assert failure.message == "CCCD 068078******: digit 4 is 0 (male, born 1900–1999) but gioi_tinh is Nữ"


def test_birth_year_digits() -> None:
    failure = only(run_checks({"so_cccd": "068094034561", "ngay_sinh": "1995-02-08"}, today=TODAY),
                   "cccd_birth_year")
    assert failure.keys == ("so_cccd", "ngay_sinh")
    assert failure.message == "CCCD 068094****** says born 1994 (digits 5-6) but ngay_sinh is 1995-02-08"


def test_messages_mask_the_id_number() -> None:
    failures = checks({"gioi_tinh": "Nữ", "ngay_sinh": "1979-01-01"})
    assert failures and all("068078001234" not in f.message for f in failures)


def test_old_9_digit_cmnd_has_no_structure_to_check() -> None:
    assert checks({"so_cccd": "250123456", "gioi_tinh": "Nữ"}) == []


def test_ma_so_dinh_danh_is_checked_too() -> None:
    failure = only(checks({"ma_so_dinh_danh": "068178001234"}), "cccd_gender")
    assert failure.keys == ("ma_so_dinh_danh", "gioi_tinh")


def test_place_code_against_birthplace() -> None:
    elsewhere = {"noi_sinh": "Xã Đông Hội, huyện Đông Anh, thành phố Hà Nội", "que_quan": "Hà Nội"}
    failure = only(checks(elsewhere), "cccd_birthplace")
    assert failure.keys == ("so_cccd", "noi_sinh")
    assert "068 is Lâm Đồng" in failure.message and "Đông Anh" in failure.message


@pytest.mark.parametrize("changes", [
    {"noi_sinh": "Hà Nội", "que_quan": "Đức Trọng, Lâm Đồng"},  # born elsewhere, registered at home
    {"noi_sinh": "Hà Nội", "ho_khau_thuong_tru": "Phường 1, thành phố Đà Lạt, tỉnh Lâm Đồng"},
    {"noi_sinh": "Xã Hòa Bình, huyện Krông Pắc"},  # names no province (a commune named like one)
    {"noi_sinh": "Xã Đạo Nghĩa, huyện Đắk R'lấp, tỉnh Đắk Nông", "so_cccd": "067078001234"},
    {"noi_sinh": "Bình Thuận (nay là tỉnh Lâm Đồng)"},  # 2025 merger: Lâm Đồng may mean 060
    {"noi_sinh": "Huyện Thuận An, tỉnh Sông Bé", "so_cccd": "074078001234"},  # a former province
])
def test_place_code_consistent_with_some_place(changes: dict[str, str]) -> None:
    assert checks(changes) == []


def test_province_codes_of_places() -> None:
    assert province_codes("Xã Hiệp Thạnh, huyện Đức Trọng, tỉnh Lâm Đồng") >= {"068"}
    assert province_codes("Phường 3, TP.HCM") >= {"079"}
    assert province_codes("xã Hòa Bình, huyện Kỳ Sơn, tỉnh Hòa Bình") == {"017"}
    assert province_codes("Thừa Thiên - Huế") == {"046"}
    assert province_codes("Hải Hưng") == {"030", "033"}
    assert province_codes("Xã Hòa Bình, huyện Krông Pắc") == set()
    assert province_codes(None) == set()


def test_12_digit_card_before_2012() -> None:
    failure = only(checks({"ngay_cap_cccd": "2008-05-04"}), "cccd_issue_date")
    assert failure.keys == ("so_cccd", "ngay_cap_cccd")


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("born", ["1925-01-01", "2012-01-01"])
def test_birth_out_of_range(born: str) -> None:
    failures = run_checks({"ngay_sinh": born}, today=TODAY)
    failure = only(failures, "birth_range")
    assert failure.keys == ("ngay_sinh",) and born in failure.message


def test_birth_just_in_range() -> None:
    assert run_checks({"ngay_sinh": "1930-01-01"}, today=TODAY) == []
    assert run_checks({"ngay_sinh": "2007-06-01"}, today=TODAY) == []  # 16 today
    assert only(run_checks({"ngay_sinh": "2007-06-02"}, today=TODAY), "birth_range")


def test_official_membership_before_joining() -> None:
    failure = only(checks({"ngay_chinh_thuc": "2005-01-10"}), "order")
    assert failure.keys == ("ngay_vao_dang", "ngay_chinh_thuc")
    assert failure.message == "ngay_chinh_thuc 2005-01-10 is not after ngay_vao_dang 2005-05-19"


def test_official_membership_same_day_as_joining() -> None:
    assert only(checks({"ngay_chinh_thuc": "2005-05-19"}), "order")


@pytest.mark.parametrize("official", ["2005-07-19", "2008-01-01"])
def test_probation_far_from_12_months(official: str) -> None:
    failure = only(checks({"ngay_chinh_thuc": official}), "party_probation")
    assert failure.keys == ("ngay_vao_dang", "ngay_chinh_thuc")
    assert "12 months" in failure.message and official in failure.message


@pytest.mark.parametrize("official", ["2006-05-19", "2006-03-01", "2006-09-30"])
def test_probation_about_12_months(official: str) -> None:
    assert checks({"ngay_chinh_thuc": official}) == []


def test_joining_the_party_before_18() -> None:
    failure = only(checks({"ngay_vao_dang": "1995-05-19", "ngay_chinh_thuc": "1996-05-19"}), "age")
    assert failure.keys == ("ngay_vao_dang", "ngay_sinh")
    assert "18th birthday" in failure.message


def test_recruitment_before_16th_birthday() -> None:
    failure = only(checks({"ngay_tuyen_dung": "1993-09-01"}), "age")
    assert failure.keys == ("ngay_tuyen_dung", "ngay_sinh")
    assert failure.message == "ngay_tuyen_dung 1993-09-01 is before the 16th birthday (ngay_sinh 1978-03-12)"
    assert checks({"ngay_tuyen_dung": "1994-03-12"}) == []  # on the birthday itself


def test_cccd_issued_before_14th_birthday() -> None:
    failure = only(run_checks({"ngay_sinh": "1978-03-12", "ngay_cap_cccd": "1990-01-01"}, today=TODAY), "age")
    assert failure.keys == ("ngay_cap_cccd", "ngay_sinh")
    assert "14th birthday" in failure.message


def test_cccd_issued_in_the_future() -> None:
    failures = checks({"ngay_cap_cccd": "2024-01-01"})
    assert {f.check for f in failures} == {"future", "declaration"}
    future = next(f for f in failures if f.check == "future")
    assert future.keys == ("ngay_cap_cccd",) and "2023-06-01" in future.message


def test_any_date_before_birth() -> None:
    failure = only(checks({"ngay_tham_gia_cach_mang": "1970-01-01"}), "age")
    assert failure.keys == ("ngay_tham_gia_cach_mang", "ngay_sinh")
    assert "before the birth" in failure.message


def test_declaration_after_everything_else() -> None:
    failure = only(checks({"ngay_khai": "2021-01-01"}), "declaration")
    assert failure.keys == ("ngay_khai", "ngay_cap_cccd")
    assert failure.message == "ngay_cap_cccd 2021-06-10 is after the declaration date ngay_khai 2021-01-01"


def test_declaration_after_table_periods() -> None:
    late = {"qua_trinh_cong_tac": [{"thoi_gian": "09/2000 - 06/2005"}, {"thoi_gian": "07/2005 - 10/2022"}]}
    failure = only(checks(tables=late), "declaration")
    assert failure.keys == ("ngay_khai", "qua_trinh_cong_tac[1].thoi_gian")
    assert "row 2" in failure.message and "10/2022" in failure.message


def test_month_precision_compares_by_month() -> None:
    # declared in August 2022, salary from "08/2022": the same month, not later
    assert checks({"ngay_huong_luong": "2022-08"}) == []
    failure = only(checks({"ngay_huong_luong": "2022-09"}), "declaration")
    assert failure.keys == ("ngay_khai", "ngay_huong_luong")


def test_military_service_order() -> None:
    failure = only(checks({"ngay_nhap_ngu": "1998-02-01", "ngay_xuat_ngu": "1996-02-01"}), "order")
    assert failure.keys == ("ngay_nhap_ngu", "ngay_xuat_ngu")


# ---------------------------------------------------------------- tables

def test_period_from_after_to() -> None:
    rows = [{"thoi_gian": "09/2000 - 06/2005"}, {"thoi_gian": "12/2015 - 07/2005"},
            {"thoi_gian": "01/2016 - nay"}]
    failure = only(checks(tables={"qua_trinh_cong_tac": rows}), "period")
    assert failure.keys == ("qua_trinh_cong_tac[1].thoi_gian",)
    assert failure.message == "qua_trinh_cong_tac row 2: from 12/2015 is after to 07/2005"


def test_periods_out_of_order() -> None:
    rows = [{"thoi_gian": "09/2000 - 06/2005"}, {"thoi_gian": "01/2016 - nay"},
            {"thoi_gian": "07/2005 - 12/2015"}]
    failure = only(checks(tables={"qua_trinh_cong_tac": rows}), "period_order")
    assert failure.keys == ("qua_trinh_cong_tac[1].thoi_gian", "qua_trinh_cong_tac[2].thoi_gian")
    assert "row 3" in failure.message and "row 2" in failure.message


def test_tt06_periods_in_two_columns() -> None:
    rows = [{"tu": "09/2000", "den": "06/2005"}, {"tu": "07/2005", "den": "Nay"}]
    assert checks(tables={"qua_trinh_cong_tac": rows}) == []
    rows = [{"tu": "09/2000", "den": "06/2005"}, {"tu": "07/2005", "den": "06/2003"}]
    failure = only(checks(tables={"qua_trinh_cong_tac": rows}), "period")
    assert failure.keys == ("qua_trinh_cong_tac[1].tu", "qua_trinh_cong_tac[1].den")


def test_salary_grid_in_time_order() -> None:
    grid = [{"thang_nam": "2000-09"}, {"thang_nam": "2006-09"}, {"thang_nam": "2003-09"}]
    failure = only(checks(tables={"dien_bien_luong": grid}), "period_order")
    assert failure.keys == ("dien_bien_luong[1].thang_nam", "dien_bien_luong[2].thang_nam")


def test_period_before_birth() -> None:
    rows = [{"thoi_gian": "09/1970 - 06/1975"}]
    failure = only(checks(tables={"dao_tao": rows}), "period_birth")
    assert failure.keys == ("dao_tao[0].thoi_gian", "ngay_sinh")


def test_family_years() -> None:
    rows = [{"moi_quan_he": "Bố đẻ", "nam_sinh": "1950"}, {"moi_quan_he": "Mẹ đẻ", "nam_sinh": "1975"},
            {"moi_quan_he": "Con", "nam_sinh": "1985"}, {"moi_quan_he": "Mẹ kế", "nam_sinh": "1979"},
            {"moi_quan_he": "Con nuôi", "nam_sinh": "1980"}]
    failures = checks(tables={"gia_dinh_ban_than": rows})
    assert [f.keys for f in failures] == [("gia_dinh_ban_than[1].nam_sinh", "ngay_sinh"),
                                          ("gia_dinh_ban_than[2].nam_sinh", "ngay_sinh")]
    assert all(f.check == "family_age" for f in failures)
    assert "Mẹ đẻ" in failures[0].message and "1975" in failures[0].message


def test_birth_certificate_parents() -> None:
    failure = only(run_checks({"ngay_sinh": "1978-03-12", "nam_sinh_me": "1970"}, today=TODAY), "family_age")
    assert failure.keys == ("nam_sinh_me", "ngay_sinh")


# ---------------------------------------------------------------- helpers

def test_cell_keys_round_trip() -> None:
    assert split_key(cell_key("dao_tao", 2, "thoi_gian")) == ("dao_tao", 2, "thoi_gian")
    assert split_key("ngay_sinh") == ("ngay_sinh", None, None)


@pytest.mark.parametrize(("text", "lo", "hi"), [
    ("1978-03-12", date(1978, 3, 12), date(1978, 3, 12)),
    ("1978-02", date(1978, 2, 1), date(1978, 2, 28)),
    ("1978", date(1978, 1, 1), date(1978, 12, 31)),
    ("12/03/1978", date(1978, 3, 12), date(1978, 3, 12)),
    ("T3/1978", date(1978, 3, 1), date(1978, 3, 31)),
])
def test_parse_when(text: str, lo: date, hi: date) -> None:
    span = parse_when(text)
    assert span is not None and (span.lo, span.hi) == (lo, hi)


def test_parse_when_refuses() -> None:
    assert parse_when("không rõ") is None and parse_when("31/02/1978") is None and parse_when(None) is None


@pytest.mark.parametrize(("text", "start", "end"), [
    ("07/2016 - 10/2019", date(2016, 7, 1), date(2019, 10, 1)),
    ("7/2016-10/2019", date(2016, 7, 1), date(2019, 10, 1)),
    ("Từ tháng 7/2016 đến tháng 10/2019", date(2016, 7, 1), date(2019, 10, 1)),
    ("2016 – 2019", date(2016, 1, 1), date(2019, 1, 1)),
    ("12/03/2016 - 05/04/2018", date(2016, 3, 12), date(2018, 4, 5)),
    ("07/2016 - nay", date(2016, 7, 1), None),
    ("Từ 07/2016 đến nay", date(2016, 7, 1), None),
])
def test_parse_period(text: str, start: date, end: date | None) -> None:
    period = parse_period(text)
    assert period.start is not None and period.start.lo == start
    assert (period.end.lo if period.end else None) == end
