"""A fake cadre of Lâm Đồng whose facts agree with each other: the CCCD with the birth date and
sex, the career with the age, the salary step with the years served, the decisions with the
career. Deterministic for a seed (Faker "vi_VN" seeded per person)."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import date

from faker import Faker

from samples.decisions import (
    Decision,
    Issuer,
    Subject,
    appointment,
    department_issuer,
    district_issuer,
    recruitment,
    salary_raise,
)
from samples.places import District, Place, Province, lam_dong
from samples.vn import decimal, dmy, my

# The dossiers were digitized in 2022: "nay" (until now) on a form means this day.
AS_OF = date(2022, 6, 30)


@dataclass(frozen=True, slots=True)
class Grade:
    """Ngạch, bậc and hệ số lương, and the day the current step started."""

    title: str  # "Chuyên viên"
    code: str  # "01.003"
    step: int
    coefficient: float
    since: date


@dataclass(frozen=True, slots=True)
class Training:
    school: str
    subject: str
    period: str  # "09/1996 - 06/2000"
    mode: str  # hình thức đào tạo
    award: str  # văn bằng, chứng chỉ


@dataclass(frozen=True, slots=True)
class Job:
    period: str  # "01/2004 - 05/2012", the last one "06/2012 - nay"
    post: str


@dataclass(frozen=True, slots=True)
class Relative:
    relation: str  # "Bố đẻ", "Vợ", "Con", "Mẹ vợ"...
    name: str
    birth_year: int
    details: str  # quê quán, nghề nghiệp, nơi công tác


@dataclass(frozen=True, slots=True)
class Person:
    # Header of the 2C-BNV/2008 form
    managing_agency: str
    unit: str
    cadre_number: str
    # Items 1-26
    full_name: str
    other_name: str
    birth_date: date
    gender: str  # "Nam" / "Nữ"
    birthplace: Place
    hometown: Place
    ethnicity: str
    religion: str
    permanent_address: str
    current_address: str
    occupation_at_recruitment: str
    recruitment_date: date
    recruiting_agency: str
    position: str
    main_duty: str
    grade: Grade
    position_allowance: str
    other_allowance: str
    general_education: str  # 15.1
    qualification: str  # 15.2
    political_theory: str  # 15.3
    state_management: str  # 15.4
    foreign_language: str  # 15.5
    informatics: str  # 15.6
    party_joined: date | None
    party_official: date | None
    social_organisation: str
    enlisted: date | None
    discharged: date | None
    military_rank: str
    honorary_title: str
    strength: str
    awards: str
    discipline: str
    health: str
    height: str
    weight: str
    blood_group: str
    policy_family: str
    cccd: str
    cccd_issued: date
    bhxh: str
    phone: str  # not on the 2008 form; the 2023 form asks for it
    # Items 27, 28, 30
    training: tuple[Training, ...]
    work_history: tuple[Job, ...]
    family: tuple[Relative, ...]
    in_laws: tuple[Relative, ...]
    decisions: tuple[Decision, ...]

    def fields(self) -> dict:
        """Everything the form states, as JSON values: dates ISO, places as printed."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name != "decisions"}  # decisions are documents of their own


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Place):
        return str(value)
    if isinstance(value, Grade):
        return {"title": value.title, "code": value.code, "step": value.step,
                "coefficient": decimal(value.coefficient), "since": value.since.isoformat()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@dataclass(frozen=True, slots=True)
class _Office:
    """A specialised office of a district, and the provincial department of the same field."""

    district_name: str
    city_name: str  # the name it has in a city (thành phố)
    department: str
    department_abbr: str
    majors: tuple[str, ...]
    duty: str  # công việc chính được giao
    strength: str  # sở trường công tác
    commune_post: str  # the matching civil-servant post of a commune


_OFFICES = (
    _Office("Phòng Tư pháp", "Phòng Tư pháp", "Sở Tư pháp", "STP", ("Luật",),
            "Phổ biến, giáo dục pháp luật; kiểm tra văn bản", "Công tác pháp chế",
            "Công chức Tư pháp - Hộ tịch"),
    _Office("Phòng Nội vụ", "Phòng Nội vụ", "Sở Nội vụ", "SNV",
            ("Luật", "Quản lý nhà nước", "Hành chính học"),
            "Quản lý tổ chức bộ máy, biên chế, cán bộ, công chức", "Công tác tổ chức cán bộ",
            "Công chức Văn phòng - Thống kê"),
    _Office("Phòng Tài chính - Kế hoạch", "Phòng Tài chính - Kế hoạch", "Sở Tài chính", "STC",
            ("Kế toán", "Tài chính - Ngân hàng", "Kinh tế"),
            "Thẩm định dự toán, quyết toán ngân sách", "Công tác tài chính, kế toán",
            "Công chức Tài chính - Kế toán"),
    _Office("Phòng Tài nguyên và Môi trường", "Phòng Tài nguyên và Môi trường",
            "Sở Tài nguyên và Môi trường", "STNMT", ("Quản lý đất đai", "Khoa học môi trường"),
            "Quản lý đất đai, cấp giấy chứng nhận quyền sử dụng đất", "Công tác quản lý đất đai",
            "Công chức Địa chính - Xây dựng"),
    _Office("Phòng Nông nghiệp và Phát triển nông thôn", "Phòng Kinh tế",
            "Sở Nông nghiệp và Phát triển nông thôn", "SNN", ("Nông học", "Lâm nghiệp"),
            "Theo dõi sản xuất nông nghiệp, phòng chống thiên tai", "Công tác khuyến nông",
            "Công chức Địa chính - Nông nghiệp"),
    _Office("Phòng Văn hóa và Thông tin", "Phòng Văn hóa và Thông tin",
            "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", ("Văn hóa học", "Công nghệ thông tin"),
            "Quản lý nhà nước về văn hóa, thông tin cơ sở", "Công tác tuyên truyền",
            "Công chức Văn hóa - Xã hội"),
)

_SCHOOLS = {
    "Luật": ("Trường Đại học Luật TP. Hồ Chí Minh", "Trường Đại học Đà Lạt"),
    "Quản lý nhà nước": ("Học viện Hành chính Quốc gia",),
    "Hành chính học": ("Học viện Hành chính Quốc gia",),
    "Kế toán": ("Trường Đại học Kinh tế TP. Hồ Chí Minh", "Trường Đại học Đà Lạt"),
    "Tài chính - Ngân hàng": ("Trường Đại học Kinh tế TP. Hồ Chí Minh",),
    "Kinh tế": ("Trường Đại học Kinh tế TP. Hồ Chí Minh", "Trường Đại học Đà Lạt"),
    "Quản lý đất đai": ("Trường Đại học Nông Lâm TP. Hồ Chí Minh", "Trường Đại học Tây Nguyên"),
    "Khoa học môi trường": ("Trường Đại học Đà Lạt",),
    "Nông học": ("Trường Đại học Nông Lâm TP. Hồ Chí Minh", "Trường Đại học Tây Nguyên"),
    "Lâm nghiệp": ("Trường Đại học Nông Lâm TP. Hồ Chí Minh", "Trường Đại học Tây Nguyên"),
    "Văn hóa học": ("Trường Đại học Văn hóa TP. Hồ Chí Minh",),
    "Công nghệ thông tin": ("Trường Đại học Đà Lạt",),
}
_ENGINEERING = {"Quản lý đất đai", "Khoa học môi trường", "Nông học", "Lâm nghiệp",
                "Công nghệ thông tin"}

# Surnames by frequency; given names come from Faker's vi_VN lists.
_SURNAMES = {"Nguyễn": 38, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Huỳnh": 4, "Phan": 4,
             "Vũ": 4, "Võ": 3, "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 2, "Ngô": 2, "Dương": 1}
_MIDDLE_MALE = ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Quang")
_MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Hồng", "Kim", "Mỹ")
# Ethnic groups of Lâm Đồng and the surnames they use; None: Kinh-style surnames.
_ETHNIC = {"Kinh": (82, None),
           "K'Ho": (7, ("Ka Sô", "Kon Sơ", "Liêng Hót", "Bon Niêng", "Kră Jăn")),
           "Tày": (4, ("Hoàng", "Nông", "Lục", "Ma")),
           "Mạ": (3, ("Điểu",)),
           "Chu Ru": (4, ("Touneh", "Ya", "Bơ Nah"))}
_RELIGIONS = {"Không": 55, "Phật giáo": 20, "Công giáo": 17, "Tin lành": 8}
_STREETS = ("Trần Phú", "Phan Đình Phùng", "Hai Bà Trưng", "Lê Hồng Phong", "Nguyễn Văn Cừ",
            "Lý Thường Kiệt")
_PHONE_PREFIXES = ("090", "091", "094", "097", "098", "086", "035", "038", "077", "083")

# Salary tables (Nghị định 204/2004/NĐ-CP): first coefficient, step, number of steps.
_SCALES = {"Chuyên viên": ("01.003", 2.34, 0.33, 9), "Chuyên viên chính": ("01.002", 4.40, 0.34, 8)}


def make_person(seed: int | str) -> Person:
    """A cadre with their training, career, family and the decisions in their dossier."""
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    rnd: random.Random = fake.random
    province = lam_dong()

    gender = rnd.choice(("Nam", "Nữ"))
    ethnicity = _weighted(rnd, {k: w for k, (w, _) in _ETHNIC.items()})
    surname = rnd.choice(_ETHNIC[ethnicity][1] or _weighted_list(_SURNAMES))
    full_name = _name(fake, gender, surname, ethnicity)
    birth = _day_between(rnd, date(1968, 1, 1), date(1996, 12, 31))

    home_district = rnd.choice(province.districts)
    hometown = province.place(rnd, home_district)
    birthplace = hometown if rnd.random() < 0.6 else province.place(rnd, home_district)

    at_district = rnd.random() < 0.8
    work_district = home_district if rnd.random() < 0.7 else rnd.choice(province.districts)
    office = rnd.choice(_OFFICES)
    if at_district:
        city = work_district.kind == "Thành phố"
        unit = f"{office.city_name if city else office.district_name} {work_district.in_text}"
        managing = f"UBND {work_district.in_text}"
        issuer = district_issuer(work_district)
    else:
        unit = f"{office.department} tỉnh {province.short}"
        managing = f"UBND tỉnh {province.short}"
        issuer = department_issuer(office.department, office.department_abbr, province.short)

    # Schooling, then (for some men) military service, then university and the first jobs.
    enlisted = discharged = None
    university_start = birth.year + 18
    if gender == "Nam" and rnd.random() < 0.12:
        enlisted = date(birth.year + 18, 2, rnd.randint(10, 28))
        discharged = date(birth.year + 20, 2, rnd.randint(10, 28))
        university_start += 2
    graduated = university_start + 4
    major = rnd.choice(office.majors)
    degree = f"{'Kỹ sư' if major in _ENGINEERING else 'Cử nhân'} {major}"
    recruited = date(min(graduated + rnd.randint(0, 3), AS_OF.year - 2), rnd.randint(1, 12), 1)
    years = (AS_OF - recruited).days / 365.25

    leader = None
    if at_district and years >= 8 and rnd.random() < 0.5:
        title = "Trưởng phòng" if years >= 15 and rnd.random() < 0.35 else "Phó Trưởng phòng"
        leader = (title, _day_between(rnd, _add_years(recruited, 6), _add_years(AS_OF, -1)))

    grade = _grade(rnd, recruited, senior=leader is not None and years >= 14)
    jobs = _career(rnd, unit, recruited, graduated, leader, office, work_district, at_district)
    position = leader[0] if leader else "Chuyên viên"
    post = _post(position, unit)

    party_joined = party_official = None
    if years >= 3 and (rnd.random() < 0.6 or leader):
        party_joined = _day_between(rnd, _add_years(recruited, 1),
                                    min(_add_years(recruited, 7), _add_years(AS_OF, -2)))
        party_official = _add_years(party_joined, 1)
    theory = _theory(rnd, leader, party_joined)
    state_management = ("Chuyên viên chính" if grade.title == "Chuyên viên chính"
                        else "Chuyên viên" if years >= 3 else "")

    training = _training(rnd, major, university_start, graduated, theory, state_management,
                         work_district)
    who = Subject("ông" if gender == "Nam" else "bà", full_name, birth, post)
    decisions = _decisions(rnd, issuer, who, grade, leader, unit, degree, recruited)

    sex_century = (0 if gender == "Nam" else 1) + (2 if birth.year >= 2000 else 0)
    address = _address(rnd, province, work_district if rnd.random() < 0.7 else home_district)
    family, in_laws = _family(fake, surname, ethnicity, gender, birth, hometown, province)
    return Person(
        managing_agency=managing,
        unit=unit,
        cadre_number=f"{rnd.randint(10000, 99999)}",
        full_name=full_name,
        other_name="Không",
        birth_date=birth,
        gender=gender,
        birthplace=birthplace,
        hometown=hometown,
        ethnicity=ethnicity,
        religion=_weighted(rnd, _RELIGIONS),
        permanent_address=address,
        current_address=address if rnd.random() < 0.8 else _address(rnd, province, work_district),
        occupation_at_recruitment=degree,
        recruitment_date=recruited,
        recruiting_agency=managing,
        position=position,
        main_duty=office.duty,
        grade=grade,
        position_allowance=decimal(_allowance(position)) if leader else "Không",
        other_allowance="Không",
        general_education="12/12",
        qualification=("Thạc sĩ" if any(t.award == "Thạc sĩ" for t in training) else "Đại học")
        + f" chuyên ngành {major}",
        political_theory=theory,
        state_management=state_management,
        foreign_language=rnd.choice(("Tiếng Anh B1", "Tiếng Anh A2") if recruited.year >= 2016
                                    else ("Tiếng Anh trình độ B", "Tiếng Anh trình độ C")),
        informatics=rnd.choice(("Ứng dụng CNTT cơ bản", "Tin học cơ bản") if recruited.year >= 2016
                               else ("Tin học trình độ B", "Tin học văn phòng")),
        party_joined=party_joined,
        party_official=party_official,
        social_organisation=f"{dmy(date(birth.year + rnd.randint(15, 17), 3, 26))}, "
                            "Đoàn TNCS Hồ Chí Minh",
        enlisted=enlisted,
        discharged=discharged,
        military_rank=rnd.choice(("Hạ sĩ", "Trung sĩ", "Thượng sĩ")) if enlisted else "",
        honorary_title="Không",
        strength=office.strength,
        awards=_awards(rnd, recruited, work_district, at_district, province),
        discipline="Không",
        health=rnd.choice(("Tốt", "Tốt", "Bình thường")),
        height=f"1m{rnd.randint(62, 78) if gender == 'Nam' else rnd.randint(50, 65)}",
        weight=f"{rnd.randint(55, 75) if gender == 'Nam' else rnd.randint(42, 58)} kg",
        blood_group=rnd.choice(("O", "O", "A", "B", "AB")),
        policy_family="Không",
        cccd=f"{province.cccd_code}{sex_century}{birth.year % 100:02d}{rnd.randint(0, 999999):06d}",
        cccd_issued=_day_between(rnd, date(2021, 3, 1), date(2022, 5, 31)),
        bhxh=f"{province.bhxh_code}{rnd.randint(0, 99999999):08d}",
        phone=f"{rnd.choice(_PHONE_PREFIXES)}{rnd.randint(0, 9999999):07d}",
        training=training,
        work_history=jobs,
        family=family,
        in_laws=in_laws,
        decisions=decisions,
    )


def _weighted(rnd: random.Random, weights: dict[str, int]) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def _weighted_list(weights: dict[str, int]) -> list[str]:
    return [k for k, w in weights.items() for _ in range(w)]


def _name(fake: Faker, gender: str, surname: str, ethnicity: str) -> str:
    rnd = fake.random
    given = fake.first_name_male() if gender == "Nam" else fake.first_name_female()
    if ethnicity in ("K'Ho", "Mạ", "Chu Ru"):
        # Highland names have no Kinh middle name; K'Ho women carry "Ha" before the given name.
        middle = "Ha " if ethnicity == "K'Ho" and gender == "Nữ" else ""
        return f"{surname} {middle}{given}"
    middle = rnd.choice(_MIDDLE_MALE if gender == "Nam" else _MIDDLE_FEMALE)
    return f"{surname} {middle} {given}"


def _day_between(rnd: random.Random, start: date, end: date) -> date:
    return date.fromordinal(rnd.randint(start.toordinal(), max(start, end).toordinal()))


def _add_years(d: date, years: int) -> date:
    return d.replace(year=d.year + years, day=min(d.day, 28))


def _grade(rnd: random.Random, recruited: date, senior: bool) -> Grade:
    """Steps rise every 3 years from recruitment (or from promotion to the senior grade)."""
    title = "Chuyên viên"
    start = recruited
    if senior:
        title = "Chuyên viên chính"
        start = date(recruited.year + rnd.randint(12, 13), rnd.randint(1, 12), 1)
    code, first, inc, steps = _SCALES[title]
    step = min(steps, 1 + max(0, (AS_OF - start).days) // (3 * 365 + 1))
    return Grade(title, code, step, round(first + inc * (step - 1), 2),
                 _add_years(start, 3 * (step - 1)))


def _coefficient(title: str, step: int) -> float:
    _, first, inc, _ = _SCALES[title]
    return round(first + inc * (step - 1), 2)


def _allowance(position: str) -> float:
    return 0.3 if position == "Trưởng phòng" else 0.2


def _post(position: str, unit: str) -> str:
    """"Phó Trưởng phòng Tư pháp huyện Đức Trọng", "Chuyên viên Sở Tư pháp tỉnh Lâm Đồng"."""
    if position.endswith("Trưởng phòng") and unit.startswith("Phòng "):
        return f"{position} {unit.removeprefix('Phòng ')}"
    return f"{position} {unit}"


def _career(rnd: random.Random, unit: str, recruited: date, graduated: int,
            leader: tuple[str, date] | None, office: _Office, district: District,
            at_district: bool) -> tuple[Job, ...]:
    jobs: list[Job] = []
    start = recruited
    if recruited.year > graduated and rnd.random() < 0.6:
        contract = date(graduated, rnd.randint(7, 10), 1)
        jobs.append(Job(f"{my(contract)} - {my(_month_before(recruited))}",
                        f"Nhân viên hợp đồng {unit}"))
    if at_district and rnd.random() < 0.35 and (AS_OF - recruited).days > 8 * 365:
        # Started as a commune civil servant, moved to the district office a few years later.
        commune = rnd.choice(district.communes)
        moved = date(recruited.year + rnd.randint(3, 5), rnd.randint(1, 12), 1)
        jobs.append(Job(f"{my(recruited)} - {my(_month_before(moved))}",
                        f"{office.commune_post} UBND {commune[0].lower()}{commune[1:]}, "
                        f"{district.in_text}"))
        start = moved
    if leader:
        appointed = leader[1].replace(day=1)
        jobs.append(Job(f"{my(start)} - {my(_month_before(appointed))}", f"Chuyên viên {unit}"))
        jobs.append(Job(f"{my(appointed)} - nay", _post(leader[0], unit)))
    else:
        jobs.append(Job(f"{my(start)} - nay", f"Chuyên viên {unit}"))
    return tuple(jobs)


def _month_before(d: date) -> date:
    return date(d.year - 1, 12, 1) if d.month == 1 else date(d.year, d.month - 1, 1)


def _theory(rnd: random.Random, leader: tuple[str, date] | None, party: date | None) -> str:
    if leader and leader[0] == "Trưởng phòng":
        return rnd.choice(("Cao cấp", "Trung cấp"))
    if leader:
        return "Trung cấp"
    return "Sơ cấp" if party else ""


def _training(rnd: random.Random, major: str, start: int, graduated: int, theory: str,
              state_management: str, district: District) -> tuple[Training, ...]:
    rows = [Training(rnd.choice(_SCHOOLS[major]), major, f"09/{start} - 06/{graduated}",
                     "Chính quy", "Kỹ sư" if major in _ENGINEERING else "Cử nhân")]
    if graduated <= 2010 and rnd.random() < 0.2:
        year = graduated + rnd.randint(5, 9)
        rows.append(Training(rnd.choice(_SCHOOLS[major]), major, f"10/{year} - 10/{year + 2}",
                             "Không tập trung", "Thạc sĩ"))
    if theory:
        year = min(graduated + rnd.randint(4, 10), AS_OF.year - 1)
        school, subject, award = {
            "Sơ cấp": (f"Trung tâm Chính trị {district.in_text}", "Sơ cấp lý luận chính trị",
                       "Sơ cấp"),
            "Trung cấp": ("Trường Chính trị tỉnh Lâm Đồng",
                          "Trung cấp lý luận chính trị - hành chính", "Trung cấp"),
            "Cao cấp": ("Học viện Chính trị khu vực II", "Cao cấp lý luận chính trị", "Cao cấp"),
        }[theory]
        end = {"Sơ cấp": f"04/{year}", "Trung cấp": f"11/{year}", "Cao cấp": f"02/{year + 1}"}
        rows.append(Training(school, subject, f"03/{year} - {end[theory]}", "Không tập trung",
                             award))
    if state_management and len(rows) < 4:
        senior = state_management == "Chuyên viên chính"
        year = min(graduated + rnd.randint(3, 8) + (8 if senior else 0), AS_OF.year - 1)
        rows.append(Training("Học viện Hành chính Quốc gia" if senior
                             else "Trường Chính trị tỉnh Lâm Đồng",
                             f"Bồi dưỡng QLNN chương trình {state_management.lower()}",
                             f"05/{year} - 08/{year}", "Bồi dưỡng", "Chứng chỉ"))
    return tuple(sorted(rows, key=lambda t: t.period[3:7] + t.period[:2]))  # by start


def _decisions(rnd: random.Random, issuer: Issuer, who: Subject, grade: Grade,
               leader: tuple[str, date] | None, unit: str, degree: str,
               recruited: date) -> tuple[Decision, ...]:
    """The latest salary step (or the recruitment), and the appointment of a leader."""
    found: list[Decision] = []
    if grade.step >= 2:
        found.append(salary_raise(rnd, issuer, who, grade.title, grade.code, grade.step,
                                  (_coefficient(grade.title, grade.step - 1), grade.coefficient),
                                  grade.since))
    if leader:
        was = Subject(who.honorific, who.name, who.birth_date, f"Chuyên viên {unit}")
        found.append(appointment(rnd, issuer, was, _post(leader[0], unit),
                                 _allowance(leader[0]), leader[1]))
    if not found or (len(found) == 1 and rnd.random() < 0.3):
        code, first, _, _ = _SCALES["Chuyên viên"]
        found.append(recruitment(rnd, issuer, who, degree, unit, "Chuyên viên", code, first,
                                 recruited))
    return tuple(sorted(found, key=lambda d: d.issued))


def _awards(rnd: random.Random, recruited: date, district: District, at_district: bool,
            province: Province) -> str:
    if rnd.random() < 0.3 or recruited.year + 2 >= AS_OF.year:
        return "Không"
    year = rnd.randint(recruited.year + 2, AS_OF.year - 1)
    if at_district and rnd.random() < 0.7:
        return f"Giấy khen của Chủ tịch UBND {district.in_text} năm {year}"
    return f"Bằng khen của Chủ tịch UBND tỉnh {province.short} năm {year}"


def _address(rnd: random.Random, province: Province, district: District) -> str:
    place = province.place(rnd, district)
    if place.commune.startswith("Phường"):
        street = f"Số {rnd.randint(2, 180)} đường {rnd.choice(_STREETS)}"
    elif place.commune.startswith("Thị trấn"):
        street = f"Tổ dân phố {rnd.randint(1, 12)}"
    else:
        street = f"Thôn {rnd.randint(1, 9)}"
    return f"{street}, {place}"


def _family(fake: Faker, surname: str, ethnicity: str, gender: str, birth: date, hometown: Place,
            province: Province) -> tuple[tuple[Relative, ...], tuple[Relative, ...]]:
    """Parents, spouse and children (a), and the spouse's parents (b)."""
    rnd = fake.random
    home = f"{hometown.commune}, {hometown.district}"

    def parent_job(year: int) -> str:
        if year < 1945 or rnd.random() < 0.15:
            return f"Đã mất năm {rnd.randint(min(year + 45, AS_OF.year - 2), AS_OF.year - 1)}"
        return rnd.choice(("Làm nông", "Nghỉ hưu", "Buôn bán", "Làm nông"))

    father_year = birth.year - rnd.randint(22, 34)
    mother_year = father_year + rnd.randint(-2, 5)
    family = [
        Relative("Bố đẻ", _name(fake, "Nam", surname, ethnicity), father_year,
                 f"{home}; {parent_job(father_year)}"),
        Relative("Mẹ đẻ", _relative_name(fake, "Nữ"), mother_year,
                 f"{home}; {parent_job(mother_year)}"),
    ]
    in_laws: list[Relative] = []
    if AS_OF.year - birth.year >= 26 and rnd.random() < 0.85:
        spouse_gender = "Nữ" if gender == "Nam" else "Nam"
        spouse_surname = rnd.choice(_weighted_list(_SURNAMES))
        spouse_year = birth.year + rnd.randint(-2, 4) * (1 if gender == "Nam" else -1)
        spouse_home = province.place(rnd)
        family.append(Relative("Vợ" if gender == "Nam" else "Chồng",
                               _relative_name(fake, spouse_gender, spouse_surname), spouse_year,
                               f"{spouse_home.commune}, {spouse_home.district}; "
                               f"{rnd.choice(_SPOUSE_JOBS)}"))
        for n in range(rnd.randint(1, 2)):
            year = birth.year + rnd.randint(25, 29) + 3 * n
            if year > AS_OF.year - 1:
                break
            age = AS_OF.year - year
            job = "Học sinh" if age < 18 else "Sinh viên" if age < 23 else "Nhân viên văn phòng"
            sex = rnd.choice(("Nam", "Nữ"))
            taken = {r.name.split()[-1] for r in family}
            while True:  # siblings never share a given name
                name = (_name(fake, sex, surname, ethnicity) if gender == "Nam"
                        else _relative_name(fake, sex, spouse_surname))
                if name.split()[-1] not in taken:
                    break
            family.append(Relative("Con", name, year, job))
        suffix = "vợ" if gender == "Nam" else "chồng"
        in_laws_home = f"{spouse_home.commune}, {spouse_home.district}"
        for relation, sex, year in (("Bố", "Nam", spouse_year - rnd.randint(22, 32)),
                                    ("Mẹ", "Nữ", spouse_year - rnd.randint(20, 28))):
            name = _relative_name(fake, sex, spouse_surname if sex == "Nam" else None)
            in_laws.append(Relative(f"{relation} {suffix}", name, year,
                                    f"{in_laws_home}; {parent_job(year)}"))
    return tuple(family), tuple(in_laws)


_SPOUSE_JOBS = ("Giáo viên", "Viên chức Trung tâm Y tế", "Nhân viên ngân hàng", "Kinh doanh",
                "Làm nông", "Công chức")


def _relative_name(fake: Faker, gender: str, surname: str | None = None) -> str:
    surname = surname or fake.random.choice(_weighted_list(_SURNAMES))
    return _name(fake, gender, surname, "Kinh")
