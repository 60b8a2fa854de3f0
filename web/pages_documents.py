"""Văn bản: one document's page image beside the values read from it; each value's box lights
up on the page when the value is pointed at or focused. Downloads of the original and of the
searchable PDF (each an audit `download` event)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from schemas.models import Dossier, FieldValue, Unit
from schemas.status import AuditAction
from storage.audit import record
from storage.fields import corrections_of
from web.api import document_in_scope, object_response
from web.deps import CurrentUser, DbSession, UserScope, templates
from web.pages_shared import PAGE_WIDTH, box_style, document_types, field_label, page_png, pages_by_number

router = APIRouter(include_in_schema=False)


@router.get("/van-ban/{document_id}")
def document_page(request: Request, session: DbSession, user: CurrentUser, scope: UserScope,
                  document_id: int, trang: int = 1) -> Response:
    document = document_in_scope(session, scope, document_id)  # 404 outside the scope
    record(session, scope.actor, AuditAction.view, "document", document.id, document.unit_id)
    pages = pages_by_number(session, document_id)
    number = trang if trang in pages else (min(pages) if pages else 1)
    fields = list(session.exec(select(FieldValue).where(FieldValue.document_id == document_id)
                               .order_by(col(FieldValue.part), col(FieldValue.row).is_not(None),
                                         col(FieldValue.row), col(FieldValue.id))))
    latest = corrections_of(session, [f.id for f in fields])  # type: ignore[misc]
    rows = [{"id": f.id, "label": field_label(f), "value": latest[f.id].value if f.id in latest else f.value,
             "raw": f.raw, "status": f.status, "confidence": f.confidence, "page": f.page,
             "table": f.row is not None, "box": box_style(f, pages.get(f.page)) if f.page else None,
             "corrected_by": latest[f.id].corrected_by if f.id in latest else None}
            for f in fields]
    dossier = session.get(Dossier, document.dossier_id) if document.dossier_id else None
    unit = session.get(Unit, document.unit_id) if document.unit_id else None
    return templates.TemplateResponse(request, "document.html", {
        "title": f"Văn bản {document.id}", "document": document, "dossier": dossier, "unit": unit,
        "pages": sorted(pages), "number": number, "page": pages.get(number), "width": PAGE_WIDTH,
        "scalars": [r for r in rows if not r["table"]], "cells": [r for r in rows if r["table"]],
        "on_page": [r for r in rows if r["page"] == number and r["box"]],
        "doc_type": document_types(session, [document_id])[document_id]})


@router.get("/van-ban/{document_id}/trang/{number}.png")
def page_image(session: DbSession, user: CurrentUser, scope: UserScope, document_id: int, number: int,
               rong: int = PAGE_WIDTH) -> Response:
    """A page of the searchable PDF as a PNG image (the viewing itself is audited by the page)."""
    document = document_in_scope(session, scope, document_id)
    return Response(page_png(document, number, rong), media_type="image/png",
                    headers={"Cache-Control": "private, no-store"})


@router.get("/van-ban/{document_id}/ban-goc")
def download_original(session: DbSession, user: CurrentUser, scope: UserScope, document_id: int) -> Response:
    return object_response(session, user, document_in_scope(session, scope, document_id), "original",
                           download=True)


@router.get("/van-ban/{document_id}/pdf")
def download_searchable(session: DbSession, user: CurrentUser, scope: UserScope,
                        document_id: int) -> Response:
    return object_response(session, user, document_in_scope(session, scope, document_id), "searchable",
                           download=True)
