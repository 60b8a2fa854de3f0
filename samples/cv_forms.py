"""The three CV layouts of real dossiers (Mẫu 2C-BNV/2008, the form of Thông tư 06/2023/TT-BNV,
Mẫu 2C/TCTW-98) laid out from a `CvRecord` in a dossier's `Style`, over as many pages as they
take. Labels come from `samples.fields`; which items share a line follows the printed forms."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from samples.fields import (
    BNV_2008,
    LAYOUT_SPECS,
    SO_YEU_LY_LICH,
    TCTW_98,
    TCTW_98_HEADINGS,
    TT06_2023,
    TT06_2023_HEADINGS,
    Table,
)
from samples.flow import Flow, Item, Rendered
from samples.layout import Line
from samples.record import CvRecord
from samples.render import _seal_and_signature
from samples.style import Style

PHOTO = (472, 709)  # 4 x 6 cm at 300 dpi
BLUE = (30, 50, 150)

# Column proportions and alignment of each table, as on the printed forms.
_FRACTIONS: dict[str, tuple[Sequence[float], Sequence[str]]] = {
    "dao_tao": ((470, 470, 390, 320, 380), ("left", "left", "center", "center", "center")),
    "qua_trinh_cong_tac": ((560, 1470), ("center", "left")),
    "gia_dinh": ((290, 560, 230, 950), ("left", "left", "center", "left")),
    "dao_tao_chuyen_mon": ((200, 200, 450, 400, 260, 260), ("center",) * 2 + ("left",) * 4),
    "ly_luan_chinh_tri": ((200, 200, 600, 300, 350), ("center",) * 2 + ("left",) * 3),
    "boi_duong_qlnn": ((200, 200, 700, 600), ("center",) * 2 + ("left",) * 2),
    "boi_duong_anqp": ((200, 200, 700, 600), ("center",) * 2 + ("left",) * 2),
    "tin_hoc": ((200, 200, 700, 600), ("center",) * 2 + ("left",) * 2),
    "ngoai_ngu": ((200, 200, 550, 300, 300, 150), ("center",) * 2 + ("left",) * 3 + ("center",)),
    "qua_trinh_cong_tac_2023": ((200, 200, 1000, 500), ("center",) * 2 + ("left",) * 2),
    "che_do_cu": ((200, 200, 1400), ("center",) * 2 + ("left",)),
    "to_chuc_nuoc_ngoai": ((200, 200, 1400), ("center",) * 2 + ("left",)),
    "khen_thuong": ((150, 500, 450, 650), ("center", "left", "left", "left")),
    "ky_luat": ((200, 200, 350, 550, 450), ("center",) * 2 + ("left",) * 3),
    "qua_trinh_luong": ((200, 200, 250, 200, 250, 450), ("center",) * 6),
    "phu_cap": ((200, 200, 350, 250, 200, 300, 250), ("center",) * 2 + ("left",) + ("center",) * 4),
}


def cv_document(record: CvRecord, style: Style) -> Rendered:
    form = _Form(record, style)
    {BNV_2008: form.bnv_2008, TT06_2023: form.tt06_2023, TCTW_98: form.tctw_98}[record.layout]()
    return Rendered(form.flow.finish(), form.flow)


class _Form:
    def __init__(self, record: CvRecord, style: Style) -> None:
        self.record = record
        self.style = style
        self.spec = LAYOUT_SPECS[record.layout]
        self.labels = {f.key: f for f in self.spec.fields}
        self.tables = {t.key: t for t in self.spec.tables}
        self.flow = Flow(SO_YEU_LY_LICH, style)
        self.numbered: set[str] = set()  # items whose number is printed already

    # -- building blocks --------------------------------------------------------------------

    def item(self, key: str, bullet: bool = False) -> Item:
        spec = self.labels[key]
        value = self.record.values[key]
        prefix = ""
        if spec.item and spec.item not in self.numbered:
            prefix = self.style.number(spec.item) + " "
            self.numbered.add(spec.item)
        elif bullet:
            prefix = "- "
        words_date = key == "ngay_sinh" and value.text and "tháng" in value.text
        colon = "" if words_date else ":"
        weight = "bold" if key == "ho_va_ten" or self.style.value_weight == "bold" else "regular"
        return Item(f"{prefix}{spec.label}{colon}", key, value.text, weight)

    def row(self, *keys: str, weights: Sequence[float] | None = None, bullet: bool = False,
            x0: float | None = None, x1: float | None = None) -> None:
        self.flow.fields([self.item(k, bullet) for k in keys], weights, x0, x1)

    def heading(self, item: str, text: str, align: str = "left") -> None:
        self.flow.gap(self.flow.body * 0.5)
        self.flow.need(self.flow.advance() * 7)  # keep the heading with what follows
        self.numbered.add(item)
        self.flow.paragraph(f"{self.style.number(item)} {text}", weight="bold", align=align)

    def table(self, key: str, fractions_key: str | None = None, numbered: bool = True,
              title_weight: str = "bold") -> None:
        spec: Table = self.tables[key]
        fractions, aligns = _FRACTIONS[fractions_key or key]
        self.flow.gap(self.flow.body * 0.4)
        self.flow.need(self.flow.advance() * 4)
        if spec.title:
            title = spec.title
            if numbered and spec.item not in self.numbered:
                title = f"{self.style.number(spec.item)} {title}"
                self.numbered.add(spec.item)
            self.flow.paragraph(title, weight=title_weight)
        rows = self.record.tables[key]
        columns = [c.key for c in spec.columns]
        self.flow.table(key, [c.header for c in spec.columns], [[r[c] for c in columns] for r in rows],
                        fractions, aligns, columns)

    def grid(self, key: str, title: str) -> None:
        spec = self.tables[key]
        self.flow.gap(self.flow.body * 0.4)
        self.flow.need(self.flow.advance() * 5)
        self.flow.paragraph(title, weight="bold")
        self.flow.grid(key, [(c.key, c.header) for c in spec.columns], self.record.tables[key])

    def free_text(self, key: str) -> None:
        """A value that stands under its heading (nhận xét): text, or empty dotted lines."""
        text = self.record.values[key].text
        if text:
            self.flow.paragraph(text, key=key, align="justify", indent=self.flow.body * 2)
        elif self.style.leaders:
            for _ in range(3):
                self.flow.need(self.flow.advance())
                self.flow.leader(self.flow.left, self.flow.right, self.flow.baseline())
                self.flow.gap(self.flow.advance())
        else:
            self.flow.gap(self.flow.advance() * 2)

    def photo(self, label: Sequence[str], size: tuple[int, int] = PHOTO) -> tuple[float, float]:
        """The photo box at the left margin; returns (x where the text beside it starts, bottom)."""
        f = self.flow
        top = f.y
        f.rect(f.left, top, f.left + size[0], top + size[1])
        y = top + size[1] / 2 - len(label) * f.body * 0.6
        for line in label:
            f.put(f.left + (size[0] - f.measure(line)) / 2, y + f.body, line)
            f.emit(line)
            y += f.body * 1.3
        return f.left + size[0] + 50, top + size[1] + 30

    def signatures(self, left: Sequence[str], right: Sequence[str], seal: bool) -> None:
        """"Người khai" on the left, the head of the agency on the right, the date above it."""
        f = self.flow
        values = self.record.values
        f.gap(f.body)
        f.need(f.advance() * 10)
        split = f.left + (f.right - f.left) * 0.45
        top = f.y
        f.y = top
        date_base = f.baseline()
        x = (split + f.right) / 2 - f.measure(f"{self.record.place}, {values['ngay_khai'].text}",
                                             "italic") / 2
        x = f.put(x, date_base, f"{self.record.place}, ", "italic")
        f.put(x, date_base, values["ngay_khai"].text, "italic", key="ngay_khai")
        f.emit(f"{self.record.place}, {values['ngay_khai'].text}")
        f.gap(f.advance())
        for line in right:
            f.paragraph(line, split, f.right, "bold" if line.isupper() or line[0] != "(" else "italic",
                        align="center")
        right_top = f.y
        f.y = top + f.advance()
        for line in left:
            f.paragraph(line, f.left, split, "bold" if line == "Người khai" else "italic",
                        align="center")
        mark = max(f.y, right_top)
        name = values["nguoi_khai"].text
        f.y = mark + f.body * 5
        f.paragraph(name, f.left, split, "bold", align="center", key="nguoi_khai")
        rnd = random.Random(name)
        sx, sy = (f.left + split) / 2 - 150, mark + f.body * 2.5
        stroke = tuple((sx + t * 1.6, sy + 35 * math.sin(t / 40 * rnd.uniform(2, 3)) - t * 0.15)
                       for t in range(0, 200, 4))
        f.page.ops.append(Line(stroke, 4, BLUE))
        if seal:
            _seal_and_signature(f, split, f.right, mark - f.body, name + "-seal")

    # -- Mẫu 2C-BNV/2008 --------------------------------------------------------------------

    def bnv_2008(self) -> None:
        f = self.flow
        f.paragraph(self.spec.code, weight="bold", align="right")
        self.row("co_quan_quan_ly")
        self.row("co_quan_su_dung")
        self.row("so_hieu_can_bo", x0=f.left + (f.right - f.left) * 0.45)
        f.gap(f.body * 0.6)
        beside, bottom = self.photo(["Ảnh 4x6 cm"])
        f.gap(f.body * 0.4)
        f.paragraph(self.spec.title, beside, f.right, "bold", f.body * 1.3, "center")
        f.gap(f.body * 0.5)
        self.row("ho_va_ten", x0=beside)
        self.row("ten_goi_khac", x0=beside)
        self.row("ngay_sinh", "gioi_tinh", weights=(3, 2), x0=beside)
        self.row("noi_sinh", x0=beside)
        self.row("que_quan", x0=beside)
        f.y = max(f.y, bottom)
        self.row("dan_toc", "ton_giao")
        self.row("ho_khau_thuong_tru")
        self.row("noi_o_hien_nay")
        self.row("nghe_nghiep_khi_tuyen_dung")
        self.row("ngay_tuyen_dung", "co_quan_tuyen_dung", weights=(2, 3))
        self.row("chuc_vu_hien_tai")
        self.row("cong_viec_chinh")
        self.row("ngach", "ma_ngach", weights=(3, 2))
        indent = f.left + f.body * 1.5
        self.row("bac_luong", "he_so_luong", "ngay_huong_luong", x0=indent)
        self.row("phu_cap_chuc_vu", "phu_cap_khac", x0=indent)
        self.row("giao_duc_pho_thong")
        self.row("chuyen_mon_cao_nhat")
        self.row("ly_luan_chinh_tri", "quan_ly_nha_nuoc")
        self.row("ngoai_ngu", "tin_hoc")
        self.row("ngay_vao_dang", "ngay_chinh_thuc", weights=(3, 2))
        self.row("ngay_tham_gia_to_chuc")
        self.row("ngay_nhap_ngu", "ngay_xuat_ngu", "quan_ham")
        self.row("danh_hieu")
        self.row("so_truong")
        self.row("khen_thuong", "ky_luat", weights=(3, 1))
        self.row("suc_khoe", "chieu_cao", "can_nang", "nhom_mau", weights=(5, 3, 3, 3))
        self.row("thuong_binh_hang", "gia_dinh_chinh_sach")
        self.row("so_cccd", "ngay_cap_cccd", weights=(3, 2))
        self.row("so_bhxh")
        self.table("dao_tao")
        self.table("qua_trinh_cong_tac")
        self.heading("29", "ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN")
        for key in ("lich_su_ban_than", "quan_he_nuoc_ngoai", "than_nhan_nuoc_ngoai"):
            self.row(key, bullet=True)
        self.heading("30", "QUAN HỆ GIA ĐÌNH")
        self.table("gia_dinh_ban_than", "gia_dinh", title_weight="italic")
        self.table("gia_dinh_ben_vo_chong", "gia_dinh", title_weight="italic")
        self.grid("dien_bien_luong", f"{self.style.number('31')} {self.tables['dien_bien_luong'].title}")
        self.heading("32", self.labels["nhan_xet"].label)
        self.free_text("nhan_xet")
        self.signatures(["Người khai", "Tôi xin cam đoan những lời khai trên đây là đúng sự thật",
                         "(Ký tên, ghi rõ họ tên)"],
                        ["Thủ trưởng cơ quan, đơn vị quản lý và sử dụng CBCC", "(Ký tên, đóng dấu)"],
                        seal=True)

    # -- Thông tư 06/2023/TT-BNV -------------------------------------------------------------

    def tt06_2023(self) -> None:
        f = self.flow
        for key in ("co_quan_quan_ly", "don_vi_su_dung", "so_hieu", "ma_so_dinh_danh"):
            self.row(key)
        f.gap(f.body * 0.6)
        beside, bottom = self.photo(["Ảnh màu", "(4 x 6 cm)"])
        f.gap(f.body * 0.4)
        f.paragraph(self.spec.title, beside, f.right, "bold", f.body * 1.4, "center")
        f.gap(f.body * 0.5)
        self.row("ho_va_ten", "gioi_tinh", weights=(4, 1), x0=beside)
        self.row("ten_goi_khac", x0=beside)
        self.row("ngay_sinh", x0=beside)
        self.row("noi_sinh", x0=beside)
        self.row("que_quan", x0=beside)
        f.y = max(f.y, bottom)
        self.row("dan_toc", "ton_giao")
        self.row("so_cccd", "ngay_cap_cccd", "so_dien_thoai", weights=(4, 3, 3))
        self.row("so_bhxh", "so_the_bhyt")
        for key in ("noi_o_hien_nay", "thanh_phan_xuat_than", "nghe_nghiep_truoc_tuyen_dung"):
            self.row(key)
        self.row("ngay_tuyen_dung", "co_quan_tuyen_dung", weights=(2, 3))
        self.row("ngay_vao_co_quan")
        self.row("ngay_vao_dang", "ngay_chinh_thuc", weights=(3, 2))
        self.row("ngay_tham_gia_to_chuc")
        self.row("ngay_nhap_ngu", "ngay_xuat_ngu", "quan_ham")
        for key in ("doi_tuong_chinh_sach", "giao_duc_pho_thong", "chuyen_mon_cao_nhat", "hoc_ham",
                    "danh_hieu", "chuc_vu_hien_tai"):
            self.row(key)
        self.row("ngay_bo_nhiem", "ngay_bo_nhiem_lai")
        for key in ("quy_hoach", "chuc_vu_kiem_nhiem", "chuc_vu_dang", "chuc_vu_dang_kiem_nhiem",
                    "cong_viec_chinh"):
            self.row(key)
        self.row("so_truong", "cong_viec_lau_nhat")
        self.heading("30", TT06_2023_HEADINGS["30"])
        self.row("ngach", "ma_ngach", weights=(3, 1))
        self.row("ngay_bo_nhiem_ngach")
        self.row("bac_luong", "he_so_luong", "ngay_huong_luong")
        self.row("phan_tram_huong", "phu_cap_tnvk", "ngay_huong_pctnvk", weights=(2, 3, 3))
        self.row("phu_cap_chuc_vu", "phu_cap_kiem_nhiem", "phu_cap_khac")
        self.row("vi_tri_viec_lam", "ma_vi_tri_viec_lam", weights=(3, 1))
        self.row("bac_luong_vtvl", "luong_theo_muc_tien", "ngay_huong_vtvl")
        self.row("suc_khoe")
        self.row("chieu_cao", "can_nang", "nhom_mau", x0=f.left + f.body * 1.5)
        self.heading("32", TT06_2023_HEADINGS["32"], align="center")
        for key in ("dao_tao_chuyen_mon", "ly_luan_chinh_tri", "boi_duong_qlnn", "boi_duong_anqp",
                    "tin_hoc", "ngoai_ngu"):
            self.table(key, title_weight="regular")
        self.flow.gap(f.body * 0.5)
        self.table("qua_trinh_cong_tac", "qua_trinh_cong_tac_2023")
        self.heading("34", TT06_2023_HEADINGS["34"], align="center")
        self.row("lich_su_ban_than")
        self.table("che_do_cu", title_weight="regular")
        self.table("to_chuc_nuoc_ngoai", title_weight="regular")
        self.heading("35", TT06_2023_HEADINGS["35"], align="center")
        self.table("khen_thuong", title_weight="regular")
        self.table("ky_luat", title_weight="regular")
        self.heading("36", TT06_2023_HEADINGS["36"], align="center")
        self.table("gia_dinh_ban_than", "gia_dinh", title_weight="regular")
        self.table("gia_dinh_ben_vo_chong", "gia_dinh", title_weight="regular")
        self.heading("37", TT06_2023_HEADINGS["37"], align="center")
        self.table("qua_trinh_luong", title_weight="regular")
        self.table("phu_cap", title_weight="regular")
        f.gap(f.body * 0.4)
        self.numbered.add("37.3")
        f.paragraph(f"{self.style.number('37.3')} Nguồn thu nhập chính của gia đình hàng năm")
        for key in ("thu_nhap_tien_luong", "thu_nhap_khac", "nha_o", "dat_o", "dat_san_xuat"):
            self.row(key, bullet=True)
        self.heading("38", self.labels["nhan_xet"].label, align="center")
        self.free_text("nhan_xet")
        self.signatures(["Người khai", "Tôi xin cam đoan những lời khai trên đây là đúng sự thật",
                         "(Ký tên, ghi rõ họ tên)"],
                        ["THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký tên, đóng dấu)"], seal=True)

    # -- Mẫu 2C/TCTW-98 ---------------------------------------------------------------------

    def tctw_98(self) -> None:
        f = self.flow
        top = f.y
        mid = f.left + (f.right - f.left) * 0.55
        self.row("tinh", x1=mid)
        self.row("don_vi_truc_thuoc", x1=mid)
        self.row("don_vi_co_so", x1=mid)
        below = f.y
        f.y = top
        f.paragraph(self.spec.code, mid, f.right, "bold", align="right")
        f.y = max(below, f.y) + f.body * 0.5
        f.paragraph(self.spec.title, weight="bold", size=f.body * 1.4, align="center")
        self.row("so_hieu_can_bo", x0=mid)
        f.gap(f.body * 0.4)
        beside, bottom = self.photo(["Ảnh"], (354, 472))  # 3 x 4 cm
        self.row("ho_va_ten", "gioi_tinh", weights=(3, 1), x0=beside)
        self.row("ten_goi_khac", x0=beside)
        self.row("cap_uy_hien_tai", "cap_uy_kiem", x0=beside)
        self.row("chuc_vu", x0=beside)
        self.row("phu_cap_chuc_vu", x0=beside)
        f.y = max(f.y, bottom)
        self.row("ngay_sinh", "noi_sinh", weights=(2, 3))
        self.row("que_quan_xa", "que_quan_huyen", "que_quan_tinh", weights=(4, 3, 3))
        self.row("noi_o_hien_nay")
        self.row("so_dien_thoai", x0=f.left + f.body * 1.5)
        self.row("dan_toc", "ton_giao")
        for key in ("thanh_phan_xuat_than", "nghe_nghiep_truoc_tuyen_dung"):
            self.row(key)
        self.row("ngay_tuyen_dung", "co_quan_tuyen_dung", weights=(2, 3))
        self.row("ngay_vao_co_quan", "ngay_tham_gia_cach_mang", weights=(3, 2))
        self.row("ngay_vao_dang", "ngay_chinh_thuc", weights=(3, 2))
        self.row("ngay_tham_gia_to_chuc")
        self.row("ngay_nhap_ngu", "ngay_xuat_ngu", "quan_ham")
        self.row("giao_duc_pho_thong", "hoc_ham_hoc_vi")
        self.row("ly_luan_chinh_tri", "ngoai_ngu", bullet=True)
        self.row("cong_tac_chinh")
        self.row("ngach", "ma_ngach", weights=(3, 2))
        self.row("bac_luong", "he_so_luong", "ngay_huong_luong", x0=f.left + f.body * 1.5)
        self.row("danh_hieu")
        self.row("so_truong", "cong_viec_lau_nhat")
        self.row("khen_thuong")
        self.row("ky_luat")
        self.row("suc_khoe", "chieu_cao", "can_nang", "nhom_mau", weights=(5, 3, 3, 3))
        self.row("so_cccd", "thuong_binh", "gia_dinh_liet_si", weights=(4, 3, 3))
        self.table("dao_tao")
        self.table("qua_trinh_cong_tac")
        self.heading("28", TCTW_98_HEADINGS["28"])
        for key in ("lich_su_ban_than", "lam_viec_che_do_cu"):
            self.row(key, bullet=True)
        self.heading("29", TCTW_98_HEADINGS["29"])
        for key in ("quan_he_nuoc_ngoai", "than_nhan_nuoc_ngoai"):
            self.row(key, bullet=True)
        self.heading("30", TCTW_98_HEADINGS["30"])
        self.table("gia_dinh_ban_than", "gia_dinh", title_weight="italic")
        self.table("gia_dinh_ben_vo_chong", "gia_dinh", title_weight="italic")
        self.heading("31", TCTW_98_HEADINGS["31"])
        self.grid("dien_bien_luong", f"- {self.tables['dien_bien_luong'].title}:")
        for key in ("thu_nhap_khac", "nha_o", "dat_o"):
            self.row(key, bullet=True)
        self.signatures(["Người khai", "(Ký, ghi rõ họ tên)"],
                        ["Xác nhận của cơ quan quản lý cán bộ", "(Ký tên, đóng dấu)"], seal=True)
