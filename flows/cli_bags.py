"""`hoso import`: dossiers back in from BagIt bags (`hoso export` writes them), every checksum
checked before anything is taken in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flows.cli_common import EXIT_OK, EXIT_USAGE, AsUser, DataDir, app, cli_scope, console, err, open_runtime


@contextmanager
def bag_progress(label: str, total: int) -> Iterator[tuple[Progress, int]]:
    """A Rich progress bar for bags: one step per dossier (export) or per file (import)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        yield bar, bar.add_task(label, total=total)


@app.command("import")
def import_bags(
    bags: Annotated[list[Path], typer.Argument(
        help="Bag folders, or a folder of bags (what `hoso export --unit` writes).")],
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="Take the dossiers in at this unit instead of the one in the bag "
        "(Bag-Group-Identifier).")] = None,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Take dossiers in from BagIt bags: every bag is checked in full first (every file against
    both manifests, nothing missing, nothing added); one bad bag and nothing is taken in.

    The originals then go through the normal intake (each kept once by content) into the dossier
    named by the bag's External-Identifier, with its security class; run `hoso process` and
    `hoso extract` (or wait for the nightly run) to read them again. A bag whose originals are
    all held already changes nothing."""
    from flows.bags import BagRefused, ImportRefused, bags_in, check_bag, import_bag, plan_import
    from storage.db import session_scope

    runtime = open_runtime(data_dir)
    paths = bags_in(bags)
    checked, refused = [], []
    for path in paths:
        try:
            checked.append(check_bag(path))
        except BagRefused as exc:
            refused.append(exc)
    for exc in refused:
        err.print(f"[red]Túi không hợp lệ[/red] (bag refused): {escape(str(exc.path))}")
        for problem in exc.problems:
            err.print(f"  - {escape(problem)}")
    if refused:
        err.print("Không nhập gì (nothing imported): export the bag again, or copy it again "
                  "from a good copy.")
        raise typer.Exit(EXIT_USAGE)
    with session_scope(runtime.engine) as session:
        scope = cli_scope(session, as_user)
    plans = []
    for bag in checked:
        try:
            plans.append(plan_import(bag, scope, unit, runtime))
        except (ImportRefused, BagRefused) as exc:
            err.print(f"[red]Không nhập được[/red] (not imported) {escape(bag.path)}: {escape(str(exc))}")
            err.print("Không nhập gì (nothing imported).")
            raise typer.Exit(EXIT_USAGE) from exc
    results = [p.already for p in plans if p.already is not None]
    todo = [p for p in plans if p.already is None]
    if todo:
        with bag_progress("Đang nhập (importing)", sum(len(p.originals) for p in todo)) as (bar, task):
            for plan in todo:
                bar.update(task, description=f"Đang nhập hồ sơ (importing) {escape(plan.dossier_code)}")
                base = bar.tasks[0].completed

                def on_file(done: int, total: int, base: float = base) -> None:
                    bar.update(task, completed=base + done)

                results.append(import_bag(plan, scope, on_file, runtime))
    for result in results:
        if result.already:
            console.print(f"{escape(result.path.name)}: đã nhập trước đó, không thay đổi gì (already "
                          f"imported: every original is held; nothing changed).")
        else:
            console.print(f"{escape(result.path.name)}: hồ sơ {escape(result.dossier_code)} tại "
                          f"{escape(result.unit_code)} — "
                          f"{len(result.new)} tệp mới (new), {len(result.duplicates)} đã có (already held).")
    if any(not r.already for r in results):
        console.print("Tiếp theo (next): `hoso process` rồi `hoso extract` đọc lại các tệp "
                      "(read the files again); the bag's record is kept beside them to compare.")
    raise typer.Exit(EXIT_OK)
