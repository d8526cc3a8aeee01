import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from cchc.indicators.models import Indicator
from cchc.indicators.selectors import (
    AT_RISK,
    MET,
    MISSED,
    NO_DATA,
    period_of,
    status_of,
    thresholds_text,
    up_to,
    year_to_date,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("95"), MET),
        (D("99.99"), MET),
        (D("94.99"), AT_RISK),
        (D("90"), AT_RISK),
        (D("89.99"), MISSED),
        (D("0"), MISSED),
        (None, NO_DATA),
    ],
)
def test_higher_is_better(value, expected):
    assert status_of(value, D("95"), margin=D("5")) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("3"), MET), (D("5"), MET), (D("7"), AT_RISK), (D("10"), AT_RISK), (D("10.01"), MISSED)],
)
def test_lower_is_better(value, expected):
    assert status_of(value, D("5"), margin=D("5"), higher_is_better=False) == expected


def test_no_target_is_no_data():
    assert status_of(D("50"), None, margin=D("5")) == NO_DATA


@pytest.mark.django_db
def test_thresholds_are_shown_as_people_read_them():
    indicator = Indicator.objects.get(code="on_time")
    assert indicator.measured_rate == "on_time_rate"
    assert indicator.at_risk_margin == D("5")
    with translation.override("en"):
        assert thresholds_text(indicator, D("95.00")) == (
            "≥ 95 % met; 90–95 % at risk; < 90 % missed"
        )
        indicator.higher_is_better = False
        assert thresholds_text(indicator, D("2.5")) == (
            "≤ 2.5 % met; 2.5–7.5 % at risk; > 7.5 % missed"
        )


@pytest.mark.django_db
def test_standard_indicators_are_linked_to_measured_rates():
    rates = dict(Indicator.objects.values_list("code", "measured_rate"))
    assert rates["online_usage"] == "online_rate"
    assert rates["satisfaction"] == "handling_satisfaction_rate"
    assert rates["time_reduction"] == "time_reduction_coverage"


def test_periods():
    assert (period_of(year=2026).start, period_of(year=2026).end) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )
    q2 = period_of(year=2026, kind="quarter", quarter=2)
    assert (q2.start, q2.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    feb = period_of(year=2028, kind="month", month=2)
    assert feb.end == dt.date(2028, 2, 29)
    custom = period_of(
        year=2026, kind="custom", start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 20)
    )
    assert (custom.start, custom.end) == (dt.date(2026, 3, 5), dt.date(2026, 3, 20))
    # Incomplete or reversed choices fall back to the whole year.
    assert period_of(year=2026, kind="quarter").kind == "year"
    assert (
        period_of(year=2026, kind="custom", start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 1)).kind
        == "year"
    )
    # What has not happened yet is not measured.
    assert up_to(period_of(year=2026), dt.date(2026, 5, 10)).end == dt.date(2026, 5, 10)
    assert up_to(q2, dt.date(2026, 8, 1)).end == dt.date(2026, 6, 30)
    assert year_to_date(2025, dt.date(2026, 3, 1)).end == dt.date(2025, 12, 31)
