"""Test data for the web application and the API, built directly with the models: the Lâm Đồng
tree, dossiers at Đức Trọng (one at a commune below it, one restricted) and at Di Linh, a
document each with small objects in the store, a value waiting for review each, and one user
of every role. No OCR: what is tested is who sees what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from extractors.spreadsheet import read_table
from flows.runtime import runtime
from schemas.imports import UnitRow, validate_rows
from schemas.models import Cadre, Document, Dossier, FieldValue, Unit, User
from schemas.settings import Settings
from schemas.status import DocumentStatus, FieldStatus, FileKind, Role, SecurityClass
from storage.db import session_scope
from storage.objects import derived_key
from storage.search import index_dossier
from storage.units import LAM_DONG_2022, import_units
from storage.users import hash_password

PASSWORD = "mat-khau-thu-nghiem"  # every test user's
COMMUNE = "XA-LIENNGHIA"  # a commune under Huyện ủy Đức Trọng


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 once per test session


@dataclass
class WebData:
    units: dict[str, int] = field(default_factory=dict)  # code -> id
    dossiers: dict[str, int] = field(default_factory=dict)  # code -> id
    documents: dict[str, int] = field(default_factory=dict)  # dossier code -> its document's id
    fields: dict[str, int] = field(default_factory=dict)  # dossier code -> its field value's id
    originals: dict[str, bytes] = field(default_factory=dict)  # dossier code -> original bytes
    pdfs: dict[str, bytes] = field(default_factory=dict)  # dossier code -> searchable PDF bytes


# code, unit, name, cccd, security class
DOSSIERS = [
    ("DT-0001", "HU-DUCTRONG", "Nguyễn Văn An", "068078001234", SecurityClass.ordinary),
    ("DT-0002", COMMUNE, "Trần Thị Bình", "068180004321", SecurityClass.ordinary),
    ("DT-0003", "HU-DUCTRONG", "Phạm Văn Mật", "068075009999", SecurityClass.restricted),
    ("DL-0001", "HU-DILINH", "Lê Văn Cường", "068082005555", SecurityClass.ordinary),
]
# username, role, unit (None: the whole province), active
USERS = [
    ("lan", Role.clerk, "HU-DUCTRONG", True),
    ("hoa", Role.clerk, "HU-DILINH", True),
    ("kiem", Role.reviewer, None, True),
    ("quantri", Role.admin, None, True),
    ("baove", Role.security, None, True),
    ("nghi", Role.clerk, "HU-DUCTRONG", False),
]


def build(settings: Settings) -> WebData:
    """The data above in the settings' database and object store."""
    store = runtime().store
    data = WebData()
    with session_scope(runtime().engine) as session:
        rows, problems = validate_rows(UnitRow, read_table(LAM_DONG_2022), str(LAM_DONG_2022))
        assert not problems, problems
        import_units(session, rows, str(LAM_DONG_2022))
        units = {u.code: u for u in session.exec(select(Unit))}
        commune = Unit(code=COMMUNE, name="Đảng ủy xã Liên Nghĩa", parent_id=units["HU-DUCTRONG"].id)
        session.add(commune)
        session.flush()
        units[COMMUNE] = commune
        data.units = {code: u.id for code, u in units.items()}  # type: ignore[misc]
        for code, unit, name, cccd, klass in DOSSIERS:
            cadre = Cadre(full_name=name, name_key=_fold(name), cccd=cccd)
            session.add(cadre)
            session.flush()
            dossier = Dossier(unit_id=units[unit].id, code=code, cadre_id=cadre.id, title=name,  # type: ignore[arg-type]
                              security_class=klass)
            session.add(dossier)
            session.flush()
            original = f"%PDF-1.4 original of {code}\n".encode()
            stored, _ = store.put_original(original)
            document = Document(sha256=stored.sha256, size=stored.size,
                                source_name=f"{code}/so-yeu-ly-lich.pdf",
                                object_key=stored.key, kind=FileKind.pdf, doc_type="so_yeu_ly_lich",
                                status=DocumentStatus.extracted, page_count=1, unit_id=units[unit].id,
                                dossier_id=dossier.id)
            session.add(document)
            session.flush()
            pdf = f"%PDF-1.4 searchable {code}\n".encode()
            put = store.put_bytes(derived_key(document.id, "searchable.pdf"), pdf, "application/pdf")  # type: ignore[arg-type]
            document.pdf_key, document.pdf_sha256 = put.key, put.sha256
            value = FieldValue(document_id=document.id, dossier_id=dossier.id, document_type="so_yeu_ly_lich",  # type: ignore[arg-type]
                               layout="2c_bnv_2008", key="ho_va_ten", raw=name.upper(), value=name,
                               confidence=0.5, page=1, status=FieldStatus.needs_review)
            session.add_all([document, value])
            session.flush()
            data.dossiers[code], data.documents[code], data.fields[code] = dossier.id, document.id, value.id  # type: ignore[assignment]
            data.originals[code], data.pdfs[code] = original, pdf
        for username, role, unit, active in USERS:
            session.add(User(username=username, full_name=username.title(), password_hash=password_hash(),
                             role=role, unit_id=units[unit].id if unit else None, active=active))
        _index(session, list(data.dossiers.values()))
    return data


def _fold(name: str) -> str:
    from schemas.vietnamese import fold

    return " ".join(fold(name).split())


def _index(session: Session, dossier_ids: list[int]) -> None:
    """The search index of the dossiers' names (code, person, CCCD)."""
    for dossier_id in dossier_ids:
        index_dossier(session, dossier_id)


def csrf_of(client: TestClient, path: str = "/dang-nhap") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF field on " + path
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    token = csrf_of(client)
    answer = client.post("/dang-nhap", data={"username": username, "password": password,
                                             "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return meta_csrf(client)


def meta_csrf(client: TestClient) -> str:
    """The CSRF token base.html gives a signed-in page's scripts (any page will do: a 404)."""
    page = client.get("/trang-khong-co", headers={"accept": "text/html"})
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found, page.text
    return found.group(1)
