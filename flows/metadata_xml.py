"""The metadata of an electronic dossier and of each of its documents as XML, after the lists of
Thông tư 02/2019/TT-BNV (per hồ sơ: mã hồ sơ, tiêu đề, thời hạn bảo quản, chế độ sử dụng, ngôn
ngữ, thời gian bắt đầu / kết thúc, tổng số văn bản, số lượng trang; per văn bản: mã định danh,
số thứ tự, tên loại, số, ký hiệu, ngày tháng năm, cơ quan ban hành, trích yếu, người ký, ngôn
ngữ, số trang) plus what a bag needs to tie them to its files: the format and sha256 of each
original and searchable PDF, relative to the bag's `data/`.

A văn bản's number and symbol, date, issuer, summary and signer are the fields extraction read
in it (a decision's, a degree's, a birth certificate's, a supplement's: `_ITEMS`); a file holding
a scanned stack is one VanBan naming every type read in it. The circular names no element names,
so they are the metadata's Vietnamese names without diacritics (`MaHoSo`, `TrichYeuNoiDung`, …).
An item the dossier does not tell (thời hạn bảo quản, số lượng tờ, tình trạng vật lý) is left
out rather than guessed.
"""

from __future__ import annotations

import mimetypes
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from schemas.status import SecurityClass

STANDARD = "Thông tư 02/2019/TT-BNV"
LANGUAGE = "Tiếng Việt"

DOCUMENT_TYPE_VI = {
    "so_yeu_ly_lich": "Sơ yếu lý lịch", "quyet_dinh": "Quyết định", "van_bang": "Văn bằng",
    "giay_khai_sinh": "Giấy khai sinh", "phieu_bo_sung_ly_lich": "Phiếu bổ sung lý lịch",
    "other": "Văn bản khác",
}

# Chế độ sử dụng: a personnel dossier holds personal data, so it is never public; internal
# political protection material is secret.
USE_VI = {SecurityClass.ordinary: "Sử dụng có điều kiện (dữ liệu cá nhân)",
          SecurityClass.restricted: "Mật (bảo vệ chính trị nội bộ)"}

MIME = {"pdf": "application/pdf", "tiff": "image/tiff", "jpeg": "image/jpeg", "png": "image/png"}

# Where the metadata items of a văn bản are read, per document type: the extracted fields' keys.
_ITEMS: dict[str, dict[str, str]] = {
    "quyet_dinh": {"number": "so_ky_hieu", "date": "ngay_ban_hanh", "issuer": "co_quan_ban_hanh",
                   "summary": "trich_yeu", "signer": "nguoi_ky"},
    "van_bang": {"number": "so_hieu", "date": "ngay_cap", "issuer": "co_so_cap",
                 "summary": "loai_van_bang"},
    "giay_khai_sinh": {"number": "so", "date": "ngay_dang_ky", "issuer": "noi_dang_ky"},
    "phieu_bo_sung_ly_lich": {"date": "ngay_khai", "issuer": "co_quan_quan_ly",
                              "summary": "noi_dung_bo_sung"},
    "so_yeu_ly_lich": {},
}


@dataclass
class FileMeta:
    path: str  # relative to the bag's data/
    sha256: str
    size: int
    mime: str


@dataclass
class DocumentMeta:
    """One file of the dossier and what extraction read in it."""

    id: int
    source_name: str
    pages: int
    status: str
    original: FileMeta
    searchable: FileMeta | None = None
    # What extraction read in it, in reading order: (document type, current scalar values).
    parts: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    note: str = ""


@dataclass
class DossierMeta:
    code: str
    title: str
    unit_code: str
    unit_name: str
    security_class: SecurityClass
    exported_at: datetime
    software: str
    retention: str | None = None  # thời hạn bảo quản, when known
    documents: list[DocumentMeta] = field(default_factory=list)


def mime_of(kind: str | None, name: str) -> str:
    if kind and kind in MIME:
        return MIME[kind]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def split_number(number: str) -> tuple[str, str]:
    """'603/QĐ-UBND' -> ('603', 'QĐ-UBND'): số and ký hiệu of a document."""
    head, sep, tail = number.partition("/")
    return (head.strip(), tail.strip()) if sep else (number.strip(), "")


def items_of(doc: DocumentMeta) -> dict[str, str]:
    """The văn bản items (number, date, issuer, summary, signer) of the file's first document
    that has any."""
    for doc_type, values in doc.parts:
        found = {item: values[key] for item, key in _ITEMS.get(doc_type, {}).items() if values.get(key)}
        if found:
            return found
    return {}


def _add(parent: ET.Element, tag: str, value: object) -> None:
    """A child element, left out when the value is unknown."""
    if value is None or value == "":
        return
    ET.SubElement(parent, tag).text = str(value)


def _is_date(value: str | None) -> bool:
    return bool(value) and len(value) == 10 and value[4] == "-" and value[7] == "-"  # type: ignore[index]


def metadata_xml(dossier: DossierMeta) -> bytes:
    """The dossier's metadata document (UTF-8, with its declaration)."""
    root = ET.Element("HoSoDienTu", {"chuan": STANDARD, "phanMem": dossier.software,
                                     "thoiGianXuat": dossier.exported_at.isoformat(timespec="seconds")})
    folder = ET.SubElement(root, "HoSo")
    _add(folder, "MaHoSo", dossier.code)
    _add(folder, "TieuDeHoSo", dossier.title)
    _add(folder, "MaDonVi", dossier.unit_code)
    _add(folder, "TenDonVi", dossier.unit_name)
    _add(folder, "ThoiHanBaoQuan", dossier.retention)
    _add(folder, "CheDoSuDung", USE_VI[dossier.security_class])
    _add(folder, "PhanLoaiBaoMat", dossier.security_class.value)
    _add(folder, "NgonNgu", LANGUAGE)
    dates = sorted(d for doc in dossier.documents if _is_date(d := items_of(doc).get("date")))
    _add(folder, "ThoiGianBatDau", dates[0] if dates else None)
    _add(folder, "ThoiGianKetThuc", dates[-1] if dates else None)
    _add(folder, "TongSoVanBan", len(dossier.documents))
    _add(folder, "SoLuongTrang", sum(d.pages for d in dossier.documents))
    for order, doc in enumerate(dossier.documents, start=1):
        folder.append(_document(dossier, order, doc))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _document(dossier: DossierMeta, order: int, doc: DocumentMeta) -> ET.Element:
    element = ET.Element("VanBan", {"id": str(doc.id)})
    _add(element, "MaDinhDanhVanBan", f"{dossier.code}.{order:03d}")
    _add(element, "MaHoSo", dossier.code)
    _add(element, "SoThuTuVanBan", order)
    types = list(dict.fromkeys(t for t, _ in doc.parts)) or ["other"]
    _add(element, "TenLoaiVanBan", "; ".join(DOCUMENT_TYPE_VI.get(t, t) for t in types))
    _add(element, "MaLoaiVanBan", "; ".join(types))
    items = items_of(doc)
    if items.get("number"):
        so, ky_hieu = split_number(items["number"])
        _add(element, "SoVanBan", so)
        _add(element, "KyHieuVanBan", ky_hieu)
    _add(element, "NgayThangNamVanBan", items.get("date"))
    _add(element, "TenCoQuanBanHanh", items.get("issuer"))
    _add(element, "TrichYeuNoiDung", items.get("summary"))
    _add(element, "NguoiKy", items.get("signer"))
    _add(element, "NgonNgu", LANGUAGE)
    _add(element, "SoLuongTrang", doc.pages)
    _add(element, "CheDoSuDung", USE_VI[dossier.security_class])
    _add(element, "TenTepGoc", doc.source_name)
    _add(element, "DinhDang", doc.original.mime)
    _add(element, "TrangThaiXuLy", doc.status)
    _add(element, "GhiChu", doc.note)
    element.append(_file("BanGoc", doc.original))
    if doc.searchable is not None:
        element.append(_file("BanTimKiem", doc.searchable))
    return element


def _file(tag: str, meta: FileMeta) -> ET.Element:
    return ET.Element(tag, {"duongDan": meta.path, "dinhDang": meta.mime, "kichThuoc": str(meta.size),
                            "sha256": meta.sha256})
