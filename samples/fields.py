"""Every item the benchmark forms print, in ONE place: per CV layout the ordered (key, item number,
printed label) of its scalar fields and the tables with their columns; and the fields of the
other document types. The renderers print these labels and the ground truth uses these keys.

Keys are snake_case without diacritics and stable across layouts where the item means the same
thing (`so_cccd` is item 25 "Số chứng minh nhân dân" on the 2008 and 1998 forms and item 8
"Số CCCD" on the 2023 form). The item number is "" for header and footer fields; sub-fields
printed after the first one of an item share its number (`gioi_tinh` is item 3 on the 2008 form).
Labels are printed without the item number (its style varies: "15.3)", "15.3.", "15.3-") and
without the colon. Sources: the domain README (/work/shared/domain/README.md) and public
templates of the forms; labels marked "(unverified)" were not checked against the official text.
"""

from __future__ import annotations

from typing import NamedTuple

BNV_2008 = "2c_bnv_2008"
TT06_2023 = "tt06_2023"
TCTW_98 = "2c_tctw_98"
LAYOUTS = (BNV_2008, TT06_2023, TCTW_98)

# Document types; a CV is "so_yeu_ly_lich" whatever its layout.
SO_YEU_LY_LICH = "so_yeu_ly_lich"
QUYET_DINH = "quyet_dinh"
VAN_BANG = "van_bang"
GIAY_KHAI_SINH = "giay_khai_sinh"
PHIEU_BO_SUNG = "phieu_bo_sung_ly_lich"
DOCUMENT_TYPES = (SO_YEU_LY_LICH, QUYET_DINH, VAN_BANG, GIAY_KHAI_SINH, PHIEU_BO_SUNG)


class Field(NamedTuple):
    key: str
    item: str  # "15.3"; "" for header and footer
    label: str  # as printed, without number and colon


class Column(NamedTuple):
    key: str
    header: str


class Table(NamedTuple):
    key: str
    item: str  # "27", "30", "32.1"
    title: str  # printed after the item number ("" for a sub-table under a heading)
    columns: tuple[Column, ...]
    transposed: bool = False  # columns are printed as rows, time running across


class Layout(NamedTuple):
    key: str
    code: str  # the form code printed top right ("" if none)
    title: str
    fields: tuple[Field, ...]
    tables: tuple[Table, ...]


def _f(*rows: tuple[str, str, str]) -> tuple[Field, ...]:
    return tuple(Field(*r) for r in rows)


def _c(*rows: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(*r) for r in rows)


_FAMILY = _c(("moi_quan_he", "Mối quan hệ"), ("ho_va_ten", "Họ và tên"), ("nam_sinh", "Năm sinh"),
             ("thong_tin", "Quê quán, nghề nghiệp, chức danh, chức vụ, đơn vị công tác, học tập, "
                           "nơi ở…"))
_TRAINING = _c(("ten_truong", "Tên trường"), ("chuyen_nganh", "Chuyên ngành đào tạo, bồi dưỡng"),
               ("thoi_gian", "Từ tháng, năm - đến tháng, năm"), ("hinh_thuc", "Hình thức đào tạo"),
               ("van_bang", "Văn bằng, chứng chỉ, trình độ gì"))
_CAREER = _c(("thoi_gian", "Từ tháng, năm đến tháng, năm"),
             ("chuc_danh_don_vi", "Chức danh, chức vụ, đơn vị công tác"))

# -- Mẫu 2C-BNV/2008 --------------------------------------------------------------------------
BNV_2008_FIELDS = _f(
    ("co_quan_quan_ly", "", "Cơ quan, đơn vị có thẩm quyền quản lý CBCC"),
    ("co_quan_su_dung", "", "Cơ quan, đơn vị sử dụng CBCC"),
    ("so_hieu_can_bo", "", "Số hiệu cán bộ, công chức"),
    ("ho_va_ten", "1", "Họ và tên khai sinh (viết chữ in hoa)"),
    ("ten_goi_khac", "2", "Tên gọi khác"),
    ("ngay_sinh", "3", "Sinh ngày"),
    ("gioi_tinh", "3", "Giới tính (nam, nữ)"),
    ("noi_sinh", "4", "Nơi sinh"),
    ("que_quan", "5", "Quê quán"),
    ("dan_toc", "6", "Dân tộc"),
    ("ton_giao", "7", "Tôn giáo"),
    ("ho_khau_thuong_tru", "8", "Nơi đăng ký hộ khẩu thường trú"),
    ("noi_o_hien_nay", "9", "Nơi ở hiện nay"),
    ("nghe_nghiep_khi_tuyen_dung", "10", "Nghề nghiệp khi được tuyển dụng"),
    ("ngay_tuyen_dung", "11", "Ngày tuyển dụng"),
    ("co_quan_tuyen_dung", "11", "Cơ quan tuyển dụng"),
    ("chuc_vu_hien_tai", "12", "Chức vụ (chức danh) hiện tại"),
    ("cong_viec_chinh", "13", "Công việc chính được giao"),
    ("ngach", "14", "Ngạch công chức (viên chức)"),
    ("ma_ngach", "14", "Mã ngạch"),
    ("bac_luong", "14", "Bậc lương"),
    ("he_so_luong", "14", "Hệ số"),
    ("ngay_huong_luong", "14", "Ngày hưởng"),
    ("phu_cap_chuc_vu", "14", "Phụ cấp chức vụ"),
    ("phu_cap_khac", "14", "Phụ cấp khác"),
    ("giao_duc_pho_thong", "15.1", "Trình độ giáo dục phổ thông"),
    ("chuyen_mon_cao_nhat", "15.2", "Trình độ chuyên môn cao nhất"),
    ("ly_luan_chinh_tri", "15.3", "Lý luận chính trị"),
    ("quan_ly_nha_nuoc", "15.4", "Quản lý nhà nước"),
    ("ngoai_ngu", "15.5", "Ngoại ngữ"),
    ("tin_hoc", "15.6", "Tin học"),
    ("ngay_vao_dang", "16", "Ngày vào Đảng Cộng sản Việt Nam"),
    ("ngay_chinh_thuc", "16", "Ngày chính thức"),
    ("ngay_tham_gia_to_chuc", "17", "Ngày tham gia tổ chức chính trị - xã hội"),
    ("ngay_nhap_ngu", "18", "Ngày nhập ngũ"),
    ("ngay_xuat_ngu", "18", "Ngày xuất ngũ"),
    ("quan_ham", "18", "Quân hàm cao nhất"),
    ("danh_hieu", "19", "Danh hiệu được phong tặng cao nhất"),
    ("so_truong", "20", "Sở trường công tác"),
    ("khen_thuong", "21", "Khen thưởng"),
    ("ky_luat", "22", "Kỷ luật"),
    ("suc_khoe", "23", "Tình trạng sức khoẻ"),
    ("chieu_cao", "23", "Chiều cao"),
    ("can_nang", "23", "Cân nặng"),
    ("nhom_mau", "23", "Nhóm máu"),
    ("thuong_binh_hang", "24", "Là thương binh hạng"),
    ("gia_dinh_chinh_sach", "24", "Là con gia đình chính sách"),
    ("so_cccd", "25", "Số chứng minh nhân dân"),
    ("ngay_cap_cccd", "25", "Ngày cấp"),
    ("so_bhxh", "26", "Số sổ BHXH"),
    # 29) ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN: three prompts (unverified wording)
    ("lich_su_ban_than", "29", "Khai rõ: bị bắt, bị tù (từ ngày tháng năm nào đến ngày tháng năm "
                               "nào, ở đâu), đã khai báo cho ai, những vấn đề gì? Bản thân có làm "
                               "việc trong chế độ cũ (cơ quan, đơn vị nào, địa điểm, chức danh, "
                               "chức vụ, thời gian làm việc)"),
    ("quan_he_nuoc_ngoai", "29", "Tham gia hoặc có quan hệ với các tổ chức chính trị, kinh tế, xã "
                                 "hội nào ở nước ngoài (làm gì, tổ chức nào, đặt trụ sở ở đâu)"),
    ("than_nhan_nuoc_ngoai", "29", "Có thân nhân (Cha, Mẹ, Vợ, Chồng, con, anh chị em ruột) ở nước "
                                   "ngoài (làm gì, địa chỉ)"),
    ("nhan_xet", "32", "NHẬN XÉT, ĐÁNH GIÁ CỦA CƠ QUAN, ĐƠN VỊ QUẢN LÝ VÀ SỬ DỤNG CÁN BỘ, "
                       "CÔNG CHỨC"),
    ("ngay_khai", "", "Ngày khai"),  # the date line above "Người khai": "Đà Lạt, ngày ..."
    ("nguoi_khai", "", "Người khai"),  # the name under the signature
)
BNV_2008_TABLES = (
    Table("dao_tao", "27", "ĐÀO TẠO, BỒI DƯỠNG VỀ CHUYÊN MÔN, NGHIỆP VỤ, LÝ LUẬN CHÍNH TRỊ, "
                           "NGOẠI NGỮ, TIN HỌC", _TRAINING),
    Table("qua_trinh_cong_tac", "28", "TÓM TẮT QUÁ TRÌNH CÔNG TÁC", _CAREER),
    Table("gia_dinh_ban_than", "30", "a) Về bản thân: Cha, Mẹ, Vợ (hoặc chồng), các con, anh chị em "
                                     "ruột", _FAMILY),
    Table("gia_dinh_ben_vo_chong", "30", "b) Về bên vợ (hoặc chồng): Cha, Mẹ, anh chị em ruột",
          _FAMILY),
    Table("dien_bien_luong", "31", "DIỄN BIẾN QUÁ TRÌNH LƯƠNG CỦA CÁN BỘ, CÔNG CHỨC",
          _c(("thang_nam", "Tháng/năm"), ("ma_ngach_bac", "Mã ngạch/bậc"),
             ("he_so_luong", "Hệ số lương")), transposed=True),
)

# -- Thông tư 06/2023/TT-BNV ------------------------------------------------------------------
TT06_2023_FIELDS = _f(
    ("co_quan_quan_ly", "", "Cơ quan quản lý công chức"),  # (unverified)
    ("don_vi_su_dung", "", "Đơn vị sử dụng công chức"),  # (unverified)
    ("so_hieu", "", "Số hiệu"),
    ("ma_so_dinh_danh", "", "Mã số định danh"),
    ("ho_va_ten", "1", "Họ và tên khai sinh (viết chữ in hoa)"),
    ("gioi_tinh", "1", "Giới tính"),
    ("ten_goi_khac", "2", "Các tên gọi khác"),
    ("ngay_sinh", "3", "Sinh ngày"),
    ("noi_sinh", "4", "Nơi sinh"),
    ("que_quan", "5", "Quê quán"),
    ("dan_toc", "6", "Dân tộc"),
    ("ton_giao", "7", "Tôn giáo"),
    ("so_cccd", "8", "Số CCCD"),
    ("ngay_cap_cccd", "8", "Ngày cấp"),
    ("so_dien_thoai", "8", "SĐT liên hệ"),
    ("so_bhxh", "9", "Số BHXH"),
    ("so_the_bhyt", "9", "Số thẻ BHYT"),
    ("noi_o_hien_nay", "10", "Nơi ở hiện nay"),
    ("thanh_phan_xuat_than", "11", "Thành phần gia đình xuất thân"),
    ("nghe_nghiep_truoc_tuyen_dung", "12", "Nghề nghiệp trước khi được tuyển dụng"),
    ("ngay_tuyen_dung", "13", "Ngày được tuyển dụng lần đầu"),
    ("co_quan_tuyen_dung", "13", "Cơ quan, tổ chức, đơn vị tuyển dụng"),
    ("ngay_vao_co_quan", "14", "Ngày vào cơ quan hiện đang công tác"),
    ("ngay_vao_dang", "15", "Ngày vào Đảng Cộng sản Việt Nam"),
    ("ngay_chinh_thuc", "15", "Ngày chính thức"),
    ("ngay_tham_gia_to_chuc", "16", "Ngày tham gia tổ chức chính trị - xã hội đầu tiên (ngày vào "
                                    "Đoàn TNCSHCM, Công đoàn, Hội)"),
    ("ngay_nhap_ngu", "17", "Ngày nhập ngũ"),
    ("ngay_xuat_ngu", "17", "Ngày xuất ngũ"),
    ("quan_ham", "17", "Quân hàm cao nhất"),
    ("doi_tuong_chinh_sach", "18", "Đối tượng chính sách"),
    ("giao_duc_pho_thong", "19", "Trình độ giáo dục phổ thông (đã tốt nghiệp lớp mấy/thuộc hệ nào)"),
    ("chuyen_mon_cao_nhat", "20", "Trình độ chuyên môn cao nhất"),
    ("hoc_ham", "21", "Học hàm"),
    ("danh_hieu", "22", "Danh hiệu nhà nước phong tặng"),
    ("chuc_vu_hien_tai", "23", "Chức vụ hiện tại"),
    ("ngay_bo_nhiem", "23", "Ngày bổ nhiệm/ngày phê chuẩn"),
    ("ngay_bo_nhiem_lai", "23", "Ngày bổ nhiệm lại/phê chuẩn nhiệm kỳ tiếp theo"),
    ("quy_hoach", "24", "Được quy hoạch chức danh"),
    ("chuc_vu_kiem_nhiem", "25", "Chức vụ kiêm nhiệm"),
    ("chuc_vu_dang", "26", "Chức vụ Đảng hiện tại"),
    ("chuc_vu_dang_kiem_nhiem", "27", "Chức vụ Đảng kiêm nhiệm"),
    ("cong_viec_chinh", "28", "Công việc chính được giao"),
    ("so_truong", "29", "Sở trường công tác"),
    ("cong_viec_lau_nhat", "29", "Công việc làm lâu nhất"),
    # 30) Tiền lương
    ("ngach", "30.1", "Ngạch/chức danh nghề nghiệp"),
    ("ma_ngach", "30.1", "Mã số"),
    ("ngay_bo_nhiem_ngach", "30.1", "Ngày bổ nhiệm ngạch/chức danh nghề nghiệp"),
    ("bac_luong", "30.1", "Bậc lương"),
    ("he_so_luong", "30.1", "Hệ số"),
    ("ngay_huong_luong", "30.1", "Ngày hưởng"),
    ("phan_tram_huong", "30.1", "Phần trăm hưởng"),
    ("phu_cap_tnvk", "30.1", "Phụ cấp thâm niên vượt khung"),
    ("ngay_huong_pctnvk", "30.1", "Ngày hưởng PCTNVK"),
    ("phu_cap_chuc_vu", "30.2", "Phụ cấp chức vụ"),
    ("phu_cap_kiem_nhiem", "30.2", "Phụ cấp kiêm nhiệm"),
    ("phu_cap_khac", "30.2", "Phụ cấp khác"),
    ("vi_tri_viec_lam", "30.3", "Vị trí việc làm"),
    ("ma_vi_tri_viec_lam", "30.3", "Mã số"),
    ("bac_luong_vtvl", "30.3", "Bậc lương"),
    ("luong_theo_muc_tien", "30.3", "Lương theo mức tiền"),
    ("ngay_huong_vtvl", "30.3", "Ngày hưởng"),
    ("suc_khoe", "31", "Tình trạng sức khoẻ"),
    ("chieu_cao", "31", "Chiều cao"),
    ("can_nang", "31", "Cân nặng"),
    ("nhom_mau", "31", "Nhóm máu"),
    ("lich_su_ban_than", "34.1", "Khai rõ: bị bắt, bị tù (từ ngày tháng năm nào đến ngày tháng năm "
                                 "nào, ở đâu?), đã khai báo cho ai, những vấn đề gì?"),
    ("thu_nhap_tien_luong", "37.3", "Tiền lương"),
    ("thu_nhap_khac", "37.3", "Các nguồn khác"),
    ("nha_o", "37.3", "Nhà ở"),
    ("dat_o", "37.3", "Đất ở"),
    ("dat_san_xuat", "37.3", "Đất sản xuất kinh doanh"),
    ("nhan_xet", "38", "NHẬN XÉT, ĐÁNH GIÁ CỦA CƠ QUAN, TỔ CHỨC, ĐƠN VỊ SỬ DỤNG"),
    ("ngay_khai", "", "Ngày khai"),
    ("nguoi_khai", "", "Người khai"),
)
_FROM_TO = (("tu", "Tháng/năm Từ"), ("den", "Tháng/năm Đến"))
TT06_2023_TABLES = (
    Table("dao_tao_chuyen_mon", "32.1", "Chuyên môn (từ trung cấp trở lên cả trong nước và nước "
                                        "ngoài)",
          _c(*_FROM_TO, ("co_so_dao_tao", "Tên cơ sở đào tạo"),
             ("chuyen_nganh", "Chuyên ngành đào tạo"), ("hinh_thuc", "Hình thức đào tạo"),
             ("van_bang", "Văn bằng, trình độ"))),
    Table("ly_luan_chinh_tri", "32.2", "Lý luận chính trị",
          _c(*_FROM_TO, ("co_so_dao_tao", "Tên cơ sở đào tạo"), ("hinh_thuc", "Hình thức đào tạo"),
             ("van_bang", "Văn bằng được cấp"))),
    Table("boi_duong_qlnn", "32.3", "Bồi dưỡng quản lý nhà nước/ chức danh nghề nghiệp/ nghiệp vụ "
                                    "chuyên ngành",
          _c(*_FROM_TO, ("co_so_dao_tao", "Tên cơ sở đào tạo"), ("chung_chi", "Chứng chỉ được cấp"))),
    Table("boi_duong_anqp", "32.4", "Bồi dưỡng kiến thức an ninh, quốc phòng",
          _c(*_FROM_TO, ("co_so_dao_tao", "Tên cơ sở đào tạo"), ("chung_chi", "Chứng chỉ được cấp"))),
    Table("tin_hoc", "32.5", "Tin học",
          _c(*_FROM_TO, ("co_so_dao_tao", "Tên cơ sở đào tạo"), ("chung_chi", "Chứng chỉ được cấp"))),
    Table("ngoai_ngu", "32.6", "Ngoại ngữ/ tiếng dân tộc",
          _c(*_FROM_TO, ("co_so_dao_tao", "Tên cơ sở đào tạo"),
             ("ngoai_ngu", "Tên ngoại ngữ/ tiếng dân tộc"), ("chung_chi", "Chứng chỉ được cấp"),
             ("diem_so", "Điểm số"))),
    Table("qua_trinh_cong_tac", "33", "TÓM TẮT QUÁ TRÌNH CÔNG TÁC",
          _c(*_FROM_TO, ("don_vi", "Đơn vị công tác (đảng, chính quyền, đoàn thể, tổ chức xã hội)"),
             ("chuc_vu", "Chức danh/ chức vụ"))),
    Table("che_do_cu", "34.2", "Bản thân có làm việc cho chế độ cũ",
          _c(*_FROM_TO, ("noi_dung", "Chức danh, chức vụ, đơn vị, địa điểm đã làm việc"))),
    Table("to_chuc_nuoc_ngoai", "34.3", "Tham gia hoặc có quan hệ với các tổ chức chính trị, kinh tế, "
                                        "xã hội ... ở nước ngoài",
          _c(*_FROM_TO, ("noi_dung", "Tên tổ chức, địa chỉ trụ sở, công việc đã làm"))),
    Table("khen_thuong", "35.1", "Thành tích thi đua, khen thưởng",
          _c(("nam", "Năm"), ("xep_loai_chuyen_mon", "Xếp loại chuyên môn"),
             ("xep_loai_thi_dua", "Xếp loại thi đua"), ("hinh_thuc", "Hình thức khen thưởng"))),
    Table("ky_luat", "35.2", "Kỷ luật Đảng/hành chính",
          _c(*_FROM_TO, ("hinh_thuc", "Hình thức"), ("hanh_vi", "Hành vi vi phạm chính"),
             ("co_quan_quyet_dinh", "Cơ quan quyết định"))),
    Table("gia_dinh_ban_than", "36.1", "Về bản thân: Cha, Mẹ, Vợ (hoặc chồng), các con, anh chị em "
                                       "ruột", _FAMILY),
    Table("gia_dinh_ben_vo_chong", "36.2", "Cha, Mẹ, anh chị em ruột (bên vợ hoặc chồng)", _FAMILY),
    Table("qua_trinh_luong", "37.1", "Quá trình lương của bản thân",
          _c(*_FROM_TO, ("ma_so", "Mã số"), ("bac_luong", "Bậc lương"),
             ("he_so_luong", "Hệ số lương"), ("tien_luong_vtvl", "Tiền lương theo vị trí việc làm"))),
    Table("phu_cap", "37.2", "Các loại phụ cấp khác",
          _c(*_FROM_TO, ("loai_phu_cap", "Loại phụ cấp"), ("phan_tram_huong", "Phần trăm hưởng"),
             ("he_so", "Hệ số"), ("hinh_thuc_huong", "Hình thức hưởng"), ("gia_tri", "Giá trị (đồng)"))),
)
# Headings of the 2023 form that carry no value of their own.
TT06_2023_HEADINGS = {
    "30": "Tiền lương",
    "32": "QUÁ TRÌNH ĐÀO TẠO, BỒI DƯỠNG",
    "34": "ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN",
    "35": "KHEN THƯỞNG, KỶ LUẬT",
    "36": "QUAN HỆ GIA ĐÌNH",
    "37": "HOÀN CẢNH KINH TẾ GIA ĐÌNH",
}

# -- Mẫu 2C/TCTW-98 ---------------------------------------------------------------------------
TCTW_98_FIELDS = _f(
    ("tinh", "", "Tỉnh"),
    ("don_vi_truc_thuoc", "", "Đơn vị trực thuộc"),
    ("don_vi_co_so", "", "Đơn vị cơ sở"),
    ("so_hieu_can_bo", "", "Số hiệu cán bộ, công chức"),
    ("ho_va_ten", "1", "Họ và tên khai sinh"),
    ("gioi_tinh", "1", "Nam, nữ"),
    ("ten_goi_khac", "2", "Các tên gọi khác"),
    ("cap_uy_hien_tai", "3", "Cấp ủy hiện tại"),
    ("cap_uy_kiem", "3", "Cấp ủy kiêm"),
    ("chuc_vu", "3", "Chức vụ (Đảng, đoàn thể, Chính quyền, kể cả chức vụ kiêm nhiệm)"),
    ("phu_cap_chuc_vu", "3", "Phụ cấp chức vụ"),
    ("ngay_sinh", "4", "Sinh ngày"),
    ("noi_sinh", "5", "Nơi sinh"),
    ("que_quan_xa", "6", "Quê quán (xã, phường)"),
    ("que_quan_huyen", "6", "(huyện, quận)"),
    ("que_quan_tinh", "6", "(tỉnh, TP)"),
    ("noi_o_hien_nay", "7", "Nơi ở hiện nay"),
    ("so_dien_thoai", "7", "Điện thoại"),
    ("dan_toc", "8", "Dân tộc"),
    ("ton_giao", "9", "Tôn giáo"),
    ("thanh_phan_xuat_than", "10", "Thành phần gia đình xuất thân"),
    ("nghe_nghiep_truoc_tuyen_dung", "11", "Nghề nghiệp bản thân trước khi được tuyển dụng"),
    ("ngay_tuyen_dung", "12", "Ngày được tuyển dụng"),
    ("co_quan_tuyen_dung", "12", "Vào cơ quan nào, ở đâu"),
    ("ngay_vao_co_quan", "13", "Ngày vào cơ quan hiện đang công tác"),
    ("ngay_tham_gia_cach_mang", "13", "Ngày tham gia cách mạng"),
    ("ngay_vao_dang", "14", "Ngày vào Đảng Cộng sản Việt Nam"),
    ("ngay_chinh_thuc", "14", "Ngày chính thức"),
    ("ngay_tham_gia_to_chuc", "15", "Ngày tham gia các tổ chức chính trị, xã hội"),
    ("ngay_nhap_ngu", "16", "Ngày nhập ngũ"),
    ("ngay_xuat_ngu", "16", "Ngày xuất ngũ"),
    ("quan_ham", "16", "Quân hàm, chức vụ cao nhất (năm)"),
    ("giao_duc_pho_thong", "17", "Trình độ học vấn: Giáo dục phổ thông"),
    ("hoc_ham_hoc_vi", "17", "Học hàm, học vị cao nhất"),
    ("ly_luan_chinh_tri", "17", "Lý luận chính trị"),
    ("ngoai_ngu", "17", "Ngoại ngữ"),
    ("cong_tac_chinh", "18", "Công tác chính đang làm"),
    ("ngach", "19", "Ngạch công chức"),
    ("ma_ngach", "19", "Mã số"),
    ("bac_luong", "19", "Bậc lương"),
    ("he_so_luong", "19", "Hệ số"),
    ("ngay_huong_luong", "19", "Từ tháng"),  # month/year: ISO "yyyy-mm"
    ("danh_hieu", "20", "Danh hiệu được phong (năm nào)"),
    ("so_truong", "21", "Sở trường công tác"),
    ("cong_viec_lau_nhat", "21", "Công việc đã làm lâu nhất"),
    ("khen_thuong", "22", "Khen thưởng"),
    ("ky_luat", "23", "Kỷ luật"),
    ("suc_khoe", "24", "Tình trạng sức khỏe"),
    ("chieu_cao", "24", "Cao"),
    ("can_nang", "24", "Cân nặng"),
    ("nhom_mau", "24", "Nhóm máu"),
    ("so_cccd", "25", "Số chứng minh nhân dân"),
    ("thuong_binh", "25", "Thương binh loại"),
    ("gia_dinh_liet_si", "25", "Gia đình liệt sĩ"),
    # 28) ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN, 29) QUAN HỆ VỚI NƯỚC NGOÀI (unverified wording)
    ("lich_su_ban_than", "28", "Khai rõ: bị bắt, bị tù (từ ngày tháng năm nào đến ngày tháng năm "
                               "nào, ở đâu), đã khai báo cho ai, những vấn đề gì?"),
    ("lam_viec_che_do_cu", "28", "Bản thân có làm việc trong chế độ cũ (cơ quan, đơn vị nào, địa "
                                 "điểm, chức danh, chức vụ, thời gian làm việc)"),
    ("quan_he_nuoc_ngoai", "29", "Tham gia hoặc có quan hệ với các tổ chức chính trị, kinh tế, xã "
                                 "hội nào ở nước ngoài (làm gì, tổ chức nào, đặt trụ sở ở đâu)"),
    ("than_nhan_nuoc_ngoai", "29", "Có thân nhân (Cha, Mẹ, Vợ, Chồng, con, anh chị em ruột) ở nước "
                                   "ngoài (làm gì, địa chỉ)"),
    ("thu_nhap_khac", "31", "Các nguồn thu nhập khác"),
    ("nha_o", "31", "Nhà ở"),
    ("dat_o", "31", "Đất ở"),
    ("ngay_khai", "", "Ngày khai"),
    ("nguoi_khai", "", "Người khai"),
)
TCTW_98_TABLES = (
    Table("dao_tao", "26", "ĐÀO TẠO, BỒI DƯỠNG VỀ CHUYÊN MÔN, NGHIỆP VỤ, LÝ LUẬN CHÍNH TRỊ, "
                           "NGOẠI NGỮ", _TRAINING),
    Table("qua_trinh_cong_tac", "27", "TÓM TẮT QUÁ TRÌNH CÔNG TÁC", _CAREER),
    Table("gia_dinh_ban_than", "30", "a) Về bản thân: Cha, Mẹ, Vợ (hoặc chồng), các con, anh chị em "
                                     "ruột", _FAMILY),
    Table("gia_dinh_ben_vo_chong", "30", "b) Về bên vợ (hoặc chồng): Cha, Mẹ, anh chị em ruột",
          _FAMILY),
    Table("dien_bien_luong", "31", "Quá trình lương của bản thân",
          _c(("thang_nam", "Tháng/năm"), ("ngach_bac", "Ngạch/bậc"), ("he_so_luong", "Hệ số lương")),
          transposed=True),
)
TCTW_98_HEADINGS = {
    "28": "ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN",
    "29": "QUAN HỆ VỚI NƯỚC NGOÀI",
    "30": "QUAN HỆ GIA ĐÌNH",
    "31": "HOÀN CẢNH KINH TẾ GIA ĐÌNH",
}

LAYOUT_SPECS: dict[str, Layout] = {
    BNV_2008: Layout(BNV_2008, "Mẫu 2C-BNV/2008", "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC",
                     BNV_2008_FIELDS, BNV_2008_TABLES),
    TT06_2023: Layout(TT06_2023, "", "SƠ YẾU LÝ LỊCH", TT06_2023_FIELDS, TT06_2023_TABLES),
    TCTW_98: Layout(TCTW_98, "Mẫu 2C/TCTW-98", "SƠ YẾU LÝ LỊCH", TCTW_98_FIELDS, TCTW_98_TABLES),
}

# -- Other documents --------------------------------------------------------------------------
# Decision metadata after Thông tư 02/2019/TT-BNV, plus what the page states besides.
DECISION_FIELDS = _f(
    ("co_quan_chu_quan", "", "Cơ quan chủ quản"),  # printed above the issuer, if any
    ("co_quan_ban_hanh", "", "Cơ quan ban hành"),
    ("so_ky_hieu", "", "Số"),
    ("noi_ban_hanh", "", "Địa danh"),
    ("ngay_ban_hanh", "", "Ngày ban hành"),
    ("trich_yeu", "", "Trích yếu"),
    ("nguoi_duoc_nhac", "", "Người được nhắc"),  # the cadre the decision is about
    ("nguoi_ky", "", "Người ký"),
)
VAN_BANG_FIELDS = _f(
    ("co_so_cap", "", "Hiệu trưởng"),  # "TRƯỜNG ĐẠI HỌC ĐÀ LẠT", after "HIỆU TRƯỞNG"
    ("loai_van_bang", "", "Loại văn bằng"),  # the title: "BẰNG CỬ NHÂN"
    ("nganh", "", "Ngành"),
    ("danh_hieu", "", "Danh hiệu"),  # "Cử nhân", "Kỹ sư"
    ("ho_va_ten", "", "Cho"),  # the name after "Ông"/"Bà"
    ("ngay_sinh", "", "Ngày sinh"),
    ("xep_loai", "", "Xếp loại tốt nghiệp"),
    ("hinh_thuc_dao_tao", "", "Hình thức đào tạo"),
    ("ngay_cap", "", "Ngày cấp"),
    ("so_hieu", "", "Số hiệu"),
    ("so_vao_so", "", "Số vào sổ cấp bằng"),
)
KHAI_SINH_FIELDS = _f(
    ("so", "", "Số"),
    ("quyen_so", "", "Quyển số"),
    ("ho_va_ten", "", "Họ và tên"),
    ("gioi_tinh", "", "Giới tính"),
    ("ngay_sinh", "", "Ngày, tháng, năm sinh"),
    ("ngay_sinh_bang_chu", "", "ghi bằng chữ"),
    ("noi_sinh", "", "Nơi sinh"),
    ("dan_toc", "", "Dân tộc"),
    ("quoc_tich", "", "Quốc tịch"),
    ("que_quan", "", "Quê quán"),
    ("ho_ten_cha", "", "Họ và tên cha"),
    ("nam_sinh_cha", "", "Năm sinh"),
    ("ho_ten_me", "", "Họ và tên mẹ"),
    ("nam_sinh_me", "", "Năm sinh"),
    ("noi_dang_ky", "", "Nơi đăng ký khai sinh"),
    ("ngay_dang_ky", "", "Ngày, tháng, năm đăng ký"),
)
PHIEU_BO_SUNG_FIELDS = _f(
    ("co_quan_quan_ly", "", "Cơ quan, đơn vị quản lý CBCC"),
    ("ho_va_ten", "1", "Họ và tên"),
    ("ngay_sinh", "2", "Ngày, tháng, năm sinh"),
    ("chuc_vu_don_vi", "3", "Chức vụ, đơn vị công tác hiện tại"),
    ("tu_ngay", "4", "Những nội dung bổ sung từ ngày"),
    ("den_ngay", "4", "đến ngày"),
    ("noi_dung_bo_sung", "4", "Nội dung bổ sung"),
    ("ngay_khai", "", "Ngày khai"),
)
DOCUMENT_FIELDS: dict[str, tuple[Field, ...]] = {
    QUYET_DINH: DECISION_FIELDS,
    VAN_BANG: VAN_BANG_FIELDS,
    GIAY_KHAI_SINH: KHAI_SINH_FIELDS,
    PHIEU_BO_SUNG: PHIEU_BO_SUNG_FIELDS,
}


def keys(layout: str) -> list[str]:
    """The scalar keys of a CV layout, in printed order."""
    return [f.key for f in LAYOUT_SPECS[layout].fields]


def schema() -> dict:
    """The registry as JSON, written into the ground truth so a reader needs no Python."""
    return {
        "layouts": {k: {"code": v.code, "title": v.title,
                        "fields": [list(f) for f in v.fields],
                        "tables": [{"key": t.key, "item": t.item, "title": t.title,
                                    "columns": [list(c) for c in t.columns],
                                    "transposed": t.transposed} for t in v.tables]}
                    for k, v in LAYOUT_SPECS.items()},
        "documents": {k: [list(f) for f in v] for k, v in DOCUMENT_FIELDS.items()},
    }
