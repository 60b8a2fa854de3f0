"""`hoso audit …`, `hoso dossiers …`, `hoso verify`: the audit trail, who may see a dossier, and
whether every stored object is still what the database says it is."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

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
    unit_or_exit,
)
from schemas.status import ROLE_VI, AuditAction, Role, SecurityClass
from storage.access import Scope

audit_app = typer.Typer(help="Nhật ký kiểm toán (audit trail): verify the chain, list events.",
                        no_args_is_help=True)
dossiers_app = typer.Typer(help="Hồ sơ (dossiers): list them; restrict or unrestrict one "
                           "(bảo vệ chính trị nội bộ).", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(dossiers_app, name="dossiers")

ACTION_VI = {
    AuditAction.upload: "tải lên", AuditAction.view: "xem", AuditAction.download: "tải về",
    AuditAction.search: "tìm kiếm", AuditAction.export: "xuất", AuditAction.import_bag: "nhập gói",
    AuditAction.correction: "sửa/xác nhận", AuditAction.sign_in: "đăng nhập",
    AuditAction.sign_in_failed: "đăng nhập sai", AuditAction.sign_out: "đăng xuất",
    AuditAction.permission_change: "đổi quyền", AuditAction.key_rotation: "đổi khóa",
    AuditAction.verify: "kiểm tra",
}
PROBLEM_TITLES = {
    "missing": "[red]Thiếu (missing)[/red] — in the database, not in the store",
    "changed": "[red]Bị thay đổi (changed)[/red] — its sha256 differs from the database's",
    "orphan": "[yellow]Thừa (orphan)[/yellow] — in the store, referred to by nothing",
}
STAGES = ("received", "failed", "text_ready", "extracted", "verified", "rejected", "empty")
STAGE_VI = {"received": "đã nhận", "failed": "lỗi tạm thời", "text_ready": "đã có văn bản",
            "extracted": "đã trích xuất", "verified": "đã xác minh", "rejected": "bị từ chối",
            "empty": "chưa có văn bản"}


def _overseer(session: Session, as_user: str | None, what: str) -> Scope:
    """Audit and integrity are for administrators and the security officer (or the operator at
    the console, with no --as)."""
    scope = cli_scope(session, as_user)
    if scope.role not in (Role.admin, Role.security):
        err.print(f"[red]Không được phép[/red] (not allowed): {what} is for the admin or security "
                  f"role; '{scope.actor}' is {ROLE_VI[scope.role]} ({scope.role.value}).")
        raise typer.Exit(EXIT_USAGE)
    return scope


def _unavailable(exc: Exception) -> typer.Exit:
    err.print(f"[red]Không đọc được kho lưu trữ[/red] (cannot read the object store): {exc}")
    return typer.Exit(EXIT_UNAVAILABLE)


@audit_app.command("verify")
def audit_verify(as_user: AsUser = None, data_dir: DataDir = None) -> None:
    """Walk the chain of events from the first: an edited or deleted event breaks it. The
    anchors kept in the object store (audit/head.json, audit/anchors/<day>.json) must still be
    in it, so deleting the newest events is found too. When intact, the head is anchored again.

    Exit 0 when intact; 1 when broken, naming the first broken event."""
    from flows.fixity import verify_audit
    from storage.db import session_scope
    from storage.objects import ObjectStoreError

    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        actor = _overseer(session, as_user, "verifying the audit trail").actor
    try:
        check = verify_audit(actor)
    except ObjectStoreError as exc:
        raise _unavailable(exc) from exc
    if check.ok:
        console.print(f"[green]Nhật ký nguyên vẹn[/green] (audit chain intact): {check.events} sự kiện "
                      f"(events), {check.anchors} mốc đã kiểm (anchors checked); mốc mới (new anchor) "
                      "audit/head.json.")
        raise typer.Exit(EXIT_OK)
    first = check.problems[0]
    err.print(f"[red]Nhật ký bị phá vỡ[/red] (audit chain broken): sự kiện (event) #{first.event_id} "
              f"{first.problem}.")
    for problem in check.problems[1:20]:
        err.print(f"  #{problem.event_id}: {problem.problem}")
    if len(check.problems) > 20:
        err.print(f"  … {len(check.problems) - 20} more")
    raise typer.Exit(EXIT_SOME_REJECTED)


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        err.print(f"[red]--since '{value}'[/red]: give a date yyyy-mm-dd or a time yyyy-mm-ddThh:mm.")
        raise typer.Exit(EXIT_USAGE) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@audit_app.command("list")
def audit_list(
    actor: Annotated[str | None, typer.Option(help="Only this actor's events.")] = None,
    action: Annotated[AuditAction | None, typer.Option(help="Only this kind of event.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date or time (yyyy-mm-dd[Thh:mm], "
                                              "UTC unless it says otherwise).")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """The newest events of the audit trail: who did what to which object, when."""
    from storage.audit import events
    from storage.db import session_scope

    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        _overseer(session, as_user, "reading the audit trail")
        found = events(session, actor, action, _since(since), limit)
    if as_json:
        typer.echo(json.dumps([{"id": e.id, "at": e.at.isoformat(), "actor": e.actor,
                                "action": e.action.value, "object_type": e.object_type,
                                "object_id": e.object_id, "unit_id": e.unit_id, "detail": e.detail,
                                "hash": e.hash} for e in found], ensure_ascii=False, indent=2))
        return
    if not found:
        console.print("Không có sự kiện nào (no events).")
        return
    table = Table(title="Nhật ký kiểm toán (audit trail), mới nhất trước (newest first)")
    for name in ("Số (id)", "Thời điểm (UTC)", "Người thực hiện (actor)", "Hành động (action)",
                 "Đối tượng (object)", "Đơn vị (unit)", "Chi tiết (detail)"):
        table.add_column(name, overflow="fold")
    for e in found:
        detail = ", ".join(f"{k}={v}" for k, v in (e.detail or {}).items())
        table.add_row(str(e.id), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor,
                      f"{ACTION_VI[e.action]} ({e.action.value})",
                      f"{e.object_type} {e.object_id}".strip(), str(e.unit_id or ""), detail[:200])
    console.print(table)


@dossiers_app.command("list")
def dossiers_list(
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="Only this unit and the units "
                                             "below it (code).")] = None,
    status: Annotated[str | None, typer.Option(help="Only dossiers at this stage (the least "
                                               "advanced of their documents): "
                                               + ", ".join(STAGES) + ".")] = None,
    limit: Annotated[int, typer.Option(help="How many to show.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """The dossiers the user reaches: their units; restricted ones only for the security role."""
    from storage.access import dossier_rows, units_under
    from storage.db import session_scope

    if status is not None and status not in STAGES:
        err.print(f"[red]--status '{status}'[/red] is not a stage: one of {', '.join(STAGES)}.")
        raise typer.Exit(EXIT_USAGE)
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        scope = cli_scope(session, as_user)
        units = None
        if unit:
            units = units_under(session, unit_or_exit(session, unit).id)  # type: ignore[arg-type]
        rows = [r for r in dossier_rows(session, scope, units) if status is None or r.stage == status]
    rows = rows[:limit]
    if as_json:
        typer.echo(json.dumps([{"id": r.id, "code": r.code, "unit": r.unit_code, "name": r.name,
                                "security_class": r.security_class.value, "documents": r.documents,
                                "stage": r.stage} for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("Không có hồ sơ nào (no dossiers).")
        return
    table = Table(title=f"Hồ sơ (dossiers): {len(rows)}")
    columns = ["Id", "Mã hồ sơ (code)", "Đơn vị (unit)", "Họ và tên (name)", "Văn bản", "Giai đoạn (stage)"]
    if scope.sees_restricted:
        columns.append("Mật (class)")
    for name in columns:
        table.add_column(name, overflow="fold")
    for r in rows:
        cells = [str(r.id), r.code or "", r.unit_code, r.name, str(r.documents),
                 f"{STAGE_VI[r.stage]} ({r.stage})"]
        if scope.sees_restricted:
            cells.append("[red]hạn chế (restricted)[/red]" if r.security_class == SecurityClass.restricted
                         else "thường (ordinary)")
        table.add_row(*cells)
    console.print(table)


Dossier = Annotated[str, typer.Argument(help="Dossier id, or its paper code.")]
UnitOption = Annotated[str | None, typer.Option(help="Unit code, when a paper code is not unique.")]


def _set_class(dossier: str, unit: str | None, as_user: str | None, target: SecurityClass,
               data_dir: Path | None) -> None:
    from flows.records import find_dossier
    from storage.access import AccessDenied, set_security_class
    from storage.db import session_scope

    if not as_user:
        err.print("[red]Không được phép[/red] (not allowed): only the security role may restrict or "
                  "unrestrict a dossier; act as that user with --as USER (or HOSO_USER).")
        raise typer.Exit(EXIT_USAGE)
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        scope = cli_scope(session, as_user)
        found = find_dossier(session, dossier, unit, scope=scope) if scope.sees_restricted else None
        try:
            changed = set_security_class(session, scope, found.id if found else -1, target)  # type: ignore[arg-type]
        except AccessDenied as exc:
            err.print(f"[red]Không được phép[/red] (not allowed): {exc}; '{scope.actor}' is "
                      f"{ROLE_VI[scope.role]} ({scope.role.value}).")
            raise typer.Exit(EXIT_USAGE) from exc
        if changed is None:
            err.print(f"[red]Không có hồ sơ '{dossier}'[/red] (no such dossier): give its id or paper code.")
            raise typer.Exit(EXIT_USAGE)
        record, before = changed
        label = f"{record.code or record.id} (id {record.id})"
    if before == target:
        console.print(f"Hồ sơ {label} đã là (already) {target.value}: không đổi (unchanged).")
    elif target == SecurityClass.restricted:
        console.print(f"Hồ sơ {label}: [red]hạn chế (restricted)[/red] — chỉ vai trò bảo vệ chính trị "
                      "nội bộ thấy được (only the security role sees it now).")
    else:
        console.print(f"Hồ sơ {label}: thường (ordinary) — người trong đơn vị thấy được lại "
                      "(visible to its units again).")


@dossiers_app.command("restrict")
def dossiers_restrict(dossier: Dossier, unit: UnitOption = None, as_user: AsUser = None,
                      data_dir: DataDir = None) -> None:
    """Mark a dossier as internal political protection material (bảo vệ chính trị nội bộ): from
    now only the security role sees, finds, downloads or exports it. Security role only (--as)."""
    _set_class(dossier, unit, as_user, SecurityClass.restricted, data_dir)


@dossiers_app.command("unrestrict")
def dossiers_unrestrict(dossier: Dossier, unit: UnitOption = None, as_user: AsUser = None,
                        data_dir: DataDir = None) -> None:
    """Make a restricted dossier ordinary again. Security role only (--as)."""
    _set_class(dossier, unit, as_user, SecurityClass.ordinary, data_dir)


@app.command()
def verify(
    sample: Annotated[int | None, typer.Option(help="Read back only this many objects, chosen at "
                                               "random (orphans are still looked for everywhere).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the random sample (the same seed "
                                             "picks the same objects).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = None,
) -> None:
    """Fixity: read every stored object back (or a random sample) and compare its sha256 with
    the database; list missing, changed and orphan objects (in the store, referred to by
    nothing). Exit 0 when all is well, 1 when anything is wrong, 3 when the store cannot be read."""
    from flows.cli import progress_bar
    from flows.fixity import fixity
    from storage.db import session_scope
    from storage.objects import ObjectStoreError

    if sample is not None and sample < 0:
        err.print("[red]--sample[/red] must be 0 or more.")
        raise typer.Exit(EXIT_USAGE)
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        actor = _overseer(session, as_user, "verifying the objects").actor if as_user else getpass.getuser()
    try:
        if as_json:  # stdout is the JSON alone
            result = fixity(sample, seed, actor)
        else:
            with progress_bar("objects", "Đang đọc lại đối tượng (reading objects back)"):
                result = fixity(sample, seed, actor)
    except ObjectStoreError as exc:
        raise _unavailable(exc) from exc
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        raise typer.Exit(EXIT_OK if result.ok else EXIT_SOME_REJECTED)
    counts = result.counts()
    table = Table(title=f"Kiểm tra toàn vẹn (fixity) — {runtime.store.location()}, "
                        f"{runtime.settings.today()}")
    table.add_column("Mục (item)")
    table.add_column("Số lượng", justify="right")
    for label, n in (("Được cơ sở dữ liệu tham chiếu (referenced)", counts["referenced"]),
                     ("Đã đọc lại (read back)" + (" — mẫu (sample)" if sample is not None else ""),
                      counts["checked"]),
                     ("Trong kho (stored, originals/ derived/)", counts["stored"]),
                     ("[red]Thiếu (missing)[/red]", counts["missing"]),
                     ("[red]Bị thay đổi (changed)[/red]", counts["changed"]),
                     ("[yellow]Thừa (orphan)[/yellow]", counts["orphan"])):
        table.add_row(label, str(n))
    console.print(table)
    if result.problems:
        # One line per object, unwrapped, so that keys can be copied whole.
        for kind, title in PROBLEM_TITLES.items():
            found = result.of(kind)
            if found:
                console.print(f"{title}: {len(found)}")
            for p in found[:200]:
                documents = ", ".join(map(str, p.document_ids)) or "-"
                console.print(f"  {p.key}  văn bản (documents) {documents}: {p.detail}",
                              soft_wrap=True, highlight=False, markup=False)
            if len(found) > 200:
                console.print(f"  … {len(found) - 200} more (see --json)")
        raise typer.Exit(EXIT_SOME_REJECTED)
    console.print("[green]Mọi đối tượng đã đọc đều khớp[/green] (every object read matches its sha256).")
    raise typer.Exit(EXIT_OK)
