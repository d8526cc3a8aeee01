"""Numbers and dates written the Vietnamese way in reports: 1.234,5 · 93,49 % · 14/03/2026."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

DASH = "—"


def vn_number(value: float | int | Decimal | None, decimals: int = 2) -> str:
    """``1234.5`` → ``1.234,5``; at most ``decimals`` decimals, trailing zeros dropped; None → —."""
    if value is None:
        return DASH
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def vn_percent(value: float | int | Decimal | None) -> str:
    """``93.49`` → ``93,49 %``; None → —."""
    return DASH if value is None else f"{vn_number(value)} %"


def vn_date(value: dt.date | str | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def vn_long_date(value: dt.date) -> str:
    """``ngày 05 tháng 3 năm 2026`` (Nghị định 30/2020: days and months below 10 — day with a
    leading zero, months 1 and 2 with one)."""
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
