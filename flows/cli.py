"""`hoso`: the command line of clerks and administrators (Typer and Rich)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows import runtime as rt_module
from flows.cli_common import (
    EXIT_OK,
    EXIT_SOME_REJECTED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    AsUser,
    DataDir,
    app,
    cli_scope,
    console,
    err,
    open_runtime,
)
from flows.report import status_report
from schemas.status import REJECT_ADVICE_VI, REJECT_LABELS_VI, RejectReason

if TYPE_CHECKING:
    from flows.intake import IntakeResult

STATUS_LABELS = {
    "received": "đã nhận (received)", "text_ready": "đã có văn bản (text ready)",
    "extracted": "đã trích xuất (extracted)", "verified": "đã xác minh (verified)",
    "rejected": "bị từ chối (rejected)", "failed": "lỗi tạm thời (failed)",
}

@app.command()
def init(data_dir: DataDir = None) -> None:
    """Create the database, or upgrade it to the newest schema (safe to run again)."""
    from storage.db import current_revision

    runtime = open_runtime(data_dir)
    console.print(f"Cơ sở dữ liệu (database): {runtime.engine.url.render_as_string()} "
                  f"— schema {current_revision(runtime.engine)}")
    console.print(f"Kho lưu trữ (object store): {runtime.store.location()}")
    console.print(cli_keys.encryption_line(runtime.store))


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
    unit_name: Annotated[str | None, typer.Option(
        help="Full name of a unit that is not in the tree yet: creates it.")] = None,
    dossier: Annotated[str | None, typer.Option(
        "--dossier", "-d", help="Code of the paper dossier these files belong to (as on the "
        "inventory); files of one dossier uploaded at different times join it.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Take in scans for a unit: each original is kept once; run `hoso process` next."""
    from storage.db import session_scope
    from storage.queries import unit_by_code

    runtime = open_runtime(data_dir)
    files = _expand(paths)
    if not files:
        err.print("Không có tệp nào để nhận (no files found in the given paths).")
        raise typer.Exit(EXIT_USAGE)
    with session_scope(runtime.engine) as session:
        known = unit_by_code(session, unit) is not None
    if not known and not unit_name:
        err.print(f"[red]Không có đơn vị '{unit}'[/red] (unknown unit): check the code with "
                  "`hoso units list`, or create it by giving --unit-name.")
        raise typer.Exit(EXIT_USAGE)
    result = run_intake(files, unit, unit_name, dossier)
    console.print(f"Lô {result.batch_id}: {len(result.new)} tệp mới (new), "
                  f"{len(result.duplicates)} trùng lặp (duplicates: already held, not stored "
                  f"again), {len(result.unreadable)} không đọc được (unreadable).")
    for item in result.unreadable:
        err.print(f"[red]Không đọc được[/red] {item['name']}: {item['error']}")
    if result.store_full:
        err.print(f"[red]Kho lưu trữ đã đầy, {len(result.not_taken)} tệp chưa được nhận[/red] "
                  f"(not taken; they are where they were): {result.store_full}")
        for name in result.not_taken:
            err.print(f"  chưa nhận (not taken): {name}")
        raise typer.Exit(EXIT_UNAVAILABLE)
    raise typer.Exit(EXIT_SOME_REJECTED if result.unreadable else EXIT_OK)


@app.command()
def process(
    limit: Annotated[int | None, typer.Option(help="Process at most this many documents.")] = None,
    retry_given_up: Annotated[bool, typer.Option(
        help="Also retry documents that failed in every allowed run (HOSO_MAX_FAILED_RUNS).")] = False,
    data_dir: DataDir = None,
) -> None:
    """Read every pending document: text layer or OCR, page by page; searchable PDF and words.

    Several runs at once (on one machine or several, sharing PostgreSQL) split the work: no
    document is read twice."""
    runtime = open_runtime(data_dir)
    if retry_given_up:
        from storage.db import session_scope
        from storage.queries import release_given_up

        with session_scope(runtime.engine) as session:
            n = release_given_up(session, runtime.settings.max_failed_runs)
        console.print(f"Thử lại {n} văn bản đã dừng thử (retrying {n} given-up documents).")
    try:
        outcomes = run_process(runtime, limit)
    except Exception as exc:  # the database or the store went away for longer than the retries
        from rich.markup import escape

        from flows.errors import is_transient

        if not is_transient(exc):
            raise
        err.print(f"[red]Mất kết nối giữa chừng[/red] (cannot reach the database or object store "
                  f"any more): {escape(str(exc))}\nVăn bản chưa đọc xong sẽ được đọc ở lần chạy sau (the "
                  "documents not finished are read by the next `hoso process`).")
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
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


def run_intake(files: list[Path], unit: str, unit_name: str | None = None,
               dossier: str | None = None) -> IntakeResult:
    """The intake flow with a progress bar of files."""
    from flows.intake import intake

    with progress_bar("files", "Đang nhận tệp (taking in files)"):
        return intake([str(f) for f in files], unit, unit_name, dossier)


def run_process(runtime: rt_module.Runtime, limit: int | None = None) -> dict[str, int]:
    """The process flow with a progress bar of pages."""
    from flows.process import process as process_flow

    with progress_bar("pages", "Đang đọc trang (reading pages)"):
        return process_flow(limit)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts: counts and "
                                          "every document.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Counts by status and unit; rejected files with their reasons (of the documents the user
    reaches: their units; restricted dossiers only for the security role)."""
    from storage.db import session_scope

    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        scope = cli_scope(session, as_user)
    report = status_report(runtime.engine, scope=scope)
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

    runtime = open_runtime(data_dir)
    console.print(cli_keys.encryption_line(runtime.store))
    run_demo(runtime, console, dossiers, seed)


# Units, inventory and progress commands come after the clerks' commands in `--help`.
from flows import (  # noqa: E402, F401  (they add their commands)  # noqa: E402, F401  (users, tokens, the web application)
    cli_admin,
    cli_bags,
    cli_keys,
    cli_progress,
    cli_records,
    cli_search,
    cli_units,
    cli_users,
    cli_web,
)

if __name__ == "__main__":
    app()
