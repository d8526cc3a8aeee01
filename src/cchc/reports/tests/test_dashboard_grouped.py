"""The province's figures read for all agencies at once equal the figures of each agency read
alone: ``metrics.compute_by_agency`` against ``metrics.compute`` (and ``metrics_direct``), and
``index_by_agency`` against ``forecast.forecast`` and the assessments' stored totals.

The seeding helpers here serve the other dashboard tests too."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cchc.core.models import Agency, AgencyKind, Role
from cchc.feedback.models import Feedback, FeedbackTopic
from cchc.feedback.services import feedback_submit, topics_ensure_defaults
from cchc.indicators.models import Indicator, Target
from cchc.plans import services as plans
from cchc.procedures import metrics, rollups
from cchc.procedures.models import OnlineLevel
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure
from cchc.reports.dashboard.grouped_index import index_by_agency
from cchc.scoring import forecast as forecasting
from cchc.scoring.arithmetic import percent_of
from cchc.scoring.frameworks import Spec
from cchc.scoring.models import Assessment, AssessmentStatus
from cchc.scoring.tests.conftest import make_framework
from cchc.surveys.models import QuestionKind, Response
from cchc.surveys.selectors import answers_in, grouped_tallies, satisfaction_index
from cchc.surveys.services import response_submit, survey_default_for
from cchc.testing import make_user

D = Decimal
YEAR = 2026
NOW = at("2026-11-20 09:00")
TODAY = NOW.date()
YTD = (dt.date(2026, 1, 1), TODAY)
_codes = itertools.count(1)


def freeze(monkeypatch) -> dt.datetime:
    """Every "now" of the code under test is 20/11/2026 09:00, whatever the machine's clock."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def frozen(monkeypatch):
    return freeze(monkeypatch)


def add_agency(world, code: str, name: str):
    """Another agency of the test province, with a coordinator and a plan of the year."""
    agency = Agency.objects.create(code=code, name=name, parent=world.province)
    coordinator = make_user(f"{code.lower()}_coord", agency=agency, role=Role.COORDINATOR)
    plan = plans.plan_create(actor=coordinator, agency=agency, year=YEAR, symbol=f"KH-{code}")
    return SimpleNamespace(agency=agency, coordinator=coordinator, plan=plan)


def seed_agency(agency, coordinator, plan, n: int) -> None:
    """Dossiers of every kind the metrics tell apart, tasks, feedback, survey answers and
    targets; ``n`` (0, 1, 2 …) varies the mix so that agencies differ."""
    tag = f"{agency.code}-{next(_codes)}"
    plain = make_procedure(agency, code=f"P{tag}")
    paid = make_procedure(
        agency,
        code=f"F{tag}",
        fee_bearing=True,
        paper_result=True,
        online_level=OnlineLevel.PARTIAL if n % 2 else OnlineLevel.NONE,
        reduced_time_limit=D(3),
    )
    for day in range(2, 8 + n):
        make_dossier(
            plain,
            received=at(f"2026-03-{day:02d} 08:00"),
            due=at(f"2026-03-{day + 5:02d} 17:00"),
            finished_at=at(f"2026-03-{day + (7 if day % 3 == 0 else 2):02d} 10:00"),
            channel=2 if (day + n) % 2 else 1,
            components_digitized=bool(day % 2),
        )
    # Open at the end of the periods: one on time, one late, one paused by a supplement
    # request, one late by the second supplement round; a paid one with its result not digitised.
    make_dossier(plain, received=at("2026-11-18 08:00"), due=at("2026-11-25 17:00"))
    make_dossier(plain, received=at("2026-10-01 08:00"), due=at("2026-10-08 17:00"))
    make_dossier(
        plain,
        received=at("2026-11-02 08:00"),
        due=at("2026-11-19 17:00"),
        supplement_requested_at=at("2026-11-10 09:00"),
        supplement_rounds=1,
    )
    make_dossier(
        plain,
        received=at("2026-09-01 08:00"),
        due=at("2026-12-20 17:00"),
        supplement_requested_at=at("2026-09-03 09:00"),
        supplement_completed_at=at("2026-09-10 09:00"),
        supplement_rounds=2,
    )
    for extra in range(n + 1):
        make_dossier(
            paid,
            received=at(f"2026-06-{10 + extra:02d} 08:00"),
            due=at("2026-06-30 17:00"),
            finished_at=at("2026-06-25 10:00") if extra else None,
            components_digitized=True,
            result_digitized=False,
            paid_online=1 if extra % 2 == 0 else 0,
            negative_feedback=extra == 1,
        )
    rollups.rebuild(agency.pk)

    area = plan.areas.get(number=2)
    for position, (due, percent) in enumerate(((dt.date(2026, 4, 30), 100), (None, 40))):
        task = plans.task_create(
            actor=coordinator,
            plan=plan,
            area=area,
            title=f"Nhiệm vụ {position + 1} của {agency.code}",
            start_date=dt.date(2026, 1, 10),
            due_date=due or dt.date(2026, 8 + n, 28),
        )
        plans.task_update_progress(actor=coordinator, task=task, percent=percent)

    topics_ensure_defaults(agency)
    topic = FeedbackTopic.objects.filter(agency=agency).order_by("position").first()
    for answered in (True, n % 2 == 0):
        item = feedback_submit(
            agency=agency,
            topic=topic,
            title="Đề nghị rút ngắn thời gian giải quyết",
            content="Đề nghị rút ngắn thời gian giải quyết thủ tục.",
            contact_name="Người gửi",
            contact_phone="0912345678",
        )
        Feedback.objects.filter(pk=item.pk).update(
            final_due_at=at("2026-05-20 17:00"),
            handled_at=at("2026-05-18 10:00") if answered else None,
        )

    survey = survey_default_for(agency)
    scale = [q for q in survey.questions.all() if q.kind == QuestionKind.SCALE]
    for value in (5, 4, 2 + n % 3):
        response = response_submit(
            survey=survey, channel="web", answers={q.pk: value for q in scale}
        )
        # Answered in July (the model's default time is the machine's clock, not the frozen one).
        Response.objects.filter(pk=response.pk).update(submitted_at=at("2026-07-01 10:00"))

    for code, value in (("on_time", 95), ("online_usage", 50), ("feedback_on_time", 90)):
        Target.objects.create(plan=plan, indicator=Indicator.objects.get(code=code), value=D(value))
    Target.objects.create(
        plan=plan, indicator=Indicator.objects.get(code="satisfaction"), value=D(80)
    )


def seeded(world):
    """Agencies A and B of the world seeded differently; Sở Nội vụ has no data at all."""
    seed_agency(world.a.agency, world.a.coordinator, world.a.plan, 0)
    seed_agency(world.b.agency, world.b.coordinator, world.b.plan, 1)
    return [world.a.agency, world.b.agency, world.home_affairs]


def index_specs() -> list[Spec]:
    """Four areas (maximum 100): automatic criteria from the on-time and online rates and the
    plan's progress, one from the survey's overall index, manual ones projected from the tasks
    of the plan's areas II.2 and II.3, and a bonus (not projected)."""

    def auto(code, parent, points, source, bands, method="auto"):
        floors = [(D(rate), D(value)) for rate, value in bands]
        return Spec(
            code=code,
            title=f"Tiêu chí {code}",
            max_points=D(points),
            method=method,
            source=source,
            bands=floors,
            parent=parent,
        )

    return [
        Spec(code="1", title="Giải quyết hồ sơ", max_points=D(25)),
        auto("1.1", "1", 25, "on_time_rate", [(0, 0), (50, 10), (60, 20), (90, 25)]),
        Spec(code="2", title="Dịch vụ công trực tuyến", max_points=D(25)),
        auto("2.1", "2", 15, "online_rate", [(0, 0), (25, "7.5"), (50, 15)]),
        Spec(code="2.2", title="Thể chế", max_points=D(10), parent="2"),
        Spec(code="3", title="Cải cách thủ tục hành chính", max_points=D(20)),
        Spec(code="3.1", title="Rà soát TTHC", max_points=D(20), parent="3"),
        Spec(
            code="3.2",
            title="Sáng kiến",
            max_points=D(2),
            method="bonus",
            cap=D(2),
            parent="3",
        ),
        Spec(code="4", title="Tác động của cải cách", max_points=D(30)),
        auto("4.1", "4", 10, "plan_progress", [(0, 0), (50, 5), (80, 10)]),
        auto("4.2", "4", 20, "overall", [(0, 0), (60, 10), (80, 20)], method="survey"),
    ]


# --- the metrics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period",
    [YTD, (dt.date(2026, 3, 1), dt.date(2026, 3, 31)), (dt.date(2026, 11, 1), TODAY)],
    ids=["year-to-date", "march", "november"],
)
def test_grouped_metrics_equal_each_agency_alone(world, frozen, period):
    agencies = seeded(world)
    ids = [a.pk for a in agencies]
    grouped = metrics.compute_by_agency(agency_ids=ids, start=period[0], end=period[1])
    assert sorted(grouped) == sorted(ids)
    for pk in ids:
        alone = metrics.compute(agency_ids=[pk], start=period[0], end=period[1])
        direct = metrics.metrics_direct(agency_ids=[pk], start=period[0], end=period[1])
        assert grouped[pk].counts == alone.counts == direct.counts
        assert grouped[pk].rates == alone.rates == direct.rates
        assert grouped[pk].points == alone.points
        assert grouped[pk].details == alone.details


def test_the_seeded_agencies_differ_and_exercise_every_rate(world, frozen):
    agencies = seeded(world)
    ids = [a.pk for a in agencies]
    grouped = metrics.compute_by_agency(agency_ids=ids, start=YTD[0], end=YTD[1])
    a, b = grouped[world.a.agency.pk], grouped[world.b.agency.pk]
    assert a.rates != b.rates
    for key in metrics.RATE_KEYS:
        assert a.rates[key] is not None, key
    # Sở Nội vụ has no dossiers: its rates are unknown, not 0.
    assert grouped[world.home_affairs.pk].rates["on_time_rate"] is None


def test_no_agency_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert metrics.compute_by_agency(agency_ids=[], start=YTD[0], end=YTD[1]) == {}


# --- the index --------------------------------------------------------------------------------


def _index(agencies):
    ids = [a.pk for a in agencies]
    measured = metrics.compute_by_agency(agency_ids=ids, start=YTD[0], end=YTD[1])
    survey = grouped_tallies(answers_in(ids, *YTD), "response__agency_id")
    return index_by_agency(agency_ids=ids, year=YEAR, today=TODAY, metrics=measured, survey=survey)


def test_projected_index_equals_the_forecast_of_each_agency(world, frozen):
    agencies = seeded(world)
    make_framework(year=YEAR, specs=index_specs())
    found = _index(agencies)
    for agency in agencies:
        alone = forecasting.forecast(user=world.admin, agency=agency, year=YEAR, today=TODAY)
        expected = alone.totals.percent if alone.has_basis else None
        assert found[agency.pk].forecast_percent == expected, agency.code
        assert found[agency.pk].forecast_band == (alone.band.code if alone.band else "")
    # The seeded agencies are measured (rates, plan progress and the survey), so their
    # projections rest on data and differ.
    alone = forecasting.forecast(user=world.admin, agency=world.a.agency, year=YEAR, today=TODAY)
    bases = {line.code: line.basis for line in alone.lines}
    assert bases["1.1"] == bases["4.1"] == bases["4.2"] == forecasting.BASIS_MEASURED
    a, b = found[world.a.agency.pk], found[world.b.agency.pk]
    assert a.forecast_percent is not None and b.forecast_percent is not None
    assert a.forecast_percent != b.forecast_percent
    assert satisfaction_index([world.a.agency.pk], *YTD) is not None


def test_without_a_framework_nothing_is_projected(world, frozen):
    found = _index(seeded(world))
    assert {f.forecast_percent for f in found.values()} == {None}


def test_the_stored_totals_of_the_assessments(world, frozen):
    agencies = seeded(world)
    framework = make_framework(year=YEAR, specs=index_specs())
    Assessment.objects.create(
        agency=world.a.agency,
        framework=framework,
        status=AssessmentStatus.APPRAISED,
        self_total=D("81.50"),
        appraisal_total=D("77.25"),
    )
    Assessment.objects.create(
        agency=world.b.agency,
        framework=framework,
        status=AssessmentStatus.FINAL,
        self_total=D("95"),
        appraisal_total=D("92"),
        final_total=D("91.30"),
        final_percent=D("70.23"),
        band="B",
    )
    found = _index(agencies)
    top = D("100.00")
    a, b, home = (found[x.pk] for x in agencies)
    assert (a.self_percent, a.appraised_percent) == (D("81.50"), percent_of(D("77.25"), top))
    assert (a.final, a.status) == (False, AssessmentStatus.APPRAISED)
    assert a.band_code == "C"  # 77,25 % appraised, provisional
    assert (b.appraised_percent, b.final, b.band_code) == (D("70.23"), True, "B")
    assert (home.status, home.self_percent, home.appraised_percent) == ("", None, None)


def test_an_agency_of_the_commune_level_is_projected_on_its_framework(world, frozen):
    commune = Agency.objects.create(code="XA1", name="UBND xã Thử", parent=world.province)
    assert commune.kind == AgencyKind.AGENCY
    framework = make_framework(year=YEAR - 1, specs=index_specs(), level="commune")
    Assessment.objects.create(agency=commune, framework=framework, status="final")
    make_framework(year=YEAR, specs=index_specs(), level="commune", title="Bộ chỉ số xã")
    make_framework(year=YEAR, specs=index_specs(), title="Bộ chỉ số sở")
    found = _index([commune, world.a.agency])
    for agency in (commune, world.a.agency):
        alone = forecasting.forecast(user=world.admin, agency=agency, year=YEAR, today=TODAY)
        assert alone is not None
        expected = alone.totals.percent if alone.has_basis else None
        assert found[agency.pk].forecast_percent == expected
    assert forecasting.forecast_framework(commune, YEAR).title == "Bộ chỉ số xã"
