"""`hoso report`, `hoso nightly`, `hoso serve`: progress against the deadline, the overnight run."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.cli_common import (
    EXIT_OK,
    EXIT_SOME_REJECTED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    DataDir,
    app,
    console,
    err,
    open_runtime,
)
from schemas.progress import ProgressReport
from schemas.settings import Settings
from schemas.status import ProgressState

# Short enough for an 80-column terminal; the report files carry the full labels.
STATE_SHORT = {ProgressState.done: "Xong", ProgressState.on_track: "Đúng tiến độ",
               ProgressState.at_risk: "Nguy cơ chậm", ProgressState.overdue: "Quá hạn",
               ProgressState.unknown: "Chưa rõ"}
STATE_STYLE = {ProgressState.done: "green", ProgressState.on_track: "blue",
               ProgressState.at_risk: "yellow", ProgressState.overdue: "red",
               ProgressState.unknown: "dim"}


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    err.print(f"[red]{option}[/red]: '{value}' is not a date (use yyyy-mm-dd or dd/mm/yyyy)")
    raise typer.Exit(EXIT_USAGE)


def print_progress(report: ProgressReport, max_level: int = 1) -> None:
    """The province and its first level as a table; every unit at risk below it."""
    from flows.report_render import fmt_int, fmt_pct

    table = Table(title=f"Tiến độ số hóa hồ sơ đến {report.as_of:%d/%m/%Y} "
                        f"(hạn chót {report.deadline:%d/%m/%Y})")
    table.add_column("Đơn vị", no_wrap=True)
    # Short headers so the table fits 80 columns: paper, electronic, share, per day, forecast.
    for header in ("Giấy", "Số hóa", "Tỷ lệ", "/ngày", "Dự kiến"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("Tình trạng", no_wrap=True)
    shown = [u for u in report.units if u.level <= max_level]
    shown += [u for u in report.at_risk() if u.level > max_level]
    for u in shown:
        share = fmt_pct(u.percent).replace(" %", "%") if u.percent is not None else "?"
        table.add_row("  " * u.level + u.name,
                      fmt_int(u.inventoried) if u.inventoried is not None else "?",
                      fmt_int(u.electronic), share,
                      f"{u.per_day:.1f}".replace(".", ","),
                      f"{u.forecast:%d/%m/%y}" if u.forecast else "—",
                      f"[{STATE_STYLE[u.state]}]{STATE_SHORT[u.state]}[/]")
    console.print(table)
    console.print("[dim]Giấy: hồ sơ giấy (paper dossiers); Số hóa: đã thành hồ sơ điện tử "
                  "(electronic); /ngày: hồ sơ mỗi ngày, 7 ngày qua; Dự kiến: ngày dự kiến xong; "
                  "?: chưa rõ, chưa có số liệu hồ sơ giấy (no inventory)[/dim]")


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="Folder for the files; default "
                                             "<data_dir>/reports or HOSO_REPORTS_DIR.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Report date (yyyy-mm-dd); default today.")] = None,
    units_on: Annotated[str | None, typer.Option(
        help="Group units as they stood on this date; default the earlier of the report date "
        "and the deadline, so a 2022 report keeps the 12 former districts.")] = None,
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: html, xlsx, "
                                         "csv.")] = "html,xlsx,csv",
    as_json: Annotated[bool, typer.Option("--json", help="Print every unit's figures as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Progress report: HTML with charts, XLSX and CSV, per unit and for the province.

    XLSX has a sheet per level. A unit whose forecast passes its deadline is marked at risk;
    one without a paper inventory shows "chưa rõ" (unknown), never 100 %."""
    from flows.progress import progress_report
    from flows.report_render import FORMATS, write_report
    from storage.db import session_scope

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    if not wanted or any(f not in FORMATS for f in wanted):
        err.print(f"--format: choose from {', '.join(FORMATS)} (got '{formats}')")
        raise typer.Exit(EXIT_USAGE)
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        progress = progress_report(session, runtime.settings, _day(as_of, "--as-of"),
                                   _day(units_on, "--units-on"))
    written = write_report(progress, out or runtime.settings.reports_path, wanted)
    if as_json:
        typer.echo(json.dumps({"as_of": progress.as_of.isoformat(),
                               "units": [u.as_dict() for u in progress.units]},
                              ensure_ascii=False, indent=2))
        return
    print_progress(progress)
    for fmt, path in written.items():
        console.print(f"Báo cáo {fmt.upper()}: {path}")


@app.command()
def nightly(
    as_of: Annotated[str | None, typer.Option(help="Report date (yyyy-mm-dd); default today.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the overnight job now: inbox, processing, snapshot, report.

    The inbox (HOSO_INBOX) is laid out as <unit code>/[<dossier code>/]files; a file leaves it
    once its original is stored and recorded. Failed documents are retried while they have
    runs left (HOSO_MAX_FAILED_RUNS)."""
    from flows.cli import progress_bar
    from flows.nightly import nightly as nightly_flow

    runtime = open_runtime(data_dir)
    console.print(f"Hộp thư đến (inbox): {runtime.settings.inbox_location}")
    with progress_bar("pages", "Đang đọc trang (reading pages)"):
        result = nightly_flow(_day(as_of, "--as-of"))
    inbox = result["inbox"]
    console.print(f"Nhận từ hộp thư (taken in): {inbox['taken']} mới (new), {inbox['duplicates']} "
                  f"trùng lặp (duplicates), {len(inbox['unreadable'])} không đọc được (unreadable)")
    for item in inbox["left"]:
        err.print(f"[yellow]Để lại trong hộp thư[/yellow] (left in the inbox) {item['name']}: {item['why']}")
    outcomes = result["processed"]
    console.print("Xử lý (processed): " + (", ".join(f"{k}: {v}" for k, v in outcomes.items()) or "0"))
    for fmt, path in result["report"].items():
        console.print(f"Báo cáo {fmt.upper()}: {path}")
    fixity, chain = result["fixity"], result["audit"]
    console.print(f"Kiểm tra toàn vẹn (fixity, sample): {fixity['checked']} đọc lại (read back), "
                  f"{fixity['missing']} thiếu (missing), {fixity['changed']} bị thay đổi (changed), "
                  f"{fixity['orphan']} thừa (orphan); nhật ký kiểm toán (audit trail): "
                  + ("nguyên vẹn (intact)" if chain["ok"] else f"BỊ PHÁ VỠ (broken): {chain['problems'][0]}"))
    bad = (outcomes.get("rejected", 0) + outcomes.get("failed", 0) + len(inbox["unreadable"])
           + len(inbox["left"]) + (not fixity["ok"]) + (not chain["ok"]))
    raise typer.Exit(EXIT_SOME_REJECTED if bad else EXIT_OK)


@app.command()
def serve(
    server_port: Annotated[int, typer.Option(help="Port of the Prefect server started when "
                                             "PREFECT_API_URL is not set.")] = 4200,
    data_dir: DataDir = None,
) -> None:
    """Run the nightly job on its schedule on this machine, until stopped.

    The schedule is HOSO_NIGHTLY_CRON (default 01:00 every day) in HOSO_TIMEZONE, and stays
    active after a stop. With PREFECT_API_URL set, the runs show in that Prefect server's UI;
    for several machines use the work pool in infra/prefect.yaml instead. Without
    PREFECT_API_URL, a Prefect server is started beside the data (<data_dir>/prefect) and its UI
    is at http://127.0.0.1:<server-port>."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.local_server import ServerDidNotStart, local_prefect_server

    runtime = open_runtime(data_dir)
    if data_dir is not None:  # the runs start in their own processes: they read the environment
        os.environ["HOSO_DATA_DIR"] = str(data_dir.resolve())
    try:
        if PREFECT_API_URL.value():
            _serve_nightly(runtime.settings)
            return
        home = runtime.settings.data_dir.resolve() / "prefect"
        console.print(f"Khởi động máy chủ Prefect (starting a Prefect server) at 127.0.0.1:{server_port}, "
                      f"data in {home}…")
        with local_prefect_server(home, server_port) as url, temporary_settings({PREFECT_API_URL: url}):
            os.environ["PREFECT_API_URL"] = url  # for the processes the runs start in
            console.print(f"Giao diện Prefect (Prefect UI): {url.removesuffix('/api')}")
            _serve_nightly(runtime.settings)
    except ServerDidNotStart as exc:
        err.print(f"[red]Không khởi động được máy chủ Prefect[/red] (Prefect server did not start): {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except KeyboardInterrupt:  # Ctrl+C is how it is stopped, whenever it comes
        console.print("Đã dừng (stopped); the schedule stays active.")


def _serve_nightly(settings: Settings) -> None:
    from prefect.schedules import Cron

    from flows.nightly import nightly as nightly_flow

    console.print(f"Lịch chạy đêm (nightly schedule): '{settings.nightly_cron}' ({settings.timezone}); "
                  "Ctrl+C để dừng (to stop).")
    nightly_flow.serve(name="nightly", schedules=[Cron(settings.nightly_cron, timezone=settings.timezone)],
                       global_limit=1, pause_on_shutdown=False,
                       description="Nhận hộp thư, đọc hồ sơ chờ, chụp tiến độ, lưu báo cáo.")
