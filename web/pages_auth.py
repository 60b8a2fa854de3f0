"""Signing in and out, and the administrators' page of users and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from schemas.models import ApiToken, Unit, User
from schemas.status import AuditAction, Role
from storage.audit import record
from storage.users import (
    UserError,
    all_users,
    create_token,
    create_user,
    revoke_token,
    set_password,
    set_role,
    tokens,
)
from web.auth import SignInRefused, authenticate, end_session, start_session
from web.deps import (
    SIGN_IN_PATH,
    DbSession,
    flash,
    optional_user,
    require_role,
    templates,
)

router = APIRouter(include_in_schema=False)
HOME = "/tien-do"


def safe_next(target: str | None) -> str:
    """Only a path of this site: never another host (an open redirect would help phishing)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get(SIGN_IN_PATH)
def sign_in_page(request: Request, user: Annotated[User | None, Depends(optional_user)],
                 next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return templates.TemplateResponse(request, "sign_in.html", {"next": safe_next(next), "error": None,
                                                                "username": ""})


@router.post(SIGN_IN_PATH)
def sign_in(request: Request, session: DbSession, username: Annotated[str, Form()] = "",
            password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    try:
        user = authenticate(session, username, password, _client(request))
    except SignInRefused as refused:
        return templates.TemplateResponse(
            request, "sign_in.html", {"next": safe_next(next), "error": refused.message,
                                      "username": username.strip()[:64]}, status_code=400)
    start_session(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/dang-xuat")
def sign_out(request: Request, session: DbSession,
             user: Annotated[User | None, Depends(optional_user)]) -> RedirectResponse:
    if user is not None:
        record(session, user.username, AuditAction.sign_out, "user", user.id, unit_id=user.unit_id,
               client=_client(request))
    end_session(request)
    flash(request, "Đã đăng xuất.")
    return RedirectResponse(SIGN_IN_PATH, status_code=303)


# ---- Users and tokens (administrators) ----

Admin = Annotated[User, Depends(require_role(Role.admin))]


def _unit_id(session: DbSession, code: str) -> int | None:
    code = code.strip()
    if not code:
        return None
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise UserError(f"Không có đơn vị mã {code} (no such unit)")
    return unit.id


def _users_page(request: Request, session: DbSession, new_token: dict | None = None) -> Response:
    units = list(session.exec(select(Unit).order_by(col(Unit.code))))
    return templates.TemplateResponse(request, "users.html", {
        "title": "Người dùng", "users": all_users(session), "tokens": tokens(session),
        "units": units, "unit_codes": {u.id: u.code for u in units}, "roles": list(Role),
        "new_token": new_token})


@router.get("/nguoi-dung")
def users_page(request: Request, session: DbSession, admin: Admin) -> Response:
    return _users_page(request, session)


def _back(request: Request, message: str, kind: str = "ok") -> RedirectResponse:
    flash(request, message, kind)
    return RedirectResponse("/nguoi-dung", status_code=303)


@router.post("/nguoi-dung")
def users_add(request: Request, session: DbSession, admin: Admin,
              username: Annotated[str, Form()], password: Annotated[str, Form()],
              role: Annotated[Role, Form()], unit: Annotated[str, Form()] = "",
              full_name: Annotated[str, Form()] = "") -> Response:
    try:
        user = create_user(session, username, password, role, _unit_id(session, unit), full_name)
    except UserError as exc:
        return _back(request, f"Không tạo được người dùng: {exc}", "error")
    record(session, admin.username, AuditAction.permission_change, "user", user.id,
           unit_id=user.unit_id, change="add", username=user.username, role=user.role.value)
    return _back(request, f"Đã tạo người dùng {user.username}.")


def _user(session: DbSession, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "Không có người dùng này")
    return user


@router.post("/nguoi-dung/{user_id}/vai-tro")
def users_set_role(request: Request, session: DbSession, admin: Admin, user_id: int,
                   role: Annotated[Role, Form()], unit: Annotated[str, Form()] = "") -> Response:
    user = _user(session, user_id)
    before = (user.role.value, user.unit_id)
    try:
        set_role(user, role, _unit_id(session, unit))
    except UserError as exc:
        return _back(request, f"Không đổi được vai trò: {exc}", "error")
    session.add(user)
    record(session, admin.username, AuditAction.permission_change, "user", user.id,
           unit_id=user.unit_id, change="set-role", username=user.username,
           before={"role": before[0], "unit_id": before[1]},
           after={"role": user.role.value, "unit_id": user.unit_id})
    return _back(request, f"Đã đổi vai trò của {user.username}.")


@router.post("/nguoi-dung/{user_id}/trang-thai")
def users_set_active(request: Request, session: DbSession, admin: Admin, user_id: int,
                     active: Annotated[bool, Form()]) -> Response:
    user = _user(session, user_id)
    if user.id == admin.id and not active:
        return _back(request, "Không thể tự khóa tài khoản của mình.", "error")
    user.active = active
    session.add(user)
    record(session, admin.username, AuditAction.permission_change, "user", user.id,
           unit_id=user.unit_id, change="enable" if active else "disable", username=user.username)
    return _back(request, f"Đã {'mở khóa' if active else 'khóa'} tài khoản {user.username}.")


@router.post("/nguoi-dung/{user_id}/mat-khau")
def users_set_password(request: Request, session: DbSession, admin: Admin, user_id: int,
                       password: Annotated[str, Form()]) -> Response:
    user = _user(session, user_id)
    try:
        set_password(user, password)
    except UserError as exc:
        return _back(request, f"Không đặt được mật khẩu: {exc}", "error")
    session.add(user)
    record(session, admin.username, AuditAction.permission_change, "user", user.id,
           unit_id=user.unit_id, change="password", username=user.username)
    return _back(request, f"Đã đặt mật khẩu mới cho {user.username}.")


@router.post("/nguoi-dung/{user_id}/ma-truy-cap")
def tokens_add(request: Request, session: DbSession, admin: Admin, user_id: int,
               name: Annotated[str, Form()]) -> Response:
    user = _user(session, user_id)
    row, token = create_token(session, user, name)
    record(session, admin.username, AuditAction.permission_change, "apitoken", row.id,
           unit_id=user.unit_id, change="token-add", username=user.username, name=row.name)
    # Shown on this answer only (never stored, not even in the session cookie).
    return _users_page(request, session, {"name": row.name, "username": user.username, "token": token})


@router.post("/ma-truy-cap/{token_id}/thu-hoi")
def tokens_revoke(request: Request, session: DbSession, admin: Admin, token_id: int) -> Response:
    if session.get(ApiToken, token_id) is None:
        raise HTTPException(404, "Không có mã truy cập này")
    row = revoke_token(session, token_id)
    record(session, admin.username, AuditAction.permission_change, "apitoken", row.id,
           change="token-revoke", name=row.name)
    return _back(request, f"Đã thu hồi mã truy cập {row.name}.")
