"""The pages of a dossier: the 2C-BNV/2008 CV (two pages) and a decision, laid out as on paper,
and rasterised to a clean 300 dpi A4 image."""

from __future__ import annotations

import math
import random
from datetime import date

from PIL import Image, ImageDraw

from samples.decisions import Decision
from samples.layout import (
    DPI,
    Ellipse,
    Line,
    Page,
    Polygon,
    Rect,
    Text,
    Writer,
    font,
    measure,
)
from samples.people import Person, Relative
from samples.vn import decimal, dmy, vn_date

SO_YEU_LY_LICH = "so_yeu_ly_lich"
QUYET_DINH = "quyet_dinh"

PHOTO = (472, 709)  # 4 x 6 cm
TABLE = 46


def cv_pages(person: Person) -> list[Page]:
    """Page 1: header, photo box and items 1)-26). Page 2: tables 27), 28) and 30)."""
    return [_cv_first(person), _cv_second(person)]


def _cv_first(p: Person) -> Page:
    w = Writer(SO_YEU_LY_LICH)
    w.lines("Mẫu 2C-BNV/2008", style="bold", align="right")
    w.fields([("Cơ quan, đơn vị có thẩm quyền quản lý CBCC:", p.managing_agency)])
    w.fields([("Cơ quan, đơn vị sử dụng CBCC:", p.unit)])
    w.fields([("Số hiệu cán bộ, công chức:", p.cadre_number)], x0=w.left + 1100)
    w.gap(30)

    photo_top = w.y
    w.page.ops.append(Rect(w.left, photo_top, w.left + PHOTO[0], photo_top + PHOTO[1], 3))
    label = "Ảnh 4x6 cm"
    w.draw(w.left + (PHOTO[0] - measure(label)) / 2, photo_top + PHOTO[1] / 2, label)
    w.emit(label)

    beside = w.left + PHOTO[0] + 60
    w.gap(20)
    w.lines("SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC", beside, w.right, "bold", 62, "center")
    w.gap(30)
    birth = vn_date(p.birth_date).removeprefix("ngày ")
    w.fields([("1) Họ và tên khai sinh (viết chữ in hoa):", p.full_name.upper())], beside,
             value_style="bold")
    w.fields([("2) Tên gọi khác:", p.other_name)], beside)
    w.fields([("3) Sinh ngày", birth), ("Giới tính (nam, nữ):", p.gender)], beside,
             weights=(3, 2))
    w.fields([("4) Nơi sinh:", str(p.birthplace))], beside)
    w.fields([("5) Quê quán:", str(p.hometown))], beside)
    w.y = max(w.y, photo_top + PHOTO[1] + 30)

    w.fields([("6) Dân tộc:", p.ethnicity), ("7) Tôn giáo:", p.religion)])
    w.fields([("8) Nơi đăng ký hộ khẩu thường trú:", p.permanent_address)])
    w.fields([("9) Nơi ở hiện nay:", p.current_address)])
    w.fields([("10) Nghề nghiệp khi được tuyển dụng:", p.occupation_at_recruitment)])
    w.fields([("11) Ngày tuyển dụng:", dmy(p.recruitment_date)),
              ("Cơ quan tuyển dụng:", p.recruiting_agency)], weights=(2, 3))
    w.fields([("12) Chức vụ (chức danh) hiện tại:", p.position)])
    w.fields([("13) Công việc chính được giao:", p.main_duty)])
    g = p.grade
    w.fields([("14) Ngạch công chức (viên chức):", g.title), ("Mã ngạch:", g.code)],
             weights=(3, 2))
    w.fields([("Bậc lương:", str(g.step)), ("Hệ số:", decimal(g.coefficient)),
              ("Ngày hưởng:", dmy(g.since))], w.left + 80)
    w.fields([("Phụ cấp chức vụ:", p.position_allowance), ("Phụ cấp khác:", p.other_allowance)],
             w.left + 80)
    w.fields([("15.1) Trình độ giáo dục phổ thông:", p.general_education)])
    w.fields([("15.2) Trình độ chuyên môn cao nhất:", p.qualification)])
    w.fields([("15.3) Lý luận chính trị:", p.political_theory),
              ("15.4) Quản lý nhà nước:", p.state_management)])
    w.fields([("15.5) Ngoại ngữ:", p.foreign_language), ("15.6) Tin học:", p.informatics)])
    w.fields([("16) Ngày vào Đảng Cộng sản Việt Nam:", _dmy(p.party_joined)),
              ("Ngày chính thức:", _dmy(p.party_official))], weights=(3, 2))
    w.fields([("17) Ngày tham gia tổ chức chính trị - xã hội:", p.social_organisation)])
    w.fields([("18) Ngày nhập ngũ:", _dmy(p.enlisted)), ("Ngày xuất ngũ:", _dmy(p.discharged)),
              ("Quân hàm cao nhất:", p.military_rank)])
    w.fields([("19) Danh hiệu được phong tặng cao nhất:", p.honorary_title)])
    w.fields([("20) Sở trường công tác:", p.strength)])
    w.fields([("21) Khen thưởng:", p.awards), ("22) Kỷ luật:", p.discipline)], weights=(3, 1))
    w.fields([("23) Tình trạng sức khoẻ:", p.health), ("Chiều cao:", p.height),
              ("Cân nặng:", p.weight), ("Nhóm máu:", p.blood_group)], weights=(5, 3, 3, 3))
    w.fields([("24) Là thương binh hạng:", ""), ("Là con gia đình chính sách:", p.policy_family)])
    w.fields([("25) Số chứng minh nhân dân:", p.cccd), ("Ngày cấp:", dmy(p.cccd_issued))],
             weights=(3, 2))
    w.fields([("26) Số sổ BHXH:", p.bhxh)])
    return w.finish()


def _cv_second(p: Person) -> Page:
    w = Writer(SO_YEU_LY_LICH)
    w.lines("27) ĐÀO TẠO, BỒI DƯỠNG VỀ CHUYÊN MÔN, NGHIỆP VỤ, LÝ LUẬN CHÍNH TRỊ, NGOẠI NGỮ, "
            "TIN HỌC", style="bold")
    w.table((470, 470, 390, 320, 380),
            ("Tên trường", "Chuyên ngành đào tạo, bồi dưỡng", "Từ tháng, năm - đến tháng, năm",
             "Hình thức đào tạo", "Văn bằng, chứng chỉ, trình độ gì"),
            [(t.school, t.subject, t.period, t.mode, t.award) for t in p.training],
            TABLE, ("left", "left", "center", "center", "center"))
    w.gap(40)
    w.lines("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC", style="bold")
    w.table((560, 1470), ("Từ tháng, năm đến tháng, năm", "Chức danh, chức vụ, đơn vị công tác"),
            [(j.period, j.post) for j in p.work_history], TABLE, ("center", "left"))
    w.gap(40)
    w.lines("30) QUAN HỆ GIA ĐÌNH", style="bold")
    header = ("Mối quan hệ", "Họ và tên", "Năm sinh",
              "Quê quán, nghề nghiệp, chức danh, chức vụ, đơn vị công tác, học tập, nơi ở…")
    widths = (290, 560, 230, 950)
    aligns = ("left", "left", "center", "left")
    w.lines("a) Về bản thân: Cha, Mẹ, Vợ (hoặc chồng), các con, anh chị em ruột", style="italic")
    w.table(widths, header, [_relative(r) for r in p.family], TABLE, aligns)
    if p.in_laws:
        w.gap(20)
        w.lines("b) Về bên vợ (hoặc chồng): Cha, Mẹ, anh chị em ruột", style="italic")
        w.table(widths, header, [_relative(r) for r in p.in_laws], TABLE, aligns)
    return w.finish()


def _relative(r: Relative) -> tuple[str, str, str, str]:
    return (r.relation, r.name, str(r.birth_year), r.details)


def _dmy(d: date | None) -> str:
    return "" if d is None else dmy(d)


def decision_page(d: Decision) -> Page:
    """A decision laid out after Nghị định 30/2020/NĐ-CP: issuer and number on the left,
    the national motto and the date on the right, title, grounds, articles, signature."""
    w = Writer(QUYET_DINH, left=330, right=200, top=180, bottom=170)
    size = 50
    split = w.left + 820  # the two header columns meet here
    top = w.y

    if d.issuer.parent:
        w.lines(d.issuer.parent, w.left, split, "regular", size, "center")
    for line in d.issuer.lines:
        w.lines(line, w.left, split, "bold", size, "center")
    _short_rule(w, w.left, split)
    w.gap(25)
    w.lines(f"Số: {d.number}", w.left, split, "regular", size, "center")
    left_bottom = w.y

    w.y = top
    w.lines("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", split, w.right, "bold", 48, "center")
    motto = "Độc lập - Tự do - Hạnh phúc"
    w.lines(motto, split, w.right, "bold", 52, "center")
    half = measure(motto, "bold", 52) / 2
    middle = (split + w.right) / 2
    w.rule(middle - half, middle + half, w.y + 4)
    w.gap(40)
    w.lines(f"{d.issuer.place}, {vn_date(d.issued)}", split, w.right, "italic", 52, "center")
    w.y = max(w.y, left_bottom) + 60

    w.lines("QUYẾT ĐỊNH", style="bold", size=58, align="center")
    w.lines(d.subject, w.left + 150, w.right - 150, "bold", 52, "center")
    _short_rule(w, w.left, w.right)
    w.gap(40)
    w.lines(d.issuer.authority, style="bold", size=52, align="center")
    w.gap(30)
    for ground in d.grounds:
        w.lines(ground, style="italic", size=size, align="justify", indent=120)
    w.gap(20)
    w.lines("QUYẾT ĐỊNH:", style="bold", size=52, align="center")
    w.gap(20)
    for article in d.articles:
        w.lines(article, style="regular", size=size, align="justify", indent=120)
    w.gap(50)

    sign_top = w.y
    sign_left = w.left + 1000
    for line in d.signer_lines:
        w.lines(line, sign_left, w.right, "bold", 52, "center")
    mark_top = w.y
    w.gap(330)
    w.lines(d.signer, sign_left, w.right, "bold", 52, "center")
    _seal_and_signature(w, sign_left, w.right, mark_top, d.number)
    right_bottom = w.y

    w.y = sign_top
    w.lines("Nơi nhận:", w.left, sign_left, "bolditalic", 44)
    for line in d.recipients:
        w.lines(line, w.left, sign_left, "regular", 42)
    w.y = max(w.y, right_bottom)
    return w.finish()


def _short_rule(w: Writer, x0: float, x1: float) -> None:
    middle = (x0 + x1) / 2
    w.rule(middle - 150, middle + 150, w.y + 4)
    w.gap(15)


RED = (200, 30, 40)
BLUE = (30, 50, 150)


def _seal_and_signature(w: Writer, x0: float, x1: float, top: float, key: str) -> None:
    """A red round seal over the left of the signature and a blue pen stroke: clutter that a
    real scan has and OCR must ignore. Varies with `key`, deterministically."""
    rnd = random.Random(key)
    cx, cy, r = (x0 + x1) / 2 - 180 + rnd.uniform(-30, 30), top + 160, 150
    for radius, width in ((r, 8), (r - 22, 4)):
        w.page.ops.append(Ellipse(cx - radius, cy - radius, cx + radius, cy + radius, width, RED))
    star = tuple((cx + (40 if i % 2 == 0 else 16) * math.sin(i * math.pi / 5),
                  cy - (40 if i % 2 == 0 else 16) * math.cos(i * math.pi / 5)) for i in range(10))
    w.page.ops.append(Polygon(star, RED))
    sx, sy = (x0 + x1) / 2 - 120, top + 170
    a, b = rnd.uniform(40, 70), rnd.uniform(2.5, 4.0)
    stroke = tuple((sx + t * 2.2, sy + a * math.sin(t / 180 * b * math.pi) - t * 0.25)
                   for t in range(0, 200, 4))
    w.page.ops.append(Line(stroke, 5, BLUE))


def rasterise(page: Page, dpi: int = DPI) -> Image.Image:
    """The page as a clean white RGB image, at 300 dpi unless told otherwise (the layout is in
    300 dpi pixels; another resolution scales every drawing operation)."""
    k = dpi / DPI
    if k == 1:
        image = Image.new("RGB", page.size, "white")
    else:
        image = Image.new("RGB", (round(page.size[0] * k), round(page.size[1] * k)), "white")
    draw = ImageDraw.Draw(image)
    for op in page.ops:
        if isinstance(op, Text):
            size = op.size if k == 1 else op.size * k
            draw.text((op.x * k, op.baseline * k), op.text, font=font(op.style, size, op.family),
                      fill=op.color, anchor="ls")
        elif isinstance(op, Line):
            points = op.points if k == 1 else [(x * k, y * k) for x, y in op.points]
            draw.line(points, fill=op.color, width=max(1, round(op.width * k)), joint="curve")
        elif isinstance(op, Rect):
            draw.rectangle((op.x0 * k, op.y0 * k, op.x1 * k, op.y1 * k), outline=(0, 0, 0),
                           width=max(1, round(op.width * k)))
        elif isinstance(op, Ellipse):
            draw.ellipse((op.x0 * k, op.y0 * k, op.x1 * k, op.y1 * k), outline=op.color,
                         width=max(1, round(op.width * k)))
        elif isinstance(op, Polygon):
            points = op.points if k == 1 else [(x * k, y * k) for x, y in op.points]
            draw.polygon(points, fill=op.color)
    return image
