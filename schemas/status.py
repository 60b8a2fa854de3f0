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
