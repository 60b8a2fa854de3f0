"""`hoso users …` and `hoso tokens …`: who signs in to the web application, with which role and
unit, and the API tokens other systems use. Every change is an audit event (permission_change)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, col, select

from flows.cli_common import EXIT_USAGE, DataDir, app, console, err, open_runtime
from schemas.models import Unit, User
from schemas.status import ROLE_VI, AuditAction, Role
from storage.audit import record
from storage.db import session_scope
from storage.users import (
    MIN_PASSWORD_LENGTH,
    UserError,
    all_users,
    create_token,
    create_user,
    revoke_token,
    set_password,
    set_role,
    tokens,
    user_by_name,
)

users_app = typer.Typer(help="Người dùng (users of the web application): add, list, disable, "
                        "set-role, password.", no_args_is_help=True)
tokens_app = typer.Typer(help="Mã truy cập API (API tokens for other systems, e.g. OMS): add, "
                         "list, revoke.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")

Username = Annotated[str, typer.Argument(help="The user's sign-in name (lower case).", show_default=False)]
RoleOption = Annotated[Role, typer.Option(
    "--role", help="clerk (văn thư: their unit and its sub-units only), reviewer (người kiểm tra), "
    "admin (quản trị), security (bảo vệ chính trị nội bộ: the only role that sees restricted "
    "dossiers).", case_sensitive=False, show_default=False)]
UnitOption = Annotated[str | None, typer.Option(
    "--unit", help="Unit code, e.g. HU-DUCTRONG (or just DUCTRONG). Required for a clerk; for "
    "the other roles it limits them to that unit, otherwise they reach the whole province.",
    show_default=False)]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from the first line of standard input (scripts) "
    "instead of asking for it.")]


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(EXIT_USAGE)


def _actor() -> str:
    """Who acts at the console: the operating-system account (recorded in the audit trail)."""
    return getpass.getuser()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(f"Mật khẩu (password, ≥ {MIN_PASSWORD_LENGTH} ký tự)", hide_input=True,
                                confirmation_prompt="Nhập lại mật khẩu (repeat the password)")
    if not password:
        raise _fail("Chưa có mật khẩu (no password given).")
    return password


def resolve_unit(session: Session, code: str | None) -> Unit | None:
    """A unit by its code, or by the end of its code (DUCTRONG finds HU-DUCTRONG) when only one
    unit's code ends so."""
    if not code:
        return None
    wanted = code.strip().upper()
    found = session.exec(select(Unit).where(Unit.code == wanted)).first()
    if found is not None:
        return found
    near = [u for u in session.exec(select(Unit).order_by(col(Unit.code)))
            if u.code.upper().endswith("-" + wanted)]
    if len(near) == 1:
        return near[0]
    if near:
        raise _fail(f"Mã đơn vị '{code}' không rõ ràng (ambiguous unit code): "
                    + ", ".join(u.code for u in near))
    raise _fail(f"Không có đơn vị '{code}' (no such unit): see `hoso units list`; "
                "`hoso units seed` loads the Lâm Đồng tree.")


def _user(session: Session, username: str) -> User:
    user = user_by_name(session, username)
    if user is None:
        raise _fail(f"Không có người dùng '{username}' (no such user): see `hoso users list`.")
    return user


def _unit_code(session: Session, unit_id: int | None) -> str:
    if unit_id is None:
        return "toàn tỉnh (whole province)"
    unit = session.get(Unit, unit_id)
    return unit.code if unit else str(unit_id)


@users_app.command("add")
def users_add(
    username: Username,
    role: RoleOption,
    unit: UnitOption = None,
    full_name: Annotated[str, typer.Option("--full-name", help="Họ và tên, as shown on the pages.")] = "",
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = None,
) -> None:
    """Add a user who signs in to the web application. The password is asked twice (or read
    with --password-stdin); it is kept only as an argon2 hash."""
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        found = resolve_unit(session, unit)
        if role == Role.clerk and found is None:
            raise _fail("Văn thư cần một đơn vị (a clerk needs --unit CODE): a clerk reaches only "
                        "their unit and its sub-units.")
    password = _password(password_stdin)
    try:
        with session_scope(runtime.engine) as session:
            user = create_user(session, username, password, role, found.id if found else None, full_name)
            record(session, _actor(), AuditAction.permission_change, "user", user.id,
                   unit_id=user.unit_id, change="add", username=user.username, role=role.value)
            where = _unit_code(session, user.unit_id)
    except UserError as exc:
        raise _fail(f"Không tạo được người dùng (cannot add the user): {exc}") from exc
    console.print(f"Đã tạo người dùng (user added) [bold]{user.username}[/bold]: "
                  f"{ROLE_VI[role]} ({role.value}), {where}.")


@users_app.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """Show every user: role, unit, whether active, last sign-in."""
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        users = all_users(session)
        codes = {u.id: _unit_code(session, u.unit_id) for u in users}
    if not users:
        console.print("Chưa có người dùng nào (no users yet): "
                      "`hoso users add NAME --role admin --full-name \"…\"`.")
        return
    table = Table(title="Người dùng (users)")
    for column in ("Tên (username)", "Họ và tên", "Vai trò (role)", "Đơn vị (unit)",
                   "Trạng thái", "Đăng nhập gần nhất (UTC)"):
        table.add_column(column)
    for user in users:
        table.add_row(user.username, user.full_name, f"{ROLE_VI[user.role]} ({user.role.value})",
                      codes[user.id],
                      "hoạt động (active)" if user.active else "[red]đã khóa (disabled)[/red]",
                      f"{user.last_sign_in:%Y-%m-%d %H:%M}" if user.last_sign_in else "—")
    console.print(table)


def _set_active(username: str, active: bool, data_dir: Path | None) -> None:
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        user = _user(session, username)
        changed = user.active != active
        user.active = active
        session.add(user)
        if changed:
            record(session, _actor(), AuditAction.permission_change, "user", user.id,
                   unit_id=user.unit_id, change="enable" if active else "disable", username=user.username)
    state = "mở khóa (enabled)" if active else "khóa (disabled); signed out at their next request"
    console.print(f"Người dùng (user) {user.username}: {state}.")


@users_app.command("disable")
def users_disable(username: Username, data_dir: DataDir = None) -> None:
    """Disable a user: they cannot sign in, a session open in a browser ends at its next
    request, and their API tokens stop working."""
    _set_active(username, False, data_dir)


@users_app.command("enable")
def users_enable(username: Username, data_dir: DataDir = None) -> None:
    """Enable a disabled user again."""
    _set_active(username, True, data_dir)


@users_app.command("set-role")
def users_set_role(
    username: Username,
    role: RoleOption,
    unit: UnitOption = None,
    whole_province: Annotated[bool, typer.Option(
        "--whole-province", help="No unit: the user reaches every unit (not for a clerk).")] = False,
    data_dir: DataDir = None,
) -> None:
    """Change a user's role, and their unit with --unit (or --whole-province); without either
    the unit stays as it is."""
    runtime = open_runtime(data_dir)
    try:
        with session_scope(runtime.engine) as session:
            user = _user(session, username)
            before = {"role": user.role.value, "unit": _unit_code(session, user.unit_id)}
            found = resolve_unit(session, unit)
            unit_id = None if whole_province else (found.id if found else user.unit_id)
            set_role(user, role, unit_id)
            session.add(user)
            after = {"role": role.value, "unit": _unit_code(session, unit_id)}
            record(session, _actor(), AuditAction.permission_change, "user", user.id,
                   unit_id=user.unit_id, change="set-role", username=user.username,
                   before=before, after=after)
    except UserError as exc:
        raise _fail(f"Không đổi được vai trò (cannot change the role): {exc}") from exc
    console.print(f"{user.username}: {ROLE_VI[role]} ({role.value}), {after['unit']} "
                  f"(trước đây / before: {before['role']}, {before['unit']}).")


@users_app.command("password")
def users_password(username: Username, password_stdin: PasswordStdin = False,
                   data_dir: DataDir = None) -> None:
    """Set a new password; the user's open sessions end at their next request."""
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        _user(session, username)
    password = _password(password_stdin)
    try:
        with session_scope(runtime.engine) as session:
            user = _user(session, username)
            set_password(user, password)
            session.add(user)
            record(session, _actor(), AuditAction.permission_change, "user", user.id,
                   unit_id=user.unit_id, change="password", username=user.username)
    except UserError as exc:
        raise _fail(f"Không đặt được mật khẩu (cannot set the password): {exc}") from exc
    console.print(f"Đã đặt mật khẩu mới cho (new password set for) {user.username}.")


@tokens_app.command("add")
def tokens_add(
    username: Username,
    name: Annotated[str, typer.Option("--name", help="What uses the token, e.g. \"OMS\".",
                                      show_default=False)],
    data_dir: DataDir = None,
) -> None:
    """Make an API token that acts as the user (their role and units). It is printed once: only
    its sha256 is kept."""
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        user = _user(session, username)
        if not user.active:
            raise _fail(f"Người dùng {user.username} đã bị khóa (the user is disabled): "
                        "`hoso users enable` first.")
        row, token = create_token(session, user, name)
        record(session, _actor(), AuditAction.permission_change, "apitoken", row.id,
               unit_id=user.unit_id, change="token-add", username=user.username, name=row.name)
    err.print(f"Mã truy cập số (token id) {row.id} '{row.name}' cho (for) {user.username}. "
              "Lưu lại ngay, mã chỉ hiện một lần (store it now: it is shown only once). "
              "Use it as: Authorization: Bearer <token>")
    print(token)  # alone on stdout, so a script can capture it


@tokens_app.command("list")
def tokens_list(data_dir: DataDir = None) -> None:
    """Show every API token (never the token itself: it is not kept)."""
    runtime = open_runtime(data_dir)
    with session_scope(runtime.engine) as session:
        rows = tokens(session)
    if not rows:
        console.print("Chưa có mã truy cập nào (no API tokens yet): `hoso tokens add USER --name OMS`.")
        return
    table = Table(title="Mã truy cập API (API tokens)")
    for column in ("ID", "Tên (name)", "Người dùng (user)", "Tạo lúc (created, UTC)", "Trạng thái"):
        table.add_column(column)
    for row, user in rows:
        table.add_row(str(row.id), row.name, user.username, f"{row.created_at:%Y-%m-%d %H:%M}",
                      f"[red]thu hồi (revoked) {row.revoked_at:%Y-%m-%d}[/red]" if row.revoked_at
                      else "còn hiệu lực (active)")
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The token's id (`hoso tokens list`).")],
                  data_dir: DataDir = None) -> None:
    """Revoke an API token: calls with it are refused from now on."""
    runtime = open_runtime(data_dir)
    try:
        with session_scope(runtime.engine) as session:
            row = revoke_token(session, token_id)
            record(session, _actor(), AuditAction.permission_change, "apitoken", row.id,
                   change="token-revoke", name=row.name)
    except UserError as exc:
        raise _fail(f"Không thu hồi được (cannot revoke): {exc}") from exc
    console.print(f"Đã thu hồi mã truy cập (token revoked) {row.id} '{row.name}'.")
