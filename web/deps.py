"""What every page and API route depends on: a database session, the signed-in user and their
scope, the CSRF check, and the templates.

Pages:   `user: CurrentUser`, `scope: UserScope`, `session: DbSession`; render with
         `templates.TemplateResponse(request, "x.html", {...})`; the layout gets the user,
         the CSRF token, ROLE_VI and the status labels by itself.
API:     `user: ApiUser`, `scope: ApiScope` (a Bearer token or the session cookie).
Roles:   `Depends(require_role(Role.admin))` on a route or router.
Forms:   every POST form carries `<input type="hidden" name="csrf_token" value="{{ csrf_token }}">`;
         HTMX requests carry the header X-CSRF-Token (set on <body> by base.html); fetch()
         reads it from <meta name="csrf-token">.
Every query that shows people data goes through storage.access (`dossier_clause(scope)`, …).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from flows.runtime import runtime
from schemas.models import User
from schemas.settings import Settings
from schemas.status import (
    FIELD_STATUS_VI,
    PROGRESS_STATE_VI,
    REJECT_LABELS_VI,
    ROLE_VI,
    DocumentStatus,
    FieldStatus,
    Role,
    SecurityClass,
)
from storage.access import Scope, scope_of
from storage.users import user_for_token
from web.auth import csrf_matches, csrf_token, session_user

WEB = Path(__file__).resolve().parent
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

DOCUMENT_STATUS_VI: dict[DocumentStatus, str] = {
    DocumentStatus.received: "đã nhận",
    DocumentStatus.text_ready: "đã có văn bản",
    DocumentStatus.extracted: "đã trích xuất",
    DocumentStatus.verified: "đã xác minh",
    DocumentStatus.rejected: "bị từ chối",
    DocumentStatus.failed: "lỗi tạm thời, sẽ thử lại",
}
SECURITY_CLASS_VI: dict[SecurityClass, str] = {
    SecurityClass.ordinary: "thường",
    SecurityClass.restricted: "mật (bảo vệ chính trị nội bộ)",
}

# The navigation of base.html: (label, path, roles that see it; None = everyone signed in).
NAV: list[tuple[str, str, frozenset[Role] | None]] = [
    ("Tải lên", "/tai-len", None),
    ("Hồ sơ", "/ho-so", None),
    ("Kiểm tra", "/kiem-tra", None),
    ("Tiến độ", "/tien-do", None),
    ("Người dùng", "/nguoi-dung", frozenset({Role.admin})),
]
SIGN_IN_PATH = "/dang-nhap"


class SignInRequired(Exception):
    """An HTML page asked for without a valid session: app.py answers with a redirect to the
    sign-in page (or HX-Redirect for HTMX), coming back to `next_url` afterwards."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def get_settings() -> Settings:
    return runtime().settings


def db_session() -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back on an error."""
    with Session(runtime().engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# scope="function": the commit happens before the response is sent, so a failed commit (an
# audit event that could not be written) is an error the client sees, not a lost record.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _unauthorized(detail: str = "Chưa đăng nhập (not signed in)") -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})


def optional_user(request: Request, session: DbSession) -> User | None:
    """The signed-in user, or None; remembered on request.state for the templates."""
    user = session_user(request, session, get_settings())
    request.state.user = user
    return user


def current_user(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The signed-in user; a page without one redirects to the sign-in page, the API says 401."""
    if user is None:
        if _is_api(request):
            raise _unauthorized()
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return user


# Declared for the API documentation (its "Authorize" button); the header is read below.
_bearer = HTTPBearer(auto_error=False, description="Mã truy cập (`hoso tokens add USER --name OMS`)")


def api_user(request: Request, session: DbSession,
             _: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None) -> User:
    """The caller of the API: `Authorization: Bearer <token>` (another system), else the
    session cookie (the pages' own fetches). A request with a token never falls back to the
    cookie, which is why token calls need no CSRF token."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        user = user_for_token(session, token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise _unauthorized("Mã truy cập không hợp lệ hoặc đã bị thu hồi (invalid or revoked token)")
        request.state.user, request.state.via_token = user, True
        return user
    user = session_user(request, session, get_settings())
    if user is None:
        raise _unauthorized()
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]
ApiUser = Annotated[User, Depends(api_user)]


def require_role(*roles: Role) -> Callable[..., User]:
    """A dependency that lets only these roles through (403 otherwise)."""
    allowed = frozenset(roles)

    def check(request: Request, session: DbSession) -> User:
        user = api_user(request, session) if _is_api(request) else \
            current_user(request, optional_user(request, session))
        if user.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail="Bạn không có quyền dùng chức năng này (not allowed for your role)")
        return user

    return check


def user_scope(session: DbSession, user: CurrentUser) -> Scope:
    return scope_of(session, user)


def api_scope(session: DbSession, user: ApiUser) -> Scope:
    return scope_of(session, user)


UserScope = Annotated[Scope, Depends(user_scope)]
ApiScope = Annotated[Scope, Depends(api_scope)]


async def csrf_protect(request: Request) -> None:
    """Every state-changing request made with the session cookie carries the session's CSRF
    token: the form field `csrf_token` or the header X-CSRF-Token. API calls with a token are
    exempt (a cross-site page cannot add an Authorization header). Applied to the whole app."""
    if request.method in SAFE_METHODS:
        return
    if _is_api(request) and request.headers.get("authorization"):
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        kind = request.headers.get("content-type", "")
        if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached: the route's own Form() fields read it again
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not csrf_matches(request, sent):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="Yêu cầu không hợp lệ: thiếu hoặc sai mã bảo vệ (CSRF). "
                                   "Hãy tải lại trang rồi thử lại.")


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message shown once on the next page (kind: ok, warn, error)."""
    request.session.setdefault("flash", []).append([kind, message])
    request.session["flash"] = request.session["flash"]  # mark the session changed


def _page_context(request: Request) -> dict:
    user = getattr(request.state, "user", None)
    nav = [(label, path) for label, path, roles in NAV
           if user is not None and (roles is None or user.role in roles)]
    return {"user": user, "csrf_token": csrf_token(request), "nav": nav,
            "flashes": request.session.pop("flash", []) if "flash" in request.session else []}


templates = Jinja2Templates(directory=WEB / "templates", context_processors=[_page_context])
templates.env.globals.update(
    ROLE_VI=ROLE_VI, FIELD_STATUS_VI=FIELD_STATUS_VI, DOCUMENT_STATUS_VI=DOCUMENT_STATUS_VI,
    REJECT_LABELS_VI=REJECT_LABELS_VI, PROGRESS_STATE_VI=PROGRESS_STATE_VI,
    SECURITY_CLASS_VI=SECURITY_CLASS_VI, Role=Role, FieldStatus=FieldStatus,
    DocumentStatus=DocumentStatus, SIGN_IN_PATH=SIGN_IN_PATH,
)
