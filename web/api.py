"""The HTTP API (/api/v1): dossiers, documents, extracted fields and their review, progress.

Every query goes through storage.access with the caller's scope, and an id the scope does not
reach answers 404 exactly like an unknown one, so the API never reveals that it exists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.progress import progress_report
from flows.records import dossier_record
from flows.runtime import runtime
from schemas.models import Document, Dossier, FieldValue, Unit, User
from schemas.progress import UnitProgress
from schemas.status import (
    FIELD_STATUS_VI,
    AuditAction,
    FieldStatus,
    FileKind,
    Role,
)
from storage.access import Scope, dossier_clause, field_clause, units_under
from storage.audit import record
from storage.fields import ReviewError, corrections_of, review
from storage.objects import ObjectStoreError
from storage.search import search_dossiers
from web.deps import DOCUMENT_STATUS_VI, ApiScope, ApiUser, DbSession

router = APIRouter(prefix="/api/v1", tags=["API"])
# Who may review a field: every role, within its scope. The scope is the real boundary (a
# clerk reaches only their units), and only the security role reaches restricted dossiers,
# so it must be able to review theirs.
REVIEW_ROLES = frozenset(Role)
MEDIA_TYPES = {FileKind.pdf: "application/pdf", FileKind.tiff: "image/tiff",
               FileKind.jpeg: "image/jpeg", FileKind.png: "image/png"}

NOT_FOUND = {404: {"description": "Không có, hoặc ngoài phạm vi được xem (unknown, or outside "
                                  "the caller's scope: the two are not told apart)"}}


# ---- Response models ----

class DossierSummary(BaseModel):
    id: int
    code: str | None = Field(description="Mã hồ sơ giấy (the paper dossier's code)")
    unit: str = Field(description="Mã đơn vị (unit code)")
    unit_name: str
    title: str = ""
    cadre_name: str | None = Field(None, description="Họ và tên (the person's name)")
    stage: str | None = Field(None, description="Lowest status of its documents not rejected; "
                              "'rejected' when all were; null without documents")
    documents: int = 0
    needs_review: int = Field(0, description="Giá trị cần kiểm tra (values waiting for review)")


class DossierList(BaseModel):
    total: int = Field(description="Số hồ sơ khớp (dossiers matching, within the scope)")
    limit: int
    offset: int
    items: list[DossierSummary]


class DossierRef(BaseModel):
    id: int
    code: str | None
    unit: str | None
    unit_name: str | None


class CadreRef(BaseModel):
    id: int
    ho_va_ten: str
    so_cccd: str | None
    ngay_sinh: str | None
    gioi_tinh: str | None


class DocumentRef(BaseModel):
    id: int
    source_name: str
    status: str
    pages: int


class FieldReview(BaseModel):
    id: int
    status: str
    confidence: float
    raw: str
    document_id: int
    page: int | None
    box: list[float] | None
    problems: list[str]
    corrected_by: str | None = None
    corrected_at: str | None = None


class RecordPart(BaseModel):
    document_type: str
    layout: str | None
    fields: dict[str, str | None]
    tables: dict[str, list[dict[str, str | None]]]
    review: dict[str, FieldReview] = {}


class DossierRecord(BaseModel):
    """Bản ghi hồ sơ (a dossier's record): its person, documents and every field's current
    value; the same JSON as `hoso show --json`."""

    dossier: DossierRef
    cadre: CadreRef | None
    documents: list[DocumentRef]
    records: list[RecordPart]


class DocumentOut(BaseModel):
    id: int
    dossier_id: int | None
    unit: str | None
    source_name: str
    kind: str | None
    doc_type: str
    status: str
    status_vi: str
    reject_code: str | None
    reject_reason: str | None
    page_count: int
    size: int
    sha256: str
    searchable_pdf: bool = Field(description="A searchable PDF can be downloaded")
    created_at: datetime


class FieldOut(BaseModel):
    id: int
    document_id: int
    dossier_id: int | None
    document_type: str
    layout: str | None
    key: str
    row: int | None
    column: str | None
    raw: str = Field(description="Văn bản đọc được (the text as read)")
    machine_value: str | None = Field(description="Giá trị máy đọc (the machine's reading)")
    value: str | None = Field(description="Giá trị hiện tại (the latest correction, else the reading)")
    confidence: float
    page: int | None
    box: list[float] | None
    problems: list[str]
    status: str
    status_vi: str
    corrected_by: str | None = None


class FieldList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[FieldOut]


class ReviewIn(BaseModel):
    value: str | None = Field(None, description="Giá trị đúng; bỏ trống để xác nhận giá trị máy đọc "
                              "(the right value; leave out to confirm the reading)")
    note: str = Field("", max_length=1000, description="Ghi chú (note)")


class UnitProgressOut(BaseModel):
    code: str
    name: str
    level: int
    parent_code: str | None
    bloc: str | None
    inventoried: int | None = Field(description="Hồ sơ giấy (paper dossiers); null: unknown")
    received: int
    electronic: int = Field(description="Đã số hóa (dossiers made electronic)")
    extracted: int
    verified: int
    documents: int
    rejected: int
    failed: int
    unassigned: int
    per_day: float
    percent: float | None
    remaining: int | None
    deadline: date
    forecast: date | None
    state: str
    units_without_inventory: int


class ProgressOut(BaseModel):
    as_of: date
    deadline: date
    window_days: int
    province: UnitProgressOut | None = Field(description="The province's totals; only for callers "
                                             "who reach every unit")
    units: list[UnitProgressOut]


# ---- Helpers the pages use too ----

def dossier_in_scope(session: Session, scope: Scope, dossier_id: int) -> Dossier:
    dossier = session.exec(select(Dossier).where(Dossier.id == dossier_id, dossier_clause(scope))).first()
    if dossier is None:
        raise HTTPException(404, "Không tìm thấy hồ sơ (no such dossier)")
    return dossier


def document_in_scope(session: Session, scope: Scope, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None or not scope.reaches_document(session, document):
        raise HTTPException(404, "Không tìm thấy văn bản (no such document)")
    return document


def object_response(session: Session, user: User, document: Document, which: str,
                    download: bool = False) -> Response:
    """The original file or the searchable PDF of a document, checked against its sha256, with
    a `download` audit event written before it is sent."""
    if which == "original":
        key, sha, media = document.object_key, document.sha256, MEDIA_TYPES.get(
            document.kind, "application/octet-stream")  # type: ignore[arg-type]
        name = document.source_name.rsplit("/", 1)[-1] or f"van-ban-{document.id}"
    else:
        if not document.pdf_key:
            raise HTTPException(404, "Văn bản này chưa có bản PDF tìm kiếm được (no searchable PDF yet)")
        key, sha, media = document.pdf_key, document.pdf_sha256, "application/pdf"
        stem = document.source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or f"van-ban-{document.id}"
        name = f"{stem}.pdf"
    try:
        data = runtime().store.get_bytes(key, expect_sha256=sha)
    except ObjectStoreError as exc:
        raise HTTPException(503, f"Không đọc được tệp từ kho lưu trữ (cannot read the stored file): "
                                 f"{exc}") from exc
    record(session, user.username, AuditAction.download, "document", document.id,
           unit_id=document.unit_id, file=which, dossier_id=document.dossier_id)
    session.commit()  # the event is kept before a byte leaves
    disposition = "attachment" if download else "inline"
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
        "X-Content-SHA256": sha or ""})


def _unit_ids(session: Session, scope: Scope, unit: str | None) -> frozenset[int] | None:
    """The units a `unit` filter names (with their sub-units), within the scope; None: no filter."""
    if not unit:
        return None
    found = session.exec(select(Unit).where(Unit.code == unit)).first()
    if found is None:
        return frozenset()
    ids = units_under(session, found.id)  # type: ignore[arg-type]
    return ids if scope.unit_ids is None else ids & scope.unit_ids


# ---- Dossiers ----

@router.get("/dossiers", response_model=DossierList,
            summary="Danh sách hồ sơ, lọc và tìm kiếm (list, filter and search dossiers)")
def list_dossiers(
    session: DbSession, scope: ApiScope,
    unit: Annotated[str | None, Query(description="Mã đơn vị, gồm cả đơn vị cấp dưới "
                                                  "(unit code, with its sub-units)")] = None,
    status: Annotated[str | None, Query(description="Giai đoạn (stage): received, text_ready, "
                                                    "extracted, verified, rejected, needs_review")] = None,
    q: Annotated[str | None, Query(description="Tìm theo mã, họ tên, CCCD, nội dung; không dấu cũng "
                                               "được (code, name, CCCD, text; diacritics optional)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DossierList:
    unit_ids = _unit_ids(session, scope, unit)
    if unit_ids is not None and not unit_ids:
        return DossierList(total=0, limit=limit, offset=offset, items=[])
    narrowed = scope if unit_ids is None else Scope(scope.actor, scope.role, unit_ids, scope.user_id)
    try:
        page = search_dossiers(session, narrowed, q=q, status=status, limit=limit, offset=offset)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    items = [DossierSummary(id=h.id, code=h.code, unit=h.unit_code, unit_name=h.unit_name, title=h.title,
                            cadre_name=h.cadre_name, stage=h.stage.value if h.stage else None,
                            documents=h.documents, needs_review=h.needs_review) for h in page.hits]
    total = page.total
    if q:
        record(session, scope.actor, AuditAction.search, "dossier", "", query=q, unit=unit or "",
               status=status or "", results=total)
    return DossierList(total=total, limit=limit, offset=offset, items=items)


@router.get("/dossiers/{dossier_id}", response_model=DossierRecord, responses=NOT_FOUND,
            summary="Bản ghi một hồ sơ (one dossier's record)")
def get_dossier(dossier_id: int, session: DbSession, scope: ApiScope) -> Any:
    dossier = dossier_in_scope(session, scope, dossier_id)
    record(session, scope.actor, AuditAction.view, "dossier", dossier.id, unit_id=dossier.unit_id)
    return dossier_record(session, dossier)


# ---- Documents ----

@router.get("/documents/{document_id}", response_model=DocumentOut, responses=NOT_FOUND,
            summary="Thông tin một văn bản (one document)")
def get_document(document_id: int, session: DbSession, scope: ApiScope) -> DocumentOut:
    document = document_in_scope(session, scope, document_id)
    unit = session.get(Unit, document.unit_id) if document.unit_id else None
    record(session, scope.actor, AuditAction.view, "document", document.id, unit_id=document.unit_id)
    return DocumentOut(
        id=document.id, dossier_id=document.dossier_id, unit=unit.code if unit else None,  # type: ignore[arg-type]
        source_name=document.source_name, kind=document.kind.value if document.kind else None,
        doc_type=document.doc_type, status=document.status.value,
        status_vi=DOCUMENT_STATUS_VI[document.status], reject_code=document.reject_code,
        reject_reason=document.reject_reason, page_count=document.page_count, size=document.size,
        sha256=document.sha256, searchable_pdf=bool(document.pdf_key), created_at=document.created_at)


@router.get("/documents/{document_id}/original", responses=NOT_FOUND,
            summary="Tải tệp gốc (the original file, as handed in)")
def get_original(document_id: int, session: DbSession, scope: ApiScope, user: ApiUser,
                 download: bool = False) -> Response:
    return object_response(session, user, document_in_scope(session, scope, document_id),
                           "original", download)


@router.get("/documents/{document_id}/searchable.pdf", responses=NOT_FOUND,
            summary="Tải bản PDF tìm kiếm được (the searchable PDF)")
def get_searchable_pdf(document_id: int, session: DbSession, scope: ApiScope, user: ApiUser,
                       download: bool = False) -> Response:
    return object_response(session, user, document_in_scope(session, scope, document_id),
                           "searchable", download)


# ---- Fields and review ----

def _field_out(field: FieldValue, correction) -> FieldOut:  # type: ignore[no-untyped-def]
    return FieldOut(
        id=field.id, document_id=field.document_id, dossier_id=field.dossier_id,  # type: ignore[arg-type]
        document_type=field.document_type, layout=field.layout, key=field.key, row=field.row,
        column=field.column, raw=field.raw, machine_value=field.value,
        value=correction.value if correction is not None else field.value,
        confidence=round(field.confidence, 3), page=field.page,
        box=None if field.x0 is None else [field.x0, field.y0, field.x1, field.y1],  # type: ignore[list-item]
        problems=field.problems or [], status=field.status.value,
        status_vi=FIELD_STATUS_VI[field.status],
        corrected_by=correction.corrected_by if correction is not None else None)


@router.get("/fields", response_model=FieldList,
            summary="Giá trị trích xuất, ví dụ hàng chờ kiểm tra (extracted values, e.g. the review queue)")
def list_fields(
    session: DbSession, scope: ApiScope,
    status: Annotated[FieldStatus | None, Query(description="needs_review: hàng chờ kiểm tra "
                                                            "(the review queue), least sure first")] = None,
    unit: Annotated[str | None, Query(description="Mã đơn vị, gồm cấp dưới "
                                                  "(unit code, with sub-units)")] = None,
    dossier_id: int | None = None,
    document_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> FieldList:
    query = select(FieldValue).where(field_clause(scope))
    if status is not None:
        query = query.where(FieldValue.status == status)
    unit_ids = _unit_ids(session, scope, unit)
    if unit_ids is not None:
        query = query.where(col(FieldValue.document_id).in_(
            select(Document.id).where(col(Document.unit_id).in_(sorted(unit_ids)))))
    if dossier_id is not None:
        query = query.where(FieldValue.dossier_id == dossier_id)
    if document_id is not None:
        query = query.where(FieldValue.document_id == document_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    order = (col(FieldValue.confidence), col(FieldValue.id)) if status == FieldStatus.needs_review \
        else (col(FieldValue.document_id), col(FieldValue.part), col(FieldValue.row), col(FieldValue.id))
    fields = list(session.exec(query.order_by(*order).limit(limit).offset(offset)))
    latest = corrections_of(session, [f.id for f in fields])  # type: ignore[misc]
    return FieldList(total=total, limit=limit, offset=offset,
                     items=[_field_out(f, latest.get(f.id)) for f in fields])  # type: ignore[arg-type]


@router.post("/fields/{field_id}/review", response_model=FieldOut, responses=NOT_FOUND,
             summary="Xác nhận hoặc sửa một giá trị (confirm or correct a value)",
             description="Không có `value`: xác nhận giá trị máy đọc. Có `value`: sửa (lưu thành bản "
                         "sửa mới, giá trị máy đọc được giữ nguyên). Without `value` the reading is "
                         "confirmed; with it, a correction is appended (the reading is kept). Any "
                         "role may review the values its scope reaches.")
def review_field(field_id: int, body: ReviewIn, request: Request, session: DbSession,
                 scope: ApiScope, user: ApiUser) -> FieldOut:
    if user.role not in REVIEW_ROLES:
        raise HTTPException(403, "Bạn không có quyền kiểm tra giá trị (not allowed for your role)")
    reached = select(FieldValue.id).where(FieldValue.id == field_id, field_clause(scope))
    if session.exec(reached).first() is None:
        raise HTTPException(404, "Không tìm thấy giá trị (no such field value)")
    try:
        field = review(session, field_id, by=user.username, value=body.value, note=body.note, scope=scope)
    except ReviewError as exc:
        raise HTTPException(422, str(exc)) from exc
    return _field_out(field, corrections_of(session, [field_id]).get(field_id))


# ---- Progress ----

def _progress_out(row: UnitProgress) -> UnitProgressOut:
    return UnitProgressOut(**{**row.as_dict(), "remaining": row.remaining})


@router.get("/progress", response_model=ProgressOut,
            summary="Tiến độ số hóa theo đơn vị (progress per unit, as `hoso report`)")
def get_progress(
    session: DbSession, scope: ApiScope,
    as_of: Annotated[date | None, Query(description="Ngày tính (as of); default today")] = None,
    units_on: Annotated[date | None, Query(description="Cây đơn vị tại ngày (units as they stood "
                                                       "on); default min(as_of, deadline)")] = None,
) -> ProgressOut:
    report = progress_report(session, runtime().settings, as_of=as_of, units_on=units_on)
    if scope.unit_ids is None:
        rows, province = report.units, report.province
    else:
        codes = set(session.exec(select(Unit.code).where(col(Unit.id).in_(sorted(scope.unit_ids)))))
        rows, province = [r for r in report.units if r.code in codes], None
    return ProgressOut(as_of=report.as_of, deadline=report.deadline, window_days=report.window_days,
                       province=_progress_out(province) if province is not None else None,
                       units=[_progress_out(r) for r in rows])
