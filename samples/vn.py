"""How dates and numbers are written on Vietnamese administrative papers."""

from __future__ import annotations

from datetime import date


def vn_date(d: date) -> str:
    """"ngày 05 tháng 3 năm 2019": days below 10 and the months 1 and 2 take a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def my(d: date) -> str:
    return f"{d.month:02d}/{d.year}"


def decimal(x: float) -> str:
    """A salary coefficient with a decimal comma: 3.33 -> "3,33"."""
    return f"{x:.2f}".replace(".", ",")


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def number_words(n: int) -> str:
    """0 <= n < 10000 in words, as a birth certificate writes it: 1978 -> "một nghìn chín trăm
    bảy mươi tám", 2005 -> "hai nghìn không trăm linh năm"."""
    if not 0 <= n < 10000:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
        if unit == 0:
            return head
        word = {1: "mốt" if tens > 1 else "một", 4: "tư" if tens > 1 else "bốn", 5: "lăm"}.get(
            unit, _DIGITS[unit])
        return f"{head} {word}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_DIGITS[hundreds]} trăm"
        if rest == 0:
            return head
        return f"{head} linh {_DIGITS[rest]}" if rest < 10 else f"{head} {number_words(rest)}"
    thousands, rest = divmod(n, 1000)
    head = f"{_DIGITS[thousands]} nghìn"
    if rest == 0:
        return head
    if rest < 100:
        return f"{head} không trăm {number_words(rest) if rest >= 10 else 'linh ' + _DIGITS[rest]}"
    return f"{head} {number_words(rest)}"


def date_words(d: date) -> str:
    """"Ngày mười hai, tháng ba, năm một nghìn chín trăm bảy mươi tám"; "Ngày mùng năm, ..."."""
    day = ("mùng " if d.day <= 10 else "") + number_words(d.day)
    return f"Ngày {day}, tháng {number_words(d.month)}, năm {number_words(d.year)}"
