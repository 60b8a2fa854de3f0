"""What several clerk pages share: the units a person may choose, labels of fields and stages,
and page images (rendered from the searchable PDF, boxes as shares of the page)."""

from __future__ import annotations

import io
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import pypdfium2 as pdfium
from fastapi import HTTPException
from sqlmodel import Session, col, select

from flows.runtime import runtime
from schemas.catalog import layouts
from schemas.models import Document, FieldValue, Page, Unit
from schemas.status import DocumentStatus, TextSource
from storage.access import Scope
from storage.objects import ObjectStoreError
from web.deps import templates

DOC_TYPE_VI = {
    "so_yeu_ly_lich": "Sơ yếu lý lịch", "quyet_dinh": "Quyết định", "van_bang": "Văn bằng",
    "giay_khai_sinh": "Giấy khai sinh", "phieu_bo_sung_ly_lich": "Phiếu bổ sung lý lịch",
    "unknown": "Chưa phân loại", "other": "Văn bản khác",
}
# A dossier's stage (the lowest of its documents not rejected) as the lists show it.
STAGE_VI = {
    DocumentStatus.received: "Đang xử lý", DocumentStatus.text_ready: "Đã số hóa",
    DocumentStatus.extracted: "Đã trích xuất", DocumentStatus.verified: "Đã xác minh",
    DocumentStatus.rejected: "Tệp bị từ chối",
}
STATUS_FILTER_VI = {**{s.value: label for s, label in STAGE_VI.items()},
                    "needs_review": "Có giá trị cần kiểm tra"}

PAGE_WIDTH = 1000  # px of a page image on the document view: sharp enough to read, small to send
MAX_WIDTH = 2000


@dataclass(frozen=True, slots=True)
class UnitOption:
    id: int
    code: str
    name: str
    depth: int


def unit_options(session: Session, scope: Scope) -> list[UnitOption]:
    """The units the scope reaches, in tree order (each under its parent), for a <select>."""
    units = list(session.exec(select(Unit).order_by(col(Unit.code))))
    reach = [u for u in units if scope.reaches_unit(u.id)]
    ids = {u.id for u in reach}
    children: dict[int | None, list[Unit]] = {}
    for unit in reach:  # a unit whose parent is out of reach is a root of this view
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    out: list[UnitOption] = []

    def visit(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            out.append(UnitOption(unit.id, unit.code, unit.name, depth))  # type: ignore[arg-type]
            visit(unit.id, depth + 1)

    visit(None, 0)
    return out


def label_of(layout: str | None, key: str) -> str:
    """An item's label as printed on its form ("1) Họ và tên khai sinh"); the key when the
    catalog does not know it."""
    spec = layouts().get(layout or "")
    found = next((f for f in spec.fields if f.key == key), None) if spec else None
    if found is None:
        return key
    return f"{found.item}) {found.label}" if found.item else found.label


def field_label(field: FieldValue) -> str:
    """A value's label: its item's, or for a table cell its table, row and column."""
    spec = layouts().get(field.layout or "")
    if spec is None or field.row is None:
        return label_of(field.layout, field.key)
    table = next((t for t in spec.tables if t.key == field.key), None)
    if table is None:
        return f"{field.key} / {field.column}"
    column = next((c.header for c in table.columns if c.key == field.column), field.column or "")
    title = table.title[:1] + table.title[1:].lower()
    return f"{table.item}) {title} — dòng {field.row + 1}, {column}"


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def shown_value(value: object) -> str:
    """A value as a clerk reads it: ISO dates as dd/mm/yyyy, nothing as an em dash."""
    if value is None or value == "":
        return "—"
    text = str(value)
    found = _ISO_DATE.fullmatch(text)
    return f"{found[3]}/{found[2]}/{found[1]}" if found else text


templates.env.filters["hien_thi"] = shown_value  # {{ value | hien_thi }} in the clerk pages


def table_title(layout: str | None, key: str) -> str:
    spec = layouts().get(layout or "")
    table = next((t for t in spec.tables if t.key == key), None) if spec else None
    if table is None:
        return key
    return f"{table.item}) {table.title[:1]}{table.title[1:].lower()}"


def document_type_vi(document_type: str | None) -> str:
    return DOC_TYPE_VI.get(document_type or "unknown", document_type or "")


def document_types(session: Session, document_ids: list[int]) -> dict[int, str]:
    """What each document is, as read by extraction (a scanned stack may hold several kinds),
    in Vietnamese; "Văn bản" while nothing was extracted from it."""
    found: dict[int, list[str]] = {i: [] for i in document_ids}
    rows = session.exec(select(FieldValue.document_id, FieldValue.document_type)
                        .where(col(FieldValue.document_id).in_(document_ids)).distinct())
    for doc_id, kind in rows:
        label = document_type_vi(kind)
        if label not in found[doc_id]:
            found[doc_id].append(label)
    return {i: ", ".join(sorted(kinds)) or "Văn bản" for i, kinds in found.items()}


def page_points(page: Page) -> tuple[float, float]:
    """The page's size in PDF points: extraction gives the boxes of items in points (OCR word
    boxes, in pixels at the page's dpi, scaled by 72/dpi); a text layer is in points already."""
    if page.source != TextSource.text_layer and page.dpi:
        return page.width * 72.0 / page.dpi, page.height * 72.0 / page.dpi
    return page.width, page.height


def _shares(field: FieldValue, page: Page) -> tuple[float, float, float, float] | None:
    """The value's box as shares of its page (left, top, right, bottom). Items are boxed in
    points, table cells in the page's own word units (pixels of an OCR'd page), as
    extractors/fields.py and extractors/tables.py write them; a box that cannot fit the page in
    points is taken to be in word units too."""
    if field.x0 is None or not page.width or not page.height:
        return None
    x0, x1 = sorted((field.x0, field.x1 if field.x1 is not None else field.x0))
    y0, y1 = sorted((field.y0 or 0.0, field.y1 or 0.0))
    width, height = page_points(page)
    if field.row is not None or x1 > width * 1.02 or y1 > height * 1.02:
        width, height = page.width, page.height
    return x0 / width, y0 / height, x1 / width, y1 / height


def box_style(field: FieldValue, page: Page | None) -> str | None:
    """The value's box as CSS percentages of its page image (any rendering of the page), or
    None when it has none."""
    box = _shares(field, page) if page is not None else None
    if box is None:
        return None
    x0, y0, x1, y1 = box
    return (f"left:{100 * x0:.2f}%;top:{100 * y0:.2f}%;"
            f"width:{100 * (x1 - x0):.2f}%;height:{100 * (y1 - y0):.2f}%")


# --- page images ------------------------------------------------------------------------------

_PDFIUM = threading.Lock()  # pdfium is not thread-safe; requests are served by several threads
_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_SIZE = 48


def page_png(document: Document, number: int, width: int = PAGE_WIDTH,
             crop: tuple[float, float, float, float] | None = None) -> bytes:
    """Page `number` of the document's searchable PDF as a PNG `width` pixels wide; with
    `crop` (shares of the page: left, top, right, bottom), only that part, at that scale.

    Only the searchable PDF is drawn: it exists once the file was read and found sound, so a
    hostile original is never rendered here."""
    if not document.pdf_key or document.status == DocumentStatus.rejected:
        raise HTTPException(404, "Văn bản chưa có ảnh trang (chưa đọc xong hoặc bị từ chối)")
    if not 1 <= number <= max(document.page_count, 1):
        raise HTTPException(404, "Không có trang này")
    width = max(100, min(width, MAX_WIDTH))
    key = (document.pdf_sha256, number, width, crop)
    with _PDFIUM:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    try:
        data = runtime().store.get_bytes(document.pdf_key, expect_sha256=document.pdf_sha256)
    except ObjectStoreError as exc:
        raise HTTPException(503, f"Không đọc được tệp từ kho lưu trữ: {exc}") from exc
    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise HTTPException(422, f"Không vẽ được trang từ bản PDF của văn bản: {exc}") from exc
        try:
            if number > len(pdf):
                raise HTTPException(404, "Không có trang này")
            page = pdf[number - 1]
            share = (crop[2] - crop[0]) if crop else 1.0
            image = page.render(scale=width / (page.get_width() * share), grayscale=True).to_pil()
            page.close()
        finally:
            pdf.close()
    if crop:
        w, h = image.size
        image = image.crop((int(crop[0] * w), int(crop[1] * h), int(crop[2] * w), int(crop[3] * h)))
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False)
    png = buf.getvalue()
    with _PDFIUM:
        _CACHE[key] = png
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return png


def crop_around(field: FieldValue, page: Page) -> tuple[float, float, float, float] | None:
    """The band of the page around a value: its line across the page (the label is on the
    left) and a line above and below, as shares of the page (left, top, right, bottom)."""
    box = _shares(field, page)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    line = max(y1 - y0, 0.012)
    return (round(max(0.0, min(0.03, x0)), 4), round(max(0.0, y0 - 1.6 * line), 4),
            round(min(1.0, max(0.97, x1)), 4), round(min(1.0, y1 + 1.6 * line), 4))


def box_in_crop(field: FieldValue, page: Page, crop: tuple[float, float, float, float]) -> str | None:
    """The value's box as CSS percentages of the cropped image."""
    box = _shares(field, page)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    w, h = crop[2] - crop[0], crop[3] - crop[1]
    return (f"left:{100 * (x0 - crop[0]) / w:.2f}%;top:{100 * (y0 - crop[1]) / h:.2f}%;"
            f"width:{100 * (x1 - x0) / w:.2f}%;height:{100 * (y1 - y0) / h:.2f}%")


def pages_by_number(session: Session, document_id: int) -> dict[int, Page]:
    return {p.number: p for p in session.exec(select(Page).where(Page.document_id == document_id))}
