"""`hoso extract`, `hoso show`, `hoso review …`, `hoso export`: the records read from the forms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.cli_common import (
    EXIT_OK,
    EXIT_USAGE,
    AsUser,
    DataDir,
    app,
    cli_scope,
    console,
    err,
    open_runtime,
)
from schemas.status import FIELD_STATUS_VI, AuditAction, FieldStatus

review_app = typer.Typer(help="Hàng đợi kiểm tra (review queue): list, accept or correct values.",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")

STATUS_STYLE = {FieldStatus.auto_accepted: "green", FieldStatus.needs_review: "yellow",
                FieldStatus.confirmed: "cyan", FieldStatus.corrected: "magenta"}


@app.command()
def extract(
    limit: Annotated[int | None, typer.Option(help="Extract at most this many documents.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Read the fields of documents that have their text: CV items and tables, decisions.

    Values the machine is sure of are accepted; the rest wait in `hoso review`. A CV links its
    dossier to the person (by CCCD, else name and birth date)."""
    from flows.extract import extract as extract_flow

    open_runtime(data_dir)
    totals = extract_flow(limit)
    if not totals.get("documents"):
        console.print("Không có văn bản nào chờ trích xuất (nothing to extract).")
        return
    console.print(f"Trích xuất (extracted) {totals['documents']} văn bản: {totals.get('values', 0)} giá trị; "
                  + ", ".join(f"{k}: {v}" for k, v in totals.items() if k not in ("documents", "values")))


@app.command()
def show(
    dossier: Annotated[str, typer.Argument(help="Dossier id, or its paper code.")],
    unit: Annotated[str | None, typer.Option(help="Unit code, when a paper code is not unique.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """A dossier's record: its person, documents, and every field with confidence and status.

    Only dossiers the user reaches are found (their units; restricted ones only for the
    security role); each view is kept in the audit trail."""
    from flows.records import dossier_record, find_dossier
    from storage.audit import record as audit
    from storage.db import session_scope

    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        scope = cli_scope(session, as_user)
        found = find_dossier(session, dossier, unit, scope=scope)
        if found is None:
            err.print(f"[red]Không có hồ sơ '{dossier}'[/red] (no such dossier): give its id or paper code.")
            raise typer.Exit(EXIT_USAGE)
        record = dossier_record(session, found)
        audit(session, scope.actor, AuditAction.view, "dossier", found.id, found.unit_id,
              via="cli", output="json" if as_json else "table")
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    cadre = record["cadre"] or {}
    console.print(f"[bold]Hồ sơ {record['dossier']['code'] or record['dossier']['id']}[/bold] — "
                  f"{record['dossier']['unit_name']}; cán bộ: {cadre.get('ho_va_ten') or 'chưa xác định'}"
                  f" {('(CCCD ' + cadre['so_cccd'] + ')') if cadre.get('so_cccd') else ''}")
    for document in record["documents"]:
        console.print(f"  văn bản {document['id']}: {document['source_name']} ({document['status']}, "
                      f"{document['pages']} trang)")
    for part in record["records"]:
        table = Table(title=f"{part['document_type']} ({part['layout']})")
        for name in ("Trường (field)", "Giá trị (value)", "Tin cậy", "Trạng thái", "Id"):
            table.add_column(name, overflow="fold")
        for key, value in part["fields"].items():
            info = part["review"].get(key, {})
            status = FieldStatus(info["status"]) if info else None
            table.add_row(key, value or "", f"{info.get('confidence', 0):.2f}",
                          f"[{STATUS_STYLE[status]}]{FIELD_STATUS_VI[status]}[/]" if status else "",
                          str(info.get("id", "")))
        console.print(table)
        for key, rows in part["tables"].items():
            console.print(f"  [bold]{key}[/bold]: {len(rows)} dòng (rows)")
            for row in rows:
                console.print("    " + " | ".join(f"{v}" for v in row.values()))


@review_app.command("list")
def review_list(
    limit: Annotated[int, typer.Option(help="How many to show.")] = 30,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Values waiting for a person, least sure first, with why they are doubtful (only those
    of dossiers the user reaches)."""
    from storage.db import session_scope
    from storage.fields import review_queue

    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        queue = review_queue(session, limit, scope=cli_scope(session, as_user))
    if not queue:
        console.print("Không có giá trị nào cần kiểm tra (nothing to review).")
        return
    table = Table(title="Cần kiểm tra (needs review)")
    for name in ("Id", "Hồ sơ", "Văn bản/trang", "Trường", "Đọc được (read)", "Tin cậy", "Vì sao (why)"):
        table.add_column(name, overflow="fold")
    for v in queue:
        where = f"{v.document_id}/{v.page}" if v.page else str(v.document_id)
        field = v.key if v.row is None else f"{v.key}[{v.row}].{v.column}"
        table.add_row(str(v.id), str(v.dossier_id or "-"), where, field, v.value or v.raw or "",
                      f"{v.confidence:.2f}", "; ".join(v.problems)[:200])
    console.print(table)
    console.print("Chấp nhận (accept): hoso review accept ID --by NAME · Sửa (correct): "
                  "hoso review set ID VALUE --by NAME")


By = Annotated[str, typer.Option("--by", help="Who reviews (kept with the decision).")]


@review_app.command("set")
def review_set(
    field_id: Annotated[int, typer.Argument(help="The value's id (see `hoso review list`).")],
    value: Annotated[str, typer.Argument(help="The value as it should read.")],
    by: By,
    note: Annotated[str, typer.Option(help="Why, for the record.")] = "",
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Correct a value: a new record (who, when, what); the machine's reading is kept."""
    _review(field_id, value, by, note, as_user, data_dir)


@review_app.command("accept")
def review_accept(
    field_id: Annotated[int, typer.Argument(help="The value's id (see `hoso review list`).")],
    by: By,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Confirm a value as the machine read it."""
    _review(field_id, None, by, "", as_user, data_dir)


def _review(field_id: int, value: str | None, by: str, note: str, as_user: str | None,
            data_dir: Path | None) -> None:
    from storage.db import session_scope
    from storage.fields import ReviewError, review

    runtime = open_runtime(data_dir)
    try:
        with session_scope(runtime.engine) as session:
            field = review(session, field_id, by, value, note, scope=cli_scope(session, as_user))
            status = field.status
    except ReviewError as exc:
        err.print(f"[red]Không ghi được[/red] (not recorded): {exc}")
        raise typer.Exit(EXIT_USAGE) from exc
    console.print(f"Giá trị {field_id}: {FIELD_STATUS_VI[status]} ({status.value}), bởi {by}.")


@app.command()
def export(
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="Code of the unit to export: every dossier of it you reach (with "
        "--dossier: the unit of a paper code that repeats).")] = None,
    dossier: Annotated[str | None, typer.Option(
        "--dossier", "-d", help="One dossier: its id or paper code.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder; default <data_dir>/exports/<unit>.")] = None,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Write dossiers as BagIt bags: per dossier, its originals, searchable PDFs, record (JSON)
    and Thông tư 02/2019 metadata (XML), with sha256 and sha512 manifests. `--unit` also writes
    each record as JSON beside its bag and one XLSX of the unit's cadres.

    Only dossiers the user reaches are exported (restricted ones only by the security role);
    each export is kept in the audit trail. Read a bag back with `hoso import`. JSON keys are the
    catalog's snake_case names (ho_va_ten, ngay_sinh, so_cccd, …); tables are lists of rows;
    every field's confidence, status and reviewer are under "review"."""
    from rich.markup import escape

    from flows.bags import NotFound, dossiers_to_export, export_bag
    from flows.cli_bags import bag_progress
    from flows.cli_common import EXIT_SOME_REJECTED
    from flows.records import cadres_xlsx, export_name
    from schemas.models import Unit
    from storage.db import session_scope
    from storage.objects import ObjectStoreError

    if not unit and not dossier:
        err.print("[red]Cần --dossier hoặc --unit[/red] (give --dossier ID or --unit CODE).")
        raise typer.Exit(EXIT_USAGE)
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        scope = cli_scope(session, as_user)
        try:
            found = dossiers_to_export(session, scope, unit, dossier)
        except NotFound:
            what = escape(f"hồ sơ '{dossier}'" if dossier else f"đơn vị '{unit}'")
            err.print(f"[red]Không có {what}[/red] (not found among what you may export): check "
                      "the code, or act as a user who reaches it (--as).")
            raise typer.Exit(EXIT_USAGE) from None
        if not found:
            err.print(f"[red]Không có hồ sơ nào của đơn vị '{escape(unit or '')}'[/red] (no dossiers "
                      "for this unit that you may export).")
            raise typer.Exit(EXIT_USAGE)
        owner = session.get(Unit, found[0].unit_id)
        unit_code = owner.code if owner else str(found[0].unit_id)
        chosen = [(d.id, d.code or str(d.id)) for d in found]
    folder = out or runtime.settings.data_dir / "exports" / unit_code
    bags, failed = [], []
    with bag_progress("Đang đóng gói (bagging)", len(chosen)) as (bar, task):
        for dossier_id, code in chosen:
            bar.update(task, description=f"Đang đóng gói hồ sơ (bagging) {escape(code)}")
            try:
                bags.append(export_bag(dossier_id, folder, scope, runtime))  # type: ignore[arg-type]
            except ObjectStoreError as exc:
                failed.append(code)
                err.print(f"[red]Không xuất được hồ sơ {escape(code)}[/red] (not exported): "
                          f"{escape(str(exc))}. Retry when the object store answers; a file that "
                          "no longer matches its sha256 must be restored from a backup.")
            bar.advance(task)
    if not dossier:
        records = [b.record for b in bags]
        for record in records:
            (folder / export_name(record)).write_text(json.dumps(record, ensure_ascii=False, indent=2),
                                                      encoding="utf-8")
        (folder / f"can-bo-{unit_code}.xlsx").write_bytes(cadres_xlsx(records))
    console.print(f"Đã xuất (exported) {len(bags)} hồ sơ vào {escape(str(folder))}: một túi BagIt "
                  f"mỗi hồ sơ (one bag per dossier){'' if dossier else ', JSON và XLSX danh sách cán bộ'}.")
    raise typer.Exit(EXIT_SOME_REJECTED if failed else EXIT_OK)
