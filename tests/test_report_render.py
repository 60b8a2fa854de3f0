"""The progress report renderers, on a synthetic report: no database, no Prefect."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from flows.report_render import (
    chart_burnup,
    chart_units,
    render_csv,
    render_html,
    render_xlsx,
    summary_markdown,
    summary_table,
    write_report,
)
from schemas.progress import DayCount, ProgressReport, UnitProgress
from schemas.status import ProgressState

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
AS_OF = date(2025, 5, 12)
DEADLINE = date(2025, 6, 30)


def unit(code: str, name: str, level: int, parent: str | None, inventoried: int | None, electronic: int,
         state: ProgressState, per_day: float = 0.0, forecast: date | None = None,
         missing: int = 0, counted: int | None = None) -> UnitProgress:
    return UnitProgress(
        code=code, name=name, level=level, parent_code=parent, bloc="Chính quyền",
        inventoried=inventoried, received=electronic + 40, electronic=electronic,
        extracted=electronic // 2, verified=electronic // 4, documents=electronic * 12,
        rejected=3, failed=2, per_day=per_day, deadline=DEADLINE, forecast=forecast, state=state,
        units_without_inventory=missing,
        electronic_counted=(electronic if inventoried is not None else 0) if counted is None else counted,
    )


@pytest.fixture
def report() -> ProgressReport:
    # Lạc Dương has no inventory: its 50 electronic dossiers are not in the province's percent.
    province = unit("LD", "Tỉnh Lâm Đồng", 0, None, 2000, 1550, ProgressState.on_track,
                    per_day=12.5, forecast=date(2025, 6, 21), missing=1, counted=1500)
    units = [
        province,
        unit("LD01", "Đức Trọng", 1, "LD", 1200, 1200, ProgressState.done, per_day=8.0),
        unit("LD0101", "Thị trấn Liên Nghĩa", 2, "LD01", 400, 400, ProgressState.done, per_day=3.0),
        unit("LD02", "Đạ Tẻh", 1, "LD", 800, 300, ProgressState.at_risk, per_day=2.0,
             forecast=date(2025, 9, 20)),
        unit("LD03", "Lạc Dương", 1, "LD", None, 50, ProgressState.unknown, missing=1),
    ]
    start = AS_OF - timedelta(days=9)
    burnup = [DayCount(day=start + timedelta(days=i), received=1230 + 40 * i, electronic=1190 + 40 * i)
              for i in range(10)]
    snapshots = [
        {"day": AS_OF - timedelta(days=7), "inventoried": 2000, "received": 1300, "electronic": 1200,
         "documents": 15000, "rejected": 10},
        {"day": AS_OF, "inventoried": 2000, "received": 1580, "electronic": 1500, "documents": 18000,
         "rejected": 12, "failed": 4},
    ]
    return ProgressReport(as_of=AS_OF, deadline=DEADLINE, window_days=14, province=province,
                          units=units, burnup=burnup, snapshots=snapshots)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        assert img.format == "PNG"
        return img.size


def table_row(html: str, code: str) -> str:
    match = re.search(rf'<tr class="level-\d" data-code="{code}">(.*?)</tr>', html, re.S)
    assert match, f"no table row for {code}"
    return match.group(1)


def risk_box(html: str) -> str:
    match = re.search(r'<section class="risk">(.*?)</section>', html, re.S)
    assert match, "no risk box"
    return match.group(1)


def glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if re.search(r"Glyph .* missing", str(w.message))]


# --- charts -----------------------------------------------------------------------------------

def test_charts_are_pngs_of_a_sane_size(report: ProgressReport) -> None:
    for data in (chart_units(report), chart_burnup(report)):
        width, height = png_size(data)
        assert 800 <= width <= 2000 and 250 <= height <= 2000


def test_charts_draw_vietnamese_without_missing_glyphs(report: ProgressReport) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart_units(report)
        chart_burnup(report)
    assert glyph_warnings(caught) == []


def test_missing_glyph_check_does_catch_a_missing_glyph(report: ProgressReport) -> None:
    """The check above is not vacuous: a glyph DejaVu Sans lacks (CJK) is reported."""
    report.units[1].name = "漢字"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart_units(report)
    assert glyph_warnings(caught)


def test_units_chart_falls_back_to_all_non_root_units_then_the_province(report: ProgressReport) -> None:
    communes = dataclasses.replace(report, units=[report.units[0], report.units[2]])
    assert png_size(chart_units(communes))
    alone = dataclasses.replace(report, units=[report.province])
    assert png_size(chart_units(alone))


@pytest.mark.parametrize("points", [0, 1])
def test_burnup_with_no_or_one_point(report: ProgressReport, points: int) -> None:
    short = dataclasses.replace(report, burnup=report.burnup[:points])
    assert png_size(chart_burnup(short))


def test_burnup_with_unknown_inventory_and_a_forecast_years_away(report: ProgressReport) -> None:
    province = dataclasses.replace(report.province, forecast=date(2040, 1, 1), state=ProgressState.at_risk)
    assert png_size(chart_burnup(dataclasses.replace(report, province=province)))
    unknown = dataclasses.replace(report.province, inventoried=None, forecast=None,
                                  state=ProgressState.unknown)
    assert png_size(chart_burnup(dataclasses.replace(report, province=unknown)))


# --- HTML -------------------------------------------------------------------------------------

def test_html_is_vietnamese_and_lists_every_unit(report: ProgressReport) -> None:
    html = render_html(report)
    assert '<html lang="vi">' in html
    assert "Báo cáo tiến độ số hóa hồ sơ cán bộ" in html
    assert "12/05/2025" in html and "30/06/2025" in html
    for u in report.units:
        assert u.name in html
    assert "2.000" in html and "75,0 %" in html and "12,5" in html and "21/06/2025" in html
    assert "Đúng tiến độ" in html
    # The percent counts only units with an inventory; the total electronic is still shown.
    assert "1.550" in html and "trong đó 1.500" in html
    assert table_row(html, "LD02").count("37,5 %") == 1


def test_html_unknown_inventory_reads_chua_ro_never_100_percent(report: ProgressReport) -> None:
    row = table_row(render_html(report), "LD03")
    assert "chưa rõ" in row
    assert "100" not in row
    assert "(1 đơn vị chưa có số liệu)" in row
    assert "Chưa có số liệu hồ sơ giấy" in row


def test_html_risk_box_lists_the_units_at_risk(report: ProgressReport) -> None:
    box = risk_box(render_html(report))
    assert "Đạ Tẻh" in box and "Có nguy cơ chậm" in box and "20/09/2025" in box
    assert "Đức Trọng" not in box and "Lạc Dương" not in box


def test_html_is_self_contained(report: ProgressReport) -> None:
    html = render_html(report)
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)) == 2
    assert "http://" not in html and "https://" not in html
    for ref in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert ref.startswith("data:image/png;base64,")
    assert "<link" not in html and "<script" not in html and "@import" not in html


def test_html_escapes_names(report: ProgressReport) -> None:
    report.units[3].name = 'Đạ Tẻh <script>alert("x")</script> & co'
    html = render_html(report)
    assert "<script>" not in html
    assert "Đạ Tẻh &lt;script&gt;" in html and "&amp; co" in html


def test_html_renders_without_burnup_and_without_risk(report: ProgressReport) -> None:
    calm = dataclasses.replace(report, burnup=[], units=[u for u in report.units if u.code != "LD02"])
    html = render_html(calm)
    assert "Không có đơn vị nào có nguy cơ chậm" in html
    assert html.count("data:image/png;base64,") == 2


# --- XLSX -------------------------------------------------------------------------------------

def load_xlsx(report: ProgressReport) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))


def rows_by_code(ws) -> dict[str, dict[str, object]]:
    header = [c.value for c in ws[1]]
    return {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)}


def test_xlsx_sheets(report: ProgressReport) -> None:
    wb = load_xlsx(report)
    for name in ("Toàn tỉnh", "Cấp huyện", "Cấp xã", "Nguy cơ chậm", "Lịch sử"):
        assert name in wb.sheetnames
    assert list(rows_by_code(wb["Cấp huyện"])) == ["LD01", "LD02", "LD03"]
    assert list(rows_by_code(wb["Cấp xã"])) == ["LD0101"]
    assert list(rows_by_code(wb["Nguy cơ chậm"])) == ["LD02"]
    districts = wb["Cấp huyện"]
    assert districts.freeze_panes == "A2"
    assert districts.auto_filter.ref
    assert all(cell.font.b for cell in districts[1])


def test_xlsx_numbers_are_numbers(report: ProgressReport) -> None:
    wb = load_xlsx(report)
    ws = wb["Cấp huyện"]
    header = [c.value for c in ws[1]]
    row = rows_by_code(ws)["LD02"]
    assert row["Tỷ lệ (%)"] == pytest.approx(300 / 800)
    assert row["Hồ sơ giấy"] == 800 and row["Đã số hóa"] == 300
    assert row["Hạn chót"] == datetime(2025, 6, 30)
    percent_cell = ws.cell(row=3, column=header.index("Tỷ lệ (%)") + 1)
    assert percent_cell.number_format == "0.0%"
    assert ws.cell(row=3, column=header.index("Hạn chót") + 1).number_format == "dd/mm/yyyy"


def test_xlsx_unknown_inventory_is_an_empty_cell(report: ProgressReport) -> None:
    row = rows_by_code(load_xlsx(report)["Cấp huyện"])["LD03"]
    assert row["Hồ sơ giấy"] is None
    assert row["Tỷ lệ (%)"] is None
    assert row["Tình trạng"] == "Chưa có số liệu hồ sơ giấy"


def test_xlsx_history(report: ProgressReport) -> None:
    ws = load_xlsx(report)["Lịch sử"]
    header = [c.value for c in ws[1]]
    assert header[0] == "Ngày"
    assert {"Hồ sơ giấy", "Đã nhận", "Đã số hóa", "Văn bản", "Bị từ chối", "Lỗi"} <= set(header)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == datetime(2025, 5, 12)
    last = dict(zip(header, rows[1], strict=True))
    assert last["Lỗi"] == 4 and last["Đã số hóa"] == 1500


def test_xlsx_with_four_levels_and_no_history(report: ProgressReport) -> None:
    hamlet = unit("LD010101", "Tổ dân phố 1", 3, "LD0101", 10, 5, ProgressState.on_track)
    wb = load_xlsx(dataclasses.replace(report, units=[*report.units, hamlet], snapshots=[], burnup=[]))
    assert "Cấp 4" in wb.sheetnames
    assert wb["Cấp 4"]["C2"].value == "Thị trấn Liên Nghĩa"  # Trực thuộc


# --- CSV --------------------------------------------------------------------------------------

def test_csv_one_row_per_unit(report: ProgressReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [r["code"] for r in rows] == [u.code for u in report.units]
    assert set(report.units[0].as_dict()) <= set(rows[0])
    by_code = {r["code"]: r for r in rows}
    assert by_code["LD0101"]["level"] == "2" and by_code["LD0101"]["parent_code"] == "LD01"
    assert by_code["LD02"]["percent"] == "37.5"
    assert by_code["LD03"]["inventoried"] == "" and by_code["LD03"]["percent"] == ""
    assert by_code["LD02"]["name"] == "Đạ Tẻh"


# --- files ------------------------------------------------------------------------------------

def test_write_report(report: ProgressReport, tmp_path: Path) -> None:
    folder = tmp_path / "bao-cao" / "tuan-20"
    paths = write_report(report, folder)
    assert {fmt: p.name for fmt, p in paths.items()} == {
        "html": "bao-cao-tien-do-2025-05-12.html",
        "xlsx": "bao-cao-tien-do-2025-05-12.xlsx",
        "csv": "bao-cao-tien-do-2025-05-12.csv",
    }
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths.values())  # no temp
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Đạ Tẻh" in raw.decode("utf-8-sig")
    assert paths["html"].read_text(encoding="utf-8").count("data:image/png;base64,") == 2
    assert openpyxl.load_workbook(paths["xlsx"]).sheetnames[0] == "Toàn tỉnh"


def test_write_report_replaces_and_rejects_unknown_formats(report: ProgressReport, tmp_path: Path) -> None:
    write_report(report, tmp_path, formats=["csv"])
    paths = write_report(report, tmp_path, formats=["csv"])
    assert list(paths) == ["csv"] and len(list(tmp_path.iterdir())) == 1
    with pytest.raises(ValueError, match="html, xlsx, csv"):
        write_report(report, tmp_path / "other", formats=["html", "pdf"])
    assert not (tmp_path / "other").exists()  # nothing written when a format is wrong


# --- artifacts --------------------------------------------------------------------------------

def test_summary_markdown(report: ProgressReport) -> None:
    md = summary_markdown(report)
    assert "Tỉnh Lâm Đồng" in md and "1.500/2.000" in md and "75,0 %" in md and "Đúng tiến độ" in md
    assert "- Đạ Tẻh:" in md
    assert "Đức Trọng" not in md


def test_summary_table_is_json_ready(report: ProgressReport) -> None:
    import json

    rows = summary_table(report)
    assert [r["Đơn vị"] for r in rows] == ["Tỉnh Lâm Đồng", "Đức Trọng", "Đạ Tẻh", "Lạc Dương"]
    assert json.loads(json.dumps(rows)) == rows
    unknown = rows[-1]
    assert unknown["Hồ sơ giấy"] is None and unknown["Tỷ lệ (%)"] is None
    assert rows[2]["Tỷ lệ (%)"] == 37.5
