"""What every `hoso` command shares: the app, consoles, exit codes, the data-folder option."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlmodel import Session, select

from flows import runtime as rt_module
from schemas.models import Unit, User
from schemas.settings import Settings
from storage.access import Scope, scope_of

EXIT_OK = 0
EXIT_SOME_REJECTED = 1  # finished, but some files were rejected, failed or unreadable
EXIT_USAGE = 2  # bad arguments (Typer's own code)
EXIT_UNAVAILABLE = 3  # the database or the object store cannot be reached, or the store is full

app = typer.Typer(
    help="hoso: số hóa hồ sơ cán bộ, công chức, viên chức — scanned personnel dossiers in, "
    "searchable electronic files and records out. Settings come from HOSO_* environment "
    "variables (see README).",
    epilog="Exit codes: 0 done; 1 done, but some files were rejected, failed or unreadable; "
    "2 wrong arguments, or a table that cannot be imported (nothing written); 3 the database or "
    "object store cannot be reached, or the object store is full.",
    no_args_is_help=True, rich_markup_mode="rich", add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Embedded data folder (database and objects); default ./hoso-data "
    "or HOSO_DATA_DIR.", show_default=False)]


AsUser = Annotated[str | None, typer.Option(
    "--as", help="Act as this hoso user, with their units and role (HOSO_USER). Without it the "
    "command acts as the operator: every unit, but no restricted dossier.",
    envvar="HOSO_USER", show_default=False)]


def cli_scope(session: Session, as_user: str | None) -> Scope:
    """Whose eyes a command sees through: a named active user, or the operator at the console."""
    if not as_user:
        return Scope.operator(getpass.getuser())
    user = session.exec(select(User).where(User.username == as_user)).first()
    if user is None or not user.active:
        err.print(f"[red]Không có người dùng '{as_user}' đang hoạt động[/red] (no such active user): "
                  "see `hoso users list`.")
        raise typer.Exit(EXIT_USAGE)
    return scope_of(session, user)


def unit_or_exit(session: Session, code: str) -> Unit:
    """The unit a `--unit CODE` option names, or a clear message and exit 2."""
    from storage.queries import unit_by_code

    found = unit_by_code(session, code)
    if found is None:
        err.print(f"[red]Không có đơn vị '{code}'[/red] (unknown unit): see `hoso units list`.")
        raise typer.Exit(EXIT_USAGE)
    return found


def open_runtime(data_dir: Path | None) -> rt_module.Runtime:
    """Settings from the environment, the data folder from the option; database ready."""
    from storage.crypto import KeyringError
    from storage.db import upgrade

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    runtime = rt_module.use_settings(settings)
    try:
        upgrade(runtime.engine)
        runtime.store.location()
    except KeyringError as exc:  # a configuration mistake, not an outage: say so
        err.print(f"[red]Cấu hình khóa mã hóa không hợp lệ[/red] (encryption key setting): {exc}")
        raise typer.Exit(EXIT_USAGE) from exc
    except Exception as exc:  # noqa: BLE001  (say what cannot be reached, and stop)
        err.print(f"[red]Không kết nối được cơ sở dữ liệu hoặc kho lưu trữ[/red] "
                  f"(cannot reach the database or object store): {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    return runtime


