"""The HTTP API through each role and across the unit boundary, on SQLite and PostgreSQL: a
clerk of Đức Trọng lists, opens, downloads, searches, counts and reviews only Đức Trọng's
dossiers (and its commune's), never Di Linh's; only the security role reaches a restricted
dossier; an id out of scope answers exactly as an unknown one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select
from webdata import COMMUNE, USERS, WebData, build, sign_in

from flows.runtime import runtime
from schemas.models import AuditEvent, FieldCorrection, User
from schemas.settings import Settings
from schemas.status import AuditAction
from storage.audit import verify_chain
from storage.db import session_scope
from storage.users import create_token, revoke_token
from web.app import create_app

# What each user's list holds: the clerks their unit and below, only security the restricted one.
VISIBLE = {
    "lan": {"DT-0001", "DT-0002"},
    "hoa": {"DL-0001"},
    "kiem": {"DT-0001", "DT-0002", "DL-0001"},
    "quantri": {"DT-0001", "DT-0002", "DL-0001"},
    "baove": {"DT-0001", "DT-0002", "DT-0003", "DL-0001"},
}
ALL = {"DT-0001", "DT-0002", "DT-0003", "DL-0001"}


@dataclass
class Api:
    client: TestClient
    data: WebData
    tokens: dict[str, str]  # username -> bearer token
    token_ids: dict[str, int]

    def get(self, who: str, path: str, **params: object):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", params=params,  # type: ignore[arg-type]
                               headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def post(self, who: str, path: str, body: dict):  # type: ignore[no-untyped-def]
        return self.client.post(f"/api/v1{path}", json=body,
                                headers={"Authorization": f"Bearer {self.tokens[who]}"})


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    data = build(settings)
    tokens, ids = {}, {}
    with session_scope(runtime().engine) as session:
        for username, *_ in USERS:
            user = session.exec(select(User).where(User.username == username)).one()
            row, tokens[username] = create_token(session, user, "test")
            ids[username] = row.id
    with TestClient(app) as client:
        yield Api(client, data, tokens, ids)


def _events(action: AuditAction) -> list[AuditEvent]:
    with session_scope(runtime().engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))))


def test_each_role_lists_counts_and_opens_only_its_dossiers(api: Api) -> None:
    ids = api.data.dossiers
    for who, visible in VISIBLE.items():
        listed = api.get(who, "/dossiers").json()
        assert {d["code"] for d in listed["items"]} == visible, who
        assert listed["total"] == len(visible), who
        for code in ALL:
            answer = api.get(who, f"/dossiers/{ids[code]}")
            assert answer.status_code == (200 if code in visible else 404), (who, code)
    record = api.get("baove", f"/dossiers/{ids['DT-0003']}").json()
    assert record["dossier"]["code"] == "DT-0003" and record["cadre"]["ho_va_ten"] == "Phạm Văn Mật"
    assert record["records"][0]["fields"]["ho_va_ten"] == "Phạm Văn Mật"
    # Out of scope and unknown are told apart by nothing, not even the message.
    unknown = api.get("lan", "/dossiers/999999")
    other = api.get("lan", f"/dossiers/{ids['DL-0001']}")
    assert unknown.status_code == other.status_code == 404 and unknown.json() == other.json()
    views = _events(AuditAction.view)
    assert {(e.actor, e.object_id) for e in views} >= {("baove", str(ids["DT-0003"]))}


def test_unit_filter_stays_inside_the_scope(api: Api) -> None:
    def codes(who: str, unit: str) -> set[str]:
        return {d["code"] for d in api.get(who, "/dossiers", unit=unit).json()["items"]}

    assert codes("lan", "HU-DILINH") == set()
    assert codes("lan", "HU-DUCTRONG") == {"DT-0001", "DT-0002"}
    assert codes("lan", COMMUNE) == {"DT-0002"}
    assert codes("lan", "TU-LAMDONG") == {"DT-0001", "DT-0002"}  # the province, cut to Đức Trọng
    assert codes("kiem", "HU-DILINH") == {"DL-0001"}
    assert codes("baove", "HU-DUCTRONG") == {"DT-0001", "DT-0002", "DT-0003"}
    assert api.get("lan", "/dossiers", unit="NO-SUCH").json()["total"] == 0


def test_search_never_reaches_past_the_scope(api: Api) -> None:
    def found(who: str, q: str) -> set[str]:
        return {d["code"] for d in api.get(who, "/dossiers", q=q).json()["items"]}

    assert found("hoa", "le van cuong") == {"DL-0001"}  # without diacritics
    assert found("lan", "Lê Văn Cường") == set()  # Di Linh's person, from Đức Trọng
    assert found("lan", "068082005555") == set()  # nor by their CCCD
    assert found("lan", "Nguyễn Văn An") == {"DT-0001"}
    assert found("kiem", "Phạm Văn Mật") == set()  # restricted: not even as a count
    assert api.get("kiem", "/dossiers", q="Phạm Văn Mật").json()["total"] == 0
    assert found("baove", "pham van mat") == {"DT-0003"}
    searches = _events(AuditAction.search)
    assert searches and all("068082005555" not in str(e.detail) for e in searches)  # ID masked


def test_documents_and_downloads_follow_the_scope(api: Api) -> None:
    docs = api.data.documents
    answer = api.get("lan", f"/documents/{docs['DT-0002']}")
    assert answer.status_code == 200
    assert answer.json()["unit"] == COMMUNE and answer.json()["searchable_pdf"] is True
    original = api.get("lan", f"/documents/{docs['DT-0002']}/original", download="true")
    assert original.status_code == 200 and original.content == api.data.originals["DT-0002"]
    assert original.headers["content-type"] == "application/pdf"
    assert original.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")
    pdf = api.get("lan", f"/documents/{docs['DT-0001']}/searchable.pdf")
    assert pdf.status_code == 200 and pdf.content == api.data.pdfs["DT-0001"]
    for path in ("", "/original", "/searchable.pdf"):
        assert api.get("lan", f"/documents/{docs['DL-0001']}{path}").status_code == 404
        assert api.get("lan", f"/documents/{docs['DT-0003']}{path}").status_code == 404
        assert api.get("kiem", f"/documents/{docs['DT-0003']}{path}").status_code == 404
    assert api.get("baove", f"/documents/{docs['DT-0003']}/original").content == api.data.originals["DT-0003"]
    downloads = _events(AuditAction.download)
    assert [(e.actor, e.object_id, e.detail["file"]) for e in downloads] == [
        ("lan", str(docs["DT-0002"]), "original"), ("lan", str(docs["DT-0001"]), "searchable"),
        ("baove", str(docs["DT-0003"]), "original")]


def test_review_queue_and_review_follow_the_scope(api: Api) -> None:
    fields = api.data.fields
    queue = {f["id"] for f in api.get("lan", "/fields", status="needs_review").json()["items"]}
    assert queue == {fields["DT-0001"], fields["DT-0002"]}
    assert {f["id"] for f in api.get("hoa", "/fields", status="needs_review").json()["items"]} == \
        {fields["DL-0001"]}
    assert api.get("baove", "/fields", status="needs_review").json()["total"] == 4
    assert api.get("lan", "/fields", unit="HU-DILINH").json()["total"] == 0

    assert api.post("lan", f"/fields/{fields['DL-0001']}/review", {"value": "X"}).status_code == 404
    assert api.post("kiem", f"/fields/{fields['DT-0003']}/review", {}).status_code == 404
    assert api.post("lan", f"/fields/{fields['DT-0001']}/review", {"value": "  "}).status_code == 422
    assert api.get("lan", "/dossiers", q="nguyen van anh").json()["total"] == 0
    fixed = api.post("lan", f"/fields/{fields['DT-0001']}/review", {"value": "Nguyễn Văn Ánh"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["status"] == "corrected" and fixed.json()["value"] == "Nguyễn Văn Ánh"
    assert fixed.json()["machine_value"] == "Nguyễn Văn An" and fixed.json()["corrected_by"] == "lan"
    assert {d["code"] for d in api.get("lan", "/dossiers", q="nguyen van anh").json()["items"]} == \
        {"DT-0001"}  # the corrected value is what search finds
    confirmed = api.post("baove", f"/fields/{fields['DT-0003']}/review", {})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    with session_scope(runtime().engine) as session:
        corrections = session.exec(select(FieldCorrection).order_by(col(FieldCorrection.id))).all()
    assert [(c.field_value_id, c.corrected_by) for c in corrections] == [
        (fields["DT-0001"], "lan"), (fields["DT-0003"], "baove")]
    events = _events(AuditAction.correction)
    assert [(e.actor, e.object_id) for e in events] == [
        ("lan", str(fields["DT-0001"])), ("baove", str(fields["DT-0003"]))]


def test_progress_counts_only_the_units_in_scope(api: Api) -> None:
    clerk = api.get("lan", "/progress").json()
    assert clerk["province"] is None
    assert {u["code"] for u in clerk["units"]} == {"HU-DUCTRONG", COMMUNE}
    whole = api.get("kiem", "/progress").json()
    assert whole["province"]["code"] == "TU-LAMDONG" and whole["province"]["received"] == 4
    rows = {u["code"]: u for u in whole["units"]}
    # The same figures as `hoso report`, for the units the clerk reaches.
    assert {u["code"]: u["received"] for u in clerk["units"]} == \
        {code: rows[code]["received"] for code in ("HU-DUCTRONG", COMMUNE)}
    assert rows["HU-DILINH"]["received"] == 1
    assert {u["code"] for u in api.get("hoa", "/progress").json()["units"]} == {"HU-DILINH"}


def test_tokens_authenticate_and_revoked_ones_do_not(api: Api) -> None:
    assert api.client.get("/api/v1/dossiers").status_code == 401
    bad = api.client.get("/api/v1/dossiers", headers={"Authorization": "Bearer hoso_wrong"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    assert api.get("hoa", "/dossiers").status_code == 200
    with session_scope(runtime().engine) as session:
        revoke_token(session, api.token_ids["hoa"])
    assert api.get("hoa", "/dossiers").status_code == 401
    # A token of a disabled user stops working too.
    with session_scope(runtime().engine) as session:
        user = session.exec(select(User).where(User.username == "lan")).one()
        user.active = False
        session.add(user)
    assert api.get("lan", "/dossiers").status_code == 401
    # A token call needs no CSRF token: no cookie is used for it.
    field = api.data.fields["DL-0001"]
    assert api.post("kiem", f"/fields/{field}/review", {}).status_code == 200


def test_pages_session_reaches_the_api_with_the_same_scope(api: Api) -> None:
    """A signed-in page calls the API with its cookie: same scope; a change needs the CSRF header."""
    client = TestClient(api.client.app)
    csrf = sign_in(client, "hoa")
    assert {d["code"] for d in client.get("/api/v1/dossiers").json()["items"]} == {"DL-0001"}
    assert client.get(f"/api/v1/dossiers/{api.data.dossiers['DT-0001']}").status_code == 404
    path = f"/api/v1/fields/{api.data.fields['DL-0001']}/review"
    assert client.post(path, json={}).status_code == 403
    assert client.post(path, json={}, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post(path, json={}, headers={"X-CSRF-Token": csrf}).status_code == 200
    with session_scope(runtime().engine) as session:
        assert verify_chain(session)[1] == []
