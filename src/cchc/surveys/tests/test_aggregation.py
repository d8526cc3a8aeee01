"""Hand-worked examples of the satisfaction figures (DESIGN.md §4.5): per aspect, the overall
index, per question, unit, procedure and month, the plan's target, and None without answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from cchc.indicators.models import Indicator, Target
from cchc.procedures.tests.test_metrics import at, make_procedure
from cchc.surveys import selectors, services
from cchc.surveys.models import Aspect, Question, QuestionKind, Response, Survey

from .conftest import dossier_of

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture
def small(world):
    """A survey of agency A with aspects A (two questions), B (one) and C (one, never answered),
    and three responses:

    ====  ===  ===  ===  ==============================  =========
          a1   a2   b1   tied to                         submitted
    ====  ===  ===  ===  ==============================  =========
    R1    5    3    4    dossier of unit P1, procedure X  03/2026
    R2    4    2    1    dossier of unit P2, procedure X  03/2026
    R3    1    —    5    nothing (public link)            04/2026
    ====  ===  ===  ===  ==============================  =========
    """
    agency = world.a.agency
    survey = Survey.objects.create(
        agency=agency, title="Khảo sát thử", active=True, scale_labels=""
    )
    aspect_a = Aspect.objects.create(survey=survey, code="a", name="Khía cạnh A", position=1)
    aspect_b = Aspect.objects.create(survey=survey, code="b", name="Khía cạnh B", position=2)
    aspect_c = Aspect.objects.create(survey=survey, code="c", name="Khía cạnh C", position=3)
    a1 = Question.objects.create(survey=survey, aspect=aspect_a, text="A1", position=1)
    a2 = Question.objects.create(
        survey=survey, aspect=aspect_a, text="A2", position=2, required=False
    )
    b1 = Question.objects.create(survey=survey, aspect=aspect_b, text="B1", position=3)
    c1 = Question.objects.create(
        survey=survey, aspect=aspect_c, text="C1", position=4, required=False
    )
    note = Question.objects.create(
        survey=survey, text="Góp ý", position=5, kind=QuestionKind.TEXT, required=False
    )
    procedure = make_procedure(agency, code="X")
    d1 = dossier_of(agency, unit=world.a.unit, code="STP-1", procedure=procedure)
    d2 = dossier_of(agency, unit=world.a.other_unit, code="STP-2", procedure=procedure)
    r1 = services.response_submit(
        survey=survey, channel="qr_dossier", answers={a1.pk: 5, a2.pk: 3, b1.pk: 4}, dossier=d1
    )
    r2 = services.response_submit(
        survey=survey,
        channel="qr_dossier",
        answers={a1.pk: 4, a2.pk: 2, b1.pk: 1, note.pk: "Chờ lâu"},
        dossier=d2,
    )
    r3 = services.response_submit(survey=survey, channel="web", answers={a1.pk: 1, b1.pk: 5})
    Response.objects.filter(pk__in=[r1.pk, r2.pk]).update(submitted_at=at("2026-03-10 09:00"))
    Response.objects.filter(pk=r3.pk).update(submitted_at=at("2026-04-02 15:00"))
    return {"survey": survey, "procedure": procedure, "d1": d1, "d2": d2, "c1": c1}


def test_per_aspect_and_overall_index(world, small):
    result = selectors.satisfaction(
        user=world.a.coordinator, agency=world.a.agency, start=YEAR[0], end=YEAR[1]
    )
    rates = {a.code: (a.tally.satisfied, a.tally.answers, a.rate) for a in result.aspects}
    # A: 5 3 4 2 1 → two of five at 4 or more; B: 4 1 5 → two of three; C: no answers.
    assert rates == {
        "a": (2, 5, Decimal("40.00")),
        "b": (2, 3, Decimal("66.67")),
        "c": (0, 0, None),
    }
    # Mean of the rounded rates of the aspects with answers: (40.00 + 66.67) ÷ 2 = 53.335 → 53.34
    # (the exact mean, 53.333…, would give 53.33).
    assert result.index == Decimal("53.34")
    assert result.responses == 3
    assert selectors.satisfaction_index([world.a.agency.pk], *YEAR) == Decimal("53.34")


def test_per_question(world, small):
    result = selectors.compute(world.a.agency, *YEAR)
    rows = {q.text: (q.tally.answers, q.rate, q.mean) for q in result.questions}
    assert rows == {
        "A1": (3, Decimal("66.67"), Decimal("3.33")),  # 5 4 1
        "A2": (2, Decimal("0.00"), Decimal("2.50")),  # 3 2
        "B1": (3, Decimal("66.67"), Decimal("3.33")),  # 4 1 5
    }
    assert [q.text for q in result.questions] == ["A1", "A2", "B1"]


def test_per_unit_and_procedure_count_only_answers_tied_to_a_dossier(world, small):
    result = selectors.compute(world.a.agency, *YEAR)
    units = {row.label: (row.responses, row.rates, row.index) for row in result.units}
    assert units == {
        # R1: A {5, 3} → 50, B {4} → 100; index 75.
        "Phòng Nghiệp vụ 1": (1, [Decimal("50.00"), Decimal("100.00"), None], Decimal("75.00")),
        # R2: A {4, 2} → 50, B {1} → 0; index 25.
        "Phòng Nghiệp vụ 2": (1, [Decimal("50.00"), Decimal("0.00"), None], Decimal("25.00")),
    }
    [procedure] = result.procedures
    assert procedure.key == small["procedure"].pk
    # R1 + R2: A {5, 3, 4, 2} → 50, B {4, 1} → 50.
    assert (procedure.responses, procedure.rates, procedure.index) == (
        2,
        [Decimal("50.00"), Decimal("50.00"), None],
        Decimal("50.00"),
    )


def test_per_month(world, small):
    result = selectors.compute(world.a.agency, *YEAR)
    assert len(result.months) == 12
    months = {row.label: (row.responses, row.index) for row in result.months}
    assert months["03/2026"] == (2, Decimal("50.00"))  # A {5,3,4,2} 50, B {4,1} 50
    assert months["04/2026"] == (1, Decimal("50.00"))  # A {1} 0, B {5} 100
    assert months["01/2026"] == (0, None)
    chart = result.chart(label="Index", target_label="Target")
    assert chart["values"][2] == 50.0 and chart["values"][0] is None


def test_period_bounds_are_local_days(world, small):
    march = selectors.compute(world.a.agency, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march.responses == 2
    assert {a.code: a.rate for a in march.aspects}["b"] == Decimal("50.00")
    # 02/04 15:00 in Hà Nội is still 02/04 in UTC; a day earlier nothing of April is counted.
    assert selectors.compute(world.a.agency, dt.date(2026, 4, 1), dt.date(2026, 4, 1)).index is None


def test_no_answers_gives_none(world, small):
    result = selectors.compute(world.b.agency, *YEAR)
    assert result.responses == 0
    assert result.index is None
    assert all(a.rate is None for a in result.aspects)
    assert result.units == [] and result.procedures == []
    assert selectors.satisfaction_index([world.b.agency.pk], *YEAR) is None
    assert selectors.mean_rate([None, None]) is None


def test_target_of_the_plan(world, small):
    result = selectors.compute(world.a.agency, *YEAR)
    assert result.target is None and result.target_met is None
    Target.objects.create(
        plan=world.a.plan, indicator=Indicator.objects.get(code="satisfaction"), value=90
    )
    result = selectors.compute(world.a.agency, *YEAR)
    assert result.target == Decimal("90.00") and result.target_met is False
    Target.objects.filter(plan=world.a.plan).update(value=50)
    assert selectors.compute(world.a.agency, *YEAR).target_met is True


def test_each_version_keeps_its_own_threshold_and_aspects_merge_by_code(world, small):
    old = small["survey"]
    new = services.survey_new_version(actor=world.admin, survey=old)
    assert (new.version, new.active) == (2, False)
    assert new.questions.count() == old.questions.count()
    Survey.objects.filter(pk=new.pk).update(satisfied_from=5)
    services.survey_publish(actor=world.admin, survey=new)
    old.refresh_from_db()
    assert old.active is False
    a1, b1 = new.questions.get(text="A1"), new.questions.get(text="B1")
    response = services.response_submit(survey=new, channel="web", answers={a1.pk: 5, b1.pk: 4})
    Response.objects.filter(pk=response.pk).update(submitted_at=at("2026-05-05 10:00"))
    result = selectors.compute(world.a.agency, *YEAR)
    # A: 5 3 4 2 1 (v1, satisfied from 4) and 5 (v2, satisfied from 5) → 3 of 6;
    # B: 4 1 5 (v1) and 4 (v2, not satisfied there) → 2 of 4.
    rates = {a.code: a.rate for a in result.aspects}
    assert (rates["a"], rates["b"]) == (Decimal("50.00"), Decimal("50.00"))
    assert {(q.text, q.version) for q in result.questions} >= {("B1", 1), ("B1", 2)}


def test_results_are_scoped(world, small):
    with pytest.raises(Http404):
        selectors.satisfaction(
            user=world.b.coordinator, agency=world.a.agency, start=YEAR[0], end=YEAR[1]
        )
    assert (
        selectors.satisfaction(
            user=world.appraiser, agency=world.a.agency, start=YEAR[0], end=YEAR[1]
        ).responses
        == 3
    )
    texts = selectors.free_texts(
        user=world.a.coordinator, agency=world.a.agency, start=YEAR[0], end=YEAR[1]
    )
    assert [t.text for t in texts] == ["Chờ lâu"]
    officer_texts = selectors.free_texts(
        user=world.a.officer, agency=world.a.agency, start=YEAR[0], end=YEAR[1]
    )
    assert list(officer_texts) == []
