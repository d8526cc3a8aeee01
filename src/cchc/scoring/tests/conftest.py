"""Fixtures of the index tests: a small framework (two areas, five leaves) and an assessment of
agency A opened on it. The browser fixtures come from the plans tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cchc.scoring.frameworks import Spec, framework_create
from cchc.scoring.models import Assessment, FrameworkStatus, Level

D = Decimal


def small_specs() -> list[Spec]:
    """Two areas of 40 and 60 points (a published framework adds up to 100):

    1    Chỉ đạo, điều hành (40): 1.1 manual 20, 1.2 manual 20
    2    Cải cách TTHC (60): 2.1 automatic from plan progress 20 (≥ 0 % → 0, ≥ 50 % → 10,
         ≥ 90 % → 20), 2.2 manual 40, 2.3 penalty up to 5
    """
    return [
        Spec(code="1", title="Công tác chỉ đạo, điều hành CCHC", max_points=D(40)),
        Spec(code="1.1", title="Ban hành kế hoạch CCHC năm", max_points=D(20), parent="1"),
        Spec(
            code="1.2",
            title="Báo cáo CCHC định kỳ đầy đủ, đúng hạn",
            max_points=D(20),
            parent="1",
            required_evidence="Các báo cáo quý, 6 tháng, năm",
        ),
        Spec(code="2", title="Cải cách thủ tục hành chính", max_points=D(60)),
        Spec(
            code="2.1",
            title="Tiến độ thực hiện kế hoạch CCHC",
            max_points=D(20),
            method="auto",
            source="plan_progress",
            bands=[(D(0), D(0)), (D(50), D(10)), (D(90), D(20))],
            parent="2",
        ),
        Spec(code="2.2", title="Rà soát, đơn giản hóa TTHC", max_points=D(40), parent="2"),
        Spec(
            code="2.3",
            title="Để xảy ra hồ sơ trễ hạn không xin lỗi",
            max_points=D(5),
            method="penalty",
            cap=D(5),
            parent="2",
        ),
    ]


def make_framework(year: int = 2026, specs: list[Spec] | None = None, **kwargs):
    return framework_create(
        actor=None,
        year=year,
        level=kwargs.pop("level", Level.DEPARTMENT),
        title=kwargs.pop("title", f"Bộ Chỉ số CCHC thử nghiệm {year}"),
        specs=specs or small_specs(),
        status=kwargs.pop("status", FrameworkStatus.PUBLISHED),
        **kwargs,
    )


def open_assessment(world, framework, *, assign: bool = True) -> Assessment:
    from cchc.scoring import services

    assessment = services.assessment_open(
        actor=world.a.coordinator,
        agency=world.a.agency,
        framework=framework,
        submission_deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    if assign:
        for item in assessment.items.select_related("criterion", "assessment"):
            services.item_assign(actor=world.a.coordinator, item=item, unit=world.a.unit)
    return assessment


def item(assessment: Assessment, code: str):
    from cchc.scoring.access import access_item

    found = assessment.items.get(criterion__code=code)
    # As the views load it (with its assessment, agency, framework and criterion).
    return access_item(actor=_admin(), item_id=found.pk)


def _admin():
    from cchc.core.models import User

    return User.objects.get(username="admin")


@pytest.fixture
def framework(db):
    return make_framework()


@pytest.fixture
def assessment(world, framework):
    return open_assessment(world, framework)
