"""File kinds from bytes, and the text-layer verdict (pure functions, no OCR)."""

from __future__ import annotations

import pytest

from extractors.filetype import detect_kind
from extractors.textlayer import judge
from schemas.pages import InputRejected
from schemas.status import FileKind, RejectReason


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n...", FileKind.pdf),
    (b"junk before the header %PDF-1.4\n", FileKind.pdf),  # readers accept leading junk
    (b"\xff\xd8\xff\xe0rest", FileKind.jpeg),
    (b"\x89PNG\r\n\x1a\nrest", FileKind.png),
    (b"II*\x00rest", FileKind.tiff),
    (b"MM\x00*rest", FileKind.tiff),
])
def test_kind_comes_from_the_bytes(data: bytes, kind: FileKind) -> None:
    assert detect_kind(data) is kind


@pytest.mark.parametrize(("data", "reason", "words"), [
    (b"", RejectReason.empty, "empty"),
    (b"oops\n", RejectReason.not_a_document, "plain text"),
    (b"GIF89a\x10\x00\x10\x00", RejectReason.unsupported, "GIF"),
    (b"PK\x03\x04docx", RejectReason.unsupported, "Office"),
    (b"\x00startxref\n99999999999", RejectReason.corrupt, "no PDF header"),
])
def test_other_bytes_are_refused_with_a_reason(data: bytes, reason: RejectReason,
                                               words: str) -> None:
    with pytest.raises(InputRejected) as refused:
        detect_kind(data)
    assert refused.value.reason is reason
    assert words in refused.value.message


@pytest.mark.parametrize("text", [
    "Cộng hòa xã hội chủ nghĩa Việt Nam Độc lập - Tự do - Hạnh phúc",
    "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC 1) Họ và tên khai sinh: NGUYỄN VĂN AN",
    "Einführung in die Geometrie und Topologie, für Anfänger, über Räume",
    "Potato",
])
def test_real_unicode_text_is_used(text: str) -> None:
    assert judge(text) == (True, "")


@pytest.mark.parametrize(("text", "why"), [
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam §éc lËp - Tù do - H¹nh phóc", "TCVN3"),  # TCVN3
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam Ñoäc laäp - Töï do - Haïnh phuùc", "VNI"),
    ("\ue000\ue001\ue002\ue003 ab", "unmapped glyphs"),
    ("   \n ", "no text layer"),
    ("2021 3 31", "no words"),
])
def test_legacy_and_garbled_text_layers_are_not(text: str, why: str) -> None:
    usable, reason = judge(text)
    assert not usable and why in reason
