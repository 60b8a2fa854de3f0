"""Sign-in, the session cookie's content, and the CSRF token.

The session lives in a signed cookie (Starlette's SessionMiddleware): the user's id, when they
signed in, a fingerprint of their password hash and a CSRF token. The user is read from the
database on every request, so a disabled user, a changed password or an expired sign-in ends
the session at the next request.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from fastapi import Request
from sqlmodel import Session, col, func, select

from schemas.models import AuditEvent, User, utcnow
from schemas.settings import Settings
from schemas.status import AuditAction
from storage.audit import record
from storage.users import user_by_name, verify_password

SESSION_COOKIE = "hoso_session"
SECRET_FILE = "web-secret"
# Failed sign-ins of one name in the window before it is refused for the rest of the window.
MAX_FAILURES, FAILURE_WINDOW = 5, timedelta(minutes=15)

_UID, _SINCE, _PW, _CSRF = "uid", "since", "pw", "csrf"


def secret_key(settings: Settings) -> str:
    """HOSO_WEB_SECRET_KEY, else the key in <data_dir>/web-secret (made on first run, mode 0600)."""
    if settings.web_secret_key is not None and settings.web_secret_key.get_secret_value():
        return settings.web_secret_key.get_secret_value()
    path = Path(settings.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: two workers starting at once agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) < 32:
            raise RuntimeError(f"{path} holds no usable key (fewer than 32 characters): delete it "
                               "to have a new one made, or set HOSO_WEB_SECRET_KEY") from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _now() -> float:
    return time.time()


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made when the session has none yet (the sign-in form too)."""
    token = request.session.get(_CSRF)
    if not token:
        token = request.session[_CSRF] = secrets.token_urlsafe(32)
    return token


def csrf_matches(request: Request, sent: str | None) -> bool:
    expected = request.session.get(_CSRF)
    return bool(expected and sent) and secrets.compare_digest(str(expected), str(sent))


def start_session(request: Request, user: User) -> None:
    """A fresh session for the user: the old content and CSRF token are dropped."""
    request.session.clear()
    request.session.update({_UID: user.id, _SINCE: int(_now()), _PW: _fingerprint(user),
                            _CSRF: secrets.token_urlsafe(32)})


def end_session(request: Request) -> None:
    request.session.clear()


def session_user(request: Request, session: Session, settings: Settings) -> User | None:
    """The signed-in user, or None (and the session emptied) when the sign-in has expired, the
    user was disabled or deleted, or their password changed since."""
    uid = request.session.get(_UID)
    if uid is None:
        return None
    user = session.get(User, uid)
    since = request.session.get(_SINCE, 0)
    expired = _now() - since > settings.web_session_hours * 3600
    if user is None or not user.active or expired or request.session.get(_PW) != _fingerprint(user):
        end_session(request)
        return None
    return user


def recent_failures(session: Session, username: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    return session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.sign_in_failed, AuditEvent.actor == username,
        col(AuditEvent.at) >= since)).one()


class SignInRefused(Exception):
    """Why a sign-in failed, in Vietnamese for the page (the audit keeps the plain reason)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
DISABLED = "Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên."
LOCKED = "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút."


def authenticate(session: Session, username: str, password: str, client: str) -> User:
    """The user if the name and password match an active account; SignInRefused otherwise.
    Every outcome is audited (never the password); a name with too many recent failures is
    refused without checking the password."""
    name = username.strip().lower()[:64]
    if recent_failures(session, name) >= MAX_FAILURES:
        record(session, name or "?", AuditAction.sign_in_failed, "user", name, reason="locked",
               client=client)
        raise SignInRefused(LOCKED)
    user = user_by_name(session, name) if name else None
    if not verify_password(password, user.password_hash if user else None):
        record(session, name or "?", AuditAction.sign_in_failed, "user", name,
               reason="unknown user" if user is None else "wrong password", client=client)
        raise SignInRefused(WRONG)
    assert user is not None
    if not user.active:
        record(session, name, AuditAction.sign_in_failed, "user", user.id, unit_id=user.unit_id,
               reason="disabled", client=client)
        raise SignInRefused(DISABLED)
    user.last_sign_in = utcnow()
    session.add(user)
    record(session, user.username, AuditAction.sign_in, "user", user.id, unit_id=user.unit_id,
           client=client)
    return user
