import datetime as dt

import pytest

from cchc.reports.models import ReportPeriodRule
from cchc.reports.periods import parse_period

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "due", "label"),
    [
        ("2026-Q1", "q1", "2025-12-15", "2026-03-14", "2026-03-20", "quý I năm 2026"),
        ("2026-H1", "h1", "2025-12-15", "2026-06-14", "2026-06-20", "6 tháng đầu năm 2026"),
        ("2026-q3", "q3", "2026-06-15", "2026-09-14", "2026-09-20", "quý III năm 2026"),
        ("2026", "year", "2025-12-15", "2026-12-14", "2026-12-20", "năm 2026"),
    ],
)
def test_named_periods_follow_the_rules(text, kind, start, end, due, label):
    period = parse_period(text)
    assert period.kind == kind
    assert period.year == 2026
    assert period.start == dt.date.fromisoformat(start)
    assert period.end == dt.date.fromisoformat(end)
    assert period.due == dt.date.fromisoformat(due)
    assert period.label_vi == label


def test_the_rules_are_data_with_their_source():
    assert ReportPeriodRule.objects.count() == 4
    assert set(ReportPeriodRule.objects.values_list("source", flat=True)) == {
        "Công văn 581/BNV-CCHC"
    }
    ReportPeriodRule.objects.filter(kind="q1").update(end_day=15, due_day=25)
    period = parse_period("2026-Q1")
    assert (period.end, period.due) == (dt.date(2026, 3, 15), dt.date(2026, 3, 25))


def test_ad_hoc_period_and_previous():
    period = parse_period("2026-03-01..2026-05-31")
    assert (period.kind, period.start, period.end, period.due) == (
        "adhoc",
        dt.date(2026, 3, 1),
        dt.date(2026, 5, 31),
        None,
    )
    assert "01/03/2026" in period.label_vi
    before = period.previous()
    assert before.end == dt.date(2026, 2, 28)
    assert (before.end - before.start) == (period.end - period.start)
    assert parse_period("2026-H1").previous().start == dt.date(2024, 12, 15)


@pytest.mark.parametrize(
    "text", ["", "2026-Q2", "26", "2026-H3", "quý 1", "2026-02-30..2026-03-01", "1850"]
)
def test_bad_text_is_refused_clearly(text):
    with pytest.raises(ValueError) as error:
        parse_period(text)
    assert str(error.value)


def test_reversed_window_is_refused():
    with pytest.raises(ValueError):
        parse_period("2026-05-01..2026-03-01")
