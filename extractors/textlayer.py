"""Is a PDF's text layer real text? Legacy Vietnamese fonts and unmapped glyphs say no."""

from __future__ import annotations

import unicodedata

# Vietnamese letters that also live in Latin-1; any other Latin-1 letter inside a word of a
# Vietnamese document is a sign of TCVN3 (ABC) or VNI font encoding.
_VIET_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_TCVN3_SYMBOLS = set("¸µ¶·¹¨©ª«¬®¯°±²³´½¾")
_VOWELS = set("aeiouyàáâãèéêìíòóôõùúýäëïöü")
_VIET_ONLY = set("ăâđêôơưĂÂĐÊÔƠƯ")  # with U+1EA0–U+1EF9: unmistakably Unicode Vietnamese

# In legacy-encoded Vietnamese most words carry such a sign; real text of any language
# almost none.
LEGACY_WORD_RATIO = 0.2
GARBLED_CHAR_RATIO = 0.10
# Fewer letters than this on a page with a scan image is a stray label, not the page's text.
MIN_LETTERS_OVER_SCAN = 40


def _is_vietnamese_unicode(ch: str) -> bool:
    return ch in _VIET_ONLY or "\u1ea0" <= ch <= "\u1ef9"


def judge(text: str) -> tuple[bool, str]:
    """Whether `text` can be used as the page's text, and why not when it cannot."""
    letters = sum(1 for ch in text if ch.isalpha())
    if letters == 0:
        return False, "no text layer" if not text.strip() else "text layer holds no words"
    visible = [ch for ch in text if not ch.isspace()]
    garbled = sum(1 for ch in visible if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc"))
    if garbled > GARBLED_CHAR_RATIO * len(visible):
        return False, "text layer has unmapped glyphs"
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    viet = sum(1 for w in words if any(_is_vietnamese_unicode(ch) for ch in w))
    legacy = sum(1 for w in words if _legacy_word(w))
    if legacy > LEGACY_WORD_RATIO * len(words) and viet < legacy:
        return False, "text layer is in a legacy Vietnamese font encoding (TCVN3/VNI)"
    return True, ""


def _legacy_word(word: str) -> bool:
    """Signs of a legacy font encoding that real words of any language do not show:
    TCVN3 puts symbols (µ ¸ ¶ · ¹ ¨ …) beside letters and capital-looking codes inside
    lowercase words (nghÜa, ViÖt); VNI puts its tone marks as letters after a vowel (Vieät)."""
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch in _TCVN3_SYMBOLS and (prev.isalpha() or nxt.isalpha()):
            return True
        if not ("\u00c0" <= ch <= "\u00ff") or not prev.isalpha():
            continue
        if ch.isupper() and prev.islower():
            return True
        if ch not in _VIET_LATIN1 and prev.lower() in _VOWELS:
            return True
    return False
