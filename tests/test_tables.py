"""Reading the CV tables as rows of cells.

Synthetic ruled pages test each rule of the reader alone (wrapped cells, a table going on
over a page break, empty tables, the transposed salary grid, an extra printed column, pages
kept before rules were); generated dossiers test it end to end: born-digital CVs (text
layer, rules from the PDF's drawing) cell for cell, and two scanned CVs (real Tesseract,
rules found on the image) against the ground truth.
"""

from __future__ import annotations

import io
import json
import pickle
import statistics
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from extractors import images, preprocess, rules
from extractors.document import read_document
from extractors.tables import clean_text, read_tables
from samples.forms import GROUND_TRUTH, generate_forms
from schemas.catalog import layout
from schemas.extraction import ExtractedValue
from schemas.pages import DocumentText, PageText, Word
from schemas.settings import Limits, OcrOptions
from schemas.status import TextSource

BNV = layout("2c_bnv_2008").tables
TT06 = layout("tt06_2023").tables

# --- synthetic pages: words laid out in ruled cells, like a born-digital form --------------

CHAR, SPACE, LINE, PAD = 5.0, 4.0, 12.0, 3.0  # points


class Sheet:
    """A page being written top to bottom: lines of text and ruled tables."""

    def __init__(self) -> None:
        self.words: list[Word] = []
        self.rules: list[tuple[float, float, float, float]] = []
        self.y = 40.0
        self.line = 0

    def _put(self, text: str, x: float, y: float) -> None:
        for word in text.split():
            self.words.append(Word(word, x, y, x + CHAR * len(word), y + 10, None, self.line))
            x += CHAR * len(word) + SPACE
        self.line += 1

    def text(self, text: str) -> Sheet:
        self._put(text, 60, self.y)
        self.y += LINE + 6
        return self

    def table(self, edges: list[float], rows: list[list[str]], block_gap: float = 8.0) -> Sheet:
        """Rows of cells between the vertical rules at `edges`; every row ruled."""
        ys = [self.y]
        for cells in rows:
            wrapped = [_wrap(text, edges[i + 1] - edges[i] - 2 * PAD) for i, text in enumerate(cells)]
            for i, lines in enumerate(wrapped):
                for k, line in enumerate(lines):
                    self._put(line, edges[i] + PAD, ys[-1] + PAD + k * LINE)
            ys.append(ys[-1] + max(len(lines) for lines in wrapped) * LINE + 2 * PAD)
        self.rules += [(edges[0], y, edges[-1], y) for y in ys]
        self.rules += [(x, ys[0], x, ys[-1]) for x in edges]
        self.y = ys[-1] + block_gap
        return self

    def page(self, number: int) -> PageText:
        text = " ".join(w.text for w in self.words)
        return PageText(number=number, source=TextSource.text_layer, text=text, words=self.words,
                        width=595.0, height=842.0, unit="pt", rules=self.rules)


def _wrap(text: str, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and CHAR * len(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def rows_of(values: list[ExtractedValue], key: str) -> list[dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for v in values:
        if v.key == key:
            assert v.row is not None and v.column is not None
            rows.setdefault(v.row, {})[v.column] = v.raw
    assert sorted(rows) == list(range(len(rows)))
    return [rows[r] for r in sorted(rows)]


FAMILY = [80.0, 150.0, 260.0, 310.0, 540.0]
FAMILY_HEADER = ["Mối quan hệ", "Họ và tên", "Năm sinh",
                 "Quê quán, nghề nghiệp, chức danh, chức vụ, đơn vị công tác, học tập, nơi ở…"]
WORK = [80.0, 200.0, 540.0]
WORK_HEADER = ["Từ tháng, năm đến tháng, năm", "Chức danh, chức vụ, đơn vị công tác"]


def test_wrapped_cells_stay_in_their_row() -> None:
    sheet = Sheet().text("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC").table(WORK, [
        WORK_HEADER,
        ["07/2016 - 10/2019", "Nhân viên hợp đồng Phòng Nông nghiệp và Phát triển nông thôn huyện "
                              "Cát Tiên, tỉnh Lâm Đồng"],
        ["11/2019 - nay", "Chuyên viên Phòng Nội vụ thành phố Bảo Lộc"],
    ]).text("29) ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN")
    assert rows_of(read_tables([sheet.page(1)], BNV), "qua_trinh_cong_tac") == [
        {"thoi_gian": "07/2016 - 10/2019", "chuc_danh_don_vi": "Nhân viên hợp đồng Phòng Nông nghiệp "
                                                               "và Phát triển nông thôn huyện Cát Tiên, "
                                                               "tỉnh Lâm Đồng"},
        {"thoi_gian": "11/2019 - nay", "chuc_danh_don_vi": "Chuyên viên Phòng Nội vụ thành phố Bảo Lộc"},
    ]


@pytest.mark.parametrize("repeat_header", [True, False])
def test_a_table_goes_on_over_a_page_break(repeat_header: bool) -> None:
    first = Sheet().text("30) QUAN HỆ GIA ĐÌNH").text(
        "a) Về bản thân: Cha, Mẹ, Vợ (hoặc chồng), các con, anh chị em ruột").table(FAMILY, [
            FAMILY_HEADER,
            ["Bố đẻ", "Trần Quang Hoàng", "1951", "Xã Tiên Hoàng, Huyện Cát Tiên; Buôn bán"],
        ])
    first.y = 800
    first.text("Trang 2/3")  # a page number under the table does not end it
    second = Sheet().table(FAMILY, [FAMILY_HEADER] * repeat_header + [
        ["Mẹ đẻ", "Huỳnh Thị Vi", "1953", "Xã Tiên Hoàng, Huyện Cát Tiên; Làm nông"],
        ["Con", "Võ Hữu Quang", "2014", "Học sinh"],
    ]).text("b) Về bên vợ (hoặc chồng): Cha, Mẹ, anh chị em ruột").table(FAMILY, [
        FAMILY_HEADER,
        ["Bố vợ", "Võ Quang Tú", "1961", "Xã Lộc Ngãi, Huyện Bảo Lâm; Nghỉ hưu"],
    ])
    values = read_tables([first.page(1), second.page(2)], BNV)
    mine = rows_of(values, "gia_dinh_ban_than")
    assert [r["ho_va_ten"] for r in mine] == ["Trần Quang Hoàng", "Huỳnh Thị Vi", "Võ Hữu Quang"]
    assert mine[1] == {"moi_quan_he": "Mẹ đẻ", "ho_va_ten": "Huỳnh Thị Vi", "nam_sinh": "1953",
                       "thong_tin": "Xã Tiên Hoàng, Huyện Cát Tiên; Làm nông"}
    assert rows_of(values, "gia_dinh_ben_vo_chong") == [
        {"moi_quan_he": "Bố vợ", "ho_va_ten": "Võ Quang Tú", "nam_sinh": "1961",
         "thong_tin": "Xã Lộc Ngãi, Huyện Bảo Lâm; Nghỉ hưu"}]
    pages = {v.box.page for v in values if v.key == "gia_dinh_ban_than" and v.box}
    assert pages == {1, 2}


def test_empty_tables_give_no_rows() -> None:
    sheet = (Sheet().text("27) ĐÀO TẠO, BỒI DƯỠNG VỀ CHUYÊN MÔN, NGHIỆP VỤ, LÝ LUẬN CHÍNH TRỊ, "
                          "NGOẠI NGỮ, TIN HỌC")
             .table([80, 180, 280, 380, 460, 540], [
                 ["Tên trường", "Chuyên ngành đào tạo, bồi dưỡng", "Từ tháng, năm - đến tháng, năm",
                  "Hình thức đào tạo", "Văn bằng, chứng chỉ, trình độ gì"], [""] * 5, [""] * 5])
             .text("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC").table(WORK, [WORK_HEADER, ["Không", ""]])
             .text("30) QUAN HỆ GIA ĐÌNH")
             .text("b) Về bên vợ (hoặc chồng): Cha, Mẹ, anh chị em ruột").text("Không"))
    assert read_tables([sheet.page(1)], BNV) == []


def test_the_salary_grid_gives_a_row_per_column() -> None:
    labels = ["Tháng/năm", "Mã ngạch/bậc", "Hệ số lương"]
    edges = [80.0, 150.0, 200.0, 250.0, 300.0, 350.0]
    sheet = Sheet().text("31) DIỄN BIẾN QUÁ TRÌNH LƯƠNG CỦA CÁN BỘ, CÔNG CHỨC").table(edges, [
        [labels[0], "09/1992", "09/1995", "09/1998", "09/2001"],
        [labels[1], "01.003/1", "01.003/2", "01.003/3", "01.003/4"],
        [labels[2], "2,34", "2,67", "3,00", "3,33"],
    ], block_gap=4).table(edges, [  # a long history goes on in a second block
        [labels[0], "09/2004", "", "", ""],
        [labels[1], "01.003/5", "", "", ""],
        [labels[2], "3,66", "", "", ""],
    ]).text("32) NHẬN XÉT, ĐÁNH GIÁ CỦA CƠ QUAN")
    got = rows_of(read_tables([sheet.page(1)], BNV), "dien_bien_luong")
    assert [r["thang_nam"] for r in got] == ["09/1992", "09/1995", "09/1998", "09/2001", "09/2004"]
    assert got[4] == {"thang_nam": "09/2004", "ma_ngach_bac": "01.003/5", "he_so_luong": "3,66"}


def test_an_extra_printed_column_is_matched_by_the_headers() -> None:
    sheet = Sheet().text("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC").table([60, 80, 200, 540], [
        ["STT", *WORK_HEADER],
        ["1", "11/2019 - nay", "Chuyên viên Phòng Nội vụ thành phố Bảo Lộc"],
    ])
    values = read_tables([sheet.page(1)], BNV)
    assert rows_of(values, "qua_trinh_cong_tac") == [
        {"thoi_gian": "11/2019 - nay", "chuc_danh_don_vi": "Chuyên viên Phòng Nội vụ thành phố Bảo Lộc"}]
    assert all(v.confidence < 1 and v.problems for v in values)  # structural doubt is said


def test_cells_as_extracted_values() -> None:
    sheet = Sheet().text("").text("33. TÓM TẮT QUÁ TRÌNH CÔNG TÁC").table([80, 130, 180, 400, 540], [
        ["Tháng/ năm Từ", "Tháng/ năm Đến", "Đơn vị công tác (đảng, chính quyền, đoàn thể, tổ chức "
                                            "xã hội)", "Chức danh/ chức vụ"],
        ["09/2002", "nay", "Phòng Nông nghiệp và Phát triển nông thôn huyện Bảo Lâm", "Chuyên viên"],
    ])
    values = read_tables([Sheet().text("1. Họ và tên").page(1), sheet.page(2)], TT06)
    assert [(v.key, v.row, v.column, v.raw) for v in values] == [
        ("qua_trinh_cong_tac", 0, "tu", "09/2002"), ("qua_trinh_cong_tac", 0, "den", "nay"),
        ("qua_trinh_cong_tac", 0, "don_vi", "Phòng Nông nghiệp và Phát triển nông thôn huyện Bảo Lâm"),
        ("qua_trinh_cong_tac", 0, "chuc_vu", "Chuyên viên")]
    assert all(v.value == v.raw and v.confidence == 1.0 and not v.problems for v in values)
    box = values[2].box
    assert box is not None and box.page == 2 and (box.x0, box.x1) == (180, 400)
    word = next(w for w in sheet.words if w.text == "Phòng")
    assert box.y0 < word.y0 < word.y1 < box.y1


def test_pages_kept_before_rules_still_read() -> None:
    """Pages pickled before `rules` existed lack the attribute: columns then come from the
    header words, rows from the gaps between lines, with less confidence."""
    page = Sheet().text("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC").table(WORK, [
        WORK_HEADER,
        ["07/2016 - 10/2019", "Nhân viên hợp đồng Phòng Nội vụ thành phố Bảo Lộc"],
        ["11/2019 - nay", "Chuyên viên Phòng Nội vụ thành phố Bảo Lộc"],
    ]).text("29) ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN").page(1)
    del page.rules  # as pickled before the field existed
    old = pickle.loads(pickle.dumps(page))
    assert not hasattr(old, "rules")
    values = read_tables([old], BNV)
    assert rows_of(values, "qua_trinh_cong_tac") == [
        {"thoi_gian": "07/2016 - 10/2019",
         "chuc_danh_don_vi": "Nhân viên hợp đồng Phòng Nội vụ thành phố Bảo Lộc"},
        {"thoi_gian": "11/2019 - nay", "chuc_danh_don_vi": "Chuyên viên Phòng Nội vụ thành phố Bảo Lộc"}]
    assert all(v.confidence < 1 for v in values)


def test_cell_text_is_cleaned() -> None:
    def words(*texts: str) -> list[Word]:
        return [Word(t, 10.0 * i, 0, 10.0 * i + 8, 10) for i, t in enumerate(texts)]

    assert clean_text(words("Kỹ", "sư", "............")) == "Kỹ sư"
    assert clean_text(words("Tie\u0302\u0301ng", "Anh")) == "Tiếng Anh"  # NFC
    assert clean_text(words("08/", "2010")) == "08/2010"
    below = [Word("Nguyên", 0, 14, 40, 24), Word("Tây", 40, 0, 60, 10), Word("Trường", 0, 0, 35, 10)]
    assert clean_text(below) == "Trường Tây Nguyên"


def test_ocr_slips_a_cell_rules_out_are_repaired() -> None:
    """A decimal point read for the comma, a dash spaced on one side: repaired in scanned
    cells, with a problem and less confidence; a text layer's cells are kept as printed."""
    sheet = Sheet().text("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC").table(WORK, [
        WORK_HEADER,
        ["05/1997- 08/1997", "Trung tâm Ngoại ngữ -Tin học"],
        ["4.32", "01.003"],
    ]).text("29) ĐẶC ĐIỂM LỊCH SỬ BẢN THÂN")
    printed = read_tables([sheet.page(1)], BNV)
    assert rows_of(printed, "qua_trinh_cong_tac") == [
        {"thoi_gian": "05/1997- 08/1997", "chuc_danh_don_vi": "Trung tâm Ngoại ngữ -Tin học"},
        {"thoi_gian": "4.32", "chuc_danh_don_vi": "01.003"}]
    scanned = sheet.page(1)
    scanned.source = TextSource.ocr
    scanned.words = [Word(w.text, w.x0, w.y0, w.x1, w.y1, 96.0, w.line) for w in scanned.words]
    values = read_tables([scanned], BNV)
    assert rows_of(values, "qua_trinh_cong_tac") == [
        {"thoi_gian": "05/1997 - 08/1997", "chuc_danh_don_vi": "Trung tâm Ngoại ngữ - Tin học"},
        {"thoi_gian": "4,32", "chuc_danh_don_vi": "01.003"}]  # a code's point is not a decimal
    repaired = {v.raw: v for v in values}
    assert repaired["4,32"].problems and repaired["4,32"].confidence < 0.96
    assert not repaired["01.003"].problems and repaired["01.003"].confidence == 0.96


# --- generated dossiers ---------------------------------------------------------------------

SEED, DOSSIERS = 24, 12  # text-layer CVs of all three layouts, upright 300 and 200 dpi scans


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("forms")
    generate_forms(folder, DOSSIERS, SEED, workers=2)
    return folder, json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))


def cvs(truth: dict, scanned: int | None) -> list[dict]:
    """CVs wholly born-digital (scanned=None), or scanned at that dpi with every page upright
    (orientation is tested elsewhere; here a turned page would only hide the tables)."""
    files = {f["file"]: f for f in truth["files"]}
    chosen = []
    for doc in truth["documents"]:
        if doc["type"] != "so_yeu_ly_lich":
            continue
        spec = [files[ref["file"]] for ref in doc["pages"]]
        pages = [next(p for p in f["pages"] if p["number"] == ref["page"])
                 for f, ref in zip(spec, doc["pages"], strict=True)]
        if scanned is None and all(f["text_layer"] for f in spec):
            chosen.append(doc)
        elif scanned and all(f["dpi"] == scanned and not f["text_layer"] for f in spec) \
                and all(p["rotation"] == 0 for p in pages):
            chosen.append(doc)
    return chosen


def read_cv(doc: dict, documents: dict[str, DocumentText]) -> list[PageText]:
    return [documents[ref["file"]].pages[ref["page"] - 1] for ref in doc["pages"]]


def read_files(folder: Path, docs: list[dict]) -> dict[str, DocumentText]:
    names = sorted({ref["file"] for doc in docs for ref in doc["pages"]})
    with ThreadPoolExecutor(2) as pool:
        return {name: read_document((folder / name).read_bytes(), Limits(), OcrOptions(), pool=pool)
                for name in names}


def squeeze(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def compare(doc: dict, values: list[ExtractedValue]) -> tuple[int, int, list[str]]:
    """(cells exact, cells, what differs), every table row for row; row counts must agree."""
    exact, total, diffs = 0, 0, []
    for key, want in doc["tables"].items():
        got = rows_of(values, key)
        assert len(got) == len(want), (doc["id"], key, got, want)
        for r, (have, row) in enumerate(zip(got, want, strict=True)):
            for column, text in row.items():
                total += 1
                if squeeze(have.get(column, "")) == squeeze(text):
                    exact += 1
                else:
                    diffs.append(f"{doc['id']} {key}[{r}].{column}: {have.get(column)!r} != {text!r}")
    return exact, total, diffs


def test_born_digital_cvs_are_read_cell_for_cell(generated) -> None:
    folder, truth = generated
    docs = cvs(truth, scanned=None)
    assert {d["layout"] for d in docs} == {"2c_bnv_2008", "tt06_2023", "2c_tctw_98"}
    documents = read_files(folder, docs)
    cells = 0
    for doc in docs:
        pages = read_cv(doc, documents)
        assert all(p.source is TextSource.text_layer for p in pages)
        with_tables = {row["page"] for table in doc["table_cells"].values() for row in table}
        assert all(pages[number - 1].rules for number in with_tables)
        exact, total, diffs = compare(doc, read_tables(pages, layout(doc["layout"]).tables))
        assert not diffs, diffs
        cells += total
    assert cells > 150


def test_born_digital_rules_frame_the_cells(generated) -> None:
    """The rules taken from the PDF are where the cells are drawn: every row of the ground
    truth lies between two horizontal rules as wide as the row, in the words' frame."""
    folder, truth = generated
    docs = cvs(truth, scanned=None)
    documents = read_files(folder, docs[:1])
    doc = docs[0]
    pages = read_cv(doc, documents)
    rows = [row for table in doc["table_cells"].values() for row in table]
    assert rows
    for row in rows:
        x0, y0, x1, y1 = row["bbox"]
        across = [r for r in pages[row["page"] - 1].rules
                  if abs(r[1] - r[3]) < 0.5 and r[0] <= x0 + 1 and r[2] >= x1 - 1]
        assert any(abs(r[1] - y0) < 1.5 for r in across), (row, sorted(r[1] for r in across))
        assert any(abs(r[1] - y1) < 1.5 for r in across), (row, sorted(r[1] for r in across))


def turned(data: bytes, rotate: int) -> bytes:
    """The PDF with every page's content drawn turned counter-clockwise and /Rotate set to
    show it upright again (what a scanner driver or a 'rotate page' command writes)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            w, h = x1 - x0, y1 - y0
            cm = {90: (0, 1, -1, 0, h, 0), 270: (0, -1, 1, 0, 0, w)}[rotate]
            page.contents_coalesce()
            page.contents_add(pikepdf.Stream(pdf, b"q %g %g %g %g %g %g cm\n" % cm), prepend=True)
            page.contents_add(pikepdf.Stream(pdf, b"\nQ"))
            page.mediabox = pikepdf.Array([0, 0, h, w])
            page.Rotate = rotate
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


@pytest.mark.parametrize("rotate", [90, 270])
def test_rules_and_words_share_the_displayed_frame(generated, rotate: int) -> None:
    """A page shown through /Rotate: its words and its rules are both put upright."""
    folder, truth = generated
    doc = next(d for d in cvs(truth, scanned=None) if len({r["file"] for r in d["pages"]}) == 1)
    data = turned((folder / doc["pages"][0]["file"]).read_bytes(), rotate)
    read = read_document(data, Limits(), OcrOptions())
    pages = [read.pages[ref["page"] - 1] for ref in doc["pages"]]
    assert {p.rotation for p in pages} == {rotate} and pages[0].height > pages[0].width
    exact, total, diffs = compare(doc, read_tables(pages, layout(doc["layout"]).tables))
    assert not diffs, diffs


@pytest.mark.parametrize(("dpi", "least"), [(300, 0.9), (200, 0.75)])
def test_scanned_cvs_have_their_rows(generated, dpi: int, least: float) -> None:
    """Real Tesseract on a scanned CV: every table with the right rows; most cells exact
    (what differs is OCR's letters, 200 dpi being the harder)."""
    folder, truth = generated
    doc = next(d for d in cvs(truth, scanned=dpi) if len(d["pages"]) <= 3)
    pages = read_cv(doc, read_files(folder, [doc]))
    assert all(p.source is TextSource.ocr for p in pages)
    with_tables = {row["page"] for table in doc["table_cells"].values() for row in table}
    assert all(pages[number - 1].rules for number in with_tables)
    exact, total, diffs = compare(doc, read_tables(pages, layout(doc["layout"]).tables))
    print(f"{dpi} dpi: {exact}/{total} cells exact", *diffs, sep="\n  ")
    assert total > 20 and exact / total >= least, diffs


def test_rule_detection_is_cheap(generated) -> None:
    """Finding the rules of a 300 dpi page costs well under 50 ms."""
    folder, truth = generated
    doc = next(d for d in cvs(truth, scanned=300) if d["pages"][0]["file"].endswith((".tif", ".jpg")))
    ref = doc["pages"][1]
    raster = list(images.image_pages(images.open_image((folder / ref["file"]).read_bytes(), Limits()),
                                     Limits()))[ref["page"] - 1]
    evened = preprocess.even_light(preprocess.to_gray(preprocess.to_array(raster.image)))
    times = []
    for _ in range(5):
        started = time.perf_counter()
        found = rules.find_rules(evened, raster.dpi)
        times.append(time.perf_counter() - started)
    assert len(found) > 10
    assert statistics.median(times) < 0.05, times
