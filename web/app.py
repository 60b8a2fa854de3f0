"""The clerks' web application and the HTTP API: `create_app()` builds it (`hoso web` serves it).

Pages (Vietnamese paths):
    /dang-nhap, /dang-xuat        sign in, sign out (web/pages_auth.py)
    /nguoi-dung                   users and API tokens, admins only (web/pages_auth.py)
    /tai-len                      upload scans (web/pages_upload.py)
    /ho-so, /ho-so/{id}           dossiers: list, search, one dossier (web/pages_dossiers.py)
    /van-ban/{id}                 one document
    /kiem-tra                     review queue
    /tien-do                      progress dashboard; "/" leads there
API: /api/v1/… (web/api.py), its documentation at /api/docs.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from flows.runtime import runtime, use_settings
from schemas.settings import Settings
from storage.db import upgrade
from web import (
    api,
    pages_auth,
    pages_dashboard,
    pages_documents,
    pages_dossiers,
    pages_review,
    pages_upload,
)
from web.auth import SESSION_COOKIE, secret_key
from web.deps import SIGN_IN_PATH, WEB, SignInRequired, csrf_protect, templates

TITLE = "Số hóa hồ sơ cán bộ"
API_DESCRIPTION = """API của hệ thống số hóa hồ sơ cán bộ, công chức, viên chức (hoso).
The HTTP API of hoso: dossiers, documents, extracted fields and their review, progress.

**Xác thực (authentication)**: `Authorization: Bearer <mã truy cập>` — a token made by an
administrator with `hoso tokens add USERNAME --name "OMS"`; the token acts as its user, with the
user's role and units. Pages of the web application may call it with their session cookie (then
state-changing calls carry the header `X-CSRF-Token`).

**Phạm vi (scope)**: every answer is limited to what the user may see: a clerk reaches only their
unit and its sub-units; only the security role reaches restricted dossiers. An id outside the
scope answers 404, exactly like an id that does not exist.
"""

# Responses that carry personal data are never kept by browsers or proxies; pages may not be
# framed; nothing is loaded from elsewhere (the application runs on a closed network).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                               "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for these settings (default: the process's, from HOSO_* variables).
    The database is created or upgraded first."""
    rt = use_settings(settings) if settings is not None else runtime()
    upgrade(rt.engine)
    app = FastAPI(title=TITLE, description=API_DESCRIPTION, version="1",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  dependencies=[Depends(csrf_protect)])
    app.add_middleware(SessionMiddleware, secret_key=secret_key(rt.settings),
                       session_cookie=SESSION_COOKIE,
                       max_age=max(int(rt.settings.web_session_hours * 3600), 60),
                       same_site="lax", https_only=rt.settings.secure_cookies)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    _add_error_pages(app)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:  # Swagger UI from our own static files: no CDN at runtime
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title=f"{TITLE} — API",
                                   swagger_js_url="/static/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    app.include_router(pages_auth.router)
    app.include_router(api.router)
    # ---- Pages (web/pages_*.py): one include_router line per module, below this line. ----
    app.include_router(pages_upload.router)
    app.include_router(pages_dossiers.router)
    app.include_router(pages_documents.router)
    app.include_router(pages_review.router)
    app.include_router(pages_dashboard.router)

    # ---- end of pages ----
    return app


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        target = f"{SIGN_IN_PATH}?next={quote(exc.next_url, safe='')}"
        if request.headers.get("hx-request"):  # HTMX swaps content: send the whole page away
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(("/api/", "/static/")) or \
                "text/html" not in request.headers.get("accept", "text/html"):
            return await http_exception_handler(request, exc)
        title = {403: "Không có quyền truy cập", 404: "Không tìm thấy",
                 405: "Thao tác không hợp lệ"}.get(exc.status_code, "Có lỗi xảy ra")
        return templates.TemplateResponse(
            request, "error.html", {"title": title, "detail": exc.detail, "code": exc.status_code},
            status_code=exc.status_code, headers=getattr(exc, "headers", None))
