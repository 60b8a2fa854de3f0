"""The other papers of a dossier, laid out in a `Style` with their fields recorded: decisions
(quyết định, after Nghị định 30/2020/NĐ-CP), a university degree (văn bằng, landscape), a copy of
the birth certificate (giấy khai sinh, bản sao) and a yearly CV supplement (phiếu bổ sung lý
lịch). Each function returns the laid-out document and its field values."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from samples.decisions import Decision
from samples.fields import GIAY_KHAI_SINH, PHIEU_BO_SUNG, QUYET_DINH, VAN_BANG
from samples.flow import Flow, Item, Rendered
from samples.layout import A4, Line
from samples.people import Person
from samples.record import Value, place_of
from samples.render import _seal_and_signature
from samples.style import Style
from samples.vn import date_words, vn_date

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
LANDSCAPE = (A4[1], A4[0])
DARK_RED = (150, 25, 30)


@dataclass(frozen=True, slots=True)
class Paper:
    type: str
    rendered: Rendered
    values: dict[str, Value]
    extra: dict  # what the truth states besides the fields (a decision's kind...)


def _t(text: str) -> Value:
    return Value(text, text)


def _motto(f: Flow, x0: float, x1: float, size: float) -> None:
    f.paragraph(MOTTO[0], x0, x1, "bold", size * 0.95, "center")
    base = f.baseline(size * 1.02)
    f.paragraph(MOTTO[1], x0, x1, "bold", size * 1.02, "center")
    half = f.measure(MOTTO[1], "bold", size * 1.02) / 2
    middle = (x0 + x1) / 2
    f.rule(middle - half, middle + half, base + size * 0.2)
    f.gap(size * 0.2)


def _short_rule(f: Flow, x0: float, x1: float) -> None:
    middle = (x0 + x1) / 2
    f.rule(middle - 150, middle + 150, f.y + 2)
    f.gap(20)


# -- quyết định ---------------------------------------------------------------------------------


def decision(d: Decision, person: Person, style: Style) -> Paper:
    """A decision about `person`; the fields are its Thông tư 02/2019 metadata."""
    f = Flow(QUYET_DINH, style)
    size = f.body * 1.04
    split = f.left + (f.right - f.left) * 0.4
    top = f.y
    if d.issuer.parent:
        f.paragraph(d.issuer.parent, f.left, split, "regular", size, "center", key="co_quan_chu_quan")
    for line in d.issuer.lines:
        f.paragraph(line, f.left, split, "bold", size, "center", key="co_quan_ban_hanh")
    _short_rule(f, f.left, split)
    f.gap(f.body * 0.4)
    base = f.baseline(size)
    label = "Số: "
    x = (f.left + split - f.measure(label + d.number, "regular", size)) / 2
    x = f.put(x, base, label, "regular", size)
    f.put(x, base, d.number, "regular", size, key="so_ky_hieu")
    f.emit(label + d.number)
    f.y += f.advance(size)
    left_bottom = f.y

    f.y = top
    _motto(f, split, f.right, size)
    f.gap(f.body * 0.8)
    when = vn_date(d.issued)
    base = f.baseline(size)
    x = (split + f.right - f.measure(f"{d.issuer.place}, {when}", "italic", size)) / 2
    x = f.put(x, base, d.issuer.place, "italic", size, key="noi_ban_hanh")
    x = f.put(x, base, ", ", "italic", size)
    f.put(x, base, when, "italic", size, key="ngay_ban_hanh")
    f.emit(f"{d.issuer.place}, {when}")
    f.y = max(f.y + f.advance(size), left_bottom) + f.body

    f.paragraph("QUYẾT ĐỊNH", weight="bold", size=size * 1.12, align="center")
    f.paragraph(d.subject, f.left + 150, f.right - 150, "bold", size, "center", key="trich_yeu",
                find=("nguoi_duoc_nhac", person.full_name))
    _short_rule(f, f.left, f.right)
    f.gap(f.body * 0.6)
    f.paragraph(d.issuer.authority, weight="bold", size=size, align="center")
    f.gap(f.body * 0.5)
    for ground in d.grounds:
        f.paragraph(ground, weight="italic", size=size, align="justify", indent=f.body * 2.5)
    f.gap(f.body * 0.3)
    f.paragraph("QUYẾT ĐỊNH:", weight="bold", size=size, align="center")
    f.gap(f.body * 0.3)
    for article in d.articles:
        f.paragraph(article, size=size, align="justify", indent=f.body * 2.5,
                    find=("nguoi_duoc_nhac", person.full_name))
    f.gap(f.body)

    f.need(f.advance() * 9)
    sign_top = f.y
    sign_left = f.left + (f.right - f.left) * 0.48
    for line in d.signer_lines:
        f.paragraph(line, sign_left, f.right, "bold", size, "center")
    mark = f.y
    f.gap(f.body * 6.5)
    f.paragraph(d.signer, sign_left, f.right, "bold", size, "center", key="nguoi_ky")
    _seal_and_signature(f, sign_left, f.right, mark, d.number)
    right_bottom = f.y
    f.y = sign_top
    f.paragraph("Nơi nhận:", f.left, sign_left, "bolditalic", f.body * 0.9)
    for line in d.recipients:
        f.paragraph(line, f.left, sign_left, "regular", f.body * 0.85)
    f.y = max(f.y, right_bottom)

    values = {
        "co_quan_chu_quan": _t(d.issuer.parent or ""),
        "co_quan_ban_hanh": _t(d.issuer.name),
        "so_ky_hieu": _t(d.number),
        "noi_ban_hanh": _t(d.issuer.place),
        "ngay_ban_hanh": Value(d.issued.isoformat(), when),
        "trich_yeu": _t(d.subject),
        "nguoi_duoc_nhac": _t(person.full_name),
        "nguoi_ky": _t(d.signer),
    }
    return Paper(QUYET_DINH, Rendered(f.finish(), f), values,
                 {"loai": d.kind, "ky_thay": d.signer_lines[0] if len(d.signer_lines) > 1 else ""})


# -- văn bằng -----------------------------------------------------------------------------------

_SCHOOL_PLACES = {"Đà Lạt": "Đà Lạt", "TP. Hồ Chí Minh": "TP. Hồ Chí Minh",
                  "Tây Nguyên": "Đắk Lắk", "Quốc gia": "Hà Nội"}
_GRADES = ("Trung bình", "Trung bình khá", "Khá", "Khá", "Giỏi")


def degree(person: Person, style: Style, rnd: random.Random) -> Paper:
    """The university degree of `person`'s first training row, on a landscape sheet."""
    t = person.training[0]
    f = Flow(VAN_BANG, style, LANDSCAPE)
    f.rect(110, 110, LANDSCAPE[0] - 110, LANDSCAPE[1] - 110, 10)
    f.rect(150, 150, LANDSCAPE[0] - 150, LANDSCAPE[1] - 150, 3)
    f.y = 260
    size = f.body * 1.1
    x0, x1 = 500, LANDSCAPE[0] - 500
    _motto(f, x0, x1, size)
    f.gap(f.body * 1.5)
    academy = t.school.startswith("Học viện")
    head = "GIÁM ĐỐC" if academy else "HIỆU TRƯỞNG"
    school = t.school.upper()
    base = f.baseline(size)
    x = (x0 + x1 - f.measure(f"{head} {school}", "bold", size)) / 2
    x = f.put(x, base, f"{head} ", "bold", size)
    f.put(x, base, school, "bold", size, key="co_so_cap")
    f.emit(f"{head} {school}")
    f.y += f.advance(size)
    f.paragraph("cấp", x0, x1, "italic", size, "center")
    f.gap(f.body * 0.5)
    graduated = int(t.period[-4:])
    title = "BẰNG CỬ NHÂN" if graduated >= 2020 and t.award == "Cử nhân" else \
        "BẰNG KỸ SƯ" if graduated >= 2020 else "BẰNG TỐT NGHIỆP ĐẠI HỌC"
    big = f.body * 2.2
    base = f.baseline(big)
    f.put((x0 + x1 - f.measure(title, "bold", big)) / 2, base, title, "bold", big, "loai_van_bang",
          DARK_RED)
    f.emit(title)
    f.y += f.advance(big)
    f.gap(f.body)
    issued = date(graduated, rnd.randint(7, 10), rnd.randint(1, 28))
    where = next((v for k, v in _SCHOOL_PLACES.items() if k in t.school), "Đà Lạt")
    honorific = "Ông" if person.gender == "Nam" else "Bà"
    values = {
        "co_so_cap": _t(school),
        "loai_van_bang": _t(title),
        "nganh": _t(t.subject),
        "danh_hieu": _t(t.award),
        "ho_va_ten": _t(person.full_name),
        "ngay_sinh": Value(person.birth_date.isoformat(), style.date(person.birth_date)),
        "xep_loai": _t(rnd.choice(_GRADES)),
        "hinh_thuc_dao_tao": _t(t.mode),
        "ngay_cap": Value(issued.isoformat(), vn_date(issued)),
        "so_hieu": _t(f"{rnd.choice('ABC')} {rnd.randint(100000, 999999)}"),
        "so_vao_so": _t(f"{rnd.randint(100, 4999)}/{graduated}"),
    }
    inner = (x0 + 300, x1 - 300)
    f.fields([Item("Ngành:", "nganh", values["nganh"].text)], x0=inner[0], x1=inner[1])
    f.fields([Item("Danh hiệu:", "danh_hieu", values["danh_hieu"].text)], x0=inner[0], x1=inner[1])
    f.fields([Item(f"Cho: {honorific}", "ho_va_ten", person.full_name, "bold")], x0=inner[0],
             x1=inner[1])
    f.fields([Item("Ngày sinh:", "ngay_sinh", values["ngay_sinh"].text)], x0=inner[0], x1=inner[1])
    f.fields([Item("Xếp loại tốt nghiệp:", "xep_loai", values["xep_loai"].text)], x0=inner[0],
             x1=inner[1])
    f.fields([Item("Hình thức đào tạo:", "hinh_thuc_dao_tao", values["hinh_thuc_dao_tao"].text)],
             x0=inner[0], x1=inner[1])
    f.gap(f.body)
    split = LANDSCAPE[0] / 2
    top = f.y
    f.fields([Item("Số hiệu:", "so_hieu", values["so_hieu"].text)], x0=x0, x1=split - 100)
    f.fields([Item("Số vào sổ cấp bằng:", "so_vao_so", values["so_vao_so"].text)], x0=x0,
             x1=split - 100)
    f.y = top
    base = f.baseline()
    text = f"{where}, {values['ngay_cap'].text}"
    x = (split + x1 - f.measure(text, "italic")) / 2
    x = f.put(x, base, f"{where}, ", "italic")
    f.put(x, base, values["ngay_cap"].text, "italic", key="ngay_cap")
    f.emit(text)
    f.y += f.advance()
    f.paragraph(head, split, x1, "bold", align="center")
    mark = f.y
    f.gap(f.body * 5)
    f.paragraph(_signer(rnd), split, x1, "bold", align="center")
    _seal_and_signature(f, split, x1, mark - 40, values["so_hieu"].text)
    return Paper(VAN_BANG, Rendered(f.finish(), f), values, {})


def _lower_first(text: str) -> str:
    """"Huyện Đức Trọng" -> "huyện Đức Trọng", as inside a sentence."""
    return text[:1].lower() + text[1:]


def _signer(rnd: random.Random) -> str:
    return rnd.choice(("PGS.TS. Nguyễn Văn Hòa", "TS. Lê Minh Chiến", "PGS.TS. Trần Hữu Duy",
                       "TS. Phạm Thị Thu Hà"))


# -- giấy khai sinh (bản sao) -------------------------------------------------------------------


def birth_certificate(person: Person, style: Style, rnd: random.Random) -> Paper:
    """A certified copy of the birth certificate, registered where `person` was born."""
    f = Flow(GIAY_KHAI_SINH, style)
    born = person.birth_date
    registered = born + timedelta(days=rnd.randint(5, 60))
    place = person.birthplace
    commune = _lower_first(place.commune)
    authority = (f"Ủy ban nhân dân {commune}, {_lower_first(place.district)}, "
                 f"{_lower_first(place.province)}")
    father, mother = person.family[0], person.family[1]
    copied = date(2021, 1, 4) + timedelta(days=rnd.randint(0, 500))
    values = {
        "so": _t(str(rnd.randint(12, 240))),
        "quyen_so": _t(f"{rnd.randint(1, 3):02d}/{registered.year}"),
        "ho_va_ten": _t(person.full_name.upper()),
        "gioi_tinh": _t(person.gender),
        "ngay_sinh": Value(born.isoformat(), f"{born.day:02d}/{born.month:02d}/{born.year}"),
        "ngay_sinh_bang_chu": Value(born.isoformat(), date_words(born)),
        "noi_sinh": _t(str(place)),
        "dan_toc": _t(person.ethnicity),
        "quoc_tich": _t("Việt Nam"),
        "que_quan": _t(str(person.hometown)),
        "ho_ten_cha": _t(father.name),
        "nam_sinh_cha": _t(str(father.birth_year)),
        "ho_ten_me": _t(mother.name),
        "nam_sinh_me": _t(str(mother.birth_year)),
        "noi_dang_ky": _t(authority),
        "ngay_dang_ky": Value(registered.isoformat(), style.date(registered)),
    }
    split = f.left + (f.right - f.left) * 0.42
    top = f.y
    f.paragraph(f"UBND {commune.upper()}", f.left, split, "bold", align="center")
    _short_rule(f, f.left, split)
    f.fields([Item("Số:", "so", values["so"].text)], x0=f.left, x1=split)
    f.fields([Item("Quyển số:", "quyen_so", values["quyen_so"].text)], x0=f.left, x1=split)
    left_bottom = f.y
    f.y = top
    _motto(f, split, f.right, f.body)
    f.y = max(f.y, left_bottom) + f.body
    f.paragraph("GIẤY KHAI SINH", weight="bold", size=f.body * 1.5, align="center")
    f.paragraph("(BẢN SAO)", weight="bold", align="center")
    f.gap(f.body)

    def item(label: str, key: str, weight: str = "regular") -> Item:
        return Item(label, key, values[key].text, weight)

    f.fields([item("Họ và tên:", "ho_va_ten", "bold")])
    f.fields([item("Giới tính:", "gioi_tinh"), item("Dân tộc:", "dan_toc"),
              item("Quốc tịch:", "quoc_tich")])
    f.fields([item("Ngày, tháng, năm sinh:", "ngay_sinh")])
    f.fields([item("ghi bằng chữ:", "ngay_sinh_bang_chu")], x0=f.left + f.body * 2)
    f.fields([item("Nơi sinh:", "noi_sinh")])
    f.fields([item("Quê quán:", "que_quan")])
    f.fields([item("Họ và tên cha:", "ho_ten_cha"), item("Năm sinh:", "nam_sinh_cha")], (3, 1))
    f.fields([item("Họ và tên mẹ:", "ho_ten_me"), item("Năm sinh:", "nam_sinh_me")], (3, 1))
    f.fields([item("Nơi đăng ký khai sinh:", "noi_dang_ky")])
    f.fields([item("Ngày, tháng, năm đăng ký:", "ngay_dang_ky")])
    f.gap(f.body * 1.5)
    sign_left = f.left + (f.right - f.left) * 0.45
    f.paragraph(f"Sao từ Sổ đăng ký khai sinh, {vn_date(copied)}", sign_left, f.right, "italic",
                align="center")
    f.paragraph("TM. ỦY BAN NHÂN DÂN", sign_left, f.right, "bold", align="center")
    f.paragraph("KT. CHỦ TỊCH", sign_left, f.right, "bold", align="center")
    mark = f.y
    f.gap(f.body * 5)
    f.paragraph(_signer(rnd).split(". ")[-1], sign_left, f.right, "bold", align="center")
    _seal_and_signature(f, sign_left, f.right, mark - 40, person.cccd + "ks")
    return Paper(GIAY_KHAI_SINH, Rendered(f.finish(), f), values, {"ngay_sao": copied.isoformat()})


# -- phiếu bổ sung lý lịch ----------------------------------------------------------------------


def supplement(person: Person, style: Style, rnd: random.Random) -> Paper:
    """The yearly supplement: what changed in the last year (a salary step, a course)."""
    f = Flow(PHIEU_BO_SUNG, style)
    g = person.grade
    year = g.since.year if g.step >= 2 and g.since.year < 2022 else 2021
    start, end = date(year, 1, 1), date(year, 12, 31)
    if g.step >= 2 and g.since.year == year:
        change = (f"- Được nâng bậc lương thường xuyên từ bậc {g.step - 1} lên bậc {g.step}, ngạch "
                  f"{g.title} (mã số {g.code}), kể từ {vn_date(g.since)}.")
    else:
        change = "- Hoàn thành tốt nhiệm vụ được giao; không có thay đổi về lý lịch."
    signed = date(year + 1, 1, rnd.randint(5, 28))
    values = {
        "co_quan_quan_ly": _t(person.managing_agency),
        "ho_va_ten": _t(person.full_name),
        "ngay_sinh": Value(person.birth_date.isoformat(), style.date(person.birth_date)),
        "chuc_vu_don_vi": _t(person.work_history[-1].post),
        "tu_ngay": Value(start.isoformat(), style.date(start)),
        "den_ngay": Value(end.isoformat(), style.date(end)),
        "noi_dung_bo_sung": _t(change),
        "ngay_khai": Value(signed.isoformat(), vn_date(signed)),
    }
    top = f.y
    mid = f.left + (f.right - f.left) * 0.6
    f.fields([Item("Cơ quan, đơn vị quản lý CBCC:", "co_quan_quan_ly",
                   values["co_quan_quan_ly"].text)], x1=mid)
    below = f.y
    f.y = top
    f.paragraph("Mẫu 3-BNV/2008", mid, f.right, "bold", align="right")
    f.y = max(f.y, below) + f.body
    f.paragraph("PHIẾU BỔ SUNG LÝ LỊCH CÁN BỘ, CÔNG CHỨC", weight="bold", size=f.body * 1.3,
                align="center")
    f.gap(f.body)
    n = style.number

    def item(label: str, key: str) -> Item:
        return Item(label, key, values[key].text, "bold" if key == "ho_va_ten" else "regular")

    f.fields([item(f"{n('1')} Họ và tên:", "ho_va_ten")])
    f.fields([item(f"{n('2')} Ngày, tháng, năm sinh:", "ngay_sinh")])
    f.fields([item(f"{n('3')} Chức vụ, đơn vị công tác hiện tại:", "chuc_vu_don_vi")])
    f.fields([item(f"{n('4')} Những nội dung bổ sung từ ngày:", "tu_ngay"),
              item("đến ngày:", "den_ngay")], (3, 2))
    f.paragraph(change, key="noi_dung_bo_sung", align="justify", indent=f.body * 2)
    f.gap(f.body * 2)
    split = f.left + (f.right - f.left) * 0.45
    base = f.baseline()
    place = place_of(person.managing_agency)
    text = f"{place}, {values['ngay_khai'].text}"
    x = (split + f.right - f.measure(text, "italic")) / 2
    x = f.put(x, base, f"{place}, ", "italic")
    f.put(x, base, values["ngay_khai"].text, "italic", key="ngay_khai")
    f.emit(text)
    f.y += f.advance()
    top = f.y
    f.paragraph("Người khai", split, f.right, "bold", align="center")
    f.paragraph("(Ký, ghi rõ họ tên)", split, f.right, "italic", align="center")
    mark = f.y
    f.y = top
    f.paragraph("Xác nhận của cơ quan quản lý", f.left, split, "bold", align="center")
    f.y = mark + f.body * 4
    f.paragraph(person.full_name, split, f.right, "bold", align="center")
    sx, sy = (split + f.right) / 2 - 120, mark + f.body * 2
    stroke = tuple((sx + t * 1.4, sy + 30 * math.sin(t / 35) - t * 0.1) for t in range(0, 180, 4))
    f.page.ops.append(Line(stroke, 4, (30, 50, 150)))
    return Paper(PHIEU_BO_SUNG, Rendered(f.finish(), f), values, {})
