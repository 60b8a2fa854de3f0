"""What a file is, from its bytes, never its name."""

from __future__ import annotations

from schemas.pages import InputRejected
from schemas.status import FileKind, RejectReason

# Accepted scan formats and their signatures.
_SIGNATURES: tuple[tuple[bytes, FileKind], ...] = (
    (b"\xff\xd8\xff", FileKind.jpeg),
    (b"\x89PNG\r\n\x1a\n", FileKind.png),
    (b"II*\x00", FileKind.tiff),
    (b"MM\x00*", FileKind.tiff),
)

# Recognised but not accepted: named in the rejection so the clerk knows what they sent.
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"BM", "BMP image"),
    (b"PK\x03\x04", "ZIP archive or Office document (DOCX/XLSX)"),
    (b"\xd0\xcf\x11\xe0", "old Office document (DOC/XLS)"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000 image"),
    (b"II*\x00\x10\x00\x00\x00CR", "camera raw image"),
)

# Real PDFs may carry junk before the header; readers accept it within the first kilobyte.
_PDF_HEADER_WINDOW = 1024

ACCEPTED_HINT = "Scan it again as PDF, TIFF, JPEG or PNG."


def detect_kind(data: bytes) -> FileKind:
    """The accepted kind of `data`, or InputRejected saying what it is instead."""
    if not data:
        raise InputRejected(RejectReason.empty, "the file is empty (0 bytes). Upload it again.")
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return FileKind.pdf
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if any(mark in data[:_PDF_HEADER_WINDOW] for mark in (b"startxref", b"%%EOF", b" 0 obj")):
        raise InputRejected(
            RejectReason.corrupt,
            "the file holds pieces of a PDF but no PDF header: it is damaged beyond repair. "
            "Export or scan it again.",
        )
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        raise InputRejected(RejectReason.unsupported, f"HEIC photo is not accepted. {ACCEPTED_HINT}")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise InputRejected(RejectReason.unsupported, f"WebP image is not accepted. {ACCEPTED_HINT}")
    for magic, name in _OTHER_FORMATS:
        if data.startswith(magic):
            raise InputRejected(RejectReason.unsupported, f"{name} is not accepted. {ACCEPTED_HINT}")
    return _not_a_document(data)


def _not_a_document(data: bytes) -> FileKind:
    head = data[:64]
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        what = "plain text, not a scan or PDF"
    else:
        what = "not a PDF or image file this system knows"
    raise InputRejected(
        RejectReason.not_a_document, f"the file is {what} ({len(data)} bytes). {ACCEPTED_HINT}"
    )
