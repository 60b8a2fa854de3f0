"""Normalization of raw OCR values per catalog type: clean parses, OCR repairs (with lower
certainty and a reason), and refusals (None) for what cannot be a value of the type."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from pathlib import Path
from typing import get_args

import pytest

from extractors.normalize import LEXICON, Normalized, lexicon, normalize, proper_case, tone_variant
from schemas.catalog import ValueType, layouts


def n(kind: ValueType, raw: str) -> Normalized:
    return normalize(kind, raw)


def clean(kind: ValueType, raw: str) -> str | None:
    """The value of a parse that needed no repair."""
    result = n(kind, raw)
    assert result.certainty == 1.0 and result.problems == [], result
    return result.value


def repaired(kind: ValueType, raw: str) -> Normalized:
    """A parse that needed repair: a value, less than full certainty, a reason."""
    result = n(kind, raw)
    assert result.value is not None and 0 < result.certainty < 1 and result.problems, result
    return result


def refused(kind: ValueType, raw: str) -> list[str]:
    result = n(kind, raw)
    assert result.value is None and result.certainty == 0.0 and result.problems, result
    return result.problems


# ---------------------------------------------------------------- the module and its data

def test_every_catalog_type_has_a_normalizer() -> None:
    used = {f.type for spec in layouts().values() for f in spec.fields}
    used |= {c.type for spec in layouts().values() for t in spec.tables for c in t.columns}
    assert used <= set(get_args(ValueType))
    for kind in get_args(ValueType):
        assert n(kind, "").value is None
        assert n(kind, "  …  ").value is None


def test_normalized_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        n("text", "x").value = "y"  # type: ignore[misc]


def test_lexicon_files_are_valid_nfc_json() -> None:
    files = sorted(Path(LEXICON).glob("*.json"))
    assert {f.name for f in files} >= {"names.json", "ethnicities.json", "religions.json", "levels.json",
                                      "provinces.json"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, path.name
        json.loads(text)


def test_the_54_ethnic_groups() -> None:
    entries = lexicon("ethnicities.json")["entries"]
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names)) == 54
    for entry in entries:  # every spelling of the list snaps to its own group, cleanly
        for spelling in [entry["name"], *entry["variants"]]:
            assert clean("ethnicity", spelling) == entry["name"], spelling


def test_religion_spellings_snap_to_their_entry() -> None:
    for entry in lexicon("religions.json")["entries"]:
        for spelling in [entry["name"], *entry["variants"]]:
            assert clean("religion", spelling) == entry["name"], spelling


def test_name_lexicon_is_proper_case() -> None:
    data = lexicon("names.json")
    for key in ("surnames", "given", "given_only"):
        for syllable in data[key]:
            assert syllable == proper_case(syllable) and " " not in syllable, syllable
    assert len(data["surnames"]) + len(data["given"]) > 400
    assert "Thi" not in data["surnames"] + data["given"]  # "THI" mid-name is OCR for Thị


# ---------------------------------------------------------------- text

@pytest.mark.parametrize(("raw", "value"), [
    ("Đại học Luật", "Đại học Luật"),
    ("  Đại  học\tLuật ....  ", "Đại học Luật"),
    (": Kỹ sư nông nghiệp -", "Kỹ sư nông nghiệp"),
    ("Trưởng phòng…", "Trưởng phòng"),
    ("KHÔNG", "Không"),
    ("không", "Không"),
    ("Khong", "Không"),
    ("Xã Hiệp Thạnh, huyện Đức Trọng, tỉnh Lâm Đồng.", "Xã Hiệp Thạnh, huyện Đức Trọng, tỉnh Lâm Đồng"),
])
def test_text_is_cleaned_as_printed(raw: str, value: str) -> None:
    assert clean("text", raw) == value


def test_text_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Trãi")
    assert n("text", decomposed).value == "Nguyễn Trãi"


# ---------------------------------------------------------------- names

@pytest.mark.parametrize(("raw", "value"), [
    ("VŨ XUÂN QUANG", "Vũ Xuân Quang"),
    ("NGUYỄN THỊ MINH KHAI", "Nguyễn Thị Minh Khai"),
    ("trần   văn  hùng", "Trần Văn Hùng"),
    ("LÊ THỊ THU HOÀ", "Lê Thị Thu Hoà"),  # the other tone placement is a spelling, not an error
    ("LÊ THỊ THU HÒA", "Lê Thị Thu Hòa"),
    ("Võ Nguyên Giáp", "Võ Nguyên Giáp"),  # Nguyên is a real middle name
    ("NGUYỄN THỊ THI", "Nguyễn Thị Thi"),  # and Thi a real last one
    ("ĐẶNG THỊ DIỄM", "Đặng Thị Diễm"),
])
def test_names_clean(raw: str, value: str) -> None:
    assert clean("name", raw) == value


@pytest.mark.parametrize(("raw", "value"), [
    ("NGUYÊN VĂN AN", "Nguyễn Văn An"),  # the first syllable is a surname
    ("NGUYEN VAN AN", "Nguyễn Văn An"),  # all diacritics lost
    ("NGUYỄN THI HOA", "Nguyễn Thị Hoa"),
    ("TRẦN QUANC HÙNG", "Trần Quang Hùng"),  # a letter misread
    ("PHAM THI LAN", "Phạm Thị Lan"),
    ("NGUY3N VĂN B1NH", "Nguyễn Văn Bình"),  # digits read for letters
    ("HA VAN NAM", "Hà Văn Nam"),  # "Ha" is kept only when nothing else lost its diacritics
])
def test_names_repaired(raw: str, value: str) -> None:
    assert repaired("name", raw).value == value


def test_each_name_repair_lowers_certainty() -> None:
    one = repaired("name", "NGUYÊN VĂN AN").certainty
    two = repaired("name", "NGUYÊN VAN AN").certainty
    three = repaired("name", "NGUYÊN VAN BINH").certainty
    assert 1.0 > one > two > three > 0


def test_ambiguous_repair_names_the_alternatives() -> None:
    result = repaired("name", "LO VĂN SƠN")
    assert result.value in ("Lò Văn Sơn", "Lô Văn Sơn")
    assert any("or" in p for p in result.problems)


@pytest.mark.parametrize(("raw", "value"), [
    ("K'BRƠI", "K'Brơi"),
    ("K’Brơi", "K'Brơi"),
    ("Ka Điểm", "Ka Điểm"),
    ("Liêng Hót Ha Thủy", "Liêng Hót Ha Thủy"),
    ("HA SA MI", "Ha Sa Mi"),
    ("Y NGÔNG NIÊ KDĂM", "Y Ngông Niê Kdăm"),
])
def test_minority_names_kept_as_read(raw: str, value: str) -> None:
    result = n("name", raw)
    assert result.value == value
    assert result.certainty >= 0.7


def test_unknown_syllable_kept_with_lower_certainty() -> None:
    result = repaired("name", "TRẦN XYZW AN")
    assert result.value == "Trần Xyzw An"
    assert any("Xyzw" in p for p in result.problems)


def test_well_formed_unknown_syllable_is_not_snapped() -> None:
    """"Ngông" is one letter from "Nương" but is a syllable: a rare name, not an OCR error."""
    assert n("name", "TRẦN NGÔNG AN").value == "Trần Ngông An"
    assert repaired("name", "TRẦN VĂN BINB").value == "Trần Văn Bình"  # no syllable ends in "b"


def test_tone_variant() -> None:
    assert tone_variant("hòa") == "hoà" and tone_variant("hoà") == "hòa"
    assert tone_variant("thủy") == "thuỷ"
    assert tone_variant("quý") is None  # "qu" + y: one placement only
    assert tone_variant("hoàng") is None  # closed syllable: one placement only


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("raw", [
    "12/03/1978", "12/3/1978", "12-03-1978", "12.03.1978", "12 / 03 / 1978", "ngày 12 tháng 3 năm 1978",
    "12 tháng 03 năm 1978", "Ngày 12 tháng 03 năm 1978.", "1978-03-12", "12/03/1978 …", "12/03/1978 -",
])
def test_dates(raw: str) -> None:
    assert clean("date", raw) == "1978-03-12"


@pytest.mark.parametrize("raw", ["l2/O3/1978", "12/03/l978", "12/O3/I978", "I2 tháng 3 năm 1978",
                                 "12/03/197B"])
def test_dates_with_letters_for_digits(raw: str) -> None:
    assert repaired("date", raw).value == "1978-03-12"


@pytest.mark.parametrize(("raw", "iso"), [
    ("ngày [9 tháng 02 năm 2022", "2022-02-19"),  # a bracket for a 1
    ("ngày 23 tháng 9 năm 201]", "2011-09-23"),
    ("ngày T4 tháng 7 năm 2014", "2014-07-14"),  # a flagged 1 read as T: 74 is no day
    ("ngày 28 thủng T2 năm 2023", "2023-12-28"),  # and "tháng" misread around it
])
def test_a_letter_with_two_readings_takes_the_one_that_makes_a_date(raw: str, iso: str) -> None:
    assert repaired("date", raw).value == iso


def test_a_month_prefix_is_still_read_where_tháng_is_not_written() -> None:
    assert clean("month", "T3/1978") == "1978-03"


def test_date_repairs_lower_certainty_per_letter() -> None:
    assert repaired("date", "12/03/l978").certainty > repaired("date", "l2/O3/l978").certainty


def test_date_without_separators_is_doubtful() -> None:
    assert repaired("date", "12031978").value == "1978-03-12"


@pytest.mark.parametrize(("raw", "why"), [
    ("31/02/1978", "no such date"),
    ("29/02/1979", "no such date"),
    ("00/03/1978", "no such date"),
    ("12/13/1978", "no such date"),
    ("12/03/78", "two-digit year"),
    ("12/03/197", "not 4 digits"),
    ("03/1978", "only a month"),
    ("ngày tháng năm", "no day"),
    ("chưa rõ", "no day"),
])
def test_impossible_dates_are_refused(raw: str, why: str) -> None:
    assert any(why in p for p in refused("date", raw))


def test_leap_day() -> None:
    assert clean("date", "29/02/1980") == "1980-02-29"


def test_implausible_year_is_doubtful() -> None:
    result = n("date", "12/03/1878")
    assert result.value == "1878-03-12" and result.certainty <= 0.5


@pytest.mark.parametrize("raw", ["03/1978", "3/1978", "tháng 3 năm 1978", "T3/1978", "Tháng 03/1978",
                                 "T.3/1978", "3-1978", "1978-03", "03.1978"])
def test_months(raw: str) -> None:
    assert clean("month", raw) == "1978-03"


def test_month_repairs_and_refusals() -> None:
    assert repaired("month", "O3/1978").value == "1978-03"
    assert repaired("month", "12/03/1978").value == "1978-03"  # a whole date: the day is dropped
    assert any("no such month" in p for p in refused("month", "13/1978"))
    assert any("two-digit" in p for p in refused("month", "03/78"))
    assert any("only a year" in p for p in refused("month", "1978"))


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize(("raw", "value"), [
    ("068094034561", "068094034561"),
    ("068 094 034 561", "068094034561"),
    ("068.094.034.561", "068094034561"),
    ("250123456", "250123456"),  # old 9-digit CMND
])
def test_cccd(raw: str, value: str) -> None:
    assert clean("cccd", raw) == value


def test_cccd_repairs() -> None:
    result = repaired("cccd", "O68O94O34561")
    assert result.value == "068094034561"
    assert result.certainty < repaired("cccd", "068094O34561").certainty


@pytest.mark.parametrize("raw", ["06809403456", "0680940345610", "12345", "CCCD"])
def test_cccd_wrong_length_refused(raw: str) -> None:
    refused("cccd", raw)


def test_digits() -> None:
    assert clean("digits", "0912.345.678") == "0912345678"
    assert clean("digits", "0912 345 678") == "0912345678"
    assert clean("digits", "6801234567") == "6801234567"
    assert clean("digits", "1978") == "1978"
    assert repaired("digits", "l978").value == "1978"
    assert repaired("digits", "1945 - 2010").value == "1945"  # a life span in a năm sinh column
    assert repaired("digits", "1950 (đã mất)").value == "1950"
    refused("digits", "không rõ")


@pytest.mark.parametrize(("raw", "value"), [("2,34", "2,34"), ("2.34", "2,34"), ("4,98", "4,98"), ("3", "3"),
                                            ("2 , 34", "2,34"), ("1,0", "1,0")])
def test_decimal(raw: str, value: str) -> None:
    assert clean("decimal", raw) == value


def test_decimal_repairs_and_refusals() -> None:
    assert repaired("decimal", "Z,34").value == "2,34"
    assert repaired("decimal", "2,3O").value == "2,30"
    refused("decimal", "2,34,5")
    refused("decimal", "hai phẩy ba")


# ---------------------------------------------------------------- gender and closed lists

@pytest.mark.parametrize(("raw", "value"), [("Nam", "Nam"), ("nam", "Nam"), ("NAM", "Nam"), ("Nữ", "Nữ"),
                                            ("NỮ", "Nữ")])
def test_gender(raw: str, value: str) -> None:
    assert clean("gender", raw) == value


@pytest.mark.parametrize(("raw", "value"), [("Nu", "Nữ"), ("Nừ", "Nữ"), ("nũ", "Nữ"), ("Narn", "Nam"),
                                            ("Nan", "Nam")])
def test_gender_repaired(raw: str, value: str) -> None:
    assert repaired("gender", raw).value == value


@pytest.mark.parametrize("raw", ["Nam, nữ", "X", "Không rõ"])
def test_gender_refused(raw: str) -> None:
    refused("gender", raw)


@pytest.mark.parametrize(("raw", "value"), [
    ("Kinh", "Kinh"), ("KINH", "Kinh"), ("Dân tộc Kinh", "Kinh"), ("K'Ho", "Cơ Ho"), ("Churu", "Chu Ru"),
    ("Ê-đê", "Ê Đê"), ("H'Mông", "Mông"), ("Mnông", "M'Nông"), ("Gia-rai", "Gia Rai"),
    ("Bru - Vân Kiều", "Bru-Vân Kiều"),
])
def test_ethnicity(raw: str, value: str) -> None:
    assert clean("ethnicity", raw) == value


@pytest.mark.parametrize(("raw", "value"), [("Tảy", "Tày"), ("Thải", "Thái"), ("Mưòng", "Mường"),
                                            ("Xo Dang", "Xơ Đăng"), ("Kinb", "Kinh"), ("Ede", "Ê Đê"),
                                            ("Chu Rụ", "Chu Ru")])
def test_ethnicity_repaired(raw: str, value: str) -> None:
    assert repaired("ethnicity", raw).value == value


def test_unknown_ethnicity_kept_doubtful() -> None:
    result = n("ethnicity", "Người sao Hỏa")
    assert result.value == "sao Hỏa" and result.certainty <= 0.5


@pytest.mark.parametrize(("raw", "value"), [
    ("Không", "Không"), ("KHÔNG", "Không"), ("Phật giáo", "Phật giáo"), ("Phật Giáo", "Phật giáo"),
    ("Thiên chúa giáo", "Công giáo"), ("Tin lành", "Tin Lành"), ("Hoà Hảo", "Phật giáo Hòa Hảo"),
    ("Cao Đài", "Cao Đài"), ("Hồi giáo", "Hồi giáo"),
])
def test_religion(raw: str, value: str) -> None:
    assert clean("religion", raw) == value


@pytest.mark.parametrize(("raw", "value"), [("Khong", "Không"), ("Phât giao", "Phật giáo"),
                                            ("Phat glao", "Phật giáo"), ("Cao Dai", "Cao Đài"),
                                            ("Công giảo", "Công giáo")])
def test_religion_repaired(raw: str, value: str) -> None:
    assert repaired("religion", raw).value == value


@pytest.mark.parametrize(("raw", "value"), [
    ("Cao cấp", "Cao cấp"), ("CAO CẤP", "Cao cấp"), ("Trung cấp", "Trung cấp"), ("Sơ cấp", "Sơ cấp"),
    ("Cử nhân chính trị", "Cử nhân chính trị"), ("Chuyên viên chính", "Chuyên viên chính"),
    ("Chuyên viên cao cấp", "Chuyên viên cao cấp"),
    ("Chuyên viên và tương đương", "Chuyên viên và tương đương"),
    ("Cán sự", "Cán sự"), ("Tiếng Anh trình độ B", "Tiếng Anh trình độ B"),
    ("TIẾNG ANH TRÌNH ĐỘ B", "Tiếng Anh trình độ B"), ("Ứng dụng CNTT cơ bản", "Ứng dụng CNTT cơ bản"),
    ("ứng dụng cntt cơ bản", "Ứng dụng CNTT cơ bản"), ("Không", "Không"),
    ("Tiếng Anh B1, tin học văn phòng", "Tiếng Anh B1, tin học văn phòng"),
])
def test_level(raw: str, value: str) -> None:
    assert clean("level", raw) == value


def test_level_repaired() -> None:
    assert repaired("level", "CAO CAP").value == "Cao cấp"
    assert repaired("level", "chuyen vien chinh").value == "Chuyên viên chính"
    assert repaired("level", "Chuyên vièn chính").value == "Chuyên viên chính"
    assert repaired("level", "Chuyen vien chinb").value.startswith("Chuyên viên")  # fuzzy or partial


def test_level_free_text_kept() -> None:
    result = n("level", "IELTS 6.5")
    assert result.value == "IELTS 6.5" and result.certainty == 0.9


@pytest.mark.parametrize(("raw", "iso"), [
    ("Ngày mùng tám, tháng hai, năm một nghìn chín trăm chín mươi tư", "1994-02-08"),
    ("Ngày hai mươi tám, tháng mười, năm một nghìn chín trăm tám mươi sáu", "1986-10-28"),
    ("Ngày mười lăm, tháng mười hai, năm hai nghìn không trăm linh năm", "2005-12-15"),
    ("Ngày ba mươi mốt, tháng mười hai, năm hai nghìn", "2000-12-31"),
])
def test_a_date_written_in_words(raw: str, iso: str) -> None:
    assert normalize("date", raw).value == iso


def test_known_words_get_their_marks_back_but_not_across_a_comma() -> None:
    assert normalize("text", "Quản lý tố chức; kiếm tra văn bản").value == "Quản lý tổ chức; kiểm tra văn bản"
    assert normalize("text", "Huyện Lâm Hà, Tỉnh Lầm Đồng").value == "Huyện Lâm Hà, Tỉnh Lâm Đồng"


def test_family_relations_get_their_marks_back() -> None:
    """The family tables' relations and occupations are known words too."""
    assert normalize("text", "Bồ chông").value == "Bố chồng"
    assert normalize("text", "Mẹ dẻ").value == "Mẹ đẻ"
    assert normalize("text", "Xã Lộc An; Làm nồng").value == "Xã Lộc An; Làm nông"


def test_a_surname_whose_first_letters_were_lost_is_restored_with_doubt() -> None:
    for raw, value in [("ạm Văn Hòa", "Phạm Văn Hòa"), ("ê Văn Sơn", "Lê Văn Sơn"),
                       ("ấng Đình Thắng", "Đặng Đình Thắng"), ("ân Quang Vinh", "Trần Quang Vinh")]:
        result = repaired("name", raw)
        assert result.value == value and result.certainty < 0.93
    assert clean("name", "Lê Văn Sơn") == "Lê Văn Sơn"


def test_a_name_without_a_surname_is_doubtful() -> None:
    result = repaired("name", "Thị Thu Hà")
    assert result.value == "Thị Thu Hà" and result.certainty < 0.93
    assert repaired("name", "Quang Vinh").value == "Quang Vinh"  # not the rare surname Quàng
    assert clean("name", "ĐIỂU NHIÊN") == "Điểu Nhiên"


def test_a_year_with_a_digit_read_twice() -> None:
    result = repaired("date", "01/02/20119")
    assert result.value == "2019-02-01" and result.certainty < 0.93
    assert refused("date", "1/1/19955")  # 1955 or 1995: not guessed


def test_a_paragraph_keeps_its_bullet_and_full_stop() -> None:
    sentence = "- Hoàn thành tốt nhiệm vụ được giao."
    assert clean("paragraph", sentence) == sentence
    assert clean("paragraph", "Lý lịch rõ ràng") == "Lý lịch rõ ràng"
    assert clean("text", "Hoàn thành tốt nhiệm vụ.") == "Hoàn thành tốt nhiệm vụ"


def test_district_names_get_their_marks_back() -> None:
    assert repaired("text", "UBND huyện Cát Tiền").value == "UBND huyện Cát Tiên"
