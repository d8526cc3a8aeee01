"""The periods of a recurring task within its plan's year."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from cchc.plans.models import Recurrence


@dataclass(frozen=True)
class Period:
    label: str  # stable, used in the occurrence's code: T01 … T12, Q1 … Q4, Y
    start: dt.date
    end: dt.date


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def periods_of(recurrence: str, start: dt.date, end: dt.date) -> list[Period]:
    """The periods of ``recurrence`` that overlap ``[start, end]``, clipped to it."""
    if end < start:
        return []
    found: list[Period] = []
    for year in range(start.year, end.year + 1):
        if recurrence == Recurrence.MONTHLY:
            spans = [(f"T{m:02d}", dt.date(year, m, 1), _month_end(year, m)) for m in range(1, 13)]
        elif recurrence == Recurrence.QUARTERLY:
            spans = [
                (f"Q{q}", dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)) for q in range(1, 5)
            ]
        elif recurrence == Recurrence.YEARLY:
            spans = [("Y", dt.date(year, 1, 1), dt.date(year, 12, 31))]
        else:
            return []
        multi_year = start.year != end.year
        for label, p_start, p_end in spans:
            if p_end < start or p_start > end:
                continue
            full_label = f"{year}-{label}" if multi_year else label
            found.append(Period(full_label, max(p_start, start), min(p_end, end)))
    return found
