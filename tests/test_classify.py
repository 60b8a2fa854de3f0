"""Splitting a run of pages into documents and classifying them: on hand-made pages with the
noise OCR leaves (lost diacritics, glued words, dotted leaders), and on a generated dossier set
read by the real reader (Tesseract)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.classify import classify, page_start, start_cues
from schemas.pages import PageText, Word
from schemas.status import TextSource

HEIGHT = 842.0
LINE = 20.0  # points from one line to the next


def page(*rows: str, top: float = 40.0, gap_after: dict[int, float] | None = None) -> PageText:
    """A text-layer-like page: one line per row, words with boxes, from `top` downwards;
    `gap_after` pushes the rows after row i further down (to put a line low on the page)."""
    words: list[Word] = []
    y = top
    for number, row in enumerate(rows):
        x = 60.0
        for text in row.split():
            words.append(Word(text, x, y, x + 6 * len(text), y + 10, None, number))
            x += 6 * len(text) + 4
        y += LINE + (gap_after or {}).get(number, 0.0)
    return PageText(number=1, source=TextSource.text_layer, text="\n".join(rows), words=words,
                    width=595.0, height=HEIGHT, unit="pt")


CV_2008 = page(
    "Mẫu 2C-BNV/2008",
    "Cơ quan, đơn vị có thẩm quyền quản lý CBCC: UBND huyện Lâm Hà ..........",
    "Cơ quan, đơn vị sử dụng CBCC: Phòng Nội vụ ..........",
    "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC",
    "1) Họ và tên khai sinh (viết chữ in hoa): TRẦN THỊ XUÂN",
    "2) Tên gọi khác: Không",
    "3) Sinh ngày 01 tháng 10 năm 1988 Giới tính (nam, nữ): Nữ",
    "8) Nơi đăng ký hộ khẩu thường trú: Xã Tân Hà",
    "9) Nơi ở hiện nay: Xã Tân Hà",
)
CV_2008_PAGE_2 = page(
    "26) Số sổ BHXH: 6872030782",
    "27) ĐÀO TẠO, BỒI DƯỠNG VỀ CHUYÊN MÔN, NGHIỆP VỤ, LÝ LUẬN CHÍNH TRỊ",
    "Tên trường Chuyên ngành Từ tháng, năm Hình thức Văn bằng",
    "28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC",
    "Từ tháng, năm đến tháng, năm Chức danh, chức vụ, đơn vị công tác",
    "05/2010 - nay Chuyên viên theo quyết định số 12/QĐ-UBND",
    "Cơ quan quyết định",
    "29) ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN",
    "QUYẾT ĐỊNH",  # low on the page: a table's words, not a title
    gap_after={7: 420.0},
)
# OCR noise: diacritics lost or wrong, words glued, leaders turned into junk
DECISION = page(
    "UY BAN NHAN DAN CỘNG HÓA XÃ HỘI CHỦ NGHĨA VIỆU NAM",
    "HUYEN LAM HA Đốc lắp - Tư do - Hạnh phúc",
    "Số: 1688/QĐ-UBND Lâm Hà, ngày 08 tháng 7 năm 2019",
    "QUYET ĐỊNH",
    "Về việc nâng bậc lương thường xuyên đối với bà Trần Thị Xuân",
    "Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008;",
    "Điều 1. Nâng bậc lương thường xuyên",
)
BIRTH = page(
    "UBND XÃ NINH GIA CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Số: 28 Độc lập - Tự do - Hạnh phúc",
    "GIAY KHAI SINH",
    "Họ và tên: TRẦN NGỌC CHI",
    "Họ và tên cha: Trần Văn Châu Năm sinh: 1965",
)
DEGREE = page(
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "HIỆU TRƯỞNG TRƯỜNG ĐẠI HỌC ĐÀ LẠT",
    "cấp",
    "BĂNG TỐT NGHIỆP ĐẠI HỌC",
    "Ngành: Công nghệ thông tin .......... HH HH",
)
SUPPLEMENT = page(
    "Cơ quan, đơn vị quản lý CBCC: UBND thành phố Bảo Lộc Mẫu 3-BNV/2008",
    "PHIẾU BỔ SUNG LÝ LỊCH CÁN BỘ, CÔNG CHỨC",
    "1) Họ và tên: Điểu Yến",
    "4) Những nội dung bổ sung từ ngày: 01/01/2021",
)
CV_2023 = page(
    "Cơ quan quản lý công chức: UBND thành phố Đà Lạt ..........",
    "Mã số định danh: 040092729069 ....... L2 H201",
    "SƠ YẾU LÝ LỊCH",
    "1) Họ và tên khai sinh (viết chữ in hoa): LÊ VĂN PHÚC",
    "8) Số CCCD: 040092729069 Ngày cấp: 21/05/2021 SĐT liên hệ: 0834025911",
    "9) Số BHXH: 6887064558 Số thẻ BHYT: HC4686887064558",
    "10) Nơi ở hiện nay: Phường 1, Thành phố Đà Lạt",
)
CV_2023_PAGE_2 = page(
    "30) Tiền lương",
    "30.1) Ngạch/chức danh nghề nghiệp: Chuyên viên Mã số: 01.003",
    "Phần trăm hưởng: 100%",
    "31) Tình trạng sức khoẻ: Tốt",
    "32) QUÁ TRÌNH ĐÀO TẠO, BỒI DƯỠNG",
    "33) TÓM TẮT QUÁ TRÌNH CÔNG TÁC",
)
CV_1998 = page(  # no form code read: the items and the split quê quán tell the layout
    "Tỉnh: Lâm Đồng ..........",
    "Đơn vị trực thuộc: UBND huyện Cát Tiên",
    "SO YEU LY LICH",
    "1) Họ và tên khai sinh: HOÀNG MỸ CHI Nam, nữ: Nữ",
    "3) Cấp ủy hiện tại: Không Cấp ủy kiêm: Không",
    "4) Sinh ngày: 3/4/1990",
    "6) Quê quán (xã, phường): Thị trấn Phước Cát",
    "(huyện, quận): Huyện Cát Tiên",
    "7) Nơi ở hiện nay: Thôn 2",
)


def kinds(documents: list) -> list[tuple[str, str | None, list[int]]]:
    return [(d.document_type, d.layout, d.pages) for d in documents]


def test_a_scanned_stack_is_split_where_each_document_starts() -> None:
    run = [CV_2008, CV_2008_PAGE_2, DECISION, DECISION, BIRTH, DEGREE, SUPPLEMENT]
    assert kinds(classify(run)) == [
        ("so_yeu_ly_lich", "2c_bnv_2008", [1, 2]),
        ("quyet_dinh", "quyet_dinh", [3]),
        ("quyet_dinh", "quyet_dinh", [4]),  # two decisions in a row are two documents
        ("giay_khai_sinh", "giay_khai_sinh", [5]),
        ("van_bang", "van_bang", [6]),
        ("phieu_bo_sung_ly_lich", "phieu_bo_sung_ly_lich", [7]),
    ]
    assert all(d.values == [] for d in classify(run))


def test_a_cv_page_that_names_a_decision_is_no_new_decision() -> None:
    assert page_start(CV_2008_PAGE_2) is None
    assert start_cues(CV_2008_PAGE_2) == []


def test_cv_layout_without_a_form_code_comes_from_the_items() -> None:
    assert kinds(classify([CV_2023, CV_2023_PAGE_2])) == [("so_yeu_ly_lich", "tt06_2023", [1, 2])]
    assert kinds(classify([CV_1998])) == [("so_yeu_ly_lich", "2c_tctw_98", [1])]


def test_a_run_that_opens_mid_document() -> None:
    # the first page of a CV went to another file: its items still say CV (and which one)
    assert kinds(classify([CV_2023_PAGE_2, BIRTH])) == [
        ("so_yeu_ly_lich", "tt06_2023", [1]), ("giay_khai_sinh", "giay_khai_sinh", [2])]
    loose = page("Kính gửi: Phòng Nội vụ", "Tôi tên là Trần Văn An", "Xin trân trọng cảm ơn.")
    assert kinds(classify([loose, DECISION])) == [("other", None, [1]), ("quyet_dinh", "quyet_dinh", [2])]


def test_the_motto_alone_starts_a_document_of_another_kind() -> None:
    health = page("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "GIẤY CHỨNG NHẬN SỨC KHỎE", "Họ và tên: Trần Văn An")
    assert kinds(classify([CV_2008, health])) == [
        ("so_yeu_ly_lich", "2c_bnv_2008", [1]), ("other", None, [2])]


def test_page_evidence() -> None:
    assert page_start(DECISION)[0] == "quyet_dinh"
    assert page_start(CV_2008)[:2] == ("so_yeu_ly_lich", "2c_bnv_2008")
    kinds_seen = {c.kind for c in start_cues(DECISION)}
    assert {"motto", "number", "title"} <= kinds_seen
    assert page_start(page("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC", "05/2010 - nay Chuyên viên")) is None


def test_a_page_marked_as_a_later_page_continues() -> None:
    later = page("Cơ quan quản lý công chức: UBND tỉnh", "36) QUAN HỆ GIA ĐÌNH", "Trang 4/5")
    assert page_start(later) is None
    assert kinds(classify([CV_2023, later])) == [("so_yeu_ly_lich", "tt06_2023", [1, 2])]


def test_an_empty_run() -> None:
    assert classify([]) == []


# --- the generated set, read by the real reader --------------------------------------------------

SEED = 21
DOSSIERS = 4
READ = ("dossier-03", "dossier-04")  # a scanned stack; a CV as one JPEG per page, then two papers


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from samples.forms import generate_forms

    return generate_forms(tmp_path_factory.mktemp("forms"), DOSSIERS, SEED, workers=2).out_dir


@pytest.mark.parametrize("dossier", READ)
def test_generated_dossiers_read_by_tesseract(generated: Path, dossier: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from extractors.document import read_document
    from schemas.settings import Limits, OcrOptions

    truth = json.loads((generated / "ground_truth.json").read_text(encoding="utf-8"))
    files = sorted(f["file"] for f in truth["files"] if f["dossier"] == dossier)
    options = OcrOptions()
    # the files side by side, their pages' OCR in one shared pool of Tesseracts
    with ThreadPoolExecutor(options.ocr_workers) as ocr, ThreadPoolExecutor(len(files)) as files_pool:
        read = files_pool.map(lambda name: read_document((generated / name).read_bytes(), Limits(),
                                                         options, pool=ocr), files)
        documents = dict(zip(files, read, strict=True))
    run, where = [], {}
    for name in files:
        for p in documents[name].pages:
            run.append(p)
            where[(name, p.number)] = len(run)
    expected = [(d["type"], d["layout"] or d["type"], [where[(p["file"], p["page"])] for p in d["pages"]])
                for d in truth["documents"] if d["dossier"] == dossier]
    expected.sort(key=lambda d: d[2])  # the truth lists them by id, a run by page
    assert kinds(classify(run)) == expected
