"""The clerks' pages through the application (TestClient), on SQLite and PostgreSQL: each shows
only what the signed-in person's scope reaches; state changes need the CSRF token; uploads are
answered at once; review posts append corrections with who and when; downloads are audited."""

from __future__ import annotations

import io
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlmodel import col, select
from webdata import WebData, build, sign_in

from flows.runtime import runtime
from schemas.models import AuditEvent, Batch, Document, FieldCorrection, FieldValue, Page
from schemas.settings import Settings
from schemas.status import AuditAction, FieldStatus, TextSource
from storage.db import session_scope
from storage.objects import derived_key
from web.app import create_app


@pytest.fixture
def site(settings: Settings) -> tuple[FastAPI, WebData]:
    settings.web_process_uploads = False  # no background reading here: the e2e test does it
    return create_app(settings), build(settings)


def _client(app: FastAPI, username: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, sign_in(client, username)


def _events(action: AuditAction) -> list[AuditEvent]:
    with session_scope(runtime().engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))))


def test_dossiers_are_listed_and_searched_within_the_scope(site: tuple[FastAPI, WebData]) -> None:
    app, data = site
    lan, _ = _client(app, "lan")  # clerk of Đức Trọng
    page = lan.get("/ho-so")
    assert page.status_code == 200
    assert "DT-0001" in page.text and "DT-0002" in page.text  # the commune below is hers too
    assert "DT-0003" not in page.text and "DL-0001" not in page.text  # restricted; Di Linh
    assert "2 hồ sơ" in page.text
    found = lan.get("/ho-so", params={"q": "nguyen van an"})
    assert "Nguyễn Văn An" in found.text and "1 hồ sơ khớp" in found.text
    assert "Lê Văn Cường" not in lan.get("/ho-so", params={"q": "le van cuong"}).text
    partial = lan.get("/ho-so", params={"q": "tran thi binh"}, headers={"HX-Request": "true"})
    assert "Trần Thị Bình" in partial.text and "<html" not in partial.text  # HTMX: results only
    narrowed = lan.get("/ho-so", params={"don_vi": data.units["XA-LIENNGHIA"]})
    assert "DT-0002" in narrowed.text and "DT-0001" not in narrowed.text
    outside = lan.get("/ho-so", params={"don_vi": data.units["HU-DILINH"]})  # ignored: not hers
    assert "DL-0001" not in outside.text
    assert [e.detail["query"] for e in _events(AuditAction.search)] == \
        ["nguyen van an", "le van cuong", "tran thi binh"]

    assert lan.get(f"/ho-so/{data.dossiers['DT-0001']}").status_code == 200
    for code in ("DL-0001", "DT-0003"):  # another district's; restricted: as if unknown
        assert lan.get(f"/ho-so/{data.dossiers[code]}").status_code == 404
    baove, _ = _client(app, "baove")
    assert "DT-0003" in baove.get("/ho-so").text
    assert "Phạm Văn Mật" in baove.get(f"/ho-so/{data.dossiers['DT-0003']}").text
    admin, _ = _client(app, "quantri")
    listed = admin.get("/ho-so").text
    assert "DL-0001" in listed and "DT-0003" not in listed


def _real_page(data: WebData) -> tuple[int, int]:
    """Give DT-0001's document a real one-page searchable PDF, its page and a boxed value."""
    image = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(image).rectangle((200, 300, 600, 340), outline=0, width=3)
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=150)
    doc_id = data.documents["DT-0001"]
    put = runtime().store.put_bytes(derived_key(doc_id, "searchable.pdf"), buf.getvalue(), "application/pdf")
    with session_scope(runtime().engine) as session:
        document = session.get(Document, doc_id)
        document.pdf_key, document.pdf_sha256 = put.key, put.sha256  # type: ignore[union-attr]
        session.add(document)
        session.add(Page(document_id=doc_id, number=1, source=TextSource.ocr, width=1240, height=1754,
                         dpi=150, words_key="-", words_sha256="-", text_key="-", text_sha256="-"))
        field = session.get(FieldValue, data.fields["DT-0001"])
        # Value boxes are in points: the pixels of the rectangle at 150 dpi, times 72/150.
        field.x0, field.y0, field.x1, field.y1 = 96, 144, 288, 163.2  # type: ignore[union-attr]
        session.add(field)
    return doc_id, data.fields["DT-0001"]


def test_document_view_page_images_and_audited_downloads(site: tuple[FastAPI, WebData]) -> None:
    app, data = site
    doc_id, field_id = _real_page(data)
    lan, _ = _client(app, "lan")
    view = lan.get(f"/van-ban/{doc_id}")
    assert view.status_code == 200 and f'id="box-{field_id}"' in view.text
    assert "left:16.13%;top:17.10%;width:32.26%;height:2.28%" in view.text  # shares of the page
    png = lan.get(f"/van-ban/{doc_id}/trang/1.png", params={"rong": 500})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size[0] == 500
    crop = lan.get(f"/kiem-tra/{field_id}/anh.png")
    width, height = Image.open(io.BytesIO(crop.content)).size
    assert crop.status_code == 200 and abs(width - 900) <= 2 and height < 200  # a band around the line
    assert lan.get(f"/van-ban/{doc_id}/trang/2.png").status_code == 404
    original = lan.get(f"/van-ban/{doc_id}/ban-goc")
    assert original.content == data.originals["DT-0001"]
    assert "attachment" in original.headers["content-disposition"]
    assert lan.get(f"/van-ban/{doc_id}/pdf").status_code == 200
    assert [e.detail["file"] for e in _events(AuditAction.download)] == ["original", "searchable"]
    assert [e.object_id for e in _events(AuditAction.view) if e.object_type == "document"] == [str(doc_id)]
    other = data.documents["DL-0001"]
    for path in (f"/van-ban/{other}", f"/van-ban/{other}/trang/1.png", f"/van-ban/{other}/ban-goc",
                 f"/kiem-tra/{data.fields['DL-0001']}/anh.png"):
        assert lan.get(path).status_code == 404, path
    assert len(_events(AuditAction.download)) == 2


def test_review_queue_posts_from_the_keyboard_append_corrections(site: tuple[FastAPI, WebData]) -> None:
    app, data = site
    lan, token = _client(app, "lan")
    assert "DT-0001" not in lan.get("/ho-so", params={"q": "nguyen van anh"}).text
    queue = lan.get("/kiem-tra")
    assert queue.status_code == 200 and "2 giá trị cần kiểm tra" in queue.text
    ids = [int(i) for i in re.findall(r'id="gia-tri-(\d+)"', queue.text)]
    assert sorted(ids) == sorted([data.fields["DT-0001"], data.fields["DT-0002"]])
    assert 'hx-post="/kiem-tra/' in queue.text and "review.js" in queue.text
    assert "1 giá trị" in lan.get("/kiem-tra", params={"don_vi": data.units["XA-LIENNGHIA"]}).text
    assert "2 giá trị" in lan.get("/kiem-tra", params={"don_vi": ""}).text  # "every unit of mine"
    assert "2 giá trị" in lan.get("/kiem-tra", params={"don_vi": data.units["HU-DILINH"]}).text  # not hers

    corrected = data.fields["DT-0001"]
    assert lan.post(f"/kiem-tra/{corrected}", data={"value": "Nguyễn Văn Ánh"}).status_code == 403  # no CSRF
    typed = lan.post(f"/kiem-tra/{corrected}", data={"value": "Nguyễn Văn Ánh"},
                     headers={"X-CSRF-Token": token, "HX-Request": "true"})  # type, Enter
    assert typed.status_code == 200 and "Đã sửa thành" in typed.text and "Nguyễn Văn Ánh" in typed.text
    confirmed = data.fields["DT-0002"]
    same = lan.post(f"/kiem-tra/{confirmed}", data={"value": "Trần Thị Bình"},  # Enter on the reading
                    headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert "Đã xác nhận" in same.text
    empty = lan.post(f"/kiem-tra/{data.fields['DT-0001']}", data={"value": " "},
                     headers={"X-CSRF-Token": token})
    assert "Đã sửa thành" in empty.text  # decided already: the answer says how, nothing is added
    assert lan.post(f"/kiem-tra/{data.fields['DL-0001']}", data={"value": "x"},
                    headers={"X-CSRF-Token": token}).status_code == 404  # Di Linh's: not hers
    with session_scope(runtime().engine) as session:
        rows = list(session.exec(select(FieldCorrection).order_by(col(FieldCorrection.id))))
        statuses = {f.id: f.status for f in session.exec(select(FieldValue))}
        machine = session.get(FieldValue, corrected).value  # type: ignore[union-attr]
    assert [(r.field_value_id, r.value, r.corrected_by) for r in rows] == [
        (corrected, "Nguyễn Văn Ánh", "lan"), (confirmed, "Trần Thị Bình", "lan")]
    assert machine == "Nguyễn Văn An"  # the reading is kept; the correction is appended
    assert statuses[corrected] == FieldStatus.corrected and statuses[confirmed] == FieldStatus.confirmed
    assert statuses[data.fields["DL-0001"]] == FieldStatus.needs_review
    assert [e.actor for e in _events(AuditAction.correction)] == ["lan", "lan"]
    assert "Không còn giá trị nào cần kiểm tra" in lan.get("/kiem-tra").text
    assert "DT-0001" in lan.get("/ho-so", params={"q": "nguyen van anh"}).text  # the corrected value

    hoa, token = _client(app, "hoa")  # Di Linh: an empty correction is refused, with the reason
    refused = hoa.post(f"/kiem-tra/{data.fields['DL-0001']}", data={"value": ""},
                       headers={"X-CSRF-Token": token})
    assert refused.status_code == 200 and "Giá trị trống" in refused.text
    accepted = hoa.post(f"/kiem-tra/{data.fields['DL-0001']}", data={"action": "accept"},
                        headers={"X-CSRF-Token": token})
    assert "Đã xác nhận" in accepted.text


def _pdf() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (200, 300), 255).save(buf, "PDF", resolution=72)
    return buf.getvalue()


def test_uploads_are_answered_at_once_and_stay_in_the_scope(site: tuple[FastAPI, WebData]) -> None:
    app, data = site
    lan, token = _client(app, "lan")
    page = lan.get("/tai-len")
    assert page.status_code == 200 and "Kéo thả" in page.text and "upload.js" in page.text
    assert "Huyện ủy Đức Trọng" in page.text and "Di Linh" not in page.text  # units she may choose
    h = {"X-CSRF-Token": token}
    unit = data.units["HU-DUCTRONG"]
    assert lan.post("/tai-len/dot", data={"unit_id": unit}).status_code == 403  # no CSRF
    assert lan.post("/tai-len/dot", data={"unit_id": data.units["HU-DILINH"]}, headers=h).status_code == 403
    batch = lan.post("/tai-len/dot", data={"unit_id": unit}, headers=h).json()["batch_id"]

    def send(name: str, body: bytes, **form: str) -> dict:
        answer = lan.post("/tai-len/tep", headers=h, files={"file": (name, body)},
                          data={"unit_id": str(unit), "batch_id": str(batch), **form})
        assert answer.status_code == 200, answer.text
        return answer.json()

    scan = _pdf()  # one set of bytes: Pillow dates each PDF it writes, so two calls may differ
    new = send("cv.pdf", scan, dossier_code="DT-0099", person="Hoàng Văn Mới")
    assert new["outcome"] == "new" and "Đã nhận" in new["html"] and new["dossier_id"]
    again = send("cv-lan-2.pdf", scan)
    assert again["outcome"] == "duplicate" and again["duplicate_of"]["document_id"] == new["document_id"]
    assert "DT-0099" in again["html"] and "Không lưu lần hai" in again["html"]
    text = send("ghi-chu.txt", "Danh sách hồ sơ cần nộp\n".encode())
    assert text["outcome"] == "rejected" and text["reject_code"] == "not-a-document"
    assert "không phải tài liệu" in text["html"] and "Hãy quét lại" in text["html"]
    empty = send("rong.pdf", b"")
    assert empty["outcome"] == "rejected" and "tệp rỗng" in empty["html"]
    theirs = send("cua-di-linh.pdf", data.originals["DL-0001"], dossier_code="DT-0100")
    assert theirs["outcome"] == "duplicate" and theirs["duplicate_of"] == {"elsewhere": True}
    assert theirs["document_id"] is None and "đơn vị khác" in theirs["html"]  # says nothing more
    assert "Hoàng Văn Mới" in lan.get("/ho-so", params={"q": "hoang van moi"}).text  # the person

    status = lan.get("/tai-len/trang-thai", params={"ids": f"{new['document_id']},{text['document_id']},"
                                                           f"{data.documents['DL-0001']}"})
    assert status.status_code == 286  # processing is off here: nothing more will change
    assert f'hx-swap-oob="innerHTML:.st-{new["document_id"]}"' in status.text
    assert "đợt xử lý theo lịch" in status.text and "không phải tài liệu" in status.text
    assert f'.st-{data.documents["DL-0001"]}' not in status.text  # not hers: not even its status
    with session_scope(runtime().engine) as session:
        row = session.get(Batch, batch)
        uploads = [e for e in session.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.upload))]
        moved = session.get(Document, data.documents["DL-0001"])
    assert (row.files, row.new_documents, row.duplicates) == (5, 3, 2)  # type: ignore[union-attr]
    assert len(uploads) == 5 and {e.actor for e in uploads} == {"lan"}
    assert moved.dossier_id == data.dossiers["DL-0001"]  # type: ignore[union-attr]  (not joined to hers)


def test_an_upload_to_a_full_store_is_refused_with_what_to_do(site: tuple[FastAPI, WebData],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    app, data = site
    lan, token = _client(app, "lan")
    h = {"X-CSRF-Token": token}
    unit = data.units["HU-DUCTRONG"]
    batch = lan.post("/tai-len/dot", data={"unit_id": unit}, headers=h).json()["batch_id"]

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(runtime().store), "put_original", full)
    answer = lan.post("/tai-len/tep", headers=h, files={"file": ("cv.pdf", _pdf())},
                      data={"unit_id": str(unit), "batch_id": str(batch)})
    assert answer.status_code == 507 and "Kho lưu trữ đã đầy" in answer.json()["detail"]
    with session_scope(runtime().engine) as session:  # nothing half-recorded
        assert session.exec(select(Document).where(Document.source_name == "cv.pdf")).first() is None


def test_dashboard_shows_the_report_figures_of_the_scope(site: tuple[FastAPI, WebData]) -> None:
    app, _ = site
    lan, _ = _client(app, "lan")
    page = lan.get("/tien-do")
    assert page.status_code == 200
    assert "Tiến độ số hóa hồ sơ: Huyện ủy Đức Trọng" in page.text
    assert 'data-unit="HU-DILINH"' not in page.text and "Tỉnh ủy Lâm Đồng" not in page.text
    assert re.search(r'data-kpi="received">3<', page.text)  # DT-0001, DT-0002 and the restricted one
    assert "data:image/png;base64," in page.text and "Hạn chót" in page.text
    admin, _ = _client(app, "quantri")
    whole = admin.get("/tien-do").text
    assert 'data-unit="HU-DILINH"' in whole and 'data-unit="HU-DUCTRONG"' in whole
    assert re.search(r'data-kpi="received">4<', whole)
    assert whole.count("data:image/png;base64,") == 2  # the bars and the province's burn-up
    assert TestClient(app).get("/tien-do", follow_redirects=False).status_code == 303  # signed out
