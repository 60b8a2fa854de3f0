"""Tải lên: many scans at once (drag and drop or the file picker), each answered as soon as it
arrives (accepted, a duplicate of what, or refused and why), then its reading followed live.

Files go through the intake of `hoso ingest` (flows.uploads). In the embedded setup the web
application reads and extracts them itself, in one background thread running the `process`
and `extract` flows (HOSO_WEB_PROCESS_UPLOADS, on by default); those flows claim documents, so
a nightly run or Prefect workers at the same time do no harm, and production may leave the
work to them (setting off).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import col, func, select

from flows import runtime as rt_module
from flows.errors import store_full
from flows.uploads import UploadAnswer, open_batch, refuse, take_upload, too_large
from schemas.models import Batch, Document, FieldValue, Unit
from schemas.status import REJECT_ADVICE_VI, REJECT_LABELS_VI, DocumentStatus, FieldStatus, RejectReason
from storage.objects import ObjectStoreError
from web.deps import CurrentUser, DbSession, UserScope, templates
from web.pages_shared import unit_options

router = APIRouter(include_in_schema=False)
log = logging.getLogger("hoso.web")

ACCEPT = ".pdf,.tif,.tiff,.jpg,.jpeg,.png,application/pdf,image/tiff,image/jpeg,image/png"
POLL_DONE = 286  # HTMX stops polling on this status


class Processor:
    """One background thread that reads and extracts what was uploaded: woken by each upload,
    it runs the process and extract flows until nothing is left, then sleeps."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.pages: dict[int, tuple[int, int]] = {}  # document id -> (pages read, pages)
        self.busy = False
        self.last_error: str | None = None

    def kick(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                rt_module.add_listener(self._listen)
                self._thread = threading.Thread(target=self._run, name="hoso-web-process", daemon=True)
                self._thread.start()
        self._wake.set()

    def _listen(self, what: str, key: int, done: int, total: int) -> None:
        if what == "pages":
            self.pages[key] = (done, total)

    def _run(self) -> None:
        from flows.extract import extract
        from flows.process import process

        while True:
            self._wake.wait()
            self._wake.clear()
            self.busy = True
            try:
                while True:
                    read = process()
                    found = extract()
                    if not read and not found.get("documents") and not self._wake.is_set():
                        break
                    self._wake.clear()
                self.last_error = None
            except Exception as exc:  # noqa: BLE001  (keep serving; the next upload tries again)
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("background processing of uploads failed")
                time.sleep(10)
            finally:
                self.busy = False
                self.pages.clear()


processor = Processor()


def _processing_on() -> bool:
    return bool(getattr(rt_module.runtime().settings, "web_process_uploads", True))


@router.get("/tai-len")
def upload_page(request: Request, session: DbSession, user: CurrentUser, scope: UserScope) -> Response:
    options = unit_options(session, scope)
    limits = rt_module.runtime().settings.limits
    return templates.TemplateResponse(request, "upload.html", {
        "title": "Tải lên hồ sơ", "units": options, "chosen": user.unit_id, "accept": ACCEPT,
        "max_mb": limits.max_file_mb, "processing": _processing_on()})


def _unit_in_scope(session: DbSession, scope: UserScope, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not scope.reaches_unit(unit_id):
        raise HTTPException(403, "Bạn không được tải lên cho đơn vị này (unit outside your scope)")
    return unit


@router.post("/tai-len/dot")
def new_batch(session: DbSession, scope: UserScope, unit_id: Annotated[int, Form()]) -> JSONResponse:
    """A batch for the files the clerk hands in together (one per unit and page visit)."""
    _unit_in_scope(session, scope, unit_id)
    return JSONResponse({"batch_id": open_batch(session, unit_id)})


@router.post("/tai-len/tep")
def upload_file(request: Request, session: DbSession, scope: UserScope, file: UploadFile,
                unit_id: Annotated[int, Form()], batch_id: Annotated[int, Form()],
                dossier_code: Annotated[str, Form()] = "",
                person: Annotated[str, Form()] = "") -> JSONResponse:
    """One file: kept and answered at once; its reading starts in the background."""
    _unit_in_scope(session, scope, unit_id)
    batch = session.get(Batch, batch_id)
    if batch is None or batch.unit_id != unit_id:
        raise HTTPException(422, "Đợt tải lên không hợp lệ: hãy tải lại trang (unknown batch)")
    name = (file.filename or "tep-khong-ten").replace("\\", "/").rsplit("/", 1)[-1][:1024]
    refused = too_large(file.size or 0, rt_module.runtime().settings.limits)
    if refused is not None:
        answer = refuse(session, scope, name, file.size or 0, unit_id, refused)
    else:
        session.commit()  # the intake writes in its own transactions
        try:
            answer = take_upload(file.file.read(), name, unit_id, batch_id, scope,
                                 dossier_code or None, person or None)
        except OSError as exc:
            if not store_full(exc):
                raise
            raise HTTPException(507, "Kho lưu trữ đã đầy, tệp chưa được nhận: hãy báo quản trị "
                                     "viên giải phóng dung lượng rồi tải lại tệp này "
                                     "(the object store is full).") from exc
        except ObjectStoreError as exc:
            raise HTTPException(503, f"Không lưu được tệp vào kho lưu trữ, tệp chưa được nhận: "
                                     f"hãy thử lại sau ít phút ({exc}).") from exc
        if answer.outcome == "new" and _processing_on():
            processor.kick()
    html = templates.get_template("upload_answer.html").render(
        a=answer, label=_reject_label(answer), advice=_reject_advice(answer))
    return JSONResponse({**answer.as_dict(), "html": html})


def _reason(answer: UploadAnswer) -> RejectReason | None:
    try:
        return RejectReason(answer.reject_code) if answer.reject_code else None
    except ValueError:
        return None


def _reject_label(answer: UploadAnswer) -> str:
    reason = _reason(answer)
    return REJECT_LABELS_VI[reason] if reason else ""


def _reject_advice(answer: UploadAnswer) -> str:
    reason = _reason(answer)
    return REJECT_ADVICE_VI[reason] if reason else ""


FINAL = (DocumentStatus.extracted, DocumentStatus.verified, DocumentStatus.rejected)


@router.get("/tai-len/trang-thai")
def upload_status(request: Request, session: DbSession, scope: UserScope, ids: str = "") -> Response:
    """Where each uploaded document stands, as out-of-band swaps into its rows; HTMX stops
    asking (status 286) once every one is extracted or refused."""
    wanted = sorted({int(i) for i in ids.split(",") if i.strip().isdigit()})[:500]
    documents = [d for d in session.exec(select(Document).where(col(Document.id).in_(wanted)))
                 if scope.reaches_document(session, d)]
    waiting = dict(session.exec(
        select(FieldValue.document_id, func.count()).where(
            col(FieldValue.document_id).in_([d.id for d in documents]),
            FieldValue.status == FieldStatus.needs_review).group_by(FieldValue.document_id)).all())
    settings = rt_module.runtime().settings
    rows = [_live(d, waiting.get(d.id, 0), settings.max_failed_runs) for d in documents]
    html = templates.get_template("upload_status.html").render(rows=rows)
    done = all(r["final"] for r in rows) or not _processing_on()
    return HTMLResponse(html, status_code=POLL_DONE if done else 200)  # none asked: done too


def _live(document: Document, waiting: int, max_failed_runs: int) -> dict:
    """What a clerk reads of a document's progress."""
    status = document.status
    row = {"id": document.id, "status": status.value, "final": status in FINAL, "waiting": waiting,
           "pages": document.page_count, "text": "", "detail": ""}
    if status == DocumentStatus.received:
        read = processor.pages.get(document.id)  # type: ignore[arg-type]
        if read and read[1]:
            row["text"] = f"Đang đọc trang {min(read[0] + 1, read[1])}/{read[1]}"
        elif _processing_on():
            row["text"] = "Đang chờ đọc"
        else:
            row["text"] = "Đã nhận, sẽ được đọc trong đợt xử lý theo lịch"
    elif status == DocumentStatus.failed:
        given_up = document.failures >= max_failed_runs
        row["final"] = given_up
        row["text"] = "Lỗi khi đọc, quản trị viên sẽ xử lý" if given_up else "Lỗi tạm thời, sẽ thử lại"
    elif status == DocumentStatus.text_ready:
        row["text"] = f"Đã đọc {document.page_count} trang, đang trích xuất thông tin"
    elif status == DocumentStatus.extracted:
        row["text"] = (f"Đã trích xuất: {waiting} giá trị cần kiểm tra" if waiting
                       else "Đã trích xuất, không có giá trị cần kiểm tra")
    elif status == DocumentStatus.verified:
        row["text"] = "Đã xác minh"
    else:
        try:
            reason = RejectReason(document.reject_code or "")
            row["text"] = f"Bị từ chối: {REJECT_LABELS_VI[reason]}"
            row["detail"] = REJECT_ADVICE_VI[reason]
        except ValueError:
            row["text"] = "Bị từ chối"
        row["detail"] += f" ({document.reject_reason})" if document.reject_reason else ""
    return row
