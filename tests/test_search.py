"""Full-text search on SQLite and PostgreSQL: diacritics and đ ignored, phrases first, every
result inside the searcher's scope (units, restricted dossiers), the index kept by the flows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from flows.cli import app
from flows.runtime import runtime
from schemas.models import Cadre, Document, Dossier, FieldValue, Unit, User
from schemas.settings import Settings
from schemas.status import DocumentStatus, FieldStatus, Role, SecurityClass
from storage.access import Scope, scope_of
from storage.db import session_scope
from storage.fields import review, save_values
from storage.search import index_fields, index_text, search_dossiers, words

runner = CliRunner()


def _dossier(session: Session, unit: Unit, code: str, name: str, text: str, n: int,
             restricted: bool = False, status: DocumentStatus = DocumentStatus.text_ready) -> int:
    cadre = Cadre(full_name=name, name_key=" ".join(words(name)))
    session.add(cadre)
    session.flush()
    dossier = Dossier(unit_id=unit.id, code=code, cadre_id=cadre.id, title=name,  # type: ignore[arg-type]
                      security_class=SecurityClass.restricted if restricted else SecurityClass.ordinary)
    session.add(dossier)
    session.flush()
    doc = Document(sha256=f"{n:064x}", size=1, source_name=f"{code}.pdf", object_key="k",
                   unit_id=unit.id, dossier_id=dossier.id, status=status)
    session.add(doc)
    session.flush()
    index_text(session, doc.id, text)  # type: ignore[arg-type]
    return dossier.id  # type: ignore[return-value]


@pytest.fixture
def people(settings: Settings) -> dict[str, int]:
    """Two districts; namesakes in both; a restricted dossier; one document with fields."""
    with session_scope(runtime().engine) as session:
        province = Unit(code="TU-LAMDONG", name="Tỉnh ủy Lâm Đồng")
        session.add(province)
        session.flush()
        dt = Unit(code="HU-DUCTRONG", name="Huyện ủy Đức Trọng", parent_id=province.id)
        dl = Unit(code="HU-DILINH", name="Huyện ủy Di Linh", parent_id=province.id)
        session.add_all([dt, dl])
        session.flush()
        commune = Unit(code="X-LIENNGHIA", name="Đảng ủy xã Liên Nghĩa", parent_id=dt.id)
        session.add(commune)
        session.flush()
        ids = {
            "an_dt": _dossier(session, dt, "DT-001", "Nguyễn Văn An",
                              "SƠ YẾU LÝ LỊCH\n1) Họ và tên khai sinh: NGUYỄN VĂN AN\n"
                              "Công tác tại Đức Trọng, an ninh trật tự", 1),
            "an_dl": _dossier(session, dl, "DL-001", "Nguyễn Văn An",
                              "SƠ YẾU LÝ LỊCH\nHọ và tên: NGUYỄN VĂN AN\nDi Linh", 2),
            "dang": _dossier(session, commune, "LN-007", "Đặng Thị Đào",
                             "Họ và tên: ĐẶNG THỊ ĐÀO, quê quán Đà Lạt", 3,
                             status=DocumentStatus.extracted),
            "secret": _dossier(session, dt, "DT-MAT", "Nguyễn Văn An",
                               "Tài liệu bảo vệ chính trị nội bộ: NGUYỄN VĂN AN", 4, restricted=True),
            "other": _dossier(session, dt, "DT-002", "Trần Văn Bình",
                              "Nguyễn Thị Lan, em gái; văn bằng cử nhân; an toàn", 5,
                              status=DocumentStatus.received),
        }
        doc = session.exec(select(Document).where(Document.dossier_id == ids["other"])).one()
        save_values(session, [FieldValue(document_id=doc.id, dossier_id=ids["other"],  # type: ignore[arg-type]
                                         document_type="so_yeu_ly_lich", key="que_quan",
                                         raw="Xã Hiệp Thạnh", value="Xã Hiệp Thạnh", confidence=0.5)],
                    threshold=0.93)
        index_fields(session, [doc.id])  # type: ignore[list-item]
        for name, role, unit in (("lan", Role.clerk, dt), ("hoa", Role.clerk, dl),
                                 ("tuan", Role.admin, None), ("bao", Role.security, None)):
            session.add(User(username=name, password_hash="-", role=role,
                             unit_id=unit.id if unit else None))
        ids.update(DT=dt.id, DL=dl.id)  # type: ignore[arg-type]
        return ids


def _scope(session: Session, username: str) -> Scope:
    return scope_of(session, session.exec(select(User).where(User.username == username)).one())


def _found(session: Session, who: str, q: str, **kw: object) -> set[int]:
    return {h.id for h in search_dossiers(session, _scope(session, who), q, **kw).hits}  # type: ignore[arg-type]


def test_diacritics_case_and_d_are_ignored(people: dict[str, int]) -> None:
    with session_scope(runtime().engine) as session:
        assert _found(session, "tuan", "nguyen van an") == {people["an_dt"], people["an_dl"]}
        assert _found(session, "tuan", "NGUYỄN VĂN AN") == {people["an_dt"], people["an_dl"]}
        assert _found(session, "tuan", "dang thi dao") == {people["dang"]}  # Đ -> d
        assert _found(session, "tuan", "Đặng Thị Đào") == {people["dang"]}
        assert _found(session, "tuan", "da lat") == {people["dang"]}
        assert _found(session, "tuan", "dt-001") == {people["an_dt"]}  # the code
        assert _found(session, "tuan", "hiep thanh") == {people["other"]}  # a field value
        assert _found(session, "tuan", "khong co ai") == set()


def test_a_phrase_first_and_all_the_words_only_when_no_phrase_matches(people: dict[str, int]) -> None:
    with session_scope(runtime().engine) as session:
        scope = _scope(session, "tuan")
        # "an" and "van" are everywhere (an ninh, an toàn, văn bằng): the name is a phrase.
        page = search_dossiers(session, scope, "van an")
        assert page.exact and {h.id for h in page.hits} == {people["an_dt"], people["an_dl"]}
        loose = search_dossiers(session, scope, "an nguyen")  # no dossier has these in this order
        assert not loose.exact and people["other"] in {h.id for h in loose.hits}


def test_a_clerk_finds_only_their_units_and_nobody_but_security_finds_restricted(
        people: dict[str, int]) -> None:
    with session_scope(runtime().engine) as session:
        assert _found(session, "lan", "nguyen van an") == {people["an_dt"]}  # not Di Linh's
        assert _found(session, "hoa", "nguyen van an") == {people["an_dl"]}
        assert _found(session, "lan", "dang thi dao") == {people["dang"]}  # a commune below
        assert _found(session, "hoa", "dang thi dao") == set()
        assert _found(session, "lan", "bao ve chinh tri") == set()  # restricted: not even a count
        assert search_dossiers(session, _scope(session, "tuan"), "bao ve chinh tri").total == 0
        assert _found(session, "bao", "bao ve chinh tri") == {people["secret"]}
        assert people["secret"] in _found(session, "bao", "nguyen van an")
        assert search_dossiers(session, _scope(session, "lan"), None).total == 3  # its own, listed
        nobody = Scope(actor="x", role=Role.clerk, unit_ids=frozenset())
        assert search_dossiers(session, nobody, "nguyen van an").total == 0


def test_filters_by_unit_and_stage(people: dict[str, int]) -> None:
    with session_scope(runtime().engine) as session:
        assert _found(session, "tuan", "", unit_id=people["DT"]) == \
            {people["an_dt"], people["dang"], people["other"]}  # the district and its commune
        assert _found(session, "tuan", "nguyen van an", unit_id=people["DL"]) == {people["an_dl"]}
        assert _found(session, "lan", "", unit_id=people["DL"]) == set()  # out of scope
        assert _found(session, "tuan", "", status="extracted") == {people["dang"]}
        assert _found(session, "tuan", "", status="received") == {people["other"]}
        assert _found(session, "tuan", "", status="needs_review") == {people["other"]}
        page = search_dossiers(session, _scope(session, "tuan"), "", limit=2, offset=2)
        assert page.total == 4 and len(page.hits) == 2
        hit = search_dossiers(session, _scope(session, "tuan"), "tran van binh").hits[0]
        assert hit.needs_review == 1 and hit.stage == DocumentStatus.received and hit.documents == 1


def test_a_correction_is_found_once_reindexed_and_the_cli_searches_as_a_user(
        people: dict[str, int], settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with session_scope(runtime().engine) as session:
        field = session.exec(select(FieldValue).where(FieldValue.key == "que_quan")).one()
        review(session, field.id, "lan", "Xã Tân Hội")  # type: ignore[arg-type]
        index_fields(session, [field.document_id])
        assert field.status == FieldStatus.corrected
        assert _found(session, "tuan", "tan hoi") == {people["other"]}
        assert _found(session, "tuan", "hiep thanh") == set()
    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    data = ["--data-dir", str(settings.data_dir)]
    out = runner.invoke(app, ["search", "nguyen", "van", "an", "--as", "lan", "--json", *data])
    assert out.exit_code == 0, out.output
    assert [d["id"] for d in json.loads(out.output)["dossiers"]] == [people["an_dt"]]
    shown = runner.invoke(app, ["search", "Nguyễn Văn An", *data])  # the operator: no restricted
    assert shown.exit_code == 0 and "DL-001" in shown.output and "DT-MAT" not in shown.output
    bad = runner.invoke(app, ["search", "an", "--status", "lost", *data])
    assert bad.exit_code == 2


@pytest.fixture(scope="module")
def born_digital_cv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from samples.people import make_person
    from samples.render import cv_pages
    from samples.writers import text_pdf

    person = make_person("search-1")
    path = tmp_path_factory.mktemp("cv") / "so-yeu-ly-lich.pdf"
    text_pdf(cv_pages(person), path, "Sơ yếu lý lịch")
    return path, person.full_name


def test_the_flows_keep_the_index_and_reindex_rebuilds_it(
        settings: Settings, prefect_harness: None, born_digital_cv: tuple[Path, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.extract import extract
    from flows.intake import intake
    from flows.process import process

    path, name = born_digital_cv
    intake([str(path)], "HU-DUCTRONG", "Huyện ủy Đức Trọng")  # no dossier code: found by the name
    assert process() == {"text_ready": 1}
    operator = Scope.operator()
    with session_scope(runtime().engine) as session:
        assert search_dossiers(session, operator, name).total == 0  # the text, but no dossier yet
    extract()
    with session_scope(runtime().engine) as session:
        page = search_dossiers(session, operator, " ".join(words(name)))
        assert page.total == 1 and page.hits[0].cadre_name == name and page.exact
        assert search_dossiers(session, operator, "so yeu ly lich").total == 1  # the page text
    with session_scope(runtime().engine) as session:
        from sqlalchemy import text

        session.execute(text("DELETE FROM search_index"))
    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    rebuilt = runner.invoke(app, ["search", "reindex", "--data-dir", str(settings.data_dir)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 tài liệu" in rebuilt.output
    with session_scope(runtime().engine) as session:
        assert search_dossiers(session, operator, name).total == 1
