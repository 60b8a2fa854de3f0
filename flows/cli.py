"""`hoso`: the command line of clerks and administrators (Typer and Rich)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows import runtime as rt_module
from flows.report import status_report
from schemas.settings import Settings
from schemas.status import REJECT_ADVICE_VI, REJECT_LABELS_VI, RejectReason

if TYPE_CHECKING:
    from flows.intake import IntakeResult

EXIT_OK = 0
EXIT_SOME_REJECTED = 1  # finished, but some files were rejected, failed or unreadable
EXIT_USAGE = 2  # bad arguments (Typer's own code)
EXIT_UNAVAILABLE = 3  # the database or the object store cannot be reached

STATUS_LABELS = {
    "received": "đã nhận (received)", "text_ready": "đã có văn bản (text ready)",
    "extracted": "đã trích xuất (extracted)", "verified": "đã xác minh (verified)",
    "rejected": "bị từ chối (rejected)", "failed": "lỗi tạm thời (failed)",
}

app = typer.Typer(
    help="hoso: số hóa hồ sơ cán bộ, công chức, viên chức — scanned personnel dossiers in, "
    "searchable electronic files and records out. Settings come from HOSO_* environment "
    "variables (see README).",
    epilog="Exit codes: 0 done; 1 done, but some files were rejected, failed or unreadable; "
    "2 wrong arguments; 3 the database or object store cannot be reached.",
    no_args_is_help=True, rich_markup_mode="rich", add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Embedded data folder (database and objects); default ./hoso-data "
    "or HOSO_DATA_DIR.", show_default=False)]


def _runtime(data_dir: Path | None) -> rt_module.Runtime:
    """Settings from the environment, the data folder from the option; database ready."""
    from storage.db import upgrade

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    runtime = rt_module.use_settings(settings)
    try:
        upgrade(runtime.engine)
        runtime.store.location()
    except Exception as exc:  # noqa: BLE001  (say what cannot be reached, and stop)
        err.print(f"[red]Không kết nối được cơ sở dữ liệu hoặc kho lưu trữ[/red] "
                  f"(cannot reach the database or object store): {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    return runtime


@app.command()
def init(data_dir: DataDir = None) -> None:
    """Create the database, or upgrade it to the newest schema (safe to run again)."""
    from storage.db import current_revision

    runtime = _runtime(data_dir)
    console.print(f"Cơ sở dữ liệu (database): {runtime.engine.url.render_as_string()} "
                  f"— schema {current_revision(runtime.engine)}")
    console.print(f"Kho lưu trữ (object store): {runtime.store.location()}")


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of scans (PDF, TIFF, "
                                                "JPEG, PNG); folders are read recursively.")],
    unit: Annotated[str, typer.Option("--unit", "-u", help="Code of the unit the dossiers "
                                      "belong to, e.g. HU-DUCTRONG.")],
    unit_name: Annotated[str | None, typer.Option(help="Full name of a new unit.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Take in scans for a unit: each original is kept once; run `hoso process` next."""
    _runtime(data_dir)
    files = _expand(paths)
    if not files:
        err.print("Không có tệp nào để nhận (no files found in the given paths).")
        raise typer.Exit(EXIT_USAGE)
    result = run_intake(files, unit, unit_name)
    console.print(f"Lô {result.batch_id}: {len(result.new)} tệp mới (new), "
                  f"{len(result.duplicates)} trùng lặp (duplicates: already held, not stored "
                  f"again), {len(result.unreadable)} không đọc được (unreadable).")
    for item in result.unreadable:
        err.print(f"[red]Không đọc được[/red] {item['name']}: {item['error']}")
    raise typer.Exit(EXIT_SOME_REJECTED if result.unreadable else EXIT_OK)


@app.command()
def process(
    limit: Annotated[int | None, typer.Option(help="Process at most this many documents.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Read every pending document: text layer or OCR, page by page; searchable PDF and words."""
    outcomes = run_process(_runtime(data_dir), limit)
    console.print("Kết quả (outcome): " + ", ".join(f"{k}: {v}" for k, v in outcomes.items())
                  if outcomes else "Không có hồ sơ nào chờ xử lý (nothing pending).")
    bad = outcomes.get("rejected", 0) + outcomes.get("failed", 0)
    raise typer.Exit(EXIT_SOME_REJECTED if bad else EXIT_OK)


@contextmanager
def progress_bar(what: str, label: str) -> Iterator[None]:
    """A Rich progress bar fed by the flows' reports of `what` ("files" or "pages")."""
    totals: dict[int, tuple[int, int]] = {}
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task_id = bar.add_task(what, total=None)

        def on_report(kind: str, key: int, done: int, total: int) -> None:
            if kind == what:
                totals[key] = (done, total)
                bar.update(task_id, completed=sum(d for d, _ in totals.values()),
                           total=sum(t for _, t in totals.values()))

        rt_module.add_listener(on_report)
        try:
            yield
        finally:
            rt_module.remove_listener(on_report)


def run_intake(files: list[Path], unit: str, unit_name: str | None = None) -> IntakeResult:
    """The intake flow with a progress bar of files."""
    from flows.intake import intake

    with progress_bar("files", "Đang nhận tệp (taking in files)"):
        return intake([str(f) for f in files], unit, unit_name)


def run_process(runtime: rt_module.Runtime, limit: int | None = None) -> dict[str, int]:
    """The process flow with a progress bar of pages."""
    from flows.process import process as process_flow

    with progress_bar("pages", "Đang đọc trang (reading pages)"):
        return process_flow(limit)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts: counts and "
                                          "every document.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Counts by status and unit; rejected files with their reasons."""
    report = status_report(_runtime(data_dir).engine)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    table = Table(title="Hồ sơ theo trạng thái (documents by status)")
    table.add_column("Trạng thái (status)")
    table.add_column("Số lượng", justify="right")
    for name, n in report["counts"].items():
        table.add_row(STATUS_LABELS[name], str(n))
    console.print(table)
    units = Table(title="Theo đơn vị (by unit)")
    units.add_column("Đơn vị (unit)")
    for name in report["counts"]:
        units.add_column(name, justify="right")
    for code, counts in sorted(report["units"].items()):
        units.add_row(code, *(str(counts.get(name, 0)) for name in report["counts"]))
    console.print(units)
    print_rejections(report["documents"])


def print_rejections(rows: list[dict]) -> None:
    rejected = [r for r in rows if r["status"] in ("rejected", "failed")]
    if not rejected:
        return
    table = Table(title="Tệp bị từ chối hoặc lỗi (rejected or failed files)")
    table.add_column("Tệp (file)", overflow="fold", min_width=20)
    table.add_column("Mã (code)")
    table.add_column("Lý do (reason)")
    for r in rejected:
        code = r["reject_code"]
        if code:
            reason = RejectReason(code)
            label = f"{REJECT_LABELS_VI[reason]} ({code})"
            why = f"{REJECT_ADVICE_VI[reason]}\n[dim]{r['reject_reason']}[/dim]"
        else:
            label, why = "lỗi tạm thời (failed)", f"Sẽ thử lại ở lần chạy sau. {r['error'] or ''}"
        table.add_row(r["source_name"], label, why)
    console.print(table)


@app.command()
def demo(
    dossiers: Annotated[int, typer.Option(help="How many sample dossiers to generate.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the sample generator.")] = 7,
    data_dir: DataDir = None,
) -> None:
    """Generate sample dossiers, take them in, read them, and show what came out."""
    from flows.demo import run_demo

    run_demo(_runtime(data_dir), console, dossiers, seed)


if __name__ == "__main__":
    app()
