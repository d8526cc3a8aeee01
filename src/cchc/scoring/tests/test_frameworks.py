"""Frameworks: the starter for both levels passes every check and adds up to 100, installing it
twice installs it once, the framework in use for a year and level, the tree as JSON, and each
check refusing what it should."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from django.utils import translation

from cchc.core.models import AuditEntry
from cchc.scoring.arithmetic import measure, score_tree
from cchc.scoring.frameworks import (
    FrameworkError,
    Spec,
    check_specs,
    criteria_of,
    framework_check,
    framework_create,
    framework_for,
    framework_tree,
    ordered_specs,
    parent_code,
)
from cchc.scoring.models import (
    Criterion,
    Framework,
    FrameworkStatus,
    Level,
    Method,
    ThresholdBand,
)
from cchc.scoring.starter import TEMPLATE_MARK, framework_install_starter, starter_specs

D = Decimal
pytestmark = pytest.mark.django_db
REQUIRED_SOURCES = {
    "on_time_rate",
    "online_rate",
    "digitization_rate",
    "online_payment_rate",
    "procedures_online_rate",
    "feedback_on_time_rate",
    "plan_progress",
}


# --- the starter -------------------------------------------------------------------------------


@pytest.mark.parametrize("level", Level.values)
def test_starter_passes_the_checks_and_adds_up_to_100(level):
    framework = framework_install_starter(year=2026, level=level)
    assert framework.is_template
    assert TEMPLATE_MARK in framework.title
    assert framework.status == FrameworkStatus.PUBLISHED
    assert framework_check(framework) == []
    tree = framework_tree(framework)
    assert tree["max"] == 100
    assert sum(area["max"] for area in tree["areas"]) == 100
    assert len(tree["areas"]) == 8
    assert tree["areas"][0]["title"] == "Công tác chỉ đạo, điều hành cải cách hành chính"
    assert tree["areas"][-1]["title"] == "Tác động của cải cách hành chính"
    totals = score_tree(criteria_of(framework), {})
    assert totals.max_points == D("100.00")


@pytest.mark.parametrize("level", Level.values)
def test_starter_is_wired_to_the_metrics_survey_bonus_and_penalty(level):
    framework = framework_install_starter(year=2026, level=level)
    criteria = criteria_of(framework)
    auto = {c.source for c in criteria if c.method == Method.AUTO}
    assert auto >= REQUIRED_SOURCES
    surveys = [c for c in criteria if c.method == Method.SURVEY]
    assert [c.source for c in surveys] == ["overall"]
    assert [c.method for c in criteria].count(Method.BONUS) == 1
    assert [c.method for c in criteria].count(Method.PENALTY) == 1
    for c in criteria:
        if c.method in (Method.BONUS, Method.PENALTY):
            assert c.cap and c.cap > 0
        if c.method in (Method.AUTO, Method.SURVEY):
            bands = list(c.bands.all())
            assert bands and max(b.points for b in bands) == c.max_points
            assert all(b.points <= c.max_points for b in bands)
        # Leaves carry guidance or required evidence.
        if not c.children.exists():
            assert c.guidance or c.required_evidence, c.code
        assert unicodedata.is_normalized("NFC", c.title)
    progress = next(c for c in criteria if c.source == "plan_progress")
    assert progress.title == "Mức độ hoàn thành kế hoạch CCHC"
    assert next((b.min_rate, b.points) for b in progress.bands.all()) == (
        D(100),
        progress.max_points,
    )


def test_starter_install_is_idempotent_and_audited():
    first = framework_install_starter(year=2026, level=Level.COMMUNE)
    count = Criterion.objects.count()
    again = framework_install_starter(year=2026, level="commune")
    assert again.pk == first.pk
    assert Criterion.objects.count() == count
    assert Framework.objects.filter(year=2026, level=Level.COMMUNE).count() == 1
    assert AuditEntry.objects.filter(action="framework.install_starter").count() == 1


def test_starter_beside_a_published_framework_is_a_draft():
    own = framework_create(
        actor=None,
        year=2027,
        level=Level.DEPARTMENT,
        title="Bộ chỉ số của tỉnh",
        specs=[Spec("1", "Lĩnh vực", D(100))],
        status=FrameworkStatus.PUBLISHED,
    )
    starter = framework_install_starter(year=2027, level=Level.DEPARTMENT)
    assert starter.status == FrameworkStatus.DRAFT
    assert starter.version == own.version + 1
    assert framework_for(2027, Level.DEPARTMENT) == own


def test_starter_specs_differ_by_level_but_both_total_100():
    department = starter_specs(Level.DEPARTMENT)
    commune = starter_specs(Level.COMMUNE)
    assert [s.code for s in department] == [s.code for s in commune]
    areas = [s for s in commune if s.parent is None]
    assert sum(s.max_points for s in areas) == 100
    assert {s.code: s.max_points for s in department} != {s.code: s.max_points for s in commune}


def test_starter_automatic_criteria_measure_for_an_agency(world):
    framework = framework_install_starter(year=2026, level=Level.DEPARTMENT)
    for criterion in criteria_of(framework):
        if criterion.method in (Method.AUTO, Method.SURVEY):
            value, points, detail = measure(criterion, agency=world.a.agency, year=2026)
            assert "error" not in detail, (criterion.code, detail)
            assert points is None or D(0) <= points <= criterion.max_points
    progress = next(c for c in criteria_of(framework) if c.source == "plan_progress")
    value, points, _detail = measure(progress, agency=world.a.agency, year=2026)
    assert value == D("0.00") and points == D("0.00")  # the world's tasks have not started


# --- selectors ---------------------------------------------------------------------------------


def simple(title="Khung", status=FrameworkStatus.DRAFT, year=2026, level=Level.DEPARTMENT):
    return framework_create(
        actor=None,
        year=year,
        level=level,
        title=title,
        specs=[
            Spec("1", "Lĩnh vực một", D(60)),
            Spec("1.1", "Tiêu chí", D(60), parent="1"),
            Spec("2", "Lĩnh vực hai", D(40)),
        ],
        status=status,
    )


def test_framework_for_prefers_the_highest_published_version():
    assert framework_for(2026, Level.DEPARTMENT) is None
    v1 = simple("v1")
    assert framework_for(2026, Level.DEPARTMENT) == v1  # the latest when none is published
    v2 = simple("v2", status=FrameworkStatus.PUBLISHED)
    v3 = simple("v3", status=FrameworkStatus.PUBLISHED)
    simple("v4")
    assert [v1.version, v2.version, v3.version] == [1, 2, 3]
    assert framework_for(2026, Level.DEPARTMENT) == v3
    assert framework_for(2026, Level.COMMUNE) is None
    assert framework_for(2025, Level.DEPARTMENT) is None


def test_framework_tree_shape():
    framework = framework_create(
        actor=None,
        year=2026,
        level=Level.DEPARTMENT,
        title="Khung",
        specs=[
            Spec("1", "Lĩnh vực", D("100")),
            Spec("1.1", "Tiêu chí", D("60.5"), parent="1"),
            Spec("1.1.a", "Thành phần a", D("30.5"), parent="1.1"),
            Spec(
                "1.1.b",
                "Thành phần b",
                D("30"),
                method=Method.AUTO,
                source="online_rate",
                bands=[(D(50), D(30)), (D(0), D(0))],
                parent="1.1",
            ),
            Spec("1.2", "Tiêu chí hai", D("39.5"), parent="1"),
        ],
    )
    tree = framework_tree(framework)
    assert tree["areas"] == [
        {
            "code": "1",
            "title": "Lĩnh vực",
            "max": 100,
            "criteria": [
                {
                    "code": "1.1",
                    "title": "Tiêu chí",
                    "max": 60.5,
                    "method": "manual",
                    "children": [
                        {
                            "code": "1.1.a",
                            "title": "Thành phần a",
                            "max": 30.5,
                            "method": "manual",
                            "children": [],
                        },
                        {
                            "code": "1.1.b",
                            "title": "Thành phần b",
                            "max": 30,
                            "method": "auto",
                            "children": [],
                        },
                    ],
                },
                {
                    "code": "1.2",
                    "title": "Tiêu chí hai",
                    "max": 39.5,
                    "method": "manual",
                    "children": [],
                },
            ],
        }
    ]
    assert (tree["year"], tree["level"], tree["version"], tree["max"]) == (
        2026,
        "department",
        1,
        100,
    )


# --- checks ------------------------------------------------------------------------------------


def messages(specs, published=False):
    with translation.override("en"):
        return [p.message for p in check_specs(specs, published=published)]


def test_sound_specs_have_no_problem():
    specs = [
        Spec("1", "A", D(100)),
        Spec("1.1", "B", D(70), parent="1"),
        Spec("1.2", "C", D(30), parent="1"),
        Spec("1.3", "Thưởng", D(2), method=Method.BONUS, cap=D(2), parent="1"),
        Spec("1.4", "Trừ", D(5), method=Method.PENALTY, cap=D(5), parent="1"),
    ]
    assert messages(specs, published=True) == []


def test_children_maxima_must_add_up_bonus_and_penalty_excluded():
    specs = [
        Spec("1", "A", D(10)),
        Spec("1.1", "B", D(6), parent="1"),
        Spec("1.2", "C", D("3.5"), parent="1"),
        Spec("1.3", "Thưởng", D(1), method=Method.BONUS, cap=D(1), parent="1"),
    ]
    found = check_specs(specs, published=False)
    assert [(p.code, p.field, p.index) for p in found] == [("1", "max_points", 0)]
    with translation.override("en"):
        assert "9.50" in check_specs(specs, published=False)[0].message


def test_areas_add_up_to_100_only_when_published():
    specs = [Spec("1", "A", D(60)), Spec("2", "B", D(30))]
    assert messages(specs) == []
    assert messages(specs, published=True) == [
        "The maxima of the areas add up to 90.00, not to 100."
    ]


@pytest.mark.parametrize(
    ("spec", "field", "fragment"),
    [
        (Spec("1.1", "x", D(10), method=Method.AUTO, source="speed", bands=[(D(0), D(0))]),
         "source", "unknown data source"),
        (Spec("1.1", "x", D(10), method=Method.AUTO, source="online_rate"),
         "bands", "at least one threshold"),
        (Spec("1.1", "x", D(10), method=Method.AUTO, source="online_rate",
              bands=[(D(90), D(11))]), "bands", "between 0 and the maximum"),
        (Spec("1.1", "x", D(10), method=Method.AUTO, source="online_rate",
              bands=[(D(90), D(5)), (D(90), D(4))]), "bands", "appears twice"),
        (Spec("1.1", "x", D(10), method=Method.SURVEY, source="no_such_aspect",
              bands=[(D(0), D(0))]), "source", "unknown survey source"),
        (Spec("1.1", "x", D(10), bands=[(D(0), D(0))]), "bands", "only automatic"),
        (Spec("1.1", "x", D(10), source="online_rate"), "source", "only automatic"),
        (Spec("1.1", "x", D(10), cap=D(1)), "cap", "only bonus and penalty"),
        (Spec("1.1", "x", D(1), method=Method.BONUS), "cap", "needs a cap"),
        (Spec("1.1", "x", D(1), method=Method.PENALTY, cap=D(0)), "cap", "more than 0"),
        (Spec("1.1", "x", D(10), method="magic"), "method", "unknown scoring method"),
        (Spec("1.1", " ", D(10)), "title", "title is empty"),
        (Spec("1.1", "x", D("-1")), "max_points", "between 0"),
        (Spec("1.1", "x", D("1.234")), "max_points", "two decimals"),
        (Spec("1 1", "x", D(10)), "code", "not valid"),
    ],
)  # fmt: skip
def test_each_check(spec, field, fragment):
    spec.parent = "1"
    specs = [Spec("1", "A", D(10)), spec]
    with translation.override("en"):
        found = [p for p in check_specs(specs, published=False) if p.field == field]
    assert found, (field, fragment)
    assert any(fragment in p.message for p in found), [p.message for p in found]
    assert all(p.index in (0, 1) for p in found)


def test_duplicate_orphan_and_foreign_codes():
    specs = [
        Spec("1", "A", D(10)),
        Spec("1.1", "B", D(10), parent="1"),
        Spec("1.1", "B again", D(10), parent="1"),
        Spec("2.1", "Orphan", D(5), parent="2"),
    ]
    with translation.override("en"):
        found = check_specs(specs, published=False)
    twice = [p for p in found if "used twice" in p.message]
    assert [p.index for p in twice] == [1, 2]
    assert any(p.index == 3 and "no parent" in p.message for p in found)
    assert parent_code("1.2.a") == "1.2" and parent_code("7") is None


def test_parent_must_be_manual_and_code_extends_parent():
    specs = [
        Spec("1", "A", D(10), method=Method.AUTO, source="online_rate", bands=[(D(0), D(0))]),
        Spec("1.1", "B", D(10), parent="1"),
        Spec("2", "C", D(5)),
        Spec("3.1", "D", D(5), parent="2"),
    ]
    with translation.override("en"):
        found = check_specs(specs, published=False)
    assert any(p.code == "1" and "only a leaf" in p.message for p in found)
    assert any(p.code == "3.1" and "does not extend" in p.message for p in found)


def test_empty_framework():
    assert messages([]) == ["The framework has no criteria."]


def test_framework_create_writes_nothing_on_a_problem():
    before = Framework.objects.count()
    with pytest.raises(FrameworkError) as caught:
        framework_create(
            actor=None,
            year=2026,
            level=Level.DEPARTMENT,
            title="Khung",
            specs=[Spec("1", "A", D(10)), Spec("1.1", "B", D(9), parent="1")],
        )
    assert caught.value.problems[0].code == "1"
    assert Framework.objects.count() == before
    assert Criterion.objects.count() == 0
    with pytest.raises(FrameworkError):
        framework_create(
            actor=None, year=2026, level="city", title="Khung", specs=[Spec("1", "A", D(10))]
        )


def test_framework_check_of_a_framework_edited_after_creation():
    framework = simple(status=FrameworkStatus.PUBLISHED)
    assert framework_check(framework) == []
    leaf = Criterion.objects.get(framework=framework, code="1.1")
    Criterion.objects.filter(pk=leaf.pk).update(max_points=D(50))
    auto = Criterion.objects.create(
        framework=framework,
        parent=leaf.parent,
        code="1.2",
        title="Tự động",
        max_points=D(10),
        method=Method.AUTO,
        source="online_rate",
    )
    ThresholdBand.objects.create(criterion=auto, min_rate=D(80), points=D(12))
    with translation.override("en"):
        problems = framework_check(framework)
    assert any("1.2: a threshold gives 12.00 points" in p for p in problems), problems
    assert not any("add up to" in p for p in problems)  # 50 + 10 = 60 again


def test_ordered_specs_puts_parents_first():
    specs = [Spec("1.1.a", "c", D(1), parent="1.1"), Spec("1.1", "b", D(1), parent="1"),
             Spec("1", "a", D(1)), Spec("2", "d", D(1))]  # fmt: skip
    assert [s.code for s in ordered_specs(specs)] == ["1", "1.1", "1.1.a", "2"]
