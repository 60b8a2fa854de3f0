"""`hoso search "…"` and `hoso search reindex`: find dossiers by what was read in them."""

from __future__ import annotations

import json
from typing import Annotated

import typer
import typer.core
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from flows.cli_common import (
    EXIT_USAGE,
    AsUser,
    DataDir,
    app,
    cli_scope,
    console,
    err,
    open_runtime,
    unit_or_exit,
)
from schemas.status import AuditAction

STAGE_VI = {"received": "đang xử lý", "text_ready": "đã số hóa", "extracted": "đã trích xuất",
            "verified": "đã xác minh", "rejected": "tệp bị từ chối"}


class _Search(typer.core.TyperGroup):
    """`hoso search TEXT` searches; `hoso search reindex` rebuilds the index."""

    def resolve_command(self, ctx, args):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["find", *args]
        return super().resolve_command(ctx, args)


search_app = typer.Typer(
    cls=_Search, no_args_is_help=True,
    help="Tìm hồ sơ (search dossiers) by the text of their pages, their field values, code or "
    "person's name; diacritics and case do not matter: `hoso search \"nguyen van an\"`.")
app.add_typer(search_app, name="search")


@search_app.command("find", short_help="Tìm hồ sơ (find dossiers); `hoso search TEXT` is short for it.")
def find(
    query: Annotated[list[str], typer.Argument(help="Words to find, e.g. a name or a CCCD.")],
    unit: Annotated[str | None, typer.Option(help="Only this unit (and its sub-units), by code.")] = None,
    status: Annotated[str | None, typer.Option(help="Only dossiers at this stage: received, "
                                               "text_ready, extracted, verified, rejected, "
                                               "needs_review.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Find dossiers (`hoso search TEXT` is short for `hoso search find TEXT`): the words as a
    phrase first ("nguyen van an" is a name), else all of them anywhere; only the dossiers
    your scope reaches (--as USER)."""
    from storage.audit import record
    from storage.db import session_scope
    from storage.search import STATUS_FILTERS, search_dossiers

    text = " ".join(query)
    if status and status not in STATUS_FILTERS:
        err.print(f"[red]--status {status}[/red]: không hợp lệ (unknown); one of {', '.join(STATUS_FILTERS)}")
        raise typer.Exit(EXIT_USAGE)
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        scope = cli_scope(session, as_user)
        unit_id = unit_or_exit(session, unit).id if unit else None
        page = search_dossiers(session, scope, text, unit_id=unit_id, status=status, limit=limit)
        record(session, scope.actor, AuditAction.search, "dossier", "", None, query=text,
               unit=unit, status=status, results=page.total, via="cli")
    if as_json:
        typer.echo(json.dumps({"total": page.total, "exact": page.exact,
                               "dossiers": [_plain(h) for h in page.hits]}, ensure_ascii=False, indent=2))
        return
    if not page.hits:
        console.print(f"Không tìm thấy hồ sơ nào (nothing found) cho “{text}”.")
        return
    how = "" if page.exact else (" — không có cụm từ đúng như vậy; các hồ sơ chứa mọi từ "
                                 "(all the words, any order)")
    table = Table(title=f"{page.total} hồ sơ (dossiers) cho “{text}”{how}")
    for name in ("Id", "Mã hồ sơ", "Họ và tên", "Đơn vị", "Tình trạng", "Tài liệu", "Cần kiểm tra"):
        table.add_column(name, overflow="fold")
    for h in page.hits:
        table.add_row(str(h.id), h.code or "—", h.cadre_name or h.title or "—", h.unit_name,
                      STAGE_VI.get(h.stage.value, h.stage.value) if h.stage else "—",
                      str(h.documents), str(h.needs_review or ""))
    console.print(table)
    if page.total > len(page.hits):
        console.print(f"[dim]… {page.total - len(page.hits)} hồ sơ nữa (more): --limit N[/dim]")


def _plain(hit: object) -> dict:
    from dataclasses import asdict

    row = asdict(hit)  # type: ignore[call-overload]
    row["stage"] = row["stage"].value if row["stage"] else None
    return row


@search_app.command(short_help="Lập lại chỉ mục (rebuild the index) from the documents read so far.")
def reindex(data_dir: DataDir = None) -> None:
    """Build the search index again from every document read so far: after an upgrade, or
    after values were corrected with `hoso review`."""
    from storage.search import reindex as rebuild

    runtime = open_runtime(data_dir)

    def read_text(document) -> str:  # type: ignore[no-untyped-def]
        return runtime.store.get_bytes(document.text_key, expect_sha256=document.text_sha256).decode("utf-8")

    with Progress(TextColumn("Lập chỉ mục (indexing)"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("index", total=None)
        counts = rebuild(runtime.engine, read_text,
                         lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"Đã lập chỉ mục (indexed) {counts['documents']} tài liệu (documents), "
                  f"{counts['dossiers']} hồ sơ (dossiers).")

