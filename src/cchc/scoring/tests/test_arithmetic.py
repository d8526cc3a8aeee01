"""The score arithmetic: hand-worked examples (sums, caps, bonus, penalty, thresholds at and
around their limits, rounding half up to two decimals, index % and band) and property tests on
random trees (bounded, never negative, percent in [0, 100], monotone in every leaf)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.scoring.arithmetic import (
    band_for,
    band_points,
    clamp_leaf,
    effective_scores,
    item_score,
    measure,
    percent_of,
    round2,
    score_tree,
)
from cchc.scoring.models import AssessmentItem, Criterion, Method, RankingBand, ThresholdBand

D = Decimal
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("CCHC_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def node(pk, code, max_points, parent=None, method=Method.MANUAL, cap=None, position=None):
    """An unsaved criterion (the arithmetic reads attributes only)."""
    return Criterion(
        pk=pk,
        code=code,
        title=f"Tiêu chí {code}",
        max_points=D(str(max_points)),
        parent_id=parent,
        method=method,
        cap=None if cap is None else D(str(cap)),
        position=pk if position is None else position,
    )


# --- rounding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(2, 3), "0.67"),
        (D(2) / D(3), "0.67"),
        (2 / 3, "0.67"),
        (Fraction(1, 3), "0.33"),
        (D("0.005"), "0.01"),  # half up, not half even
        (D("0.015"), "0.02"),
        (D("0.025"), "0.03"),  # banker's rounding would give 0.02
        (D("-0.005"), "-0.01"),  # half away from zero
        (D("1.2349"), "1.23"),
        (D("89.995"), "90.00"),
        (2.675, "2.68"),  # the float as written, not its binary value 2.67499…
        ("87,5".replace(",", "."), "87.50"),
        (7, "7.00"),
    ],
)
def test_round2_is_half_up_to_two_decimals(value, expected):
    assert round2(value) == D(expected)
    assert str(round2(value)) == expected


def test_percent_examples():
    assert percent_of(D("131"), D("150")) == D("87.33")  # 87.333…
    assert percent_of(D("179.99"), D("200")) == D("90.00")  # 89.995 rounds up
    assert percent_of(D("179.98"), D("200")) == D("89.99")
    assert percent_of(D("2"), D("3")) == D("66.67")
    assert percent_of(D("5"), D("0")) is None


# --- leaves and thresholds ---------------------------------------------------------------------

BANDS = [(D(95), D(3)), (D(90), D(2)), (D(0), D(0))]


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("100", "3.00"),
        ("95.01", "3.00"),
        ("95", "3.00"),  # at the limit: the band applies
        ("94.99", "2.00"),  # just below
        ("90", "2.00"),
        ("89.99", "0.00"),
        ("0", "0.00"),
    ],
)
def test_band_points_at_below_and_above_limits(value, points):
    assert band_points(D(value), BANDS) == D(points)


def test_band_points_order_and_edges():
    assert band_points(D("92"), list(reversed(BANDS))) == D("2.00")  # any order
    assert band_points(D("79.99"), [(D(80), D(1))]) == D("0.00")  # below every band
    assert band_points(D("50"), []) == D("0.00")
    assert band_points(None, BANDS) is None  # nothing measured


def test_clamp_leaf():
    leaf = node(1, "1.1", 4)
    assert clamp_leaf(leaf, D("5")) == D("4.00")
    assert clamp_leaf(leaf, D("-1")) == D("0.00")
    assert clamp_leaf(leaf, D("2.666")) == D("2.67")
    assert clamp_leaf(leaf, None) is None
    bonus = node(2, "1.2", 5, method=Method.BONUS, cap=2)
    assert clamp_leaf(bonus, D("3")) == D("2.00")  # the cap, not the maximum
    penalty = node(3, "1.3", 1, method=Method.PENALTY)
    assert clamp_leaf(penalty, D("3")) == D("1.00")  # no cap: the maximum


# --- trees -------------------------------------------------------------------------------------


def example_framework():
    """Area 1 (10): 1.1 (4) = 1.1.a (2) + 1.1.b (2); 1.2 (6); bonus 1.3 (cap 1).
    Area 2 (90): 2.1 (60); 2.2 (30); penalty 2.3 (cap 5)."""
    return [
        node(1, "1", 10),
        node(2, "1.1", 4, parent=1),
        node(3, "1.1.a", 2, parent=2),
        node(4, "1.1.b", 2, parent=2),
        node(5, "1.2", 6, parent=1),
        node(6, "1.3", 1, parent=1, method=Method.BONUS, cap=1),
        node(7, "2", 90),
        node(8, "2.1", 60, parent=7),
        node(9, "2.2", 30, parent=7),
        node(10, "2.3", 5, parent=7, method=Method.PENALTY, cap=5),
    ]


def test_sums_by_hand():
    scores = {3: D("2"), 4: D("1.5"), 5: D("5"), 8: D("50"), 9: D("25.25")}
    totals = score_tree(example_framework(), scores)
    nodes = totals.by_code()
    assert nodes["1.1"].points == D("3.50")  # 2 + 1.5
    assert nodes["1"].points == D("8.50")  # 3.5 + 5, no bonus yet
    assert nodes["2"].points == D("75.25")  # 50 + 25.25
    assert totals.points == D("83.75")
    assert totals.max_points == D("100.00")  # bonus and penalty add nothing to the maximum
    assert totals.percent == D("83.75")
    assert nodes["1.1"].percent == D("87.50")
    assert nodes["1.3"].points is None and nodes["1.3"].percent is None
    assert (totals.scored, totals.unscored) == (5, 2)  # the bonus and the penalty are unscored
    assert [a.code for a in totals.areas] == ["1", "2"]
    assert [c.code for c in nodes["1"].children] == ["1.1", "1.2", "1.3"]


def test_bonus_makes_up_lost_points_but_the_parent_stays_capped():
    framework = example_framework()
    lost = score_tree(framework, {3: D(2), 4: D(2), 5: D("5.5"), 6: D(1)}).by_code()
    assert lost["1"].points == D("10.00")  # 4 + 5.5 + 1 = 10.5 → capped at 10
    partly = score_tree(framework, {3: D(2), 4: D(1), 5: D(5), 6: D(1)}).by_code()
    assert partly["1"].points == D("9.00")  # 3 + 5 + 1
    above_cap = score_tree(framework, {3: D(2), 4: D(1), 5: D(5), 6: D(4)}).by_code()
    assert above_cap["1.3"].points == D("1.00")  # the bonus is capped at 1
    assert above_cap["1"].points == D("9.00")


def test_penalty_subtracts_is_capped_and_never_goes_below_zero():
    framework = example_framework()
    nodes = score_tree(framework, {8: D(50), 9: D(20), 10: D(3)}).by_code()
    assert nodes["2"].points == D("67.00")  # 70 − 3
    capped = score_tree(framework, {8: D(50), 9: D(20), 10: D(8)}).by_code()
    assert capped["2.3"].points == D("5.00")  # cap 5
    assert capped["2"].points == D("65.00")
    floor = score_tree(framework, {8: D(2), 10: D(5)})
    assert floor.by_code()["2"].points == D("0.00")  # 2 − 5 → 0, not −3
    assert floor.points == D("0.00")


def test_children_above_the_parent_maximum_are_capped():
    criteria = [node(1, "1", 5), node(2, "1.1", 4, parent=1), node(3, "1.2", 4, parent=1)]
    totals = score_tree(criteria, {2: D(4), 3: D(4)})
    assert totals.areas[0].points == D("5.00")  # 8 → the area's maximum
    assert totals.points == D("5.00")
    assert totals.percent == D("100.00")


def test_scores_above_the_leaf_maximum_or_negative_are_clamped():
    criteria = [node(1, "1", 10), node(2, "1.1", 10, parent=1)]
    assert score_tree(criteria, {2: D(12)}).points == D("10.00")
    assert score_tree(criteria, {2: D(-3)}).points == D("0.00")


def test_two_thirds_of_a_point_rounds_and_sums():
    criteria = [node(1, "1", 3)] + [node(i, f"1.{i}", 1, parent=1) for i in (2, 3, 4)]
    third = D(2) / D(3)
    totals = score_tree(criteria, {2: third, 3: third, 4: third})
    assert [c.points for c in totals.areas[0].children] == [D("0.67")] * 3
    assert totals.points == D("2.01")  # each leaf rounded once, the sum exact
    assert totals.percent == D("67.00")


def test_index_87_333_and_89_995():
    criteria = [node(1, "1", 150)]
    assert score_tree(criteria, {1: D(131)}).percent == D("87.33")
    criteria = [node(1, "1", 200)]
    assert score_tree(criteria, {1: D("179.99")}).percent == D("90.00")


def test_empty_and_zero_maximum():
    empty = score_tree([], {})
    assert (empty.points, empty.max_points, empty.percent) == (D("0.00"), D("0.00"), None)
    zero = score_tree([node(1, "1", 0)], {1: D(0)})
    assert zero.percent is None


def test_order_follows_position_then_id():
    criteria = [node(2, "2", 50, position=1), node(1, "1", 50, position=2)]
    assert [a.code for a in score_tree(criteria, {}).areas] == ["2", "1"]


@pytest.mark.django_db
def test_band_for_default_bands():
    # The migrated defaults: A ≥ 90, B ≥ 80, C ≥ 0.
    assert band_for(D("90.00")).code == "A"
    assert band_for(D("89.99")).code == "B"
    assert band_for(D("80")).code == "B"
    assert band_for(D("79.99")).code == "C"
    assert band_for(D("0")).code == "C"
    assert band_for(None) is None
    percent = score_tree([node(1, "1", 200)], {1: D("179.99")}).percent
    assert band_for(percent).code == "A"  # 89.995 → 90.00 → A


@pytest.mark.django_db
def test_band_for_respects_validity_dates():
    RankingBand.objects.create(
        code="A+",
        name="Xuất sắc",
        min_percent=D(95),
        valid_from=dt.date(2030, 1, 1),
        valid_to=dt.date(2030, 12, 31),
    )
    assert band_for(D("96"), on=dt.date(2030, 6, 1)).code == "A+"
    assert band_for(D("96"), on=dt.date(2031, 1, 1)).code == "A"
    assert band_for(D("96"), on=dt.date(2029, 12, 31)).code == "A"


# --- rounds ------------------------------------------------------------------------------------


def item(criterion, **scores):
    values = {key: None if v is None else D(str(v)) for key, v in scores.items()}
    return AssessmentItem(criterion=criterion, **values)


def test_effective_scores_fall_back_round_by_round():
    manual = node(1, "1.1", 5)
    auto = node(2, "1.2", 5, method=Method.AUTO)
    survey = node(3, "1.3", 5, method=Method.SURVEY)
    items = [
        item(manual, self_score=4, measured_points=1),
        item(auto, measured_points=3),
        item(survey, measured_points=2, self_score=1, appraisal_score=2.5, final_score=3),
    ]
    assert effective_scores(items, "self") == {1: D(4), 2: D(3), 3: D(1)}
    assert effective_scores(items, "appraisal") == {1: D(4), 2: D(3), 3: D("2.5")}
    assert effective_scores(items, "final") == {1: D(4), 2: D(3), 3: D(3)}
    unscored = item(manual, measured_points=2)  # a manual leaf ignores measured points
    assert item_score(unscored, "final") is None
    appraised = item(manual, self_score=4, appraisal_score=2)
    assert item_score(appraised, "final") == D(2)
    with pytest.raises(ValueError):
        item_score(appraised, "explanation")


# --- measures ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_measure_plan_progress_through_bands(world):
    from cchc.plans.models import Task
    from cchc.scoring.models import Framework

    framework = Framework.objects.create(year=2026, level="department", title="Khung")
    criterion = Criterion.objects.create(
        framework=framework,
        code="1",
        title="Mức độ hoàn thành kế hoạch CCHC",
        max_points=D(4),
        method=Method.AUTO,
        source="plan_progress",
    )
    for rate, points in ((100, 4), (90, 3), (80, 2)):
        ThresholdBand.objects.create(criterion=criterion, min_rate=D(rate), points=D(points))
    # The world's plan of 2026 lists two tasks; weigh them 3 and 1.
    Task.objects.filter(pk=world.a.task.pk).update(progress=D(100), weight=D(3))
    Task.objects.filter(pk=world.a.other_task.pk).update(progress=D(70), weight=D(1))
    value, points, detail = measure(criterion, agency=world.a.agency, year=2026)
    assert value == D("92.50")  # (100×3 + 70×1) ÷ 4
    assert points == D("3.00")
    assert detail["tasks"] == 2 and detail["value"] == 92.5 and detail["points"] == 3.0


@pytest.mark.django_db
def test_measure_without_data_or_source(world):
    from cchc.scoring.models import Framework

    framework = Framework.objects.create(year=2026, level="department", title="Khung")
    rate = Criterion.objects.create(
        framework=framework,
        code="1",
        title="Tỷ lệ hồ sơ đúng hạn",
        max_points=D(4),
        method=Method.AUTO,
        source="on_time_rate",
    )
    ThresholdBand.objects.create(criterion=rate, min_rate=D(0), points=D(0))
    assert measure(rate, agency=world.b.agency, year=2026)[:2] == (None, None)
    manual = Criterion.objects.create(
        framework=framework, code="2", title="Thủ công", max_points=D(4)
    )
    value, points, detail = measure(manual, agency=world.b.agency, year=2026)
    assert (value, points) == (None, None) and detail["error"]


# --- properties --------------------------------------------------------------------------------

POINTS = st.decimals(min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def trees(draw):
    """A random tree of up to 25 criteria: bonus and penalty only as leaves, maxima anything
    (the arithmetic must hold even for a framework whose sums do not add up)."""
    size = draw(st.integers(min_value=1, max_value=25))
    criteria: list[Criterion] = []
    for pk in range(1, size + 1):
        parents = [c for c in criteria if c.method == Method.MANUAL]
        parent = draw(st.sampled_from([None, *parents])) if parents else None
        method = draw(
            st.sampled_from([Method.MANUAL] * 3 + [Method.AUTO, Method.BONUS, Method.PENALTY])
        )
        cap = draw(st.none() | POINTS) if method in (Method.BONUS, Method.PENALTY) else None
        criteria.append(
            node(
                pk,
                str(pk) if parent is None else f"{parent.code}.{pk}",
                draw(POINTS),
                parent=None if parent is None else parent.pk,
                method=method,
                cap=cap,
                position=draw(st.integers(min_value=0, max_value=5)),
            )
        )
    # A criterion that became a parent is manual (the checks require it).
    parent_ids = {c.parent_id for c in criteria}
    for c in criteria:
        if c.pk in parent_ids:
            c.method, c.cap = Method.MANUAL, None
    leaves = [c for c in criteria if c.pk not in parent_ids]
    scores = {
        c.pk: draw(st.none() | st.decimals(min_value=-10, max_value=80, places=3)) for c in leaves
    }
    return criteria, leaves, scores


@PROPERTY_SETTINGS
@given(trees())
def test_total_is_bounded_and_percent_in_range(tree):
    criteria, leaves, scores = tree
    totals = score_tree(criteria, scores)
    assert D(0) <= totals.points <= totals.max_points
    assert totals.max_points == sum(
        (round2(a.max_points) for a in totals.areas if not a.is_additive), D(0)
    )
    if totals.percent is not None:
        assert D(0) <= totals.percent <= D(100)
    for scored in totals.walk():
        if scored.points is not None:
            assert scored.points >= 0
            if not scored.is_additive:
                assert scored.points <= scored.max_points
            assert scored.points == round2(scored.points)
    assert totals.scored + totals.unscored == len(leaves)


@PROPERTY_SETTINGS
@given(trees(), st.data())
def test_raising_a_leaf_never_lowers_the_total(tree, data):
    criteria, leaves, scores = tree
    leaf = data.draw(st.sampled_from(leaves))
    before = score_tree(criteria, scores).points
    current = scores.get(leaf.pk) or D(0)
    raised = dict(scores)
    raised[leaf.pk] = current + data.draw(POINTS)
    after = score_tree(criteria, raised).points
    if leaf.method == Method.PENALTY:
        assert after <= before  # a bigger penalty never raises it
    else:
        assert after >= before


@PROPERTY_SETTINGS
@given(trees())
def test_order_of_the_rows_does_not_matter(tree):
    criteria, _leaves, scores = tree
    forward = score_tree(criteria, scores)
    backward = score_tree(list(reversed(criteria)), scores)
    assert (forward.points, forward.percent) == (backward.points, backward.percent)
