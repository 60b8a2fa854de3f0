"""What a CV form states, per layout: every field of `samples.fields` as printed text and as a
normalised value, and every table as rows, derived from a `Person` plus the facts the older
generator did not need (family background, insurance card, salary history...). Optionally one
deliberate contradiction, named in `inconsistent`, for the validation checks to find."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from samples.fields import BNV_2008, LAYOUT_SPECS, TCTW_98, TT06_2023
from samples.people import _SCALES, AS_OF, Job, Person, Relative, Training
from samples.places import lam_dong, other_provinces
from samples.style import Style
from samples.vn import decimal, vn_date

FLAWS = ("cccd_sex", "cccd_year", "cccd_place", "party_order", "recruited_young")


@dataclass(frozen=True, slots=True)
class Value:
    value: str  # normalised: ISO date ("yyyy-mm" for a month) for dates, else as printed
    text: str  # as printed ("" if the form leaves it blank)


@dataclass(slots=True)
class CvRecord:
    layout: str
    values: dict[str, Value]
    tables: dict[str, list[dict[str, str]]]
    place: str  # where the form was signed: "Đức Trọng"
    inconsistent: list[str] = field(default_factory=list)
    flaw: str | None = None


def relocate(person: Person, rnd: random.Random) -> Person:
    """A quarter of the Kinh cadres have their roots in another province (the parents moved to
    Lâm Đồng); half of those were born there too, so their CCCD carries that province's code."""
    if person.ethnicity != "Kinh" or rnd.random() >= 0.25:
        return person
    province = rnd.choice(other_provinces())
    hometown = province.place(rnd)
    born_there = rnd.random() < 0.5
    birthplace = province.place(rnd, next(d for d in province.districts
                                          if d.full == hometown.district)) if born_there \
        else person.birthplace
    cccd = (province.cccd_code if born_there else person.cccd[:3]) + person.cccd[3:]
    old = f"{person.hometown.commune}, {person.hometown.district}"
    new = f"{hometown.commune}, {hometown.district}, {province.short}"
    family = tuple(dataclasses.replace(r, details=r.details.replace(old, new, 1))
                   if r.relation in ("Bố đẻ", "Mẹ đẻ") else r for r in person.family)
    return dataclasses.replace(person, hometown=hometown, birthplace=birthplace, cccd=cccd,
                               family=family)


def cv_record(p: Person, layout: str, style: Style, rnd: random.Random,
              flaw: str | None = None) -> CvRecord:
    """The values of `layout` for `p`, printed in `style`; `flaw` one of FLAWS or None."""
    f = _Facts(p, style, rnd, layout)
    values = {BNV_2008: _bnv_2008, TT06_2023: _tt06_2023, TCTW_98: _tctw_98}[layout](f)
    tables = {BNV_2008: _tables_2008, TT06_2023: _tables_2023, TCTW_98: _tables_1998}[layout](f)
    expected = [x.key for x in LAYOUT_SPECS[layout].fields]
    assert list(values) == expected, set(values) ^ set(expected)
    record = CvRecord(layout, values, tables, f.place)
    if flaw:
        _spoil(record, f, flaw, rnd)
    return record


def applicable_flaws(p: Person) -> list[str]:
    return [x for x in FLAWS if x != "party_order" or p.party_joined]


# -- facts shared by the layouts ----------------------------------------------------------------


class _Facts:
    def __init__(self, p: Person, style: Style, rnd: random.Random, layout: str) -> None:
        self.p, self.style, self.rnd = p, style, rnd
        self.place = place_of(p.managing_agency)
        self.leader = p.position != "Chuyên viên"
        self.appointed = _start(p.work_history[-1]) if self.leader else None
        at_unit = [j for j in p.work_history if " UBND " not in j.post]
        self.joined_unit = _start(at_unit[0])
        self.salary = _salary_history(p)
        father = p.family[0].details
        self.background = ("Nông dân" if "Làm nông" in father or "Đã mất" in father
                           else "Tiểu thương" if "Buôn bán" in father
                           else rnd.choice(("Công nhân", "Cán bộ, công chức")))
        self.bhyt = f"HC4{lam_dong().bhxh_code}{p.bhxh}"
        self.party_post = ("Chi ủy viên" if self.leader and p.party_joined and rnd.random() < 0.6
                           else "")
        if layout == TT06_2023:
            self.signed = _day(rnd, date(2023, 7, 1), date(2023, 12, 28))
        else:
            self.signed = _day(rnd, max(date(2022, 1, 4), p.cccd_issued + timedelta(days=7)), AS_OF)

    def date(self, d: date | None) -> Value:
        return Value(d.isoformat(), self.style.date(d)) if d else Value("", "")

    def month(self, d: date | None) -> Value:
        return Value(d.isoformat()[:7], self.style.month(d)) if d else Value("", "")

    def birth(self) -> Value:
        d = self.p.birth_date
        words = vn_date(d).removeprefix("ngày ")
        return Value(d.isoformat(), words if self.style.birth_in_words else self.style.date(d))

    def signed_on(self) -> Value:
        return Value(self.signed.isoformat(), vn_date(self.signed))

    def organisation(self) -> Value:
        """"26/03/1994, Đoàn TNCS Hồ Chí Minh": the value is the date."""
        day, name = self.p.social_organisation.split(", ", 1)
        d = date(int(day[6:]), int(day[3:5]), int(day[:2]))
        return Value(d.isoformat(), f"{self.style.date(d)}, {name}")

    def period(self, text: str) -> str:
        """A "09/1996 - 06/2000" period written the way this typist writes months."""
        return " - ".join(self.split_month(part) for part in text.split(" - "))

    def split_month(self, part: str) -> str:
        if part == "nay":
            return part
        return self.style.month(date(int(part[3:]), int(part[:2]), 1))

    def nhan_xet(self) -> str:
        if self.rnd.random() < 0.25:
            return ""
        who = "Đồng chí " + self.p.full_name
        return self.rnd.choice((
            f"{who} có phẩm chất chính trị vững vàng, đạo đức, lối sống lành mạnh; hoàn thành tốt "
            "nhiệm vụ được giao.",
            f"{who} chấp hành tốt chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà "
            "nước; có tinh thần trách nhiệm, hoàn thành tốt nhiệm vụ.",
            "Lý lịch rõ ràng; bản thân chấp hành tốt các quy định của cơ quan.",
        ))


def place_of(agency: str) -> str:
    """"UBND huyện Đức Trọng" -> "Đức Trọng"; "UBND tỉnh Lâm Đồng" -> "Lâm Đồng"."""
    name = agency.removeprefix("UBND ")
    for kind in ("thành phố ", "huyện ", "tỉnh "):
        name = name.removeprefix(kind)
    return name


def _start(job: Job) -> date:
    part = job.period.split(" - ")[0]
    return date(int(part[3:]), int(part[:2]), 1)


def _day(rnd: random.Random, start: date, end: date) -> date:
    return date.fromordinal(rnd.randint(start.toordinal(), max(start, end).toordinal()))


def _years_later(d: date, years: int) -> date:
    return d.replace(year=d.year + years, day=min(d.day, 28))


def _salary_history(p: Person) -> list[tuple[date, str, int, float]]:
    """(from, mã ngạch, bậc, hệ số): steps every three years, then the senior grade if any."""
    rows = []
    g = p.grade
    start = _years_later(g.since, -3 * (g.step - 1))
    if g.title != "Chuyên viên":
        code, first, inc, _ = _SCALES["Chuyên viên"]
        step = 1
        while _years_later(p.recruitment_date, 3 * (step - 1)) < start:
            rows.append((_years_later(p.recruitment_date, 3 * (step - 1)), code, step,
                         round(first + inc * (step - 1), 2)))
            step += 1
    code, first, inc, _ = _SCALES[g.title]
    for step in range(1, g.step + 1):
        rows.append((_years_later(start, 3 * (step - 1)), code, step, round(first + inc * (step - 1), 2)))
    return rows


def _split_post(post: str) -> tuple[str, str]:
    """(chức vụ, đơn vị) of a work-history line."""
    if post.startswith("Nhân viên hợp đồng "):
        return "Nhân viên hợp đồng", post.removeprefix("Nhân viên hợp đồng ")
    if " UBND " in post:
        at = post.index(" UBND ")
        return post[:at], post[at + 1:]
    for title in ("Phó Trưởng phòng", "Trưởng phòng"):
        if post.startswith(title + " "):
            rest = post.removeprefix(title + " ")
            return title, rest if rest.startswith(("Sở ", "Phòng ")) else f"Phòng {rest}"
    return "Chuyên viên", post.removeprefix("Chuyên viên ")


def _t(text: str) -> Value:
    return Value(text, text)


def _income(f: _Facts) -> dict[str, Value]:
    base = 1.8 if f.signed.year >= 2023 and f.signed.month >= 7 else 1.49  # lương cơ sở, triệu
    yearly = round(f.p.grade.coefficient * base * 12)
    rnd = f.rnd
    house = rnd.choice((f"Nhà tự xây, cấp 4, tổng diện tích sử dụng {rnd.randrange(60, 140, 5)} m2",
                        f"Nhà tự mua, 2 tầng, tổng diện tích sử dụng {rnd.randrange(90, 200, 10)} m2",
                        "Ở cùng bố mẹ"))
    land = rnd.choice((f"Đất tự mua {rnd.randrange(80, 300, 10)} m2",
                       f"Đất được thừa kế {rnd.randrange(100, 400, 10)} m2", "Không"))
    return {
        "thu_nhap_tien_luong": _t(f"Khoảng {yearly} triệu đồng/năm"),
        "thu_nhap_khac": _t(rnd.choice(("Không", "Lương của vợ (chồng)",
                                        "Trồng cà phê, khoảng 40 triệu đồng/năm"))),
        "nha_o": _t(house),
        "dat_o": _t(land),
        "dat_san_xuat": _t(rnd.choice(("Không", f"{rnd.randrange(2, 12)}.000 m2 đất trồng cà phê",
                                       "Không"))),
    }


# -- the three layouts --------------------------------------------------------------------------


def _bnv_2008(f: _Facts) -> dict[str, Value]:
    p, g = f.p, f.p.grade
    return {
        "co_quan_quan_ly": _t(p.managing_agency),
        "co_quan_su_dung": _t(p.unit),
        "so_hieu_can_bo": _t(p.cadre_number),
        "ho_va_ten": _t(p.full_name.upper()),
        "ten_goi_khac": _t(p.other_name),
        "ngay_sinh": f.birth(),
        "gioi_tinh": _t(p.gender),
        "noi_sinh": _t(str(p.birthplace)),
        "que_quan": _t(str(p.hometown)),
        "dan_toc": _t(p.ethnicity),
        "ton_giao": _t(p.religion),
        "ho_khau_thuong_tru": _t(p.permanent_address),
        "noi_o_hien_nay": _t(p.current_address),
        "nghe_nghiep_khi_tuyen_dung": _t(p.occupation_at_recruitment),
        "ngay_tuyen_dung": f.date(p.recruitment_date),
        "co_quan_tuyen_dung": _t(p.recruiting_agency),
        "chuc_vu_hien_tai": _t(p.position),
        "cong_viec_chinh": _t(p.main_duty),
        "ngach": _t(g.title),
        "ma_ngach": _t(g.code),
        "bac_luong": _t(str(g.step)),
        "he_so_luong": _t(decimal(g.coefficient)),
        "ngay_huong_luong": f.date(g.since),
        "phu_cap_chuc_vu": _t(p.position_allowance),
        "phu_cap_khac": _t(p.other_allowance),
        "giao_duc_pho_thong": _t(p.general_education),
        "chuyen_mon_cao_nhat": _t(p.qualification),
        "ly_luan_chinh_tri": _t(p.political_theory),
        "quan_ly_nha_nuoc": _t(p.state_management),
        "ngoai_ngu": _t(p.foreign_language),
        "tin_hoc": _t(p.informatics),
        "ngay_vao_dang": f.date(p.party_joined),
        "ngay_chinh_thuc": f.date(p.party_official),
        "ngay_tham_gia_to_chuc": f.organisation(),
        "ngay_nhap_ngu": f.date(p.enlisted),
        "ngay_xuat_ngu": f.date(p.discharged),
        "quan_ham": _t(p.military_rank),
        "danh_hieu": _t(p.honorary_title),
        "so_truong": _t(p.strength),
        "khen_thuong": _t(p.awards),
        "ky_luat": _t(p.discipline),
        "suc_khoe": _t(p.health),
        "chieu_cao": _t(p.height),
        "can_nang": _t(p.weight),
        "nhom_mau": _t(p.blood_group),
        "thuong_binh_hang": _t(""),
        "gia_dinh_chinh_sach": _t(p.policy_family),
        "so_cccd": _t(p.cccd),
        "ngay_cap_cccd": f.date(p.cccd_issued),
        "so_bhxh": _t(p.bhxh),
        "lich_su_ban_than": _t("Không"),
        "quan_he_nuoc_ngoai": _t("Không"),
        "than_nhan_nuoc_ngoai": _t("Không"),
        "nhan_xet": _t(f.nhan_xet()),
        "ngay_khai": f.signed_on(),
        "nguoi_khai": _t(p.full_name),
    }


def _tt06_2023(f: _Facts) -> dict[str, Value]:
    p, g = f.p, f.p.grade
    senior = g.title != "Chuyên viên"
    in_grade = _years_later(g.since, -3 * (g.step - 1)) if senior \
        else _years_later(p.recruitment_date, 1)
    reappointed = _years_later(f.appointed, 5) if f.appointed else None
    values = {
        "co_quan_quan_ly": _t(p.managing_agency),
        "don_vi_su_dung": _t(p.unit),
        "so_hieu": _t(p.cadre_number),
        "ma_so_dinh_danh": _t(p.cccd),
        "ho_va_ten": _t(p.full_name.upper()),
        "gioi_tinh": _t(p.gender),
        "ten_goi_khac": _t(p.other_name),
        "ngay_sinh": f.birth(),
        "noi_sinh": _t(str(p.birthplace)),
        "que_quan": _t(str(p.hometown)),
        "dan_toc": _t(p.ethnicity),
        "ton_giao": _t(p.religion),
        "so_cccd": _t(p.cccd),
        "ngay_cap_cccd": f.date(p.cccd_issued),
        "so_dien_thoai": _t(p.phone),
        "so_bhxh": _t(p.bhxh),
        "so_the_bhyt": _t(f.bhyt),
        "noi_o_hien_nay": _t(p.current_address),
        "thanh_phan_xuat_than": _t(f.background),
        "nghe_nghiep_truoc_tuyen_dung": _t(p.occupation_at_recruitment),
        "ngay_tuyen_dung": f.date(p.recruitment_date),
        "co_quan_tuyen_dung": _t(p.recruiting_agency),
        "ngay_vao_co_quan": f.date(f.joined_unit),
        "ngay_vao_dang": f.date(p.party_joined),
        "ngay_chinh_thuc": f.date(p.party_official),
        "ngay_tham_gia_to_chuc": f.organisation(),
        "ngay_nhap_ngu": f.date(p.enlisted),
        "ngay_xuat_ngu": f.date(p.discharged),
        "quan_ham": _t(p.military_rank),
        "doi_tuong_chinh_sach": _t("Không"),
        "giao_duc_pho_thong": _t(p.general_education),
        "chuyen_mon_cao_nhat": _t(p.qualification),
        "hoc_ham": _t(""),
        "danh_hieu": _t(p.honorary_title),
        "chuc_vu_hien_tai": _t(p.position),
        "ngay_bo_nhiem": f.date(f.appointed),
        "ngay_bo_nhiem_lai": f.date(reappointed if reappointed and reappointed <= f.signed else None),
        "quy_hoach": _t("Trưởng phòng" if p.position == "Phó Trưởng phòng" else ""),
        "chuc_vu_kiem_nhiem": _t("Không"),
        "chuc_vu_dang": _t(f.party_post or ("Đảng viên" if p.party_joined else "")),
        "chuc_vu_dang_kiem_nhiem": _t("Không"),
        "cong_viec_chinh": _t(p.main_duty),
        "so_truong": _t(p.strength),
        "cong_viec_lau_nhat": _t(f"Chuyên viên {p.unit}"),
        "ngach": _t(g.title),
        "ma_ngach": _t(g.code),
        "ngay_bo_nhiem_ngach": f.date(in_grade),
        "bac_luong": _t(str(g.step)),
        "he_so_luong": _t(decimal(g.coefficient)),
        "ngay_huong_luong": f.date(g.since),
        "phan_tram_huong": _t("100%"),
        "phu_cap_tnvk": _t(""),
        "ngay_huong_pctnvk": _t(""),
        "phu_cap_chuc_vu": _t(p.position_allowance),
        "phu_cap_kiem_nhiem": _t("Không"),
        "phu_cap_khac": _t(p.other_allowance),
        "vi_tri_viec_lam": _t(""),
        "ma_vi_tri_viec_lam": _t(""),
        "bac_luong_vtvl": _t(""),
        "luong_theo_muc_tien": _t(""),
        "ngay_huong_vtvl": _t(""),
        "suc_khoe": _t(p.health),
        "chieu_cao": _t(p.height),
        "can_nang": _t(p.weight),
        "nhom_mau": _t(p.blood_group),
        "lich_su_ban_than": _t("Không"),
    }
    values.update(_income(f))
    values.update({"nhan_xet": _t(f.nhan_xet()), "ngay_khai": f.signed_on(),
                   "nguoi_khai": _t(p.full_name)})
    return values


def _tctw_98(f: _Facts) -> dict[str, Value]:
    p, g = f.p, f.p.grade
    degree = ("Thạc sĩ " + p.training[0].subject if any(t.award == "Thạc sĩ" for t in p.training)
              else p.occupation_at_recruitment)
    income = _income(f)
    return {
        "tinh": _t(lam_dong().short),
        "don_vi_truc_thuoc": _t(p.managing_agency),
        "don_vi_co_so": _t(p.unit),
        "so_hieu_can_bo": _t(p.cadre_number),
        "ho_va_ten": _t(p.full_name.upper()),
        "gioi_tinh": _t(p.gender),
        "ten_goi_khac": _t(p.other_name),
        "cap_uy_hien_tai": _t(f.party_post or "Không"),
        "cap_uy_kiem": _t("Không"),
        "chuc_vu": _t(p.work_history[-1].post),
        "phu_cap_chuc_vu": _t(p.position_allowance),
        "ngay_sinh": f.birth(),
        "noi_sinh": _t(str(p.birthplace)),
        "que_quan_xa": _t(p.hometown.commune),
        "que_quan_huyen": _t(p.hometown.district),
        "que_quan_tinh": _t(p.hometown.province),
        "noi_o_hien_nay": _t(p.current_address),
        "so_dien_thoai": _t(p.phone),
        "dan_toc": _t(p.ethnicity),
        "ton_giao": _t(p.religion),
        "thanh_phan_xuat_than": _t(f.background),
        "nghe_nghiep_truoc_tuyen_dung": _t("Sinh viên"),
        "ngay_tuyen_dung": f.date(p.recruitment_date),
        "co_quan_tuyen_dung": _t(p.recruiting_agency),
        "ngay_vao_co_quan": f.date(f.joined_unit),
        "ngay_tham_gia_cach_mang": _t(""),
        "ngay_vao_dang": f.date(p.party_joined),
        "ngay_chinh_thuc": f.date(p.party_official),
        "ngay_tham_gia_to_chuc": f.organisation(),
        "ngay_nhap_ngu": f.date(p.enlisted),
        "ngay_xuat_ngu": f.date(p.discharged),
        "quan_ham": _t(f"{p.military_rank} ({p.discharged.year})" if p.discharged else ""),
        "giao_duc_pho_thong": _t(p.general_education),
        "hoc_ham_hoc_vi": _t(degree),
        "ly_luan_chinh_tri": _t(p.political_theory),
        "ngoai_ngu": _t(p.foreign_language),
        "cong_tac_chinh": _t(p.main_duty),
        "ngach": _t(g.title),
        "ma_ngach": _t(g.code),
        "bac_luong": _t(str(g.step)),
        "he_so_luong": _t(decimal(g.coefficient)),
        "ngay_huong_luong": f.month(g.since),
        "danh_hieu": _t(p.honorary_title),
        "so_truong": _t(p.strength),
        "cong_viec_lau_nhat": _t(f"Chuyên viên {p.unit}"),
        "khen_thuong": _t(p.awards),
        "ky_luat": _t(p.discipline),
        "suc_khoe": _t(p.health),
        "chieu_cao": _t(p.height),
        "can_nang": _t(p.weight),
        "nhom_mau": _t(p.blood_group),
        "so_cccd": _t(p.cccd),
        "thuong_binh": _t(""),
        "gia_dinh_liet_si": _t("Không"),
        "lich_su_ban_than": _t("Không"),
        "lam_viec_che_do_cu": _t("Không"),
        "quan_he_nuoc_ngoai": _t("Không"),
        "than_nhan_nuoc_ngoai": _t("Không"),
        "thu_nhap_khac": income["thu_nhap_khac"],
        "nha_o": income["nha_o"],
        "dat_o": income["dat_o"],
        "ngay_khai": f.signed_on(),
        "nguoi_khai": _t(p.full_name),
    }


# -- tables -------------------------------------------------------------------------------------


def _extra_training(f: _Facts) -> list[Training]:
    """Language and informatics certificates, which the 2008 table lists only sometimes."""
    p = f.p
    year = int(p.training[0].period[-4:])
    center = "Trung tâm Ngoại ngữ - Tin học Trường Đại học Đà Lạt"
    return [Training(center, "Tiếng Anh", f"03/{year} - 06/{year}", "Bồi dưỡng",
                     f"Chứng chỉ {p.foreign_language.split()[-1]}"),
            Training(center, "Tin học ứng dụng", f"07/{year} - 08/{year}", "Bồi dưỡng",
                     p.informatics)]


def _by_start(rows: list[Training]) -> list[Training]:
    return sorted(rows, key=lambda t: (t.period[3:7], t.period[:2]))


def _training_rows(f: _Facts, rows: list[Training]) -> list[dict[str, str]]:
    return [{"ten_truong": t.school, "chuyen_nganh": t.subject, "thoi_gian": f.period(t.period),
             "hinh_thuc": t.mode, "van_bang": t.award} for t in rows]


def _career_rows(f: _Facts) -> list[dict[str, str]]:
    return [{"thoi_gian": f.period(j.period), "chuc_danh_don_vi": j.post} for j in f.p.work_history]


def _family_rows(rows: tuple[Relative, ...]) -> list[dict[str, str]]:
    return [{"moi_quan_he": r.relation, "ho_va_ten": r.name, "nam_sinh": str(r.birth_year),
             "thong_tin": r.details} for r in rows]


def _tables_2008(f: _Facts) -> dict[str, list[dict[str, str]]]:
    training = list(f.p.training)
    if f.rnd.random() < 0.5:
        training = _by_start(training + _extra_training(f))
    return {
        "dao_tao": _training_rows(f, training),
        "qua_trinh_cong_tac": _career_rows(f),
        "gia_dinh_ban_than": _family_rows(f.p.family),
        "gia_dinh_ben_vo_chong": _family_rows(f.p.in_laws),
        "dien_bien_luong": [{"thang_nam": f.style.month(d), "ma_ngach_bac": f"{code}/{step}",
                             "he_so_luong": decimal(k)} for d, code, step, k in f.salary],
    }


def _tables_1998(f: _Facts) -> dict[str, list[dict[str, str]]]:
    tables = _tables_2008(f)
    return {
        "dao_tao": tables["dao_tao"],
        "qua_trinh_cong_tac": tables["qua_trinh_cong_tac"],
        "gia_dinh_ban_than": tables["gia_dinh_ban_than"],
        "gia_dinh_ben_vo_chong": tables["gia_dinh_ben_vo_chong"],
        "dien_bien_luong": [{"thang_nam": f.style.month(d), "ngach_bac": f"{code}/{step}",
                             "he_so_luong": decimal(k)} for d, code, step, k in f.salary],
    }


def _tables_2023(f: _Facts) -> dict[str, list[dict[str, str]]]:
    p, rnd = f.p, f.rnd

    def span(t: Training) -> dict[str, str]:
        a, b = t.period.split(" - ")
        return {"tu": f.split_month(a), "den": f.split_month(b)}

    degrees = [t for t in p.training if t.award in ("Cử nhân", "Kỹ sư", "Thạc sĩ")]
    theory = [t for t in p.training if "lý luận chính trị" in t.subject]
    qlnn = [t for t in p.training if t.subject.startswith("Bồi dưỡng QLNN")]
    language, informatics = _extra_training(f)
    defence = []
    if f.leader:
        year = f.appointed.year if f.appointed else AS_OF.year - 1
        defence.append({"tu": f.style.month(date(year, 6, 1)), "den": f.style.month(date(year, 7, 1)),
                        "co_so_dao_tao": "Bộ Chỉ huy Quân sự tỉnh Lâm Đồng",
                        "chung_chi": "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh "
                                     "đối tượng 4"})
    jobs = []
    for j in p.work_history:
        a, b = j.period.split(" - ")
        title, unit = _split_post(j.post)
        jobs.append({"tu": f.split_month(a), "den": f.split_month(b), "don_vi": unit,
                     "chuc_vu": title})
    awards = []
    for year in range(max(p.recruitment_date.year + 1, f.signed.year - 3), f.signed.year):
        excellent = rnd.random() < 0.3
        awards.append({"nam": str(year),
                       "xep_loai_chuyen_mon": "Hoàn thành xuất sắc nhiệm vụ" if excellent
                       else "Hoàn thành tốt nhiệm vụ",
                       "xep_loai_thi_dua": "Chiến sĩ thi đua cơ sở" if excellent
                       else "Lao động tiên tiến",
                       "hinh_thuc": p.awards if p.awards.endswith(str(year)) else ""})
    salary = []
    for i, (d, code, step, k) in enumerate(f.salary):
        until = (f.style.month(f.salary[i + 1][0] - timedelta(days=1)) if i + 1 < len(f.salary)
                 else "nay")
        salary.append({"tu": f.style.month(d), "den": until, "ma_so": code, "bac_luong": str(step),
                       "he_so_luong": decimal(k), "tien_luong_vtvl": ""})
    allowances = []
    if f.appointed:
        allowances.append({"tu": f.style.month(f.appointed), "den": "nay",
                           "loai_phu_cap": "Phụ cấp chức vụ", "phan_tram_huong": "",
                           "he_so": p.position_allowance, "hinh_thuc_huong": "Hằng tháng",
                           "gia_tri": ""})
    return {
        "dao_tao_chuyen_mon": [span(t) | {"co_so_dao_tao": t.school, "chuyen_nganh": t.subject,
                                          "hinh_thuc": t.mode, "van_bang": t.award}
                               for t in degrees],
        "ly_luan_chinh_tri": [span(t) | {"co_so_dao_tao": t.school, "hinh_thuc": t.mode,
                                         "van_bang": t.award} for t in theory],
        "boi_duong_qlnn": [span(t) | {"co_so_dao_tao": t.school,
                                      "chung_chi": f"Chứng chỉ {t.subject.removeprefix('Bồi dưỡng ')}"}
                           for t in qlnn],
        "boi_duong_anqp": defence,
        "tin_hoc": [span(informatics) | {"co_so_dao_tao": informatics.school,
                                         "chung_chi": informatics.award}],
        "ngoai_ngu": [span(language) | {"co_so_dao_tao": language.school, "ngoai_ngu": "Tiếng Anh",
                                        "chung_chi": language.award, "diem_so": ""}],
        "qua_trinh_cong_tac": jobs,
        "che_do_cu": [],
        "to_chuc_nuoc_ngoai": [],
        "khen_thuong": awards,
        "ky_luat": [],
        "gia_dinh_ban_than": _family_rows(p.family),
        "gia_dinh_ben_vo_chong": _family_rows(p.in_laws),
        "qua_trinh_luong": salary,
        "phu_cap": allowances,
    }


# -- deliberate contradictions ------------------------------------------------------------------


def _spoil(record: CvRecord, f: _Facts, flaw: str, rnd: random.Random) -> None:
    v = record.values
    cccd = v["so_cccd"].text
    if flaw == "cccd_sex":
        digit = int(cccd[3])
        cccd = cccd[:3] + str(digit ^ 1) + cccd[4:]
        keys = ["so_cccd"]
    elif flaw == "cccd_year":
        yy = (int(cccd[4:6]) + rnd.choice((1, -1, 10, -10))) % 100
        cccd = f"{cccd[:4]}{yy:02d}{cccd[6:]}"
        keys = ["so_cccd"]
    elif flaw == "cccd_place":
        codes = [x.cccd_code for x in (lam_dong(), *other_provinces()) if x.cccd_code != cccd[:3]]
        cccd = rnd.choice(codes) + cccd[3:]
        keys = ["so_cccd"]
    elif flaw == "party_order":
        joined = f.p.party_joined
        official = _years_later(joined, -1) if joined else None
        v["ngay_chinh_thuc"] = f.date(official)
        keys = ["ngay_vao_dang", "ngay_chinh_thuc"]
    elif flaw == "recruited_young":
        d = f.p.recruitment_date
        v["ngay_tuyen_dung"] = f.date(d.replace(year=f.p.birth_date.year + rnd.randint(9, 15)))
        keys = ["ngay_tuyen_dung"]
    else:
        raise ValueError(flaw)
    if flaw.startswith("cccd"):
        v["so_cccd"] = Value(cccd, cccd)
    record.inconsistent = keys
    record.flaw = flaw

