"""People, review and records on SQLite and PostgreSQL: corrections are appended, never written
over the machine's reading; a person is found by CCCD or by name and birth date."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from flows.records import dossier_record
from flows.runtime import runtime
from schemas.models import Document, Dossier, FieldCorrection, FieldValue, Unit
from schemas.settings import Settings
from schemas.status import FieldStatus
from storage.db import session_scope
from storage.fields import ReviewError, link_cadre, review, review_queue, save_values


def test_a_person_is_found_by_cccd_else_by_name_and_birth(settings: Settings) -> None:
    with session_scope(runtime().engine) as session:
        first = link_cadre(session, "068094034561", "Vũ Xuân Quang", date(1994, 2, 8), "Nam")
        assert first.created and first.cadre is not None
        again = link_cadre(session, "068094034561", "VŨ XUÂN QUANG", date(1994, 2, 8), "Nam")
        assert again.cadre.id == first.cadre.id and not again.created  # type: ignore[union-attr]
        by_name = link_cadre(session, None, "Vu Xuan Quang", date(1994, 2, 8), None)  # no diacritics
        assert by_name.cadre.id == first.cadre.id  # type: ignore[union-attr]
        slip = link_cadre(session, None, "Vũ Xuân Quanq", date(1994, 2, 8), None)  # an OCR slip
        assert slip.cadre.id == first.cadre.id  # type: ignore[union-attr]
        other_day = link_cadre(session, None, "Vũ Xuân Quang", date(1990, 1, 1), None)
        assert other_day.created  # a namesake born another day is another person
        clash = link_cadre(session, "068094034561", "Trần Thị Bích", date(1980, 5, 5), "Nữ")
        assert clash.cadre is None and "belongs to Vũ Xuân Quang" in (clash.conflict or "")
        assert link_cadre(session, None, "Vũ Xuân Quang", None, None).cadre is None  # too little


@pytest.fixture
def dossier(settings: Settings) -> int:
    with session_scope(runtime().engine) as session:
        unit = Unit(code="HU-DUCTRONG", name="Huyện ủy Đức Trọng")
        session.add(unit)
        session.flush()
        folder = Dossier(unit_id=unit.id, code="DT-001")  # type: ignore[arg-type]
        session.add(folder)
        session.flush()
        doc = Document(sha256="a" * 64, size=1, source_name="cv.pdf", object_key="k", unit_id=unit.id,
                       dossier_id=folder.id)
        session.add(doc)
        session.flush()
        common = {"document_id": doc.id, "dossier_id": folder.id, "document_type": "so_yeu_ly_lich",
                  "layout": "2c_bnv_2008", "page": 1}
        save_values(session, [
            FieldValue(key="ngay_sinh", raw="08/02/1994", value="1994-02-08", confidence=0.97, **common),
            FieldValue(key="ho_va_ten", raw="NGUYÊN VĂN AN", value="Nguyên Văn An", confidence=0.62,
                       problems=["'NGUYÊN' is not a known name syllable"], **common),
            FieldValue(key="dan_toc", raw="Kỉnh", value="Kinh", confidence=0.8, **common),
            FieldValue(key="dao_tao", row=0, column="ten_truong", raw="Học viện Hành chính",
                       value="Học viện Hành chính", confidence=0.95, **common),
        ], threshold=0.9)
        return folder.id  # type: ignore[return-value]


def test_review_queue_least_sure_first_and_corrections_append(dossier: int) -> None:
    with session_scope(runtime().engine) as session:
        queue = review_queue(session)
        assert [v.key for v in queue] == ["ho_va_ten", "dan_toc"]  # the sure ones were accepted
        name_id, ethnic_id = queue[0].id, queue[1].id
        review(session, name_id, "Lan", "Nguyễn Văn Ân")  # type: ignore[arg-type]
        review(session, name_id, "Hùng", "Nguyễn Văn An", note="checked the birth certificate")  # type: ignore[arg-type]
        review(session, ethnic_id, "Lan")  # type: ignore[arg-type]
        with pytest.raises(ReviewError):
            review(session, 999999, "Lan", "x")
        with pytest.raises(ReviewError):
            review(session, name_id, " ", "x")  # type: ignore[arg-type]
    with session_scope(runtime().engine) as session:
        machine = session.get(FieldValue, name_id)
        assert machine.value == "Nguyên Văn An" and machine.raw == "NGUYÊN VĂN AN"  # kept as read
        assert machine.status is FieldStatus.corrected
        trail = session.exec(select(FieldCorrection).where(FieldCorrection.field_value_id == name_id)).all()
        assert [(c.value, c.corrected_by) for c in trail] == [("Nguyễn Văn Ân", "Lan"),
                                                              ("Nguyễn Văn An", "Hùng")]
        assert session.get(FieldValue, ethnic_id).status is FieldStatus.confirmed
        assert review_queue(session) == []
        record = dossier_record(session, session.get(Dossier, dossier))  # type: ignore[arg-type]
    (cv,) = record["records"]
    assert cv["fields"] == {"ho_va_ten": "Nguyễn Văn An", "ngay_sinh": "1994-02-08", "dan_toc": "Kinh"}
    assert cv["tables"] == {"dao_tao": [{"ten_truong": "Học viện Hành chính"}]}
    assert cv["review"]["ho_va_ten"]["corrected_by"] == "Hùng"
    assert cv["review"]["ngay_sinh"]["status"] == "auto_accepted"
