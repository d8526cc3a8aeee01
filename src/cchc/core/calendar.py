"""The working-day calendar (DESIGN.md §4.1): the only place deadlines are computed.

Which days are worked, in order of precedence:

1. ``CalendarException`` rows (admin-edited, each with its reason and the decision that ordered
   it): an extra day off or an extra working day. They win over everything below.
2. The ``holidays`` package's Vietnam calendar: public holidays (Tết, Giỗ Tổ, 30/4, 1/5, 2/9 …,
   with their observed days) and the government's day swaps — a swapped Saturday is worked
   (``weekend_workdays``, e.g. 22/08/2026) and the Monday it pays for is off (31/08/2026).
3. Saturdays and Sundays are days off; other days are worked.

Working hours come from the ``WorkingHours`` row in force on a date (default, shipped by
migration ``core.0003``: 07:30–11:30 and 13:30–17:00). A date no row covers uses
``DEFAULT_PERIODS``, the same values, so that a deadline can always be computed.

Everything is in local time, ``Asia/Ho_Chi_Minh``; results are aware datetimes in that zone.

Speed: the calendar is built once per process for a range of whole years (today ± 2, widened
lazily when a date or a result falls outside it) as a sorted list of working-day ordinals, so
"the N-th working day after D" is one ``bisect`` and one index, O(log n), and the end of working
hours of each listed day is precomputed. ``deadlines_bulk`` makes no database or ``holidays``
call per row.

Freshness (cache invalidation, not business logic): saving or deleting a ``CalendarException``
or ``WorkingHours`` row through the ORM fires a receiver (``cchc.core.models``) that calls
``data_changed``: this process rebuilds the calendar on its next use, again when the change is
committed, and also when the transaction that made the change is rolled back (it watches the
connection's stack of atomic blocks, so a rolled-back test or request cannot leave its rows
behind in the cache). Other processes (web workers, the job worker) compare a cheap signature
(row counts and latest ``updated_at`` of both tables, two aggregate queries) at most every
``REFRESH_SECONDS`` and rebuild when it differs. Writes that bypass signals (``QuerySet.update``,
``bulk_create``) are seen by that periodic check only; call ``data_changed()`` after them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import holidays
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
COUNTRY = "VN"

WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
CALENDAR_DAYS = "calendar_days"
UNITS = (WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS)

#: Used only for dates no ``WorkingHours`` row covers; equal to the row migration 0003 ships.
DEFAULT_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 30), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)
#: How often (seconds) a process checks whether another process changed the calendar data.
REFRESH_SECONDS = 60.0
#: Years on either side of today's built up front; further years are added on demand.
YEARS_AROUND = 2

Periods = tuple[tuple[dt.time, dt.time], ...]
Amount = Decimal | int | float


@dataclass(frozen=True)
class _HoursRow:
    first: int  # ordinal of valid_from
    last: int  # ordinal of valid_to, or a huge number when open-ended
    periods: Periods


@dataclass(frozen=True)
class _Span:
    """The built years: one immutable snapshot, swapped whole so readers need no lock."""

    first_year: int
    last_year: int
    first: int  # ordinal of 1 January of first_year
    last: int  # ordinal of 31 December of last_year
    flags: bytes  # flags[o - first] == 1 when day o is worked
    days: list[int]  # ordinals of the worked days, sorted
    ends: list[dt.datetime]  # end of working hours of days[k], aware


class WorkCalendar:
    """Working days and hours from a snapshot of the admin tables plus the ``holidays`` package.

    Use the module functions (``deadline`` …), which share one instance per process; build one
    directly (``WorkCalendar(exceptions={...})``) for what-if computations and tests.
    """

    def __init__(
        self,
        *,
        exceptions: dict[dt.date, bool] | None = None,
        hours: Sequence[tuple[dt.date, dt.date | None, Periods]] = (),
        signature: tuple | None = None,
    ) -> None:
        """``exceptions`` maps a date to True (extra working day) or False (extra day off);
        ``hours`` lists (valid_from, valid_to or None, periods)."""
        self._exceptions = {day.toordinal(): worked for day, worked in (exceptions or {}).items()}
        rows = [
            _HoursRow(start.toordinal(), end.toordinal() if end else 10**9, tuple(periods))
            for start, end, periods in hours
        ]
        # The latest start first, so that a later row wins if rows ever overlap.
        self._hours = sorted(rows, key=lambda row: row.first, reverse=True)
        self.signature = signature
        self._lock = threading.Lock()
        this_year = dt.date.today().year
        self._span = self._build(this_year - YEARS_AROUND, this_year + YEARS_AROUND)

    # --- building ---------------------------------------------------------------------------

    def _build(self, first_year: int, last_year: int) -> _Span:
        first_year, last_year = max(first_year, dt.MINYEAR + 1), min(last_year, dt.MAXYEAR - 1)
        first = dt.date(first_year, 1, 1).toordinal()
        last = dt.date(last_year, 12, 31).toordinal()
        public = holidays.country_holidays(COUNTRY, years=range(first_year, last_year + 1))
        days_off = {day.toordinal() for day in public}
        swapped = {day.toordinal() for day in public.weekend_workdays}
        flags = bytearray(last - first + 1)
        for ordinal in range(first, last + 1):
            weekday = (ordinal - 1) % 7  # ordinal 1 (1 January of year 1) was a Monday
            if ordinal in self._exceptions:
                worked = self._exceptions[ordinal]
            elif weekday >= 5:
                worked = ordinal in swapped
            else:
                worked = ordinal not in days_off
            flags[ordinal - first] = worked
        days = [first + i for i, worked in enumerate(flags) if worked]
        ends = [self._end_of(ordinal) for ordinal in days]
        return _Span(first_year, last_year, first, last, bytes(flags), days, ends)

    def _cover(self, first: int, last: int) -> _Span:
        """The current span, widened (by whole years) to hold ordinals first..last."""
        span = self._span
        if span.first <= first and last <= span.last:
            return span
        if first < 1 or last > dt.date.max.toordinal():
            raise OverflowError(_("The date is outside the calendar's range."))
        with self._lock:
            span = self._span
            if span.first <= first and last <= span.last:
                return span
            first_year = min(span.first_year, dt.date.fromordinal(first).year)
            last_year = max(span.last_year, dt.date.fromordinal(last).year)
            if first_year <= dt.MINYEAR or last_year >= dt.MAXYEAR:
                raise OverflowError(_("The date is outside the calendar's range."))
            self._span = self._build(first_year, last_year)
            return self._span

    def _widen_after(self, span: _Span) -> _Span:
        """One more year at the end (a result fell past the last built working day)."""
        return self._cover(span.first, dt.date(span.last_year + 1, 12, 31).toordinal())

    # --- working hours ----------------------------------------------------------------------

    def periods(self, day: dt.date) -> Periods:
        """The working periods of ``day`` by the hours in force then (whether or not it is
        worked)."""
        return self._periods_of(day.toordinal())

    def _periods_of(self, ordinal: int) -> Periods:
        for row in self._hours:
            if row.first <= ordinal <= row.last:
                return row.periods
        return DEFAULT_PERIODS

    def _end_of(self, ordinal: int) -> dt.datetime:
        return dt.datetime.combine(
            dt.date.fromordinal(ordinal), self._periods_of(ordinal)[-1][1], tzinfo=TZ
        )

    def end_of_working_hours(self, day: dt.date) -> dt.datetime:
        """The end of working hours on ``day`` (by the hours in force then), aware."""
        return self._end_of(_check_date(day).toordinal())

    def day_length(self, day: dt.date) -> dt.timedelta:
        """The length of a working day by the hours in force on ``day``."""
        return sum((_minus(end, start) for start, end in self.periods(day)), start=dt.timedelta())

    # --- days -------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        ordinal = _check_date(day).toordinal()
        span = self._cover(ordinal, ordinal)
        return bool(span.flags[ordinal - span.first])

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` ≥ 1), never ``day`` itself.

        ``n`` = 0 means the same day (DESIGN.md §4.1): ``day`` when it is worked, otherwise the
        next working day (a deadline cannot fall on a day off), so on a day off 0 and 1 give
        the same day. This is exactly
        ``holidays.country_holidays("VN").get_nth_working_day(day, n)`` when no admin exception
        applies.
        """
        span, index = self._find(_check_date(day).toordinal(), _count(n))
        return dt.date.fromordinal(span.days[index])

    def _find(self, ordinal: int, n: int) -> tuple[_Span, int]:
        """The span and the index in ``span.days`` of the n-th working day after ``ordinal``
        (n = 0: ordinal itself or the next working day) — one bisect, O(log n)."""
        span = self._cover(ordinal, ordinal)
        while True:
            index = bisect_right(span.days, ordinal)  # = worked days up to ordinal
            if n:
                index += n - 1
            elif span.flags[ordinal - span.first]:
                index -= 1
            if index < len(span.days):
                return span, index
            span = self._widen_after(span)

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` when it is worked, else the next working day."""
        return self.add_working_days(day, 0)

    # --- deadlines --------------------------------------------------------------------------

    def deadline(
        self, received_at: dt.datetime, amount: Amount, unit: str = WORKING_DAYS
    ) -> dt.datetime:
        """The deadline of something received at ``received_at`` with a time limit of
        ``amount`` ``unit``; an aware datetime in Asia/Ho_Chi_Minh.

        * ``working_days`` (DESIGN.md §4.1): the N-th working day after the receipt's local
          date, at the end of working hours; the time of receipt does not matter. N = 0 means
          the same day (the next working day when received on a day off). A fraction (e.g. 1.5)
          counts the whole days as above, then the fraction of a working day (fraction × the
          length of the working day in force on the receipt date) as working hours from there;
          below one day (0.5) those hours run from the receipt time. So half a day received
          at 08:00 is due at 13:45 the same day, and the result never decreases as the amount
          grows from 0.5 up.
        * ``working_hours``: the earliest moment by which that much working time has passed
          since the receipt, walking the working periods (lunch breaks, nights and days off
          do not count; a receipt outside working hours starts at the next working period;
          a limit that ends exactly at 11:30 is due at 11:30). Rounded to whole seconds.
        * ``calendar_days`` (whole numbers only): the receipt's local date + N days, at the end
          of working hours; when that day is not worked, the end of the next working day. This
          follows the Civil Code 2015, art. 147–148 (a period in days starts the day after
          the event and, when its last day is a day off, ends with the next working day), with
          "the end of the day" read as the end of working hours, as for working days, so that
          every kind of deadline is an office time.
        """
        local = _local(received_at)
        value = _amount(amount)
        if unit == WORKING_DAYS:
            whole = int(value)
            fraction = value - whole
            ordinal = local.toordinal()
            if not fraction:
                return self._ends_at(ordinal, whole)
            start = local if whole == 0 else self._ends_at(ordinal, whole)
            day_length = _seconds(self.day_length(local.date()))
            return self._add_working_time(start, fraction * day_length)
        if unit == WORKING_HOURS:
            return self._add_working_time(local, value * 3600)
        if unit == CALENDAR_DAYS:
            if value != int(value):
                raise ValueError(_("A time limit in calendar days must be a whole number."))
            day = local.date() + dt.timedelta(days=int(value))
            return self._ends_at(day.toordinal(), 0)
        raise ValueError(_("Unknown time unit: %(unit)s.") % {"unit": unit})

    def _ends_at(self, ordinal: int, n: int) -> dt.datetime:
        span, index = self._find(ordinal, n)
        return span.ends[index]

    def _add_working_time(self, start: dt.datetime, seconds: Decimal) -> dt.datetime:
        """The earliest moment by which ``seconds`` of working time have passed since
        ``start`` (aware, local)."""
        remaining = dt.timedelta(seconds=int(seconds.to_integral_value(ROUND_HALF_UP)))
        if remaining <= dt.timedelta():
            return start
        cursor = start.replace(tzinfo=None)
        day = cursor.date()
        while True:
            if self.is_working_day(day):
                for period_start, period_end in self.periods(day):
                    begin = max(dt.datetime.combine(day, period_start), cursor)
                    end = dt.datetime.combine(day, period_end)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        return (begin + remaining).replace(tzinfo=TZ)
                    remaining -= end - begin
            day = self.add_working_days(day, 1)
            cursor = dt.datetime.combine(day, dt.time.min)

    def deadlines_bulk(
        self,
        received: Sequence[dt.datetime],
        amount: Amount | Sequence[Amount],
        unit: str = WORKING_DAYS,
    ) -> list[dt.datetime]:
        """``deadline`` for many receipts at once (imports, recomputations, the benchmark).

        ``amount`` is one limit for all rows or one per row. Whole working days (``int``) take
        the fast path: no database or ``holidays`` call per row, one ``bisect`` and one index
        each, and the results are shared precomputed datetimes; other rows go through
        ``deadline``.
        """
        per_row = not isinstance(amount, Decimal | int | float)
        if per_row and len(amount) != len(received):  # type: ignore[arg-type]
            raise ValueError(_("Give one time limit, or one per receipt."))
        if unit != WORKING_DAYS:
            limits = amount if per_row else [amount] * len(received)  # type: ignore[list-item]
            return [self.deadline(r, a, unit) for r, a in zip(received, limits, strict=True)]
        if not received:
            return []
        if per_row:
            limits, whole = amount, 0
        else:
            value = _amount(amount)  # type: ignore[arg-type]
            if value != int(value):
                return [self.deadline(r, value, unit) for r in received]
            limits, whole = None, int(value)
        tz = TZ
        out: list[dt.datetime] = []
        append = out.append
        span = self._span
        days, flags, ends, first, last = span.days, span.flags, span.ends, span.first, span.last
        size = len(days)
        for row, moment in enumerate(received):
            n = whole if limits is None else limits[row]  # type: ignore[index]
            if type(moment) is dt.datetime and moment.tzinfo is not None:
                ordinal = moment.astimezone(tz).toordinal()
            else:
                ordinal = _local(moment).toordinal()  # refuses naive times
            if type(n) is int and n >= 0 and first <= ordinal <= last:
                # The steps of _find, inlined: one bisect and one index.
                index = bisect_right(days, ordinal)
                if n:
                    index += n - 1
                elif flags[ordinal - first]:
                    index -= 1
                if index < size:
                    append(ends[index])
                    continue
            # Outside the built years, or not a plain whole number: the slow way, which
            # validates and widens the span; then carry on with the widened one.
            append(self.deadline(moment, n, unit))
            span = self._span
            days, flags, ends = span.days, span.flags, span.ends
            first, last, size = span.first, span.last, len(days)
        return out


# --- validation helpers ---------------------------------------------------------------------


def _check_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(_("Expected a date (not a date-time)."))
    return day


def _count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(_("The number of working days must be a whole number."))
    if n < 0:
        raise ValueError(_("The number of working days must not be negative."))
    return n


def _amount(amount: Amount) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | float):
        raise TypeError(_("A time limit must be a number."))
    value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount)
    if not value.is_finite() or value < 0:
        raise ValueError(_("A time limit must be a finite number, 0 or more."))
    return value


def _local(moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        raise TypeError(_("Expected a date-time."))
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(_("The time of receipt must carry its time zone."))
    return moment.astimezone(TZ)


def _minus(end: dt.time, start: dt.time) -> dt.timedelta:
    day = dt.date(2000, 1, 1)
    return dt.datetime.combine(day, end) - dt.datetime.combine(day, start)


def _seconds(delta: dt.timedelta) -> Decimal:
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / 10**6


# --- the process-wide calendar -------------------------------------------------------------

_lock = threading.Lock()
_calendar: WorkCalendar | None = None
_checked_at = 0.0
_generation = 0  # bumped by every change, so a load that raced a change is not kept
# Atomic blocks open when this process last changed the data: if one of them ends (commit or
# rollback) the snapshot may be wrong, so the calendar is rebuilt.
_pending_blocks: list[object] = []


def _signature() -> tuple:
    from cchc.core.models import CalendarException, WorkingHours

    return tuple(
        tuple(model.objects.aggregate(n=Count("pk"), at=Max("updated_at")).values())
        for model in (CalendarException, WorkingHours)
    )


def _load() -> WorkCalendar:
    from cchc.core.models import CalendarException, CalendarExceptionKind, WorkingHours

    exceptions = list(CalendarException.objects.only("date", "kind", "updated_at"))
    hours = list(WorkingHours.objects.all())
    signature = tuple(
        (len(rows), max((row.updated_at for row in rows), default=None))
        for rows in (exceptions, hours)
    )
    return WorkCalendar(
        exceptions={e.date: e.kind == CalendarExceptionKind.WORKING_DAY for e in exceptions},
        hours=[(h.valid_from, h.valid_to, h.periods()) for h in hours],
        signature=signature,
    )


def get_calendar() -> WorkCalendar:
    """The process's calendar, rebuilt when the admin tables changed (see the module doc)."""
    global _calendar, _checked_at
    if _pending_blocks:
        _forget_if_transaction_ended()
    calendar = _calendar
    if calendar is not None and time.monotonic() - _checked_at < REFRESH_SECONDS:
        return calendar
    with _lock:
        calendar = _calendar
        if calendar is not None and time.monotonic() - _checked_at < REFRESH_SECONDS:
            return calendar  # another thread has just loaded or checked it
        if calendar is None or _signature() != calendar.signature:
            generation = _generation
            calendar = _load()
            if generation == _generation:
                _calendar = calendar
        _checked_at = time.monotonic()
        return calendar


def _forget_if_transaction_ended() -> None:
    """Rebuild when an atomic block that was open at the last change has ended: committed
    into its parent or rolled back, the snapshot may no longer match the database."""
    global _pending_blocks
    blocks = transaction.get_connection().atomic_blocks
    kept = 0
    while kept < min(len(_pending_blocks), len(blocks)) and blocks[kept] is _pending_blocks[kept]:
        kept += 1
    if kept < len(_pending_blocks):
        _pending_blocks = _pending_blocks[:kept]
        invalidate()


def data_changed() -> None:
    """Forget the process's calendar now, at commit, and if the change is rolled back (called
    by the models' save/delete receivers; call it after writes that bypass signals)."""
    global _pending_blocks
    invalidate()
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        _pending_blocks = list(connection.atomic_blocks)
        transaction.on_commit(invalidate)


def invalidate() -> None:
    """Forget the process's calendar; the next use reloads it."""
    global _calendar, _generation
    _generation += 1
    _calendar = None


# --- the public functions -------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is worked (admin table, then the ``holidays`` package, then weekends)."""
    return get_calendar().is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day``; ``n`` = 0: ``day`` or the next working day."""
    return get_calendar().add_working_days(day, n)


def deadline(received_at: dt.datetime, amount: Amount, unit: str = WORKING_DAYS) -> dt.datetime:
    """The deadline of a receipt; see ``WorkCalendar.deadline`` for the rules."""
    return get_calendar().deadline(received_at, amount, unit)


def deadlines_bulk(
    received: Sequence[dt.datetime],
    amount: Amount | Sequence[Amount],
    unit: str = WORKING_DAYS,
) -> list[dt.datetime]:
    """``deadline`` for many receipts; ``amount`` is one limit or one per receipt."""
    return get_calendar().deadlines_bulk(received, amount, unit)


def end_of_working_hours(day: dt.date) -> dt.datetime:
    """The end of working hours on ``day``, aware."""
    return get_calendar().end_of_working_hours(day)
