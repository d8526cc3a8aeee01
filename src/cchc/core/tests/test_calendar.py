"""The working-day calendar (DESIGN.md §4.1): hand-worked 2026 examples, the admin table winning
over the ``holidays`` package, working hours, the ``due_date`` command, and properties checked
against ``holidays``' own ``get_nth_working_day``.

The 2026 calendar used below (``holidays`` 0.108): Tết 16–20/02 (Mon–Fri); Giỗ Tổ 26/04 (Sun),
observed 27/04; 30/04 (Thu) and 01/05 (Fri); Saturday 22/08 worked in exchange for Monday 31/08;
01–02/09 (Tue–Wed) National Day.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.core import calendar
from cchc.core.calendar import CALENDAR_DAYS, TZ, WORKING_DAYS, WORKING_HOURS, WorkCalendar
from cchc.core.models import CalendarException, CalendarExceptionKind, WorkingHours

D = dt.date
PLAIN = WorkCalendar()  # the package alone: no admin exceptions, default hours
REFERENCE = holidays.country_holidays("VN", years=range(2023, 2030))


def at(text: str) -> dt.datetime:
    """A local time, e.g. at("2026-08-20 10:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def day_off(day: dt.date) -> CalendarException:
    return CalendarException.objects.create(
        date=day,
        kind=CalendarExceptionKind.DAY_OFF,
        reason="Nghỉ bù",
        decision="Thông báo 123/TB-BNV",
    )


def working_day(day: dt.date) -> CalendarException:
    return CalendarException.objects.create(
        date=day,
        kind=CalendarExceptionKind.WORKING_DAY,
        reason="Làm bù",
        decision="Thông báo 124/TB-BNV",
    )


# --- the package's 2026 calendar, worked by hand ---------------------------------------------


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        (D(2026, 2, 13), True),  # Friday before Tết
        *((D(2026, 2, d), False) for d in range(16, 21)),  # Tết
        (D(2026, 2, 23), True),
        (D(2026, 4, 26), False),  # Giỗ Tổ, a Sunday …
        (D(2026, 4, 27), False),  # … observed on Monday
        (D(2026, 4, 30), False),
        (D(2026, 5, 1), False),
        (D(2026, 8, 22), True),  # a Saturday worked (swap)
        (D(2026, 8, 29), False),  # an ordinary Saturday
        (D(2026, 8, 30), False),
        (D(2026, 8, 31), False),  # the Monday it pays for
        (D(2026, 9, 1), False),
        (D(2026, 9, 2), False),
        (D(2026, 9, 3), True),
    ],
)
def test_working_days_of_2026(day, worked):
    assert PLAIN.is_working_day(day) is worked


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2026, 2, 13), 1, D(2026, 2, 23)),  # over Tết
        (D(2026, 2, 12), 2, D(2026, 2, 23)),
        (D(2026, 4, 24), 1, D(2026, 4, 28)),  # over Giỗ Tổ and its observed Monday
        (D(2026, 4, 28), 2, D(2026, 5, 4)),  # 29/04, then over 30/04–01/05 and the weekend
        (D(2026, 8, 20), 2, D(2026, 8, 22)),  # Thu → Fri → the worked Saturday
        (D(2026, 8, 28), 1, D(2026, 9, 3)),  # over the weekend, 31/08, 01/09 and 02/09
        (D(2026, 8, 20), 0, D(2026, 8, 20)),  # N = 0: the same day …
        (D(2026, 9, 1), 0, D(2026, 9, 3)),  # … or the next working day when it is off
        (D(2026, 9, 1), 1, D(2026, 9, 3)),  # received on a holiday: the first day after
        (D(2026, 8, 22), 1, D(2026, 8, 24)),  # received on the worked Saturday
    ],
)
def test_add_working_days_by_hand(day, n, expected):
    assert PLAIN.add_working_days(day, n) == expected


def test_five_working_days_from_the_issue():
    # Fri 21, Sat 22 (worked), Mon 24, Tue 25, Wed 26.
    assert PLAIN.deadline(at("2026-08-20 10:00"), 5) == at("2026-08-26 17:00")


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        ("2026-08-20 10:00", 0, "2026-08-20 17:00"),
        ("2026-08-20 20:00", 0, "2026-08-20 17:00"),  # the time of receipt does not matter
        ("2026-08-20 20:00", 1, "2026-08-21 17:00"),
        ("2026-09-01 09:00", 0, "2026-09-03 17:00"),  # received on a holiday
        ("2026-09-01 09:00", 2, "2026-09-04 17:00"),
        ("2026-02-14 09:00", 1, "2026-02-23 17:00"),  # received on the Saturday before Tết
    ],
)
def test_deadline_in_working_days(received, days, expected):
    assert PLAIN.deadline(at(received), days, WORKING_DAYS) == at(expected)


def test_deadline_is_local_whatever_the_zone_of_the_receipt():
    received = dt.datetime(2026, 8, 20, 18, 0, tzinfo=dt.UTC)  # 01:00 on 21/08 in Hanoi
    due = PLAIN.deadline(received, 1)
    assert due == at("2026-08-22 17:00")
    assert due.tzinfo is TZ
    assert due.isoformat() == "2026-08-22T17:00:00+07:00"


@pytest.mark.parametrize(
    ("received", "hours", "expected"),
    [
        ("2026-08-20 07:30", 4, "2026-08-20 11:30"),  # ends exactly at lunch: not 13:30
        ("2026-08-20 11:00", 1, "2026-08-20 14:00"),  # across lunch
        ("2026-08-20 12:15", 1, "2026-08-20 14:30"),  # received at lunch: starts at 13:30
        ("2026-08-20 18:00", 2, "2026-08-21 09:30"),  # received after 17:00
        ("2026-08-20 06:00", 1, "2026-08-20 08:30"),  # received before 07:30
        ("2026-08-20 16:00", 4, "2026-08-21 10:30"),  # across a night
        ("2026-08-21 16:30", 5, "2026-08-22 14:00"),  # night, lunch, on the worked Saturday
        ("2026-08-28 16:00", 2, "2026-09-03 08:30"),  # across the 2/9 days off
        ("2026-08-20 10:00", 0, "2026-08-20 10:00"),
        ("2026-08-20 10:00", Decimal("0.5"), "2026-08-20 10:30"),
    ],
)
def test_deadline_in_working_hours(received, hours, expected):
    assert PLAIN.deadline(at(received), hours, WORKING_HOURS) == at(expected)


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        ("2026-08-20 10:00", 6, "2026-08-26 17:00"),
        ("2026-08-20 10:00", 0, "2026-08-20 17:00"),
        ("2026-08-20 10:00", 2, "2026-08-22 17:00"),  # the worked Saturday
        ("2026-08-20 10:00", 9, "2026-09-03 17:00"),  # 29/08, a Saturday: next working day
        ("2026-08-20 10:00", 10, "2026-09-03 17:00"),  # 30/08, Sunday, then 31/08–02/09 off
    ],
)
def test_deadline_in_calendar_days(received, days, expected):
    assert PLAIN.deadline(at(received), days, CALENDAR_DAYS) == at(expected)


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        # Half a day is 3 h 45 of working time (07:30–11:30, 13:30–17:00 is 7 h 30).
        ("2026-08-20 08:00", Decimal("0.5"), "2026-08-20 13:45"),  # 3 h 30 + 15 min
        ("2026-08-20 10:00", Decimal("0.5"), "2026-08-20 15:45"),
        ("2026-08-20 16:00", 0.5, "2026-08-21 10:15"),
        # Whole days first (end of Friday 21/08), then half of the next working day.
        ("2026-08-20 10:00", Decimal("1.5"), "2026-08-22 11:15"),
    ],
)
def test_fractional_working_days(received, days, expected):
    assert PLAIN.deadline(at(received), days, WORKING_DAYS) == at(expected)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((dt.datetime(2026, 8, 20, 10), 1, WORKING_DAYS), ValueError),  # naive
        ((at("2026-08-20 10:00"), -1, WORKING_DAYS), ValueError),
        ((at("2026-08-20 10:00"), Decimal("NaN"), WORKING_DAYS), ValueError),
        ((at("2026-08-20 10:00"), "5", WORKING_DAYS), TypeError),
        ((at("2026-08-20 10:00"), True, WORKING_DAYS), TypeError),
        ((at("2026-08-20 10:00"), 1.5, CALENDAR_DAYS), ValueError),
        ((at("2026-08-20 10:00"), 1, "fortnights"), ValueError),
    ],
)
def test_bad_input_is_refused(args, error):
    with pytest.raises(error):
        PLAIN.deadline(*args)


def test_add_working_days_refuses_negative_and_datetimes():
    with pytest.raises(ValueError):
        PLAIN.add_working_days(D(2026, 8, 20), -1)
    with pytest.raises(TypeError):
        PLAIN.add_working_days(at("2026-08-20 10:00"), 1)


def test_far_dates_extend_the_calendar_lazily():
    far = WorkCalendar()
    assert far.add_working_days(D(2040, 12, 28), 400) > D(2042, 1, 1)
    assert far.is_working_day(D(2001, 1, 1)) is False  # New Year's Day
    later = holidays.country_holidays("VN", years=range(2040, 2044))
    assert far.add_working_days(D(2040, 12, 28), 400) == later.get_nth_working_day(
        D(2040, 12, 28), 400
    )


# --- the admin table wins over the package ----------------------------------------------------


@pytest.mark.django_db
def test_the_default_working_hours_ship_with_the_migration():
    row = WorkingHours.objects.get()
    assert row.periods() == calendar.DEFAULT_PERIODS
    assert row.valid_to is None
    assert "mặc định" in row.source


@pytest.mark.django_db
def test_without_exceptions_the_process_calendar_is_the_package():
    assert calendar.deadline(at("2026-08-20 10:00"), 5) == at("2026-08-26 17:00")
    assert calendar.is_working_day(D(2026, 8, 22))
    assert calendar.add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 3)


@pytest.mark.django_db
def test_an_admin_day_off_wins():
    day_off(D(2026, 8, 21))  # a Friday
    assert not calendar.is_working_day(D(2026, 8, 21))
    # Sat 22 (worked), Mon 24, Tue 25, Wed 26, Thu 27.
    assert calendar.deadline(at("2026-08-20 10:00"), 5) == at("2026-08-27 17:00")


@pytest.mark.django_db
def test_an_admin_working_saturday_wins():
    working_day(D(2026, 8, 29))
    assert calendar.is_working_day(D(2026, 8, 29))
    assert calendar.add_working_days(D(2026, 8, 28), 1) == D(2026, 8, 29)
    assert calendar.deadline(at("2026-08-28 16:00"), 2, WORKING_HOURS) == at("2026-08-29 08:30")


@pytest.mark.django_db
def test_an_admin_day_off_on_a_swapped_saturday_and_a_worked_holiday():
    day_off(D(2026, 8, 22))
    working_day(D(2026, 9, 1))
    assert calendar.add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 24)
    assert calendar.add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 1)


@pytest.mark.django_db
def test_changes_are_seen_at_once_and_undone_with_their_transaction():
    assert calendar.is_working_day(D(2026, 8, 21))
    with pytest.raises(RuntimeError), transaction.atomic():
        row = day_off(D(2026, 8, 21))
        assert not calendar.is_working_day(D(2026, 8, 21))
        raise RuntimeError("roll back")
    assert calendar.is_working_day(D(2026, 8, 21))
    row = day_off(D(2026, 8, 21))
    assert not calendar.is_working_day(D(2026, 8, 21))
    row.kind = CalendarExceptionKind.WORKING_DAY
    row.save()
    assert calendar.is_working_day(D(2026, 8, 21))
    row.delete()
    assert calendar.deadline(at("2026-08-20 10:00"), 5) == at("2026-08-26 17:00")


@pytest.mark.django_db
def test_writes_without_signals_are_seen_by_the_periodic_check(monkeypatch):
    assert calendar.is_working_day(D(2026, 8, 21))
    CalendarException.objects.bulk_create(
        [CalendarException(date=D(2026, 8, 21), kind="day_off", reason="x", decision="y")]
    )
    assert calendar.is_working_day(D(2026, 8, 21))  # the snapshot is still fresh
    monkeypatch.setattr(calendar, "REFRESH_SECONDS", 0.0)
    assert not calendar.is_working_day(D(2026, 8, 21))
    calendar.invalidate()  # bulk_create sent no signal: forget it for the next tests


@pytest.mark.django_db
def test_the_working_hours_in_force_apply():
    WorkingHours.objects.filter(valid_to__isnull=True).update(valid_to=D(2026, 12, 31))
    WorkingHours.objects.create(
        valid_from=D(2027, 1, 1),
        morning_start=dt.time(8, 0),
        morning_end=dt.time(12, 0),
        afternoon_start=dt.time(12, 0),  # no lunch break
        afternoon_end=dt.time(16, 30),
        source="Quyết định 9/QĐ-UBND",
    )
    assert calendar.deadline(at("2026-12-30 10:00"), 1) == at("2026-12-31 17:00")
    # Thu 31/12 → Fri 01/01/2027 is New Year's Day → Mon 04/01.
    assert calendar.deadline(at("2026-12-31 10:00"), 1) == at("2027-01-04 16:30")
    assert calendar.deadline(at("2027-01-04 15:00"), 2, WORKING_HOURS) == at("2027-01-05 08:30")
    assert calendar.deadline(at("2027-01-04 11:00"), 2, WORKING_HOURS) == at("2027-01-04 13:00")


@pytest.mark.django_db
def test_working_hours_are_validated():
    overlapping = WorkingHours(valid_from=D(2026, 1, 1), source="x")
    with pytest.raises(ValidationError) as info:
        overlapping.full_clean()
    assert "valid_from" in info.value.message_dict
    backwards = WorkingHours(
        valid_from=D(2030, 1, 1),
        morning_start=dt.time(11, 0),
        morning_end=dt.time(9, 0),
        source="x",
    )
    with pytest.raises(ValidationError) as info:
        backwards.full_clean()
    assert "afternoon_end" in info.value.message_dict


# --- bulk --------------------------------------------------------------------------------------


def test_bulk_matches_one_by_one():
    received = [at("2026-08-20 10:00"), at("2026-09-01 09:00"), at("2026-02-14 09:00")] * 3
    amounts = [0, 1, 5, Decimal("0.5"), Decimal(3), 1.5, 30, 2, 7]
    expected = [PLAIN.deadline(r, a) for r, a in zip(received, amounts, strict=True)]
    assert PLAIN.deadlines_bulk(received, amounts) == expected
    assert PLAIN.deadlines_bulk(received, 5) == [PLAIN.deadline(r, 5) for r in received]
    assert PLAIN.deadlines_bulk(received, 4, WORKING_HOURS) == [
        PLAIN.deadline(r, 4, WORKING_HOURS) for r in received
    ]
    assert PLAIN.deadlines_bulk([], 5) == []
    with pytest.raises(ValueError):
        PLAIN.deadlines_bulk(received, [1, 2])
    with pytest.raises(ValueError):
        PLAIN.deadlines_bulk(received, [-1] * len(received))


def test_bulk_outside_the_built_years_widens_them():
    far = WorkCalendar()
    received = [at("2040-12-28 10:00"), at("2026-08-20 10:00"), at("2001-01-01 09:00")]
    limits = [400, 5, 0]
    assert far.deadlines_bulk(received, limits) == [
        PLAIN.deadline(r, n) for r, n in zip(received, limits, strict=True)
    ]
    assert far.deadlines_bulk(received, limits)[1] == at("2026-08-26 17:00")


@pytest.mark.django_db
def test_module_bulk_uses_the_admin_table():
    day_off(D(2026, 8, 21))
    assert calendar.deadlines_bulk([at("2026-08-20 10:00")], [5]) == [at("2026-08-27 17:00")]


# --- properties --------------------------------------------------------------------------------

dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=400, deadline=None)
@given(day=dates, n=counts)
def test_add_working_days_is_the_packages_nth_working_day(day, n):
    assert PLAIN.add_working_days(day, n) == REFERENCE.get_nth_working_day(day, n)


@settings(max_examples=300, deadline=None)
@given(day=dates, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_working_day_after_the_start(day, n):
    result = PLAIN.add_working_days(day, n)
    assert result > day
    assert PLAIN.is_working_day(result)
    assert REFERENCE.is_working_day(result)
    between = [day + dt.timedelta(days=i) for i in range(1, (result - day).days + 1)]
    assert sum(PLAIN.is_working_day(x) for x in between) == n


@settings(max_examples=300, deadline=None)
@given(day=dates, n=counts, m=counts)
def test_add_working_days_is_monotone_and_additive(day, n, m):
    if n <= m:
        assert PLAIN.add_working_days(day, n) <= PLAIN.add_working_days(day, m)
    if 1 <= n < m or (n < m and PLAIN.is_working_day(day)):
        assert PLAIN.add_working_days(day, n) < PLAIN.add_working_days(day, m)
    if not PLAIN.is_working_day(day):  # received on a day off, 0 and 1 give the same day
        assert PLAIN.add_working_days(day, 0) == PLAIN.add_working_days(day, 1)
    if n >= 1:
        assert PLAIN.add_working_days(PLAIN.add_working_days(day, n), m) == (
            PLAIN.add_working_days(day, n + m)
        )


moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31, 23, 59)
).map(lambda moment: moment.replace(second=0, microsecond=0, tzinfo=TZ))
quarter_hours = st.integers(min_value=0, max_value=400).map(lambda q: Decimal(q) / 4)


@settings(max_examples=300, deadline=None)
@given(received=moments, a=quarter_hours, b=quarter_hours)
def test_working_hours_are_monotone_additive_and_inside_working_time(received, a, b):
    first = PLAIN.deadline(received, a, WORKING_HOURS)
    both = PLAIN.deadline(received, a + b, WORKING_HOURS)
    assert PLAIN.deadline(first, b, WORKING_HOURS) == both
    assert first <= both
    if a:
        local = first.astimezone(TZ)
        assert PLAIN.is_working_day(local.date())
        assert any(start < local.time() <= end for start, end in PLAIN.periods(local.date()))


@settings(max_examples=200, deadline=None)
@given(received=moments, n=st.integers(min_value=1, max_value=60))
def test_working_day_deadlines_grow_with_the_limit_fraction_included(received, n):
    limits = [Decimal(n - 1) + Decimal(q) / 4 for q in range(1, 5)]
    deadlines = [PLAIN.deadline(received, limit) for limit in limits]
    assert deadlines == sorted(deadlines)
    assert deadlines[-1] == PLAIN.deadline(received, n)


# --- the command -------------------------------------------------------------------------------


def due_date(*args: str) -> str:
    out = io.StringIO()
    call_command("due_date", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.mark.django_db
def test_command_prints_the_iso_deadline():
    assert due_date("--received", "2026-08-20T10:00", "--days", "5") == (
        "2026-08-26T17:00:00+07:00"
    )
    assert due_date("--received", "20/08/2026 16:00", "--hours", "4") == (
        "2026-08-21T10:30:00+07:00"
    )
    assert due_date("--received", "2026-08-20T03:00:00+00:00", "--calendar-days", "10") == (
        "2026-09-03T17:00:00+07:00"
    )
    assert due_date("--received", "2026-08-20T10:00", "--days", "0,5") == (
        "2026-08-20T15:45:00+07:00"
    )


@pytest.mark.django_db
def test_command_answers_in_json():
    payload = json.loads(due_date("--received", "2026-08-28T16:00", "--hours", "2", "--json"))
    assert payload == {
        "received": "2026-08-28T16:00:00+07:00",
        "amount": "2",
        "unit": "working_hours",
        "deadline": "2026-09-03T08:30:00+07:00",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--received", "tomorrow", "--days", "5"), "Cannot read the time of receipt"),
        (("--received", "2026-08-20", "--days", "-1"), "must be a number, 0 or more"),
        (("--received", "2026-08-20", "--days", "five"), "must be a number, 0 or more"),
        (("--received", "2026-08-20", "--calendar-days", "1.5"), "whole number"),
    ],
)
def test_command_refuses_bad_input(args, message):
    from django.utils import translation

    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as info:
        call_command("due_date", *args, "--json", stdout=out, stderr=io.StringIO())
    assert message in str(info.value)
    assert message in json.loads(out.getvalue())["error"]


@pytest.mark.django_db
def test_command_errors_are_vietnamese_by_default():
    with pytest.raises(CommandError) as info:
        call_command(
            "due_date",
            "--received",
            "tomorrow",
            "--days",
            "5",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert "Không đọc được thời điểm tiếp nhận" in str(info.value)


def test_command_needs_one_limit():
    with pytest.raises(CommandError):
        call_command("due_date", "--received", "2026-08-20", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command(
            "due_date", "--days", "1", "--hours", "1", stdout=io.StringIO(), stderr=io.StringIO()
        )
