import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cchc.indicators.models import Indicator, Target, TargetKind

# The dossiers of the tests are loaded as seen on this day (the world's plan is for 2026).
SEEN_AT = timezone.make_aware(dt.datetime(2026, 6, 30, 18, 0))


def add_target(plan, code: str, value: str, **extra) -> Target:
    return Target.objects.create(
        plan=plan,
        indicator=Indicator.objects.get(code=code),
        value=Decimal(value),
        unit="%",
        **extra,
    )


@pytest.fixture
def service(world):
    """Agency A with about 400 demo dossiers (January to June 2026) and targets on its plan:
    on time ≥ 95 %, online ≥ 70 %, a hand-reported score and a ranking goal."""
    from cchc.procedures.demo import load_demo_dossiers

    load_demo_dossiers(world.a.agency, 2026, 400, 1, now=SEEN_AT)
    plan = world.a.plan
    score = Indicator.objects.create(code="par_score", name="Điểm Chỉ số CCHC", unit="điểm")
    targets = {
        "on_time": add_target(plan, "on_time", "95"),
        "online_usage": add_target(plan, "online_usage", "70"),
        "score": Target.objects.create(plan=plan, indicator=score, value=Decimal("85")),
        "rank": Target.objects.create(
            plan=plan, kind=TargetKind.RANK, ranking="PAR_INDEX", text="Trong nhóm 10 dẫn đầu"
        ),
        "b_on_time": add_target(world.b.plan, "on_time", "95"),
    }
    return targets
