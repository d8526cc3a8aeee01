"""The snapshot's figures are those of the metrics and selectors they come from."""

import json

import pytest
from django.utils import timezone

from cchc.feedback.selectors import feedback_counts
from cchc.plans.selectors import dashboard
from cchc.procedures.metrics import compute
from cchc.reports.periods import parse_period
from cchc.reports.snapshot import report_snapshot
from cchc.reports.tests.conftest import NOTE
from cchc.surveys.selectors import satisfaction_index


@pytest.fixture
def year_snapshot(report_world):
    return report_snapshot(agency=report_world.agency, period=parse_period("2026"))


def test_snapshot_is_plain_json(year_snapshot):
    assert json.loads(json.dumps(year_snapshot)) == year_snapshot
    assert year_snapshot["agency"]["code"] == "STP"
    assert year_snapshot["agency"]["parent"] == "Tỉnh Thử Nghiệm"
    assert year_snapshot["period"]["start"] == "2025-12-15"
    assert year_snapshot["generated_at"]


def test_dossier_figures_are_the_metrics(report_world, year_snapshot):
    period = parse_period("2026")
    metrics = compute(agency_ids=[report_world.agency.pk], start=period.start, end=period.end)
    assert year_snapshot["dossiers"]["counts"] == metrics.as_json()["counts"]
    assert year_snapshot["dossiers"]["rates"] == metrics.as_json()["rates"]
    assert year_snapshot["dossiers"]["counts"]["received"] == 15
    assert year_snapshot["dossiers"]["counts"]["on_time"] == 14
    assert year_snapshot["dossiers"]["rates"]["on_time_rate"] == 93.33
    previous = compute(
        agency_ids=[report_world.agency.pk],
        start=period.previous().start,
        end=period.previous().end,
    )
    assert year_snapshot["dossiers_previous"]["counts"] == previous.as_json()["counts"]
    assert year_snapshot["dossiers_previous"]["counts"]["received"] == 0


def test_targets_carry_the_measured_value_and_status(year_snapshot):
    (row,) = [t for t in year_snapshot["targets"] if t["indicator"] == "on_time"]
    assert (row["target"], row["value"], row["source"], row["status"]) == (
        95.0,
        93.33,
        "measured",
        "at_risk",
    )


def test_plan_figures_match_the_plan_dashboard(report_world, year_snapshot):
    world = report_world.world
    board = dashboard(
        user=world.a.leader, agency_id=world.a.agency.pk, year=2026, today=report_world.today
    )
    totals = year_snapshot["plan"]["totals"]
    assert (totals["planned"], totals["done"], totals["overdue"]) == (
        board.total,
        board.done,
        board.overdue_count,
    )
    areas = {row["number"]: row for row in year_snapshot["plan"]["areas"]}
    assert areas[3]["planned"] == 1 and areas[3]["done"] == 1 and areas[3]["done_in_period"] == 1
    assert areas[3]["progress"] == 100.0
    assert areas[5]["planned"] == 1 and areas[5]["done"] == 0
    assert totals["progress"] == 50.0
    (late,) = year_snapshot["plan"]["overdue"]
    assert late["title"] == "Cập nhật vị trí việc làm"
    assert late["reason"] == NOTE
    (notable,) = year_snapshot["plan"]["notable"]
    assert notable["product"] == "Báo cáo kết quả rà soát"


def test_a_task_done_after_the_window_is_not_done_in_it(report_world):
    snapshot = report_snapshot(agency=report_world.agency, period=parse_period("2026-Q1"))
    areas = {row["number"]: row for row in snapshot["plan"]["areas"]}
    assert areas[3]["done"] == 0
    assert snapshot["plan"]["notable"] == []


def test_feedback_and_survey_figures_are_the_selectors(report_world, year_snapshot):
    period = parse_period("2026")
    ids = [report_world.agency.pk]
    counts = feedback_counts(agency_ids=ids, start=period.start, end=period.end)
    assert year_snapshot["feedback"]["received"] == counts.received == 1
    assert year_snapshot["feedback"]["open"] == counts.open
    assert year_snapshot["feedback"]["due"] == counts.due
    assert year_snapshot["satisfaction_index"] == satisfaction_index(ids, period.start, period.end)


def test_without_an_assessment_the_par_index_is_none(year_snapshot):
    assert year_snapshot["par_index"] is None
    assert year_snapshot["generated_at"] == timezone.now().isoformat()
