"""Kiểm tra: values the machine was unsure of, least sure first, each beside the piece of the
page it was read from. From the keyboard: Enter accepts the value as shown (or the value typed
over it), ↑/↓ (or j/k outside the box) move between values. A decision is appended with who and
when (storage.fields.review: a correction never overwrites the machine's reading) and audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import col, func, select

from schemas.models import Cadre, Document, Dossier, FieldValue, Page
from schemas.status import FieldStatus
from storage.access import field_clause, units_under
from storage.fields import ReviewError, corrections_of, review
from web.deps import CurrentUser, DbSession, UserScope, templates
from web.pages_shared import (
    box_in_crop,
    crop_around,
    document_type_vi,
    field_label,
    page_png,
    pages_by_number,
    unit_options,
)

router = APIRouter(include_in_schema=False)
BATCH = 20  # values on one screen
CROP_WIDTH = 900


def _queue(session: DbSession, scope: UserScope, van_ban: int | None, ho_so: int | None,
           don_vi: int | None):  # type: ignore[no-untyped-def]
    query = select(FieldValue).where(FieldValue.status == FieldStatus.needs_review, field_clause(scope))
    if van_ban:
        query = query.where(FieldValue.document_id == van_ban)
    if ho_so:
        query = query.where(FieldValue.dossier_id == ho_so)
    if don_vi and scope.reaches_unit(don_vi):
        query = query.where(col(FieldValue.document_id).in_(
            select(Document.id).where(col(Document.unit_id).in_(sorted(units_under(session, don_vi))))))
    return query


@router.get("/kiem-tra")
def review_page(request: Request, session: DbSession, user: CurrentUser, scope: UserScope,
                van_ban: int | None = None, ho_so: int | None = None, don_vi: str = "") -> Response:
    unit_id = int(don_vi) if don_vi.isdigit() else None  # "" is every unit of the scope
    query = _queue(session, scope, van_ban, ho_so, unit_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    fields = list(session.exec(query.order_by(col(FieldValue.confidence), col(FieldValue.id)).limit(BATCH)))
    items = [_item(session, f) for f in fields]
    return templates.TemplateResponse(request, "review.html", {
        "title": "Kiểm tra giá trị", "items": items, "total": total, "units": unit_options(session, scope),
        "van_ban": van_ban, "ho_so": ho_so, "don_vi": unit_id})


def _item(session: DbSession, field: FieldValue, error: str | None = None) -> dict:
    document = session.get(Document, field.document_id)
    dossier = session.get(Dossier, field.dossier_id) if field.dossier_id else None
    cadre = session.get(Cadre, dossier.cadre_id) if dossier and dossier.cadre_id else None
    page = pages_by_number(session, field.document_id).get(field.page) if field.page else None
    crop = crop_around(field, page) if page is not None and document and document.pdf_key else None
    latest = corrections_of(session, [field.id]).get(field.id)  # type: ignore[list-item]
    return {"id": field.id, "label": field_label(field), "value": field.value or "", "raw": field.raw,
            "confidence": field.confidence, "problems": field.problems or [], "status": field.status,
            "document": document, "dossier": dossier, "cadre": cadre, "page": field.page,
            "doc_type": document_type_vi(field.document_type),
            "crop": crop is not None, "box": box_in_crop(field, page, crop) if crop and page else None,
            "ratio": _ratio(page, crop) if crop and page else None,
            "final": latest.value if latest else None, "by": latest.corrected_by if latest else None,
            "error": error}


def _ratio(page: Page, crop: tuple[float, float, float, float]) -> str:
    """The crop's width / height, so its box sits right before the image has loaded."""
    return f"{page.width * (crop[2] - crop[0]):.0f} / {page.height * (crop[3] - crop[1]):.0f}"


def _field_in_scope(session: DbSession, scope: UserScope, field_id: int) -> FieldValue:
    field = session.exec(select(FieldValue).where(FieldValue.id == field_id, field_clause(scope))).first()
    if field is None:
        raise HTTPException(404, "Không tìm thấy giá trị (no such field value)")
    return field


@router.post("/kiem-tra/{field_id}")
def review_value(request: Request, session: DbSession, user: CurrentUser, scope: UserScope, field_id: int,
                 value: Annotated[str | None, Form()] = None,
                 action: Annotated[str, Form()] = "save") -> Response:
    """Accept (action=accept, or the value unchanged) or correct one value; answers with the
    item as it now stands (HTMX swaps it in place)."""
    field = _field_in_scope(session, scope, field_id)
    if field.status != FieldStatus.needs_review:  # decided meanwhile (another tab, a colleague)
        return templates.TemplateResponse(request, "review_item.html", {"it": _item(session, field)})
    try:
        if action != "accept" and not (value or "").strip():  # (an empty form field arrives as None)
            raise ReviewError("an empty correction")
        review(session, field_id, by=user.username, value=None if action == "accept" else value,
               scope=scope)
    except ReviewError as exc:
        message = ("Giá trị trống: hãy gõ giá trị đúng, hoặc bấm “Đúng” để giữ giá trị máy đọc"
                   if "empty" in str(exc) else str(exc))
        # 200: HTMX swaps in only successful answers, and the clerk must read the message
        return templates.TemplateResponse(request, "review_item.html",
                                          {"it": _item(session, field, error=message)})
    return templates.TemplateResponse(request, "review_item.html", {"it": _item(session, field)})


@router.get("/kiem-tra/{field_id}/anh.png")
def value_image(session: DbSession, user: CurrentUser, scope: UserScope, field_id: int) -> Response:
    """The band of the page around a value."""
    field = _field_in_scope(session, scope, field_id)
    document = session.get(Document, field.document_id)
    page = pages_by_number(session, field.document_id).get(field.page) if field.page else None
    crop = crop_around(field, page) if page is not None else None
    if document is None or page is None or crop is None:
        raise HTTPException(404, "Giá trị này không có vị trí trên trang")
    return Response(page_png(document, page.number, CROP_WIDTH, crop), media_type="image/png",
                    headers={"Cache-Control": "private, no-store"})
