"""A dossier's record as plain data: its person, documents, and every field's current value
(the latest correction, else the machine's reading), with tables as lists of rows. What
`hoso show` prints and `hoso export` writes; keys are the catalog's snake_case names."""

from __future__ import annotations

import io
from pathlib import Path

from sqlmodel import Session, col, select

from schemas.catalog import layouts
from schemas.models import Cadre, Document, Dossier, FieldValue, Unit
from storage.access import Scope, find_scoped_dossier, scoped_dossiers
from storage.fields import corrections_of, values_of_dossier

# The columns of the unit's XLSX of cadres: CV keys with their Vietnamese titles.
SUMMARY_COLUMNS = (
    ("ho_va_ten", "Họ và tên"), ("ngay_sinh", "Ngày sinh"), ("gioi_tinh", "Giới tính"),
    ("so_cccd", "Số CCCD/CMND"), ("dan_toc", "Dân tộc"), ("ton_giao", "Tôn giáo"),
    ("que_quan", "Quê quán"), ("chuc_vu_hien_tai", "Chức vụ hiện tại"),
    ("ngay_vao_dang", "Ngày vào Đảng"), ("chuyen_mon_cao_nhat", "Trình độ chuyên môn"),
    ("ly_luan_chinh_tri", "Lý luận chính trị"),
)


def find_dossier(session: Session, ref: str, unit: str | None = None, *, scope: Scope) -> Dossier | None:
    """A dossier by its id, or by its paper code (within a unit when codes repeat), among those
    the scope reaches: one it does not reach is not found, exactly as an unknown one."""
    if ref.isdigit():
        found = find_scoped_dossier(session, scope, int(ref))
        if found is not None:
            return found
    query = scoped_dossiers(scope).where(Dossier.code == ref)
    if unit:
        query = query.join(Unit, col(Unit.id) == Dossier.unit_id).where(Unit.code == unit)
    return session.exec(query).first()


def dossier_record(session: Session, dossier: Dossier, with_review: bool = True) -> dict:
    values = values_of_dossier(session, dossier.id)  # type: ignore[arg-type]
    latest = corrections_of(session, [v.id for v in values])  # type: ignore[misc]
    unit = session.get(Unit, dossier.unit_id)
    cadre = session.get(Cadre, dossier.cadre_id) if dossier.cadre_id else None
    documents = session.exec(select(Document).where(Document.dossier_id == dossier.id)
                             .order_by(col(Document.id))).all()
    parts: dict[int, dict] = {}
    for value in values:
        part = parts.setdefault(value.part, {"document_type": value.document_type, "layout": value.layout,
                                             "fields": {}, "tables": {}, "review": {}})
        current = latest[value.id].value if value.id in latest else value.value  # type: ignore[index]
        if value.row is None:
            part["fields"][value.key] = current
            if with_review:
                part["review"][value.key] = _review(value, latest.get(value.id))  # type: ignore[arg-type]
        else:
            rows = part["tables"].setdefault(value.key, [])
            while len(rows) <= value.row:
                rows.append({})
            rows[value.row][value.column or ""] = current
    for part in parts.values():
        part["fields"] = _in_catalog_order(part["layout"], part["fields"])
    return {
        "dossier": {"id": dossier.id, "code": dossier.code, "unit": unit.code if unit else None,
                    "unit_name": unit.name if unit else None},
        "cadre": None if cadre is None else {
            "id": cadre.id, "ho_va_ten": cadre.full_name, "so_cccd": cadre.cccd,
            "ngay_sinh": cadre.birth_date.isoformat() if cadre.birth_date else None,
            "gioi_tinh": cadre.gender},
        "documents": [{"id": d.id, "source_name": d.source_name, "status": d.status.value,
                       "pages": d.page_count} for d in documents],
        "records": [parts[k] for k in sorted(parts)],
    }


def _review(value: FieldValue, correction) -> dict:  # type: ignore[no-untyped-def]
    row = {"id": value.id, "status": value.status.value, "confidence": round(value.confidence, 3),
           "raw": value.raw, "document_id": value.document_id, "page": value.page,
           "box": None if value.x0 is None else [value.x0, value.y0, value.x1, value.y1],
           "problems": value.problems}
    if correction is not None:
        row["corrected_by"] = correction.corrected_by
        row["corrected_at"] = correction.corrected_at.isoformat()
    return row


def _in_catalog_order(layout: str | None, fields: dict) -> dict:
    spec = layouts().get(layout or "")
    if spec is None:
        return fields
    order = {f.key: i for i, f in enumerate(spec.fields)}
    return dict(sorted(fields.items(), key=lambda kv: order.get(kv[0], len(order))))


def unit_dossiers(session: Session, unit_code: str) -> list[Dossier]:
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        return []
    return list(session.exec(select(Dossier).where(Dossier.unit_id == unit.id).order_by(col(Dossier.id))))


def cadres_xlsx(records: list[dict]) -> bytes:
    """One row per dossier: its code and the main facts of its CV."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Cán bộ"
    sheet.append(["Mã hồ sơ", "Đơn vị", *(title for _, title in SUMMARY_COLUMNS), "Số văn bản"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        cv = next((r["fields"] for r in record["records"] if r["document_type"] == "so_yeu_ly_lich"), {})
        sheet.append([record["dossier"]["code"] or record["dossier"]["id"], record["dossier"]["unit"],
                      *(cv.get(key) for key, _ in SUMMARY_COLUMNS), len(record["documents"])])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(
            12, min(40, max(len(str(c.value or "")) for c in column) + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_name(record: dict) -> str:
    code = record["dossier"]["code"] or f"id-{record['dossier']['id']}"
    return f"ho-so-{Path(str(code)).name}.json"
