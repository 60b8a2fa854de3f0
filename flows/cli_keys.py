"""`hoso keys …`: the keys objects are encrypted with at rest (generate, add, rotate, status)."""

from __future__ import annotations

import getpass
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.cli_common import (
    EXIT_OK,
    EXIT_SOME_REJECTED,
    EXIT_USAGE,
    DataDir,
    app,
    console,
    err,
    open_runtime,
)
from flows.runtime import Runtime
from schemas.settings import Settings
from schemas.status import AuditAction
from storage.crypto import Keyring, KeyringError, new_keyring, save_keyring
from storage.objects import ObjectIntegrityError, ObjectStore, ObjectStoreError

keys_app = typer.Typer(help="Khóa mã hóa kho lưu trữ (encryption at rest of stored files): "
                       "generate, add, rotate, status.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

KeyId = Annotated[str | None, typer.Option(
    "--id", help="Id of the new key (letters, digits, . _ -); default k<date>-<random>.",
    show_default=False)]


def encryption_line(store: ObjectStore) -> str:
    """One line saying whether stored objects are encrypted, for `init` and `demo`."""
    if store.keyring is not None:
        return (f"Mã hóa khi lưu (encryption at rest): [green]bật (on)[/green] — khóa hiện dùng "
                f"(current key) {store.keyring.current}, từ (from) {store.keyring.source}")
    return ("[yellow]Các tệp lưu trữ KHÔNG được mã hóa[/yellow] (stored objects are NOT "
            "encrypted at rest): chưa đặt khóa (no key set). Được cho bản chạy thử, không cho "
            "dữ liệu thật (fine for a demo, not for real dossiers): `hoso keys generate FILE`, "
            "then HOSO_ENCRYPTION_KEY_FILE=FILE.")


@keys_app.command("generate")
def generate(
    path: Annotated[Path, typer.Argument(help="The new key file, e.g. /etc/hoso/objects.key.",
                                         show_default=False)],
    key_id: KeyId = None,
) -> None:
    """Create a new key file (readable by its owner only) holding one new key."""
    try:
        keyring = new_keyring(key_id, str(path))
        save_keyring(keyring, path, create=True)
    except (KeyringError, OSError) as exc:
        err.print(f"[red]Không tạo được tệp khóa[/red] (cannot create the key file): {exc}")
        raise typer.Exit(EXIT_USAGE) from exc
    console.print(f"Đã tạo tệp khóa (created key file) {path} — khóa (key) {keyring.current}, "
                  "quyền 0600 (mode 0600).")
    console.print(f"Đặt (set) HOSO_ENCRYPTION_KEY_FILE={path.resolve()}. Giữ một bản sao ở nơi "
                  "an toàn ngoài máy này (keep a copy somewhere safe, off this machine): "
                  "[bold]mất khóa là mất dữ liệu[/bold] (without the key the files cannot be read).")


@keys_app.command("add")
def add(
    path: Annotated[Path | None, typer.Option(
        "--file", help="The key file; default HOSO_ENCRYPTION_KEY_FILE.", show_default=False)] = None,
    key_id: KeyId = None,
) -> None:
    """Add a new key to the key file and make it current; old keys stay, to read older objects.

    New objects use the new key at once; `hoso keys rotate` moves the existing ones onto it."""
    path = path or Settings().encryption_key_file
    if path is None:
        err.print("[red]Không có tệp khóa[/red] (no key file): give --file or set "
                  "HOSO_ENCRYPTION_KEY_FILE.")
        raise typer.Exit(EXIT_USAGE)
    try:
        old = Keyring.from_file(path)
        keyring = old.with_new_key(key_id)
        save_keyring(keyring, path, create=False)
    except (KeyringError, OSError) as exc:
        err.print(f"[red]Không thêm được khóa[/red] (cannot add a key): {exc}")
        raise typer.Exit(EXIT_USAGE) from exc
    console.print(f"Khóa mới (new key) {keyring.current} đã thêm vào (added to) {path} và đang "
                  f"dùng (is current); giữ lại (kept) {', '.join(sorted(old.keys))}.")
    console.print("Các tiến trình đang chạy cần khởi động lại để dùng khóa mới (restart running "
                  "services to use it), rồi chạy (then run) `hoso keys rotate`.")


def stored_keys(runtime: Runtime) -> list[str]:
    """Every object the store manages: an S3 inbox in the same bucket holds users' plaintext
    drops, which are not the store's to encrypt."""
    store, settings = runtime.store, runtime.settings
    inbox = settings.inbox or ""
    skip = None
    if inbox.startswith("s3://"):
        bucket, _, prefix = inbox.removeprefix("s3://").partition("/")
        if bucket == getattr(store, "bucket", None):
            skip = prefix.strip("/") + "/" if prefix.strip("/") else ""
    return [k for k in store.keys() if skip is None or not k.startswith(skip)]


def _each(keys: list[str], label: str, work: Callable[[str], None]) -> None:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task_id = bar.add_task(label, total=len(keys))
        for key in keys:
            work(key)
            bar.advance(task_id)


def _require_keyring(runtime: Runtime) -> Keyring:
    if runtime.store.keyring is None:
        err.print("[red]Chưa đặt khóa mã hóa[/red] (no encryption key is set): create a key "
                  "file with `hoso keys generate FILE` and set HOSO_ENCRYPTION_KEY_FILE.")
        raise typer.Exit(EXIT_USAGE)
    return runtime.store.keyring


@keys_app.command("rotate")
def rotate(data_dir: DataDir = None) -> None:
    """Move every stored object onto the current key, and encrypt objects stored in plaintext.

    Only the header of an encrypted object is rewritten (its data key wrapped again); its
    encrypted content is kept. Safe to stop and run again: objects already on the current key
    are skipped. Once it reports nothing left, old keys can be removed from the key file."""
    from storage.audit import record
    from storage.db import session_scope

    runtime = open_runtime(data_dir)
    keyring = _require_keyring(runtime)
    store = runtime.store
    keys = stored_keys(runtime)
    outcomes: Counter[str] = Counter()
    problems: list[str] = []

    def one(key: str) -> None:
        try:
            outcomes[store.reseal(key)] += 1
        except ObjectStoreError as exc:  # unknown key, damaged or unreachable: report, go on
            outcomes["failed"] += 1
            problems.append(str(exc))

    _each(keys, f"Đang chuyển sang khóa (moving onto key) {keyring.current}", one)
    with session_scope(runtime.engine) as session:
        record(session, getpass.getuser(), AuditAction.key_rotation, "keyring", keyring.current,
               store=store.location(), rewrapped=outcomes["rewrapped"],
               encrypted=outcomes["encrypted"], already_current=outcomes["current"],
               failed=outcomes["failed"])
    console.print(f"Khóa hiện dùng (current key) {keyring.current}: {outcomes['rewrapped']} tệp "
                  f"đổi khóa (re-wrapped), {outcomes['encrypted']} tệp được mã hóa (plaintext "
                  f"encrypted), {outcomes['current']} đã dùng khóa này (already current), "
                  f"{outcomes['failed']} lỗi (failed).")
    if problems:
        for problem in problems[:20]:
            err.print(f"  • {problem}")
        if len(problems) > 20:
            err.print(f"  … và {len(problems) - 20} lỗi khác (and more)")
        err.print("Sửa các lỗi trên rồi chạy lại (fix these and run again); giữ các khóa cũ "
                  "trong tệp khóa cho tới lúc đó (keep the old keys in the key file until then).")
        raise typer.Exit(EXIT_SOME_REJECTED)
    raise typer.Exit(EXIT_OK)


@keys_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts and "
                                          "monitoring.")] = False,
    data_dir: DataDir = None,
) -> None:
    """How many stored objects are on each key, and how many are still in plaintext."""
    runtime = open_runtime(data_dir)
    store, keyring = runtime.store, runtime.store.keyring
    keys = stored_keys(runtime)
    by_key: Counter[str | None] = Counter()
    damaged: list[str] = []

    def one(key: str) -> None:
        try:
            info = store.info(key)
        except ObjectIntegrityError as exc:
            damaged.append(str(exc))
            return
        if info is not None:
            by_key[info.key_id] += 1

    if as_json:
        for key in keys:
            one(key)
    else:
        _each(keys, "Đang đếm (counting)", one)
    known = set(keyring.keys) if keyring else set()
    unreadable = sorted(k for k in by_key if k and k not in known)
    if as_json:
        console.print_json(data={
            "store": store.location(), "current": keyring.current if keyring else None,
            "keyring": sorted(known), "objects": {k: n for k, n in by_key.items() if k},
            "plaintext": by_key[None], "unreadable_key_ids": unreadable, "damaged": damaged})
        raise typer.Exit(EXIT_SOME_REJECTED if damaged or unreadable else EXIT_OK)
    console.print(encryption_line(store))
    table = Table(title=f"Tệp lưu trữ theo khóa (stored objects by key) — {store.location()}")
    table.add_column("Khóa (key id)")
    table.add_column("Tệp (objects)", justify="right")
    table.add_column("Trong tệp khóa (in the keyring)")
    for key_id in sorted(known | {k for k in by_key if k}):
        if key_id not in known:
            where = "[red]KHÔNG — không đọc được (NO: cannot be read)[/red]"
        elif keyring and key_id == keyring.current:
            where = "có, đang dùng (yes, current)"
        else:
            where = "có (yes)" if by_key[key_id] else "có, không còn tệp nào: có thể gỡ (yes, " \
                "unused: can be removed)"
        table.add_row(key_id, str(by_key[key_id]), where)
    table.add_row("[yellow]không mã hóa (plaintext)[/yellow]", str(by_key[None]), "—")
    console.print(table)
    for problem in damaged:
        err.print(f"[red]Hỏng (damaged)[/red]: {problem}")
    if keyring and by_key[None]:
        console.print(f"{by_key[None]} tệp chưa mã hóa (objects still in plaintext): chạy (run) "
                      "`hoso keys rotate` để mã hóa (to encrypt them).")
    if keyring and any(k != keyring.current for k in by_key if k):
        console.print("Có tệp còn dùng khóa cũ (objects on older keys): `hoso keys rotate`.")
    if damaged or unreadable:
        raise typer.Exit(EXIT_SOME_REJECTED)
