"""Restricted dossiers (bảo vệ chính trị nội bộ) and unit scopes, on SQLite and PostgreSQL: through
the storage queries and through the command line, a clerk sees only their unit and the units
below it, and only the security role sees a restricted dossier in any form (record, listing,
review queue, counts), whatever the other roles try."""

from __future__ import annotations

import json

import pytest
from prefect import flow  # noqa: F401  (imported before any CliRunner swaps stderr)
from sqlmodel import Session, select
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_common import EXIT_USAGE
from flows.records import find_dossier
from flows.report import status_report
from flows.runtime import runtime
from schemas.models import AuditEvent, Cadre, Document, Dossier, FieldValue, Unit, User
from schemas.settings import Settings
from schemas.status import AuditAction, Role, SecurityClass
from storage.access import Scope, dossier_rows, scope_of, scoped_dossiers, set_security_class
from storage.db import session_scope
from storage.fields import ReviewError, review, review_queue, save_values

runner = CliRunner()
SECRET = "Trần Mật Vụ"  # the person in the restricted dossier
DOSSIERS = {"A-1": ("HU-A", "Nguyễn Văn An"), "A-2": ("HU-A", SECRET),
            "A1-1": ("XA-A1", "Lê Thị Xuân"), "B-1": ("HU-B", "Phạm Văn Bình")}
USERS = {"clerk_a": (Role.clerk, "HU-A"), "clerk_b": (Role.clerk, "HU-B"),
         "rev": (Role.reviewer, None), "adm": (Role.admin, None), "sec": (Role.security, None)}
SEES = {  # dossier codes each one reaches
    "clerk_a": {"A-1", "A1-1"}, "clerk_b": {"B-1"}, "rev": {"A-1", "A1-1", "B-1"},
    "adm": {"A-1", "A1-1", "B-1"}, "sec": {"A-1", "A-2", "A1-1", "B-1"},
}


@pytest.fixture
def world(settings: Settings) -> dict[str, int]:
    """Tỉnh ủy > HU-A > XA-A1, and HU-B beside HU-A; four dossiers, one restricted; each with a
    document and a name waiting for review. Returns dossier code -> id."""
    ids: dict[str, int] = {}
    with session_scope(runtime().engine) as session:
        top = Unit(code="TU", name="Tỉnh ủy")
        session.add(top)
        session.flush()
        units = {"TU": top}
        for code, parent in (("HU-A", "TU"), ("XA-A1", "HU-A"), ("HU-B", "TU")):
            units[code] = Unit(code=code, name=f"Đơn vị {code}", parent_id=units[parent].id)
            session.add(units[code])
            session.flush()
        for n, (code, (unit, name)) in enumerate(DOSSIERS.items()):
            cadre = Cadre(full_name=name, name_key=name.lower())
            session.add(cadre)
            session.flush()
            dossier = Dossier(unit_id=units[unit].id, code=code, cadre_id=cadre.id, title=name,  # type: ignore[arg-type]
                              security_class=SecurityClass.restricted if name == SECRET
                              else SecurityClass.ordinary)
            session.add(dossier)
            session.flush()
            doc = Document(sha256=f"{n:064d}", size=1, source_name=f"{name}.pdf", object_key=f"originals/{n}",
                           unit_id=units[unit].id, dossier_id=dossier.id, status="extracted")
            session.add(doc)
            session.flush()
            save_values(session, [FieldValue(document_id=doc.id, dossier_id=dossier.id, key="ho_va_ten",  # type: ignore[arg-type]
                                             document_type="so_yeu_ly_lich", layout="2c_bnv_2008", page=1,
                                             raw=name.upper(), value=name, confidence=0.5)], threshold=0.9)
            ids[code] = dossier.id  # type: ignore[assignment]
        for username, (role, unit) in USERS.items():
            session.add(User(username=username, password_hash="-", role=role,
                             unit_id=units[unit].id if unit else None))
    return ids


def _scope(session: Session, username: str) -> Scope:
    return scope_of(session, session.exec(select(User).where(User.username == username)).one())


def _code_of(session: Session, dossier_id: int | None) -> str:
    return session.get(Dossier, dossier_id).code  # type: ignore[union-attr, return-value]


def test_storage_queries_obey_the_scope(world: dict[str, int]) -> None:
    engine = runtime().engine
    for username, expected in SEES.items():
        with session_scope(engine) as session:
            scope = _scope(session, username)
            assert {d.code for d in session.exec(scoped_dossiers(scope))} == expected, username
            assert {r.code for r in dossier_rows(session, scope)} == expected, username
            queue = review_queue(session, 100, scope=scope)
            assert {_code_of(session, v.dossier_id) for v in queue} == expected, username
            for code, dossier_id in world.items():
                by_code = find_dossier(session, code, scope=scope)
                by_id = find_dossier(session, str(dossier_id), scope=scope)
                assert (by_code is not None, by_id is not None) == (code in expected,) * 2, (username, code)
        report = status_report(engine, scope=scope)
        names = {d["source_name"] for d in report["documents"]}
        assert names == {f"{DOSSIERS[c][1]}.pdf" for c in expected}, username
        assert sum(report["counts"].values()) == len(expected)  # counts of what it reaches only
        assert set(report["units"]) == {DOSSIERS[c][0] for c in expected}
    operator = status_report(engine, scope=Scope.operator("root"))
    assert f"{SECRET}.pdf" not in {d["source_name"] for d in operator["documents"]}

    with session_scope(engine) as session:
        secret_field = session.exec(select(FieldValue).where(FieldValue.dossier_id == world["A-2"])).one()
        for username in ("clerk_a", "clerk_b", "rev", "adm"):
            with pytest.raises(ReviewError, match="no field value with id"):
                review(session, secret_field.id, username, "x", scope=_scope(session, username))  # type: ignore[arg-type]
        with pytest.raises(PermissionError):
            set_security_class(session, _scope(session, "adm"), world["A-1"], SecurityClass.restricted)
        # a clerk of a sibling unit cannot review the other unit's value either
        other = session.exec(select(FieldValue).where(FieldValue.dossier_id == world["B-1"])).one()
        with pytest.raises(ReviewError):
            review(session, other.id, "clerk_a", scope=_scope(session, "clerk_a"))  # type: ignore[arg-type]
        review(session, secret_field.id, "sec", scope=_scope(session, "sec"))  # type: ignore[arg-type]


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--data-dir", str(settings.data_dir)])
    return result.exit_code, result.output


def test_the_command_line_obeys_the_scope(world: dict[str, int], settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    with session_scope(runtime().engine) as session:
        fields = {_code_of(session, v.dossier_id): v.id for v in session.exec(select(FieldValue))}
    for username, expected in SEES.items():
        code, out = _cli(settings, "dossiers", "list", "--json", "--as", username)
        assert code == 0, out
        assert {r["code"] for r in json.loads(out)} == expected, username
        code, out = _cli(settings, "status", "--json", "--as", username)
        listed = json.loads(out)
        assert {d["source_name"] for d in listed["documents"]} == {f"{DOSSIERS[c][1]}.pdf" for c in expected}
        assert sum(listed["counts"].values()) == len(expected)
        code, out = _cli(settings, "review", "list", "--as", username)
        assert (SECRET.split()[1] in out) == (username == "sec"), (username, out)
        for dossier in DOSSIERS:
            code, out = _cli(settings, "show", dossier, "--json", "--as", username)
            if dossier in expected:
                assert code == 0 and json.loads(out)["cadre"]["ho_va_ten"] == DOSSIERS[dossier][1]
            else:  # exactly as for a dossier that does not exist
                assert code == EXIT_USAGE
                unknown = _cli(settings, "show", "KHONG-CO", "--json", "--as", username)
                assert (code, out.replace(dossier, "?")) == (unknown[0], unknown[1].replace("KHONG-CO", "?"))
                assert SECRET not in out
        code, out = _cli(settings, "review", "set", str(fields["A-2"]), "X", "--by", username,
                         "--as", username)
        assert (code == 0) == (username == "sec"), (username, out)
        if username != "sec":
            assert "no field value with id" in out
    code, out = _cli(settings, "dossiers", "list", "--json")  # the operator: no restricted dossier
    assert {r["code"] for r in json.loads(out)} == SEES["adm"]


def test_only_the_security_role_restricts(world: dict[str, int], settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    for who in ([], ["--as", "adm"], ["--as", "clerk_a"]):
        code, out = _cli(settings, "dossiers", "restrict", "A-1", *who)
        assert code == EXIT_USAGE and "not allowed" in out, out
    code, out = _cli(settings, "dossiers", "restrict", "A-1", "--as", "sec")
    assert code == 0 and "restricted" in out, out
    for username in ("clerk_a", "adm", "rev"):
        assert _cli(settings, "show", "A-1", "--as", username)[0] == EXIT_USAGE
    code, out = _cli(settings, "dossiers", "list", "--json", "--as", "clerk_a")
    assert {r["code"] for r in json.loads(out)} == {"A1-1"}
    assert _cli(settings, "dossiers", "unrestrict", "A-2", "--as", "sec")[0] == 0
    assert _cli(settings, "dossiers", "unrestrict", "A-1", "--as", "sec")[0] == 0
    code, out = _cli(settings, "show", "A-2", "--as", "clerk_a")
    assert code == 0 and SECRET.split()[0] in out
    assert _cli(settings, "dossiers", "restrict", "KHONG-CO", "--as", "sec")[0] == EXIT_USAGE
    with session_scope(runtime().engine) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    changes = [(e.actor, e.object_id, e.detail["security_class"]["to"]) for e in events
               if e.action == AuditAction.permission_change]
    assert changes == [("sec", str(world["A-1"]), "restricted"), ("sec", str(world["A-2"]), "ordinary"),
                       ("sec", str(world["A-1"]), "ordinary")]
    views = [(e.actor, e.object_id) for e in events if e.action == AuditAction.view]
    assert views == [("clerk_a", str(world["A-2"]))]  # refused views are not views
