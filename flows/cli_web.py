"""`hoso web`: serve the clerks' web application and the HTTP API with uvicorn.

The application is named by its import path, not imported here: `flows` never imports `web`
(web calls flows). Uvicorn builds it in this process with the settings `open_runtime` made
current, so `--data-dir` holds for the web application too.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Annotated

import typer
from sqlmodel import func, select

from flows.cli_common import DataDir, app, console, open_runtime
from schemas.models import User
from storage.audit import mask_ids
from storage.db import session_scope

APP_FACTORY = "web.app:create_app"
_QUERY_VALUE = re.compile(r"([?&]q=)[^&\s\"]*")


class MaskPersonalData(logging.Filter):
    """Access-log lines show no search terms (people's names) and no ID numbers (CCCD/CMND)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a bad format string: let logging report it as usual)
            return True
        record.msg, record.args = _QUERY_VALUE.sub(r"\1***", mask_ids(message)), None
        return True


def log_config() -> dict:
    """Uvicorn's logging, with access lines masked and formatted from the finished message (the
    masking leaves no arguments for uvicorn's own access formatter to unpack)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask": {"()": MaskPersonalData}}
    config["formatters"]["access"] = {"()": "uvicorn.logging.DefaultFormatter",
                                      "fmt": "%(levelprefix)s %(message)s", "use_colors": None}
    config["handlers"]["access"]["filters"] = ["mask"]
    return config


@app.command()
def web(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for every interface "
                                      "(behind a reverse proxy keep 127.0.0.1).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Serve the web application (Vietnamese pages for clerks, reviewers and administrators)
    and the HTTP API (/api/v1, documentation at /api/docs). Ctrl+C stops it."""
    import prefect.main  # noqa: F401  (Prefect sets up logging on import: before uvicorn, not over it)
    import uvicorn

    runtime = open_runtime(data_dir)
    settings = runtime.settings
    with session_scope(runtime.engine) as session:
        users = session.exec(select(func.count()).select_from(User)).one()
    config = uvicorn.Config(APP_FACTORY, factory=True, host=host, port=port, proxy_headers=True,
                            forwarded_allow_ips=settings.web_forwarded_allow_ips,
                            server_header=False, log_level="info", log_config=log_config())
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    console.print(f"Ứng dụng web đang chạy tại (web application at) [bold]http://{shown}:{port}[/bold]"
                  + (f", công khai tại (public address) [bold]{settings.web_base_url}[/bold]"
                     if settings.web_base_url else "")
                  + " — API: /api/docs. Nhấn Ctrl+C để dừng (to stop).")
    if not users:
        console.print("[yellow]Chưa có người dùng nào (no users yet)[/yellow]: "
                      "`hoso users add admin --role admin --full-name \"…\"` để đăng nhập (to sign in).")
    if not settings.secure_cookies:
        console.print("Cookie phiên không giới hạn HTTPS (session cookie not HTTPS-only): đúng cho "
                      "thử nghiệm; production: HOSO_WEB_BASE_URL=https://… (see README).")
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:  # uvicorn stopped cleanly, then passed Ctrl+C on: a clean stop
        pass
    console.print("Đã dừng ứng dụng web (web application stopped).")
