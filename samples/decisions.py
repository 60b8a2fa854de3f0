"""Personnel decisions (quyết định) as a district People's Committee or a provincial
department issues them: header, trích yếu, legal grounds chosen by the date, two articles."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from samples.places import District
from samples.vn import decimal, dmy, vn_date


@dataclass(frozen=True, slots=True)
class Issuer:
    parent: str | None  # the supervising body, printed above the issuer: "UBND TỈNH LÂM ĐỒNG"
    lines: tuple[str, ...]  # the issuer as printed: ("ỦY BAN NHÂN DÂN", "HUYỆN ĐỨC TRỌNG")
    abbr: str  # the issuer part of the số ký hiệu: "UBND", "STP"
    place: str  # of the date line: "Đức Trọng"
    head: str  # "CHỦ TỊCH", "GIÁM ĐỐC"
    proposer: str  # whose proposal the decision follows
    executors: str  # who carries it out, besides the person

    @property
    def name(self) -> str:
        return " ".join(self.lines)

    @property
    def authority(self) -> str:
        """The line under the trích yếu: who decides."""
        return f"{self.head} {self.name}"


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # "nang_bac_luong", "bo_nhiem", "tuyen_dung"
    number: str  # "123/QĐ-UBND"
    issued: date
    issuer: Issuer
    subject: str  # trích yếu: "Về việc ..."
    grounds: tuple[str, ...]  # "Căn cứ ..." and "Xét đề nghị ..." paragraphs
    articles: tuple[str, ...]  # "Điều 1. ...", "Điều 2. ..."
    signer_lines: tuple[str, ...]  # ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    signer: str
    recipients: tuple[str, ...]

    def fields(self) -> dict:
        """The metadata a clerk records for a decision (Thông tư 02/2019/TT-BNV)."""
        return {
            "loai": self.kind,
            "so_ky_hieu": self.number,
            "ngay_ban_hanh": self.issued.isoformat(),
            "noi_ban_hanh": self.issuer.place,
            "co_quan_chu_quan": self.issuer.parent,
            "co_quan_ban_hanh": self.issuer.name,
            "trich_yeu": self.subject,
            "nguoi_ky": self.signer,
        }


def district_issuer(district: District) -> Issuer:
    level = district.kind.lower()
    return Issuer(
        parent=None,
        lines=("ỦY BAN NHÂN DÂN", district.full.upper()),
        abbr="UBND",
        place=district.name,
        head="CHỦ TỊCH",
        proposer=f"Xét đề nghị của Trưởng phòng Nội vụ {level}.",
        executors=(f"Chánh Văn phòng HĐND và UBND {level}, Trưởng phòng Nội vụ, "
                   "Trưởng phòng Tài chính - Kế hoạch"),
    )


def department_issuer(department: str, abbr: str, province: str) -> Issuer:
    return Issuer(
        parent=f"UBND TỈNH {province.upper()}",
        lines=(department.upper(),),
        abbr=abbr,
        place=province,
        head="GIÁM ĐỐC",
        proposer="Xét đề nghị của Chánh Văn phòng Sở.",
        executors="Chánh Văn phòng Sở, Trưởng các phòng, đơn vị thuộc Sở",
    )


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a decision is about, as the articles name them."""

    honorific: str  # "ông", "bà"
    name: str
    birth_date: date
    post: str  # "Chuyên viên Phòng Tư pháp huyện Đức Trọng"

    @property
    def called(self) -> str:
        return f"{self.honorific} {self.name}"


def salary_raise(rnd: random.Random, issuer: Issuer, who: Subject, grade: str, code: str,
                 step: int, coefficients: tuple[float, float], effective: date) -> Decision:
    issued = _issue_date(rnd, effective)
    grounds = (
        _local_government_law(issued),
        _cadre_law(issued),
        "Căn cứ Nghị định số 204/2004/NĐ-CP ngày 14 tháng 12 năm 2004 của Chính phủ về chế độ "
        "tiền lương đối với cán bộ, công chức, viên chức và lực lượng vũ trang;",
        _raise_circular(issued),
        issuer.proposer,
    )
    article1 = (
        f"Điều 1. Nâng bậc lương thường xuyên đối với {who.called}, {who.post}, từ bậc "
        f"{step - 1}, hệ số {decimal(coefficients[0])} lên bậc {step}, hệ số "
        f"{decimal(coefficients[1])}, ngạch {grade} (mã số {code}); thời gian hưởng kể từ "
        f"{vn_date(effective)}. Thời gian xét nâng bậc lương lần sau tính từ {vn_date(effective)}."
    )
    return _decision(rnd, "nang_bac_luong", issuer, issued,
                     f"Về việc nâng bậc lương thường xuyên đối với {who.called}",
                     grounds, article1, who)


def appointment(rnd: random.Random, issuer: Issuer, who: Subject, position: str,
                allowance: float, effective: date) -> Decision:
    issued = _issue_date(rnd, effective)
    grounds = (_local_government_law(issued), _cadre_law(issued), _civil_service_decree(issued),
               issuer.proposer)
    article1 = (
        f"Điều 1. Bổ nhiệm {who.called}, {who.post}, giữ chức vụ {position} kể từ "
        f"{vn_date(effective)}. Thời hạn giữ chức vụ là 05 năm. {who.honorific.capitalize()} "
        f"{who.name} được hưởng phụ cấp chức vụ hệ số {decimal(allowance)}."
    )
    return _decision(rnd, "bo_nhiem", issuer, issued,
                     f"Về việc bổ nhiệm {who.called} giữ chức vụ {position}",
                     grounds, article1, who)


def recruitment(rnd: random.Random, issuer: Issuer, who: Subject, degree: str, unit: str,
                grade: str, code: str, coefficient: float, effective: date) -> Decision:
    issued = _issue_date(rnd, effective)
    grounds = (_local_government_law(issued), _cadre_law(issued), _civil_service_decree(issued),
               issuer.proposer)
    article1 = (
        f"Điều 1. Tuyển dụng {who.called}, sinh ngày {dmy(who.birth_date)}, trình độ {degree}, "
        f"vào làm công chức tại {unit}, ngạch {grade} (mã số {code}), hưởng lương bậc 1, hệ số "
        f"{decimal(coefficient)} kể từ {vn_date(effective)}. Thời gian tập sự là 12 tháng."
    )
    return _decision(rnd, "tuyen_dung", issuer, issued, "Về việc tuyển dụng công chức",
                     grounds, article1, who)


def _decision(rnd: random.Random, kind: str, issuer: Issuer, issued: date, subject: str,
              grounds: tuple[str, ...], article1: str, who: Subject) -> Decision:
    article2 = (
        f"Điều 2. Quyết định này có hiệu lực kể từ ngày ký. {issuer.executors}, Thủ trưởng các "
        f"cơ quan, đơn vị có liên quan và {who.called} căn cứ Quyết định thi hành./."
    )
    deputy = rnd.random() < 0.7
    signer_lines = (f"KT. {issuer.head}", f"PHÓ {issuer.head}") if deputy else (issuer.head,)
    # Numbers run through the year, so a later date carries a larger number.
    number = max(1, int(issued.timetuple().tm_yday * rnd.uniform(3, 9)))
    return Decision(
        kind=kind,
        number=f"{number}/QĐ-{issuer.abbr}",
        issued=issued,
        issuer=issuer,
        subject=subject,
        grounds=grounds,
        articles=(article1, article2),
        signer_lines=signer_lines,
        signer=_signer_name(rnd),
        recipients=("- Như Điều 2;", "- Lưu: VT, NV."),
    )


def _issue_date(rnd: random.Random, effective: date) -> date:
    return date.fromordinal(effective.toordinal() - rnd.randint(0, 25))


def _local_government_law(d: date) -> str:
    if d >= date(2016, 1, 1):
        return "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"
    return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26 tháng 11 năm 2003;"


def _cadre_law(d: date) -> str:
    if d >= date(2010, 1, 1):
        return "Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008;"
    return "Căn cứ Pháp lệnh Cán bộ, công chức ngày 26 tháng 02 năm 1998;"


def _civil_service_decree(d: date) -> str:
    if d >= date(2020, 11, 27):
        return ("Căn cứ Nghị định số 138/2020/NĐ-CP ngày 27 tháng 11 năm 2020 của Chính phủ quy "
                "định về tuyển dụng, sử dụng và quản lý công chức;")
    if d >= date(2010, 5, 1):
        return ("Căn cứ Nghị định số 24/2010/NĐ-CP ngày 15 tháng 3 năm 2010 của Chính phủ quy "
                "định về tuyển dụng, sử dụng và quản lý công chức;")
    return ("Căn cứ Nghị định số 117/2003/NĐ-CP ngày 10 tháng 10 năm 2003 của Chính phủ về việc "
            "tuyển dụng, sử dụng và quản lý cán bộ, công chức trong các cơ quan nhà nước;")


def _raise_circular(d: date) -> str:
    if d >= date(2021, 8, 15):
        return ("Căn cứ Thông tư số 03/2021/TT-BNV ngày 29 tháng 6 năm 2021 của Bộ Nội vụ sửa "
                "đổi, bổ sung chế độ nâng bậc lương thường xuyên, nâng bậc lương trước thời hạn "
                "và chế độ phụ cấp thâm niên vượt khung đối với cán bộ, công chức, viên chức và "
                "người lao động;")
    if d >= date(2013, 9, 15):
        return ("Căn cứ Thông tư số 08/2013/TT-BNV ngày 31 tháng 7 năm 2013 của Bộ Nội vụ hướng "
                "dẫn thực hiện chế độ nâng bậc lương thường xuyên và nâng bậc lương trước thời hạn "
                "đối với cán bộ, công chức, viên chức và người lao động;")
    return ("Căn cứ Thông tư số 03/2005/TT-BNV ngày 05 tháng 01 năm 2005 của Bộ Nội vụ hướng dẫn "
            "thực hiện chế độ nâng bậc lương thường xuyên và nâng bậc lương trước thời hạn đối với "
            "cán bộ, công chức, viên chức;")


_SIGNER_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Võ", "Hoàng", "Đặng")
_SIGNER_NAMES = ("Văn Sơn", "Văn Hòa", "Đình Thắng", "Thị Hồng", "Minh Tuấn", "Quang Vinh",
                 "Thị Thu Hà", "Ngọc Lâm", "Hữu Phước")


def _signer_name(rnd: random.Random) -> str:
    return f"{rnd.choice(_SIGNER_SURNAMES)} {rnd.choice(_SIGNER_NAMES)}"
