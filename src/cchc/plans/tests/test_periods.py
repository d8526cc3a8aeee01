import datetime as dt

from cchc.plans.periods import periods_of


def test_quarters_of_a_year():
    periods = periods_of("quarterly", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [p.label for p in periods] == ["Q1", "Q2", "Q3", "Q4"]
    assert periods[0].end == dt.date(2026, 3, 31)
    assert periods[3].start == dt.date(2026, 10, 1)


def test_months_clipped_to_the_task_window():
    periods = periods_of("monthly", dt.date(2026, 2, 15), dt.date(2026, 4, 10))
    assert [(p.label, p.start, p.end) for p in periods] == [
        ("T02", dt.date(2026, 2, 15), dt.date(2026, 2, 28)),
        ("T03", dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        ("T04", dt.date(2026, 4, 1), dt.date(2026, 4, 10)),
    ]


def test_once_has_no_periods_and_reversed_window_is_empty():
    assert periods_of("once", dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == []
    assert periods_of("monthly", dt.date(2026, 5, 1), dt.date(2026, 4, 1)) == []


def test_periods_across_years_carry_the_year():
    periods = periods_of("yearly", dt.date(2025, 6, 1), dt.date(2026, 6, 30))
    assert [p.label for p in periods] == ["2025-Y", "2026-Y"]
