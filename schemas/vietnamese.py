"""Vietnamese text helpers every layer may use (schemas imports nothing of the project)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case without diacritics: "Đức Trọng" -> "duc trong" (matching, search, headers)."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def slug(text: str) -> str:
    """A snake_case key without diacritics: "Mã đơn vị" -> "ma_don_vi"."""
    return _NON_WORD.sub("_", fold(text)).strip("_")
