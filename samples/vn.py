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
