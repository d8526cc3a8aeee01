"""Reading the "Thời gian hoàn thành" of an appendix row: a date, a month, a quarter, "Thường
xuyên", "Hằng quý"…

Every form resolves to the last day it allows (a month → its last day, "Quý II" → 30/06, "6
tháng đầu năm" → 30/06, "Năm 2026" → 31/12), with the plan's year when the text names none.
When the text names several times ("Từ 01/3 đến 30/6/2026") the last one written wins, since
the column says when the task must be finished. Text that names no time is kept as the label
with no date: the caller reports it, it is not an error.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from openpyxl.utils.datetime import from_excel

from cchc.plans.importing.units import fold

ONCE = "once"
MONTHLY = "monthly"
QUARTERLY = "quarterly"
YEARLY = "yearly"


@dataclass(frozen=True)
class Due:
    date: dt.date | None  # the last day the task may be finished, when the text names one
    recurrence: str | None  # once | monthly | quarterly | yearly; None: continuous or unknown
    label: str  # the text as written (whitespace tidied), or dd/mm/yyyy for a date cell

    @property
    def understood(self) -> bool:
        return self.date is not None or self.recurrence is not None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


EXCEL_SERIAL_RANGE = (36526, 73050)  # 01/01/2000 … 31/12/2099 as Excel day numbers

ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Recurring work. "Hằng" and "hàng" both fold to "hang"; "định kỳ" may precede either.
_RECURRING = (
    (re.compile(r"\b(?:hang|moi)\s*thang\b"), MONTHLY),
    (re.compile(r"\b(?:hang|moi)\s*quy\b"), QUARTERLY),
    (re.compile(r"\b(?:hang|moi)\s*nam\b"), YEARLY),
)
_CONTINUOUS = re.compile(r"\b(?:thuong\s*xuyen|lien\s*tuc|hang\s*tuan|hang\s*ngay)\b")

_Y = r"(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])"
_SEP = r"\s*[/.\-]\s*"
_YEAR_SEP = rf"(?:{_SEP}|\s*,?\s*nam\s+)"
# Alternatives in priority order: at a given position the first that matches is taken, and the
# match consumes the text, so "tháng 6 năm 2026" never also reads as "năm 2026".
_TIME = re.compile(
    "|".join(
        (
            r"(?P<iso>(?<![0-9])(?P<iy>[0-9]{4})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})(?![0-9]))",
            rf"(?P<dmy>(?<![0-9])(?P<d>[0-9]{{1,2}}){_SEP}(?P<m>[0-9]{{1,2}}){_SEP}{_Y})",
            (
                r"(?P<words>(?:\bngay\s+)?(?<![0-9])(?P<wd>[0-9]{1,2})\s+thang\s+"
                r"(?P<wm>[0-9]{1,2})(?![0-9])(?:\s*,?\s*nam\s+(?P<wy>[0-9]{4})(?![0-9]))?)"
            ),
            (
                r"(?P<firstmonths>(?<![0-9])(?P<fm>[0-9]{1,2})\s+thang\s+(?:dau\s+)?nam"
                r"(?:\s+(?P<fy>[0-9]{4}))?(?![0-9]))"
            ),
            r"(?P<lasthalf>\b6\s+thang\s+cuoi\s+nam(?:\s+(?P<ly>[0-9]{4}))?(?![0-9]))",
            (
                r"(?P<quarter>\bquy\s+(?P<q>iv|iii|ii|i|[1-4])\b"
                rf"(?:{_YEAR_SEP}(?P<qy>[0-9]{{4}})(?![0-9]))?)"
            ),
            (
                r"(?P<month>\b(?:thang|t)\s*(?P<mm>[0-9]{1,2})(?![0-9])"
                rf"(?:{_YEAR_SEP}(?P<my>[0-9]{{4}})(?![0-9]))?)"
            ),
            r"(?P<dm>(?<![0-9])(?P<dd>[0-9]{1,2})\s*/\s*(?P<dmm>[0-9]{1,2})(?![0-9/]))",
            r"(?P<monthyear>(?<![0-9/])(?P<mym>[0-9]{1,2})\s*/\s*(?P<myy>[0-9]{4})(?![0-9]))",
            r"(?P<year>\b(?:trong\s+|ca\s+|cuoi\s+)?nam\s+(?P<yy>[0-9]{4})(?![0-9]))",
            r"(?P<wholeyear>\b(?:ca\s+nam|trong\s+nam|cuoi\s+nam)\b)",
        )
    )
)


def _year(text: str | None, default: int) -> int:
    if not text:
        return default
    return int(text) + 2000 if len(text) <= 2 else int(text)  # "30/6/26" is 2026


def _resolve(m: re.Match[str], year: int) -> dt.date | None:
    g = m.groupdict()
    if g["iso"]:
        return dt.date(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["dmy"]:
        return dt.date(_year(g["y"], year), int(g["m"]), int(g["d"]))
    if g["words"]:
        return dt.date(_year(g["wy"], year), int(g["wm"]), int(g["wd"]))
    if g["firstmonths"]:
        return month_end(_year(g["fy"], year), int(g["fm"]))
    if g["lasthalf"]:
        return dt.date(_year(g["ly"], year), 12, 31)
    if g["quarter"]:
        q = ROMAN_QUARTERS.get(g["q"]) or int(g["q"])
        return month_end(_year(g["qy"], year), 3 * q)
    if g["month"]:
        return month_end(_year(g["my"], year), int(g["mm"]))
    if g["dm"]:
        return dt.date(year, int(g["dmm"]), int(g["dd"]))
    if g["monthyear"]:
        return month_end(int(g["myy"]), int(g["mym"]))
    if g["year"]:
        return dt.date(int(g["yy"]), 12, 31)
    if g["wholeyear"]:
        return dt.date(year, 12, 31)
    return None


def _last_date(folded: str, year: int) -> dt.date | None:
    found = None
    for m in _TIME.finditer(folded):
        try:
            date = _resolve(m, year)
        except (ValueError, OverflowError):  # 31/02, month 13, year 0
            continue
        if date is not None:
            found = date
    return found


def _year_end(year: int) -> dt.date | None:
    try:
        return dt.date(year, 12, 31)
    except ValueError:
        return None


def parse_due(text: object, *, year: int) -> Due:
    """The completion time of an appendix row; never raises.

    ``text`` is the cell as read: a string, or a ``date``/``datetime`` from an Excel date cell.
    """
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        return Due(text, ONCE, text.strftime("%d/%m/") + f"{text.year:04d}")
    if text is None:
        return Due(None, None, "")
    if isinstance(text, bool):
        text = str(text)
    if isinstance(text, int | float):
        # A bare year typed as a number ("2026"); anything else is kept as written.
        if float(text).is_integer() and 1900 <= int(text) <= 2100:
            return Due(dt.date(int(text), 12, 31), ONCE, str(int(text)))
        if EXCEL_SERIAL_RANGE[0] <= text <= EXCEL_SERIAL_RANGE[1]:
            # A date cell that lost its date format shows as Excel's day number.
            return parse_due(from_excel(text), year=year)
        text = str(text)
    label = " ".join(str(text).split())
    folded = fold(label)
    if not folded:
        return Due(None, None, "")
    # Recurring or continuous work runs to the end of the year, unless the text names an end
    # ("Hằng quý (đến 30/06/2026)").
    for pattern, recurrence in _RECURRING:
        if pattern.search(folded):
            return Due(_last_date(folded, year) or _year_end(year), recurrence, label)
    if _CONTINUOUS.search(folded):
        return Due(_last_date(folded, year) or _year_end(year), None, label)
    date = _last_date(folded, year)
    return Due(date, ONCE if date else None, label)
