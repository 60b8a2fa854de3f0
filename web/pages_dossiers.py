"""Hồ sơ: the dossiers a person may see, filtered by unit and stage, searched by what was read
in them (storage.search: diacritics optional), a page at a time; and one dossier's record."""

from __future__ import annotations

from math import ceil
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from flows.records import dossier_record
from schemas.models import Document, Unit
from schemas.status import AuditAction
from storage.audit import record
from storage.search import STATUS_FILTERS, search_dossiers
from web.api import dossier_in_scope
from web.deps import CurrentUser, DbSession, UserScope, templates
from web.pages_shared import (
    STAGE_VI,
    STATUS_FILTER_VI,
    document_type_vi,
    document_types,
    label_of,
    table_title,
    unit_options,
)

router = APIRouter(include_in_schema=False)
PER_PAGE = 25


@router.get("/ho-so")
def dossiers_page(request: Request, session: DbSession, user: CurrentUser, scope: UserScope,
                  q: str = "", don_vi: str = "", tinh_trang: str = "", trang: int = 1) -> Response:
    """The list; an HTMX request (the filters changed) gets the results part only."""
    options = unit_options(session, scope)
    unit_id = int(don_vi) if don_vi.isdigit() and scope.reaches_unit(int(don_vi)) else None
    status = tinh_trang if tinh_trang in STATUS_FILTERS else None
    trang = max(trang, 1)
    result = search_dossiers(session, scope, q.strip() or None, unit_id=unit_id, status=status,
                             limit=PER_PAGE, offset=(trang - 1) * PER_PAGE)
    if q.strip():
        record(session, scope.actor, AuditAction.search, "dossier", "", unit_id, query=q.strip(),
               status=status or "", results=result.total, via="web")
    params = {k: v for k, v in (("q", q.strip()), ("don_vi", unit_id or ""),
                                ("tinh_trang", status or "")) if v}
    pages = max(ceil(result.total / PER_PAGE), 1)
    context = {"title": "Hồ sơ", "result": result, "q": q.strip(), "unit_id": unit_id, "status": status,
               "units": options, "statuses": STATUS_FILTER_VI, "stage_vi": STAGE_VI, "page": trang,
               "pages": pages, "query": urlencode(params), "per_page": PER_PAGE}
    name = "dossiers_results.html" if request.headers.get("hx-request") else "dossiers.html"
    return templates.TemplateResponse(request, name, context)


@router.get("/ho-so/{dossier_id}")
def dossier_page(request: Request, session: DbSession, user: CurrentUser, scope: UserScope,
                 dossier_id: int) -> Response:
    dossier = dossier_in_scope(session, scope, dossier_id)  # 404 outside the scope, as unknown
    record(session, scope.actor, AuditAction.view, "dossier", dossier.id, dossier.unit_id)
    data = dossier_record(session, dossier)
    documents = list(session.exec(select(Document).where(Document.dossier_id == dossier.id)
                                  .order_by(col(Document.created_at), col(Document.id))))
    unit = session.get(Unit, dossier.unit_id)
    records = []
    for part in data["records"]:
        rows = [{"label": label_of(part["layout"], key), "value": value, **part["review"].get(key, {})}
                for key, value in part["fields"].items()]
        tables = {table_title(part["layout"], k): len(v) for k, v in part["tables"].items()}
        records.append({"title": document_type_vi(part["document_type"]), "rows": rows, "tables": tables})
    return templates.TemplateResponse(request, "dossier.html", {
        "title": f"Hồ sơ {dossier.code or dossier.id}", "dossier": dossier, "data": data, "unit": unit,
        "documents": documents, "records": records,
        "kinds": document_types(session, [d.id for d in documents])})  # type: ignore[misc]
