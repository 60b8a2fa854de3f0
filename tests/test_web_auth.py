"""Signing in and out, sessions, CSRF, the administrators' page, and the `hoso users` and
`hoso tokens` commands."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import make_settings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, select
from typer.testing import CliRunner
from webdata import PASSWORD, WebData, build, csrf_of, meta_csrf, sign_in

import web.auth
from flows.cli import app as cli
from flows.cli_common import EXIT_USAGE
from flows.cli_web import MaskPersonalData
from flows.runtime import runtime, use_settings
from schemas.models import ApiToken, AuditEvent, User
from schemas.settings import Settings
from schemas.status import AuditAction, Role
from storage.audit import verify_chain
from storage.db import session_scope, upgrade
from web.app import create_app

runner = CliRunner()


@pytest.fixture
def site(settings: Settings) -> tuple[FastAPI, WebData]:
    """The application on SQLite and PostgreSQL."""
    return create_app(settings), build(settings)


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[tuple[FastAPI, WebData, Settings]]:
    """The application on SQLite only, for what does not depend on the database."""
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}")
    upgrade(use_settings(settings).engine)
    yield create_app(settings), build(settings), settings


def _events(action: AuditAction | None = None) -> list[AuditEvent]:
    with session_scope(runtime().engine) as session:
        query = select(AuditEvent).order_by(col(AuditEvent.id))
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(session.exec(query))


def _user(username: str) -> User:
    with session_scope(runtime().engine) as session:
        return session.exec(select(User).where(User.username == username)).one()


def _post_sign_in(client: TestClient, username: str, password: str, next: str = "") -> object:
    return client.post("/dang-nhap", data={"username": username, "password": password,
                                           "csrf_token": csrf_of(client), "next": next},
                       follow_redirects=False)


def test_sign_in_good_bad_disabled_and_out(site: tuple[FastAPI, WebData]) -> None:
    app, _ = site
    client = TestClient(app)
    away = client.get("/nguoi-dung?x=1", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/dang-nhap?next=%2Fnguoi-dung%3Fx%3D1"
    page = client.get(away.headers["location"])
    assert "Đăng nhập" in page.text and 'name="next" value="/nguoi-dung?x=1"' in page.text

    wrong = _post_sign_in(client, "quantri", "sai-mat-khau-roi")
    assert wrong.status_code == 400 and "Tên đăng nhập hoặc mật khẩu không đúng" in wrong.text
    unknown = _post_sign_in(client, "khongco", PASSWORD)
    assert unknown.status_code == 400 and "Tên đăng nhập hoặc mật khẩu không đúng" in unknown.text
    disabled = _post_sign_in(client, "nghi", PASSWORD)
    assert disabled.status_code == 400 and "đã bị khóa" in disabled.text
    assert client.get("/nguoi-dung", follow_redirects=False).status_code == 303  # still signed out

    good = _post_sign_in(client, "QuanTri", PASSWORD, next="/nguoi-dung?x=1")
    assert good.status_code == 303 and good.headers["location"] == "/nguoi-dung?x=1"
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    page = client.get("/nguoi-dung")
    assert page.status_code == 200 and "Quản trị viên" in page.text and "Đăng xuất" in page.text
    assert _user("quantri").last_sign_in is not None

    failed = _events(AuditAction.sign_in_failed)
    assert [(e.actor, e.detail["reason"]) for e in failed] == [
        ("quantri", "wrong password"), ("khongco", "unknown user"), ("nghi", "disabled")]
    assert [e.actor for e in _events(AuditAction.sign_in)] == ["quantri"]
    assert not any(PASSWORD in str(e.detail) or "sai-mat-khau" in str(e.detail) for e in _events())

    out = client.post("/dang-xuat", data={"csrf_token": meta_csrf(client)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/dang-nhap"
    assert "Đã đăng xuất" in client.get("/dang-nhap").text
    assert client.get("/nguoi-dung", follow_redirects=False).status_code == 303
    assert [e.actor for e in _events(AuditAction.sign_out)] == ["quantri"]
    with session_scope(runtime().engine) as session:
        assert verify_chain(session)[1] == []


def test_csrf_missing_or_wrong_is_refused(lite: tuple[FastAPI, WebData, Settings]) -> None:
    app, _, _ = lite
    client = TestClient(app)
    client.get("/dang-nhap")
    refused = client.post("/dang-nhap", data={"username": "quantri", "password": PASSWORD},
                          follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    token = sign_in(client, "quantri")
    new = {"username": "moi", "password": "mot-mat-khau-dai", "role": "reviewer", "unit": ""}
    assert client.post("/nguoi-dung", data=new).status_code == 403
    assert client.post("/nguoi-dung", data={**new, "csrf_token": "sai"}).status_code == 403
    assert client.post("/nguoi-dung", data=new, headers={"X-CSRF-Token": "sai"}).status_code == 403
    assert client.post("/dang-xuat").status_code == 403  # not even signing out
    with session_scope(runtime().engine) as session:
        assert session.exec(select(User).where(User.username == "moi")).first() is None
    made = client.post("/nguoi-dung", data=new, headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert made.status_code == 303
    assert _user("moi").role == Role.reviewer
    # Another browser's token does not fit this session.
    other = TestClient(app)
    other_token = csrf_of(other)
    assert client.post("/nguoi-dung", data={**new, "username": "moi2", "csrf_token": other_token}
                       ).status_code == 403


def test_session_ends_when_disabled_expired_or_password_changed(
        lite: tuple[FastAPI, WebData, Settings], monkeypatch: pytest.MonkeyPatch) -> None:
    app, _, settings = lite
    client = TestClient(app)
    sign_in(client, "lan")
    assert client.get("/api/v1/dossiers").status_code == 200
    with session_scope(runtime().engine) as session:
        user = session.exec(select(User).where(User.username == "lan")).one()
        user.active = False
        session.add(user)
    assert client.get("/api/v1/dossiers").status_code == 401
    assert client.get("/nguoi-dung", follow_redirects=False).headers["location"].startswith("/dang-nhap")

    sign_in(client, "kiem")
    assert client.get("/api/v1/dossiers").status_code == 200
    later = web.auth._now() + settings.web_session_hours * 3600 + 60
    monkeypatch.setattr(web.auth, "_now", lambda: later)
    assert client.get("/api/v1/dossiers").status_code == 401  # the sign-in expired
    monkeypatch.undo()

    sign_in(client, "hoa")
    assert client.get("/api/v1/dossiers").status_code == 200
    result = runner.invoke(cli, ["users", "password", "hoa", "--password-stdin"],
                           input="mat-khau-moi-dai-hon\n", env=_env(settings))
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/dossiers").status_code == 401  # a new password ends old sessions
    # HTMX asks for a fragment: it is sent to the sign-in page as a whole.
    hx = client.get("/nguoi-dung", headers={"HX-Request": "true"}, follow_redirects=False)
    assert hx.headers["hx-redirect"] == "/dang-nhap?next=%2Fnguoi-dung"


def test_next_never_leads_to_another_site(lite: tuple[FastAPI, WebData, Settings]) -> None:
    app, _, _ = lite
    client = TestClient(app)
    answer = _post_sign_in(client, "kiem", PASSWORD, next="//evil.example/phish")
    assert answer.status_code == 303 and answer.headers["location"] == "/tien-do"


def test_repeated_failures_lock_the_name(lite: tuple[FastAPI, WebData, Settings]) -> None:
    app, _, _ = lite
    client = TestClient(app)
    for _ in range(web.auth.MAX_FAILURES):
        assert _post_sign_in(client, "hoa", "khong-dung-dau").status_code == 400
    locked = _post_sign_in(client, "hoa", PASSWORD)
    assert locked.status_code == 400 and "quá nhiều lần" in locked.text
    assert _events(AuditAction.sign_in_failed)[-1].detail["reason"] == "locked"
    assert _post_sign_in(client, "kiem", PASSWORD).status_code == 303  # other names are not


def test_cookie_secure_behind_https_and_one_secret(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}",
                             web_base_url="https://hoso.lamdong.example")
    app = create_app(settings)
    first = TestClient(app, base_url="https://testserver").get("/dang-nhap")
    assert "secure" in first.headers["set-cookie"].lower()
    assert first.headers["x-frame-options"] and first.headers["cache-control"] == "no-store"
    secret = settings.data_dir / web.auth.SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    # A restart (or a second worker) signs with the same key: the cookie still holds.
    again = TestClient(create_app(settings), base_url="https://testserver")
    again.cookies.set("hoso_session", first.cookies["hoso_session"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.text).group(1)  # type: ignore[union-attr]
    assert f'value="{token}"' in again.get("/dang-nhap").text
    plain = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}",
                          web_base_url="https://hoso.lamdong.example", web_secure_cookies=False)
    assert "secure" not in TestClient(create_app(plain)).get("/dang-nhap").headers["set-cookie"].lower()


def test_admin_page_users_and_tokens(lite: tuple[FastAPI, WebData, Settings]) -> None:
    app, _, _ = lite
    clerk = TestClient(app)
    sign_in(clerk, "lan")
    assert clerk.get("/nguoi-dung").status_code == 403
    admin = TestClient(app)
    csrf = sign_in(admin, "quantri")
    form = {"csrf_token": csrf}
    added = admin.post("/nguoi-dung", data={**form, "username": "thu", "password": "mat-khau-cua-thu",
                                            "role": "clerk", "unit": "HU-DILINH", "full_name": "Thu"})
    assert "Đã tạo người dùng thu" in added.text
    no_unit = admin.post("/nguoi-dung", data={**form, "username": "thu2", "password": "mat-khau-cua-thu",
                                              "role": "clerk", "unit": ""})
    assert "a clerk needs a unit" in no_unit.text
    thu = _user("thu")
    admin.post(f"/nguoi-dung/{thu.id}/vai-tro", data={**form, "role": "reviewer", "unit": ""})
    assert _user("thu").role == Role.reviewer and _user("thu").unit_id is None
    made = admin.post(f"/nguoi-dung/{thu.id}/ma-truy-cap", data={**form, "name": "OMS"})
    token = re.search(r'<code class="token" id="new-token">([^<]+)</code>', made.text).group(1)  # type: ignore[union-attr]
    assert "new-token" not in admin.get("/nguoi-dung").text  # shown once
    api = {"Authorization": f"Bearer {token}"}
    assert admin.get("/api/v1/dossiers", headers=api).json()["total"] == 3
    with session_scope(runtime().engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.name == "OMS")).one()
    assert token not in row.token_sha256
    admin.post(f"/ma-truy-cap/{row.id}/thu-hoi", data=form)
    assert TestClient(app).get("/api/v1/dossiers", headers=api).status_code == 401
    admin.post(f"/nguoi-dung/{thu.id}/trang-thai", data={**form, "active": "false"})
    assert not _user("thu").active
    changes = [e.detail["change"] for e in _events(AuditAction.permission_change)]
    assert changes == ["add", "set-role", "token-add", "token-revoke", "disable"]


def _env(settings: Settings) -> dict[str, str]:
    return {"HOSO_DATABASE_URL": settings.db_url, "HOSO_DATA_DIR": str(settings.data_dir)}


def test_users_and_tokens_commands(site: tuple[FastAPI, WebData], settings: Settings) -> None:
    app, _ = site
    env = _env(settings)

    def hoso(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), input=input, env=env)

    no_unit = hoso("users", "add", "mai", "--role", "clerk", "--password-stdin", input="mat-khau-cua-mai\n")
    assert no_unit.exit_code == EXIT_USAGE and "clerk needs --unit" in no_unit.output
    short = hoso("users", "add", "mai", "--role", "clerk", "--unit", "DUCTRONG", "--password-stdin",
                 input="ngan\n")
    assert short.exit_code == EXIT_USAGE and "too short" in short.output
    added = hoso("users", "add", "mai", "--role", "clerk", "--unit", "DUCTRONG", "--full-name",
                 "Đỗ Thị Mai", input="mat-khau-cua-mai\nmat-khau-cua-mai\n")
    assert added.exit_code == 0, added.output
    assert "HU-DUCTRONG" in added.output and _user("mai").unit_id is not None
    assert "mai" in hoso("users", "list").output

    client = TestClient(app)
    sign_in(client, "mai", "mat-khau-cua-mai")
    assert {d["code"] for d in client.get("/api/v1/dossiers").json()["items"]} == {"DT-0001", "DT-0002"}

    moved = hoso("users", "set-role", "mai", "--role", "clerk", "--unit", "HU-DILINH")
    assert moved.exit_code == 0, moved.output
    assert {d["code"] for d in client.get("/api/v1/dossiers").json()["items"]} == {"DL-0001"}

    made = hoso("tokens", "add", "mai", "--name", "OMS")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("hoso_")
    api = {"Authorization": f"Bearer {token}"}
    assert TestClient(app).get("/api/v1/dossiers", headers=api).json()["total"] == 1
    listed = hoso("tokens", "list")
    assert "OMS" in listed.output and token not in listed.output
    with session_scope(runtime().engine) as session:
        token_id = session.exec(select(ApiToken.id).where(ApiToken.name == "OMS")).one()
    assert hoso("tokens", "revoke", str(token_id)).exit_code == 0
    assert TestClient(app).get("/api/v1/dossiers", headers=api).status_code == 401
    assert hoso("tokens", "revoke", "999999").exit_code == EXIT_USAGE

    assert hoso("users", "disable", "mai").exit_code == 0
    assert client.get("/api/v1/dossiers").status_code == 401  # signed out at the next request
    changes = [(e.detail["change"], e.detail.get("username")) for e in _events(AuditAction.permission_change)]
    assert changes == [("add", "mai"), ("set-role", "mai"), ("token-add", "mai"), ("token-revoke", None),
                       ("disable", "mai")]
    with session_scope(runtime().engine) as session:
        assert verify_chain(session)[1] == []


def test_api_docs_and_static_files_are_served_locally(lite: tuple[FastAPI, WebData, Settings]) -> None:
    app, _, _ = lite
    client = TestClient(app)
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "htmx.min.js", "app.css"):
        assert client.get(f"/static/{name}").status_code == 200, name
    spec = client.get("/api/openapi.json").json()
    assert {"/api/v1/dossiers", "/api/v1/dossiers/{dossier_id}", "/api/v1/documents/{document_id}/original",
            "/api/v1/documents/{document_id}/searchable.pdf", "/api/v1/fields",
            "/api/v1/fields/{field_id}/review", "/api/v1/progress"} <= set(spec["paths"])
    assert not any(p.startswith(("/dang-nhap", "/nguoi-dung")) for p in spec["paths"])


def test_access_log_hides_search_terms_and_id_numbers() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.7:5100", "GET", "/api/v1/dossiers?q=Nguy%E1%BB%85n&unit=HU-DILINH",
                                "1.1", 200), None)
    MaskPersonalData().filter(record)
    assert record.getMessage() == '10.0.0.7:5100 - "GET /api/v1/dossiers?q=***&unit=HU-DILINH HTTP/1.1" 200'
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", ("/x?cccd=068078001234",),
                               None)
    MaskPersonalData().filter(record)
    assert "068078001234" not in record.getMessage()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_hoso_web_serves_and_trusts_the_proxy(tmp_path: Path) -> None:
    """`hoso web` for real: it answers, takes the client address from the local proxy's
    X-Forwarded-For (audited with a failed sign-in), and Ctrl+C stops it cleanly."""
    port = _free_port()
    env = {**os.environ, "HOSO_DATA_DIR": str(tmp_path / "data"),
           "HOSO_DATABASE_URL": f"sqlite:///{tmp_path / 'hoso.db'}"}
    hoso = Path(sys.executable).with_name("hoso")
    server = subprocess.Popen([str(hoso), "web", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=5) as client:
            for _ in range(300):
                try:
                    page = client.get("/dang-nhap")
                    break
                except httpx.TransportError:
                    assert server.poll() is None, server.stdout.read()  # type: ignore[union-attr]
                    time.sleep(0.1)
            assert page.status_code == 200 and "Đăng nhập" in page.text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            answer = client.post("/dang-nhap", headers={"X-Forwarded-For": "10.1.2.3"},
                                 data={"username": "ai", "password": "x" * 12, "csrf_token": csrf})
            assert answer.status_code == 400
            assert client.get("/api/v1/dossiers", params={"q": "Nguyễn 068078001234"}).status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0, out
    assert f"http://localhost:{port}" in out and "Chưa có người dùng nào" in out
    assert '"GET /api/v1/dossiers?q=*** HTTP/1.1" 401' in out  # the access log, masked
    assert "068078001234" not in out and "Nguy" not in out
    use_settings(make_settings(tmp_path, env["HOSO_DATABASE_URL"]))
    assert [e.detail["client"] for e in _events(AuditAction.sign_in_failed)] == ["10.1.2.3"]
