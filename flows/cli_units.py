"""`hoso units …` and `hoso inventory …`: the unit tree and the paper inventory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from flows.cli_common import EXIT_USAGE, DataDir, app, console, err, open_runtime
from schemas.imports import INVENTORY_LIST_KEYS, InventoryCount, InventoryItem, UnitRow, validate_rows
from storage.db import session_scope
from storage.units import (
    LAM_DONG_2022,
    ImportRejected,
    ImportSummary,
    import_inventory_counts,
    import_inventory_list,
    import_units,
)

units_app = typer.Typer(help="Cây đơn vị (the unit tree): import, built-in seed, list.",
                        no_args_is_help=True)
inventory_app = typer.Typer(help="Hồ sơ giấy (paper inventory): the denominator of progress.",
                            no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(inventory_app, name="inventory")

TableFile = Annotated[Path, typer.Argument(help="A CSV (UTF-8) or XLSX file; the first row names "
                                           "the columns.", show_default=False)]


def _read(path: Path) -> list[dict[str, object]]:
    from extractors.spreadsheet import TableError, read_table

    try:
        return read_table(path)
    except TableError as exc:
        err.print(f"[red]Không đọc được bảng[/red] (cannot read the table): {exc}")
        raise typer.Exit(EXIT_USAGE) from exc


def _refuse(problems: list[str]) -> None:
    err.print(f"[red]Không nhập gì cả[/red] (nothing imported): {len(problems)} lỗi (problems). "
              "Sửa tệp rồi nhập lại (fix the file and import it again):")
    for problem in problems[:50]:
        err.print(f"  • {problem}")
    if len(problems) > 50:
        err.print(f"  … và {len(problems) - 50} lỗi khác (and more)")
    raise typer.Exit(EXIT_USAGE)


def _done(what: str, summary: ImportSummary) -> None:
    console.print(f"{what}: {summary.rows} dòng (rows) — {summary.created} mới (new), "
                  f"{summary.updated} cập nhật (updated).")


def _import_units(path: Path, data_dir: Path | None) -> None:
    rows, problems = validate_rows(UnitRow, _read(path), str(path))
    if problems:
        _refuse(problems)
    runtime = open_runtime(data_dir)
    try:
        with session_scope(runtime.engine) as session:
            summary = import_units(session, rows, str(path))
    except ImportRejected as exc:
        _refuse(exc.problems)
    _done("Đơn vị (units)", summary)


@units_app.command("import")
def units_import(path: TableFile, data_dir: DataDir = None) -> None:
    """Create or update units from a CSV or XLSX table.

    Columns: code, name, parent (the parent's code), bloc, valid_from, valid_to, deadline,
    paper_dossiers; Vietnamese headers such as 'Mã đơn vị', 'Tên đơn vị', 'Mã cấp trên',
    'Khối' work too. Nothing is written unless every row is right."""
    _import_units(path, data_dir)


@units_app.command("seed")
def units_seed(data_dir: DataDir = None) -> None:
    """Load the built-in tree of Lâm Đồng in 2022: Tỉnh ủy and its 12 district-level units."""
    _import_units(LAM_DONG_2022, data_dir)


@units_app.command("list")
def units_list(data_dir: DataDir = None) -> None:
    """Show the unit tree with blocs, validity and paper inventory."""
    from storage.progress import all_units, listed_paper_dossiers

    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        units, listed = all_units(session), listed_paper_dossiers(session)
    if not units:
        console.print("Chưa có đơn vị nào (no units yet): `hoso units seed` or `hoso units import FILE`.")
        return
    children: dict[int | None, list] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    root = Tree("Đơn vị (units)")

    def add(branch: Tree, parent_id: int | None) -> None:
        for unit in children.get(parent_id, []):
            paper = unit.paper_dossiers if unit.paper_dossiers is not None else listed.get(unit.id)
            facts = [unit.bloc.value if unit.bloc else None,
                     f"{paper} hồ sơ giấy" if paper is not None else "hồ sơ giấy: chưa rõ",
                     f"đến {unit.valid_to:%d/%m/%Y}" if unit.valid_to else None,
                     f"hạn {unit.deadline:%d/%m/%Y}" if unit.deadline else None]
            label = f"[bold]{unit.code}[/bold] {unit.name} [dim]({'; '.join(f for f in facts if f)})[/dim]"
            add(branch.add(label), unit.id)

    add(root, None)
    console.print(root)


@inventory_app.command("import")
def inventory_import(
    path: TableFile,
    replace: Annotated[bool, typer.Option(help="For a list: first clear the lists of the units "
                                          "named in the file.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Import the paper inventory: counts per unit, or a list of paper dossiers.

    Counts: columns unit, paper_dossiers ('Mã đơn vị', 'Số hồ sơ giấy'). A list: columns unit,
    code, name, cccd ('Mã đơn vị', 'Mã hồ sơ', 'Họ và tên', 'Số CCCD'). A unit with neither
    shows its progress as unknown, never as 100 %. Nothing is written unless every row is right."""
    table = _read(path)
    is_list = bool(INVENTORY_LIST_KEYS & set(table[0]))
    model = InventoryItem if is_list else InventoryCount
    rows, problems = validate_rows(model, table, str(path))
    if problems:
        _refuse(problems)
    runtime = open_runtime(data_dir)
    try:
        with session_scope(runtime.engine) as session:
            if is_list:
                summary = import_inventory_list(session, rows, str(path), replace)  # type: ignore[arg-type]
            else:
                summary = import_inventory_counts(session, rows, str(path))  # type: ignore[arg-type]
    except ImportRejected as exc:
        _refuse(exc.problems)
    _done("Danh sách hồ sơ giấy (paper dossier list)" if is_list else "Số hồ sơ giấy (counts)", summary)
    if not is_list:
        table_out = Table("Đơn vị (unit)", "Hồ sơ giấy", title="Đã nhập (imported)")
        for row in rows:
            table_out.add_row(row.unit, f"{row.paper_dossiers:,}".replace(",", "."))  # type: ignore[union-attr]
        console.print(table_out)
