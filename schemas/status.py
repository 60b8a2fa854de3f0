"""Enums of the status machine and of page text sources."""

from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    """A document moves one way: received -> text_ready -> extracted -> verified.

    `rejected` is bad input (never retried, reason kept); `failed` is a transient error
    (retried by the next run).
    """

    received = "received"
    text_ready = "text_ready"
    extracted = "extracted"
    verified = "verified"
    rejected = "rejected"
    failed = "failed"


# Documents the process flow picks up.
PENDING_STATUSES = (DocumentStatus.received, DocumentStatus.failed)


class RejectReason(StrEnum):
    """Why a file is refused. The value is the machine-readable code."""

    empty = "empty"
    not_a_document = "not-a-document"
    unsupported = "unsupported"
    corrupt = "corrupt"
    encrypted = "encrypted"
    too_large = "too-large"


# What a clerk reads beside the code.
REJECT_LABELS_VI: dict[RejectReason, str] = {
    RejectReason.empty: "tệp rỗng",
    RejectReason.not_a_document: "không phải tài liệu",
    RejectReason.unsupported: "định dạng không hỗ trợ",
    RejectReason.corrupt: "tệp bị hỏng",
    RejectReason.encrypted: "có mật khẩu",
    RejectReason.too_large: "quá lớn",
}

# What the clerk should do, in Vietnamese; the rejection's own message gives the details.
REJECT_ADVICE_VI: dict[RejectReason, str] = {
    RejectReason.empty: "Tệp không có dữ liệu. Hãy tải lên lại.",
    RejectReason.not_a_document: "Không phải bản quét hay PDF. Hãy quét lại thành PDF, TIFF, "
                                 "JPEG hoặc PNG.",
    RejectReason.unsupported: "Định dạng này không được hỗ trợ. Hãy lưu lại thành PDF hoặc "
                              "TIFF thông thường.",
    RejectReason.corrupt: "Tệp bị hỏng, không đọc được. Hãy xuất hoặc quét lại.",
    RejectReason.encrypted: "Tệp PDF có mật khẩu. Hãy gửi bản không đặt mật khẩu.",
    RejectReason.too_large: "Tệp hoặc trang quá lớn. Hãy chia nhỏ hoặc quét lại ở 300 dpi.",
}


class TextSource(StrEnum):
    """Where the text of a page came from."""

    text_layer = "text_layer"
    ocr = "ocr"
    none = "none"  # OCR could not read the page (time limit); the image is still kept


class FileKind(StrEnum):
    pdf = "pdf"
    tiff = "tiff"
    jpeg = "jpeg"
    png = "png"


class Bloc(StrEnum):
    """Blocs whose dossiers the organization department handles."""

    dang = "Đảng"
    chinh_quyen = "Chính quyền"
    mttq_doan_the = "MTTQ và các đoàn thể"
    su_nghiep = "Đơn vị sự nghiệp"


class SecurityClass(StrEnum):
    ordinary = "ordinary"
    restricted = "restricted"  # internal political protection material


class ProgressState(StrEnum):
    """Where a unit stands against its deadline."""

    done = "done"  # every inventoried dossier is electronic
    on_track = "on_track"  # the forecast falls on or before the deadline
    at_risk = "at_risk"  # the forecast falls after the deadline, or nothing moves
    overdue = "overdue"  # the deadline has passed and work remains
    unknown = "unknown"  # no paper inventory: progress cannot be measured


PROGRESS_STATE_VI: dict[ProgressState, str] = {
    ProgressState.done: "Hoàn thành",
    ProgressState.on_track: "Đúng tiến độ",
    ProgressState.at_risk: "Có nguy cơ chậm",
    ProgressState.overdue: "Quá hạn",
    ProgressState.unknown: "Chưa có số liệu hồ sơ giấy",
}


class FieldStatus(StrEnum):
    """Where an extracted value stands. The machine's reading is never changed: a correction
    is a new record, and the value's status says it was corrected."""

    auto_accepted = "auto_accepted"  # sure enough (HOSO_AUTO_ACCEPT_CONFIDENCE)
    needs_review = "needs_review"
    confirmed = "confirmed"  # a reviewer accepted the machine's reading
    corrected = "corrected"  # a reviewer gave another value (see FieldCorrection)


FIELD_STATUS_VI: dict[FieldStatus, str] = {
    FieldStatus.auto_accepted: "tự động chấp nhận",
    FieldStatus.needs_review: "cần kiểm tra",
    FieldStatus.confirmed: "đã xác nhận",
    FieldStatus.corrected: "đã sửa",
}


class Role(StrEnum):
    """What a signed-in person may do. Clerks see only their unit and its sub-units; only the
    security officer sees restricted dossiers (bảo vệ chính trị nội bộ)."""

    clerk = "clerk"
    reviewer = "reviewer"
    admin = "admin"
    security = "security"


ROLE_VI: dict[Role, str] = {
    Role.clerk: "Văn thư đơn vị",
    Role.reviewer: "Người kiểm tra",
    Role.admin: "Quản trị viên",
    Role.security: "Cán bộ bảo vệ chính trị nội bộ",
}


class AuditAction(StrEnum):
    """What an audit event records."""

    upload = "upload"
    view = "view"
    download = "download"
    search = "search"
    export = "export"
    import_bag = "import_bag"
    correction = "correction"
    sign_in = "sign_in"
    sign_in_failed = "sign_in_failed"
    sign_out = "sign_out"
    permission_change = "permission_change"
    key_rotation = "key_rotation"
    verify = "verify"
