"""Render a ProgressReport: charts (PNG), one self-contained HTML page, XLSX, CSV, summaries.

Pure: no database, no Prefect, no clock. The HTML is opened on a closed network, so it carries
its charts and styles inline. Numbers and dates are written the Vietnamese way (1.234; 45,6 %;
dd/mm/yyyy) wherever people read them; the CSV stays machine-friendly.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

# Agg before anything draws: no GUI on servers. Charts are drawn on `Figure` objects directly
# (not pyplot), so nothing is kept in pyplot's global figure registry between runs.
matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
from jinja2 import Environment, FileSystemLoader, StrictUndefined  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from schemas.progress import ProgressReport, UnitProgress  # noqa: E402
from schemas.status import PROGRESS_STATE_VI, ProgressState  # noqa: E402

TITLE = "Báo cáo tiến độ số hóa hồ sơ cán bộ"
UNKNOWN = "chưa rõ"
NONE = "—"
FORMATS = ("html", "xlsx", "csv")

# Bundled with matplotlib and covering Vietnamese (Latin Extended Additional), so the charts
# look the same on every server whatever fonts the system has.
FONT = "DejaVu Sans"

# Chart colour (strong) and badge colours (background, text) per state.
STATE_COLOR: dict[ProgressState, str] = {
    ProgressState.done: "#2e7d32",
    ProgressState.on_track: "#1565c0",
    ProgressState.at_risk: "#ef6c00",
    ProgressState.overdue: "#c62828",
    ProgressState.unknown: "#9e9e9e",
}
BADGE_COLORS: dict[ProgressState, tuple[str, str]] = {
    ProgressState.done: ("#e8f5e9", "#1b5e20"),
    ProgressState.on_track: ("#e3f2fd", "#0d47a1"),
    ProgressState.at_risk: ("#fff3e0", "#e65100"),
    ProgressState.overdue: ("#ffebee", "#b71c1c"),
    ProgressState.unknown: ("#eeeeee", "#424242"),
}

# rcParams are process-global and Prefect may run tasks in threads: one chart at a time.
_CHART_LOCK = threading.Lock()


# --- formatting -------------------------------------------------------------------------------

def fmt_int(n: int | None) -> str:
    """1234 -> "1.234" (Vietnamese thousands separator)."""
    return UNKNOWN if n is None else f"{n:,}".replace(",", ".")


def fmt_dec(x: float | None, digits: int = 1) -> str:
    """1234.5 -> "1.234,5"."""
    if x is None:
        return UNKNOWN
    return f"{x:,.{digits}f}".translate(str.maketrans({",": ".", ".": ","}))


def shown_percent(p: float | None) -> float | None:
    """Percent to one decimal, never rounded up to 100 while work remains (99,96 -> 99,9)."""
    if p is None:
        return None
    return 99.9 if 99.9 < p < 100 else round(p, 1)


def fmt_pct(p: float | None) -> str:
    """45.63 -> "45,6 %"; unknown inventory reads "chưa rõ", never 100 %."""
    shown = shown_percent(p)
    return UNKNOWN if shown is None else f"{fmt_dec(shown)} %"


def fmt_date(d: date | None) -> str:
    return NONE if d is None else d.strftime("%d/%m/%Y")


def state_label(state: ProgressState) -> str:
    return PROGRESS_STATE_VI[state]


def missing_note(u: UnitProgress) -> str:
    """Why the percent leaves dossiers out; empty when it does not."""
    n = u.units_without_inventory
    return f"({fmt_int(n)} đơn vị chưa có số liệu)" if n > 0 else ""


def fmt_forecast(u: UnitProgress) -> str:
    if u.state == ProgressState.done:
        return "đã xong"
    return fmt_date(u.forecast)


# --- charts -----------------------------------------------------------------------------------

def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    return buf.getvalue()


def _chart(draw: Callable[[], Figure]) -> bytes:
    with _CHART_LOCK, matplotlib.rc_context({"font.family": FONT, "font.size": 10}):
        return _png(draw())


def chart_units(report: ProgressReport) -> bytes:
    """Horizontal bars: percent electronic of each district (or every non-root unit)."""
    return _chart(lambda: _draw_units(_chart_units_of(report)))


def _chart_units_of(report: ProgressReport) -> list[UnitProgress]:
    units = [u for u in report.units if u.level == 1] or [u for u in report.units if u.level > 0]
    return units or [report.province]


def _draw_units(units: list[UnitProgress]) -> Figure:
    fig = Figure(figsize=(10, 1.4 + 0.42 * len(units)), layout="constrained")
    ax = fig.add_subplot()
    ys = range(len(units))
    values = [shown_percent(u.percent) for u in units]
    right = max([100.0, *(v for v in values if v is not None)]) * 1.18  # room for the labels
    ax.barh(ys, [v or 0 for v in values], height=0.62,
            color=[STATE_COLOR[u.state] for u in units])
    for y, v in zip(ys, values, strict=True):
        text = UNKNOWN if v is None else fmt_pct(v)
        ax.text((v or 0) + right * 0.01, y, text, va="center", fontsize=9,
                color="#616161" if v is None else "#212121", style="italic" if v is None else "normal")
    ax.axvline(100, color="#424242", linewidth=1, linestyle="--")
    ax.set_yticks(list(ys), [u.name for u in units])
    ax.invert_yaxis()  # tree order, top to bottom
    ax.set_xlim(0, right)
    ax.set_xlabel("%")
    ax.set_title("Tỷ lệ hồ sơ đã số hóa theo đơn vị", fontsize=13, fontweight="bold")
    ax.grid(axis="x", color="#e0e0e0")
    ax.set_axisbelow(True)
    _state_legend(fig, units)
    return fig


def _state_legend(fig: Figure, units: list[UnitProgress]) -> None:
    present = [s for s in ProgressState if any(u.state == s for u in units)]
    handles = [Patch(color=STATE_COLOR[s], label=state_label(s)) for s in present]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, fontsize=9)


def chart_burnup(report: ProgressReport) -> bytes:
    """Cumulative dossiers of the province over time, the inventory, the deadline, the forecast."""
    return _chart(lambda: _draw_burnup(report))


@dataclass
class _Span:
    start: date
    end: date


def _burnup_span(report: ProgressReport) -> _Span:
    """Days to show: from the first point to past the deadline, and to a near enough forecast."""
    days = [p.day for p in report.burnup] or [report.as_of - timedelta(days=7)]
    # The deadline is always in view, even one long past: the chart must show it was missed.
    start = min(*days, report.as_of, report.deadline)
    end = max(days[-1], report.as_of, report.deadline)
    forecast = report.province.forecast
    if forecast is not None:
        # A forecast years away would squash the real data: the dashed line runs off the edge.
        end = max(end, min(forecast, end + max(end - start, timedelta(days=30))))
    margin = max((end - start) / 20, timedelta(days=2))
    return _Span(start - margin, end + margin)


def _draw_burnup(report: ProgressReport) -> Figure:
    prov = report.province
    fig = Figure(figsize=(10, 5.2), layout="constrained")
    ax = fig.add_subplot()
    if report.burnup:
        _burnup_lines(ax, report)
    if prov.inventoried is not None:
        ax.axhline(prov.inventoried, color="#424242", linewidth=1.2,
                   label=f"Hồ sơ giấy: {fmt_int(prov.inventoried)}")
    if prov.forecast is not None and prov.inventoried is not None:
        ax.plot([report.as_of, prov.forecast], [prov.electronic, prov.inventoried],
                color=STATE_COLOR[prov.state], linestyle="--", linewidth=1.6,
                label=f"Dự kiến hoàn thành {fmt_date(prov.forecast)}")
    _deadline_line(ax, report.deadline)
    span = _burnup_span(report)
    ax.set_xlim(span.start, span.end)
    top = max([prov.inventoried or 0, prov.electronic, prov.received,
               *(p.received for p in report.burnup), 1])
    ax.set_ylim(0, top * 1.12)
    _burnup_axes(ax)
    return fig


def _burnup_lines(ax: Any, report: ProgressReport) -> None:
    days = [p.day for p in report.burnup]
    marker = "o" if len(days) == 1 else None  # a lone point draws no line
    ax.plot(days, [p.electronic for p in report.burnup], color=STATE_COLOR[ProgressState.done],
            linewidth=2.6, marker=marker, label="Đã số hóa (cộng dồn)")
    ax.plot(days, [p.received for p in report.burnup], color="#5c6bc0", linewidth=1.2,
            marker=marker, label="Đã nhận (cộng dồn)")


def _deadline_line(ax: Any, deadline: date) -> None:
    ax.axvline(deadline, color=STATE_COLOR[ProgressState.overdue], linewidth=1.4)
    # At the bottom: the rising lines seldom reach there near the deadline.
    ax.text(deadline, 0.02, f"Hạn chót {fmt_date(deadline)} ", transform=ax.get_xaxis_transform(),
            rotation=90, ha="right", va="bottom", fontsize=9, color=STATE_COLOR[ProgressState.overdue])


def _burnup_axes(ax: Any) -> None:
    ax.set_title("Tiến độ số hóa hồ sơ toàn tỉnh", fontsize=13, fontweight="bold")
    ax.set_ylabel("Hồ sơ")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_int(int(round(v)))))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m/%Y"))
    for label in ax.get_xticklabels():
        label.set(rotation=30, ha="right")
    ax.grid(color="#e0e0e0")
    ax.set_axisbelow(True)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=9, framealpha=0.9)


# --- HTML -------------------------------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _jinja() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=fmt_int, dec=fmt_dec, pct=fmt_pct, dmy=fmt_date, state=state_label,
                       missing=missing_note, forecast=fmt_forecast)
    return env


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(report: ProgressReport) -> str:
    """One self-contained page: styles and charts inline, no outside resource."""
    bar = shown_percent(report.province.percent)
    return _jinja().get_template("report.html.j2").render(
        title=TITLE, report=report, province=report.province, units=report.units,
        at_risk=report.at_risk(), bar_width=None if bar is None else min(bar, 100.0),
        chart_units=_data_uri(chart_units(report)), chart_burnup=_data_uri(chart_burnup(report)),
        badge_colors=BADGE_COLORS,
    )


# --- XLSX -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Col:
    header: str
    width: float
    value: Callable[[UnitProgress, dict[str, str]], Any]  # (unit, names by code) -> cell value
    number_format: str = "General"


def _fraction(u: UnitProgress) -> float | None:
    return None if u.percent is None else u.percent / 100


INT = "#,##0"
COLUMNS: tuple[_Col, ...] = (
    _Col("Mã đơn vị", 12, lambda u, _: u.code),
    _Col("Đơn vị", 32, lambda u, _: u.name),
    _Col("Trực thuộc", 24, lambda u, names: names.get(u.parent_code or "")),
    _Col("Khối", 18, lambda u, _: u.bloc),
    _Col("Hồ sơ giấy", 12, lambda u, _: u.inventoried, INT),
    _Col("Đã nhận", 11, lambda u, _: u.received, INT),
    _Col("Đã số hóa", 11, lambda u, _: u.electronic, INT),
    _Col("Tỷ lệ (%)", 10, lambda u, _: _fraction(u), "0.0%"),
    _Col("Đã trích xuất", 12, lambda u, _: u.extracted, INT),
    _Col("Đã xác minh", 12, lambda u, _: u.verified, INT),
    _Col("Văn bản bị từ chối", 13, lambda u, _: u.rejected, INT),
    _Col("Văn bản lỗi chờ thử lại", 14, lambda u, _: u.failed, INT),
    _Col("Tốc độ (hồ sơ/ngày)", 13, lambda u, _: round(u.per_day, 2), "#,##0.0"),
    _Col("Dự kiến hoàn thành", 14, lambda u, _: u.forecast, "dd/mm/yyyy"),
    _Col("Hạn chót", 12, lambda u, _: u.deadline, "dd/mm/yyyy"),
    _Col("Tình trạng", 26, lambda u, _: state_label(u.state)),
    _Col("Đơn vị chưa có số liệu", 13, lambda u, _: u.units_without_inventory or None, INT),
    _Col("Văn bản chưa gắn hồ sơ", 13, lambda u, _: u.unassigned or None, INT),
)

SNAPSHOT_HEADERS = {
    "day": "Ngày", "inventoried": "Hồ sơ giấy", "received": "Đã nhận", "electronic": "Đã số hóa",
    "extracted": "Đã trích xuất", "verified": "Đã xác minh", "documents": "Văn bản",
    "rejected": "Bị từ chối", "failed": "Lỗi", "per_day": "Tốc độ (hồ sơ/ngày)",
    "percent": "Tỷ lệ (%)", "units_without_inventory": "Đơn vị chưa có số liệu",
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E0E0E0")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")


def level_sheet_name(level: int) -> str:
    """0 Toàn tỉnh, 1 Cấp huyện, 2 Cấp xã, then Cấp 4, Cấp 5... (the province is cấp 1)."""
    return {0: "Toàn tỉnh", 1: "Cấp huyện", 2: "Cấp xã"}.get(level, f"Cấp {level + 1}")


def _top_units(report: ProgressReport) -> list[UnitProgress]:
    """Level-0 rows, with the province first even when it is a sum of several roots."""
    roots = [u for u in report.units if u.level == 0]
    return roots if any(u.code == report.province.code for u in roots) else [report.province, *roots]


def _header(ws: Worksheet, headers: list[str], widths: list[float]) -> None:
    ws.append(headers)
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"


def _finish(ws: Worksheet) -> None:
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


def _unit_sheet(wb: Workbook, title: str, units: list[UnitProgress], names: dict[str, str]) -> Worksheet:
    ws = wb.create_sheet(title)
    _header(ws, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    state_col = next(i for i, c in enumerate(COLUMNS, start=1) if c.header == "Tình trạng")
    for u in units:
        ws.append([c.value(u, names) for c in COLUMNS])
        for i, col in enumerate(COLUMNS, start=1):
            ws.cell(row=ws.max_row, column=i).number_format = col.number_format
        bg, fg = BADGE_COLORS[u.state]
        state = ws.cell(row=ws.max_row, column=state_col)
        state.fill, state.font = PatternFill("solid", fgColor=bg[1:]), Font(color=fg[1:], bold=True)
    _finish(ws)
    return ws


def _cell_value(value: Any) -> Any:
    """Snapshot values as cells: ISO dates become dates, containers become text."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if value is None or isinstance(value, int | float | date | datetime):
        return value
    return str(value)


def _snapshot_sheet(wb: Workbook, snapshots: list[dict]) -> None:
    keys = list(dict.fromkeys(k for snap in snapshots for k in snap)) or ["day"]
    keys.sort(key=lambda k: k != "day")  # the day first, then as given
    ws = wb.create_sheet("Lịch sử")
    _header(ws, [SNAPSHOT_HEADERS.get(k, k) for k in keys], [14 if k == "day" else 13 for k in keys])
    for snap in sorted(snapshots, key=lambda s: str(s.get("day", ""))):
        ws.append([_cell_value(snap.get(k)) for k in keys])
        for cell in ws[ws.max_row]:
            cell.number_format = "dd/mm/yyyy" if isinstance(cell.value, date | datetime) else INT
    _finish(ws)


def _burnup_sheet(wb: Workbook, report: ProgressReport) -> None:
    ws = wb.create_sheet("Số hóa theo ngày")
    _header(ws, ["Ngày", "Đã nhận (cộng dồn)", "Đã số hóa (cộng dồn)"], [14, 16, 16])
    for p in report.burnup:
        ws.append([p.day, p.received, p.electronic])
        for cell, fmt in zip(ws[ws.max_row], ("dd/mm/yyyy", INT, INT), strict=True):
            cell.number_format = fmt
    _finish(ws)


def render_xlsx(report: ProgressReport) -> bytes:
    """A sheet per level, the units at risk, the history: real numbers and dates, not text."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = f"{TITLE} — {fmt_date(report.as_of)}"
    names = {u.code: u.name for u in [report.province, *report.units]}
    _unit_sheet(wb, level_sheet_name(0), _top_units(report), names)
    for level in sorted({u.level for u in report.units} - {0}):
        _unit_sheet(wb, level_sheet_name(level), [u for u in report.units if u.level == level], names)
    risk = _unit_sheet(wb, "Nguy cơ chậm", report.at_risk(), names)
    if risk.max_row == 1:
        risk.append(["Không có đơn vị nào có nguy cơ chậm."])
    _snapshot_sheet(wb, report.snapshots)
    _burnup_sheet(wb, report)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- CSV --------------------------------------------------------------------------------------

CSV_FIELDS: tuple[str, ...] = (*(f.name for f in fields(UnitProgress)), "percent")


def render_csv(report: ProgressReport) -> str:
    """Every unit, one row, keys of `UnitProgress.as_dict()` (level and parent_code included)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for u in report.units:
        writer.writerow(u.as_dict())
    return buf.getvalue()


# --- files ------------------------------------------------------------------------------------

def encode_report(report: ProgressReport, fmt: str) -> bytes:
    """One format of the report as the bytes of its file."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "xlsx":
        return render_xlsx(report)
    return render_csv(report).encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _write_atomic(path: Path, data: bytes) -> None:
    """Readers never see half a file: write a temp file beside it, then rename over."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask decides the mode
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def report_filename(report: ProgressReport, fmt: str) -> str:
    return f"bao-cao-tien-do-{report.as_of.isoformat()}.{fmt}"


def write_report(report: ProgressReport, folder: Path,
                 formats: Iterable[str] = FORMATS) -> dict[str, Path]:
    """Write the report files named by the as-of date into `folder`; {format: path}."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(unknown)}; allowed: {', '.join(FORMATS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in wanted:
        path = folder / report_filename(report, fmt)
        _write_atomic(path, encode_report(report, fmt))
        written[fmt] = path
    return written


# --- Prefect artifacts ------------------------------------------------------------------------

MAX_RISK_LINES = 30  # an artifact is a glance; the full list is in the report files


def _md(text: str) -> str:
    """Names as literal markdown text."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


def _progress_phrase(u: UnitProgress) -> str:
    if u.inventoried is None:
        return f"đã số hóa {fmt_int(u.electronic)} hồ sơ (chưa rõ số hồ sơ giấy)"
    return f"đã số hóa {fmt_int(u.electronic_counted)}/{fmt_int(u.inventoried)} hồ sơ ({fmt_pct(u.percent)})"


def _risk_line(u: UnitProgress) -> str:
    return (f"- {_md(u.name)}: {_progress_phrase(u)}, {fmt_dec(u.per_day)} hồ sơ/ngày, "
            f"dự kiến {fmt_forecast(u)}, hạn chót {fmt_date(u.deadline)} — {state_label(u.state)}")


def summary_markdown(report: ProgressReport) -> str:
    """The province in one line, then the units at risk."""
    p = report.province
    lines = [
        f"**{TITLE}** — số liệu đến ngày {fmt_date(report.as_of)}, hạn chót {fmt_date(report.deadline)}",
        "",
        f"**{_md(p.name)}**: {_progress_phrase(p)}, {fmt_dec(p.per_day)} hồ sơ/ngày "
        f"(bình quân {report.window_days} ngày), dự kiến hoàn thành {fmt_forecast(p)} — "
        f"**{state_label(p.state)}**.",
    ]
    if p.units_without_inventory:
        lines.append(f"_{fmt_int(p.units_without_inventory)} đơn vị chưa có số liệu hồ sơ giấy, "
                     "không tính vào tỷ lệ._")
    risk = report.at_risk()
    lines += ["", f"**Đơn vị có nguy cơ chậm hoặc quá hạn ({len(risk)}):**" if risk
              else "Không có đơn vị nào có nguy cơ chậm hoặc quá hạn."]
    lines += [_risk_line(u) for u in risk[:MAX_RISK_LINES]]
    if len(risk) > MAX_RISK_LINES:
        lines.append(f"- … và {len(risk) - MAX_RISK_LINES} đơn vị khác (xem báo cáo đầy đủ)")
    return "\n".join(lines) + "\n"


def summary_table(report: ProgressReport) -> list[dict[str, str | int | float | None]]:
    """The province and the districts, JSON-ready rows for a table artifact."""
    return [_summary_row(u) for u in [*_top_units(report), *(u for u in report.units if u.level == 1)]]


def _summary_row(u: UnitProgress) -> dict[str, str | int | float | None]:
    return {
        "Đơn vị": u.name,
        "Hồ sơ giấy": u.inventoried,
        "Đã số hóa": u.electronic,
        "Tỷ lệ (%)": shown_percent(u.percent),
        "Tốc độ (hồ sơ/ngày)": round(u.per_day, 1),
        "Dự kiến hoàn thành": None if u.forecast is None else fmt_date(u.forecast),
        "Hạn chót": fmt_date(u.deadline),
        "Tình trạng": state_label(u.state),
        "Đơn vị chưa có số liệu": u.units_without_inventory,
        "Văn bản chưa gắn hồ sơ": u.unassigned,
    }
