"""A small world for the reports: the `world` of cchc.testing plus, for agency STP in 2026,
15 dossiers received in March (14 finished on time, 1 late), one task done in May, one still
open with a progress note, an on-time target of 95 % and one citizen's feedback."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cchc.feedback.models import FeedbackTopic
from cchc.feedback.services import feedback_submit, topics_ensure_defaults
from cchc.indicators.models import Indicator, Target
from cchc.plans.models import ProgressUpdate, Task, TaskStatus
from cchc.procedures import rollups
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure

# The reports are written "now" = 20/11/2026 (within the year's window 15/12/2025 – 14/12/2026,
# after the open task's due date), whatever the machine's clock says.
NOW = at("2026-11-20 09:00")
NOTE = "Chờ hướng dẫn của Bộ Nội vụ về vị trí việc làm"


@pytest.fixture
def report_world(world, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    agency = world.a.agency
    proc = make_procedure(agency)
    for day in range(2, 16):
        make_dossier(
            proc,
            received=at(f"2026-03-{day:02d} 08:00"),
            due=at(f"2026-03-{day + 5:02d} 17:00"),
            finished_at=at(f"2026-03-{day + 2:02d} 10:00"),
            channel=2 if day % 2 else 1,
        )
    make_dossier(
        proc,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-06 17:00"),
        finished_at=at("2026-03-10 10:00"),
    )
    rollups.rebuild()
    Task.objects.filter(pk=world.a.task.pk).update(
        status=TaskStatus.DONE, progress=Decimal(100), completed_at=at("2026-05-10 10:00")
    )
    ProgressUpdate.objects.create(
        task=world.a.other_task,
        author=world.a.coordinator,
        at=at("2026-05-01 10:00"),
        percent=Decimal(30),
        previous_percent=Decimal(0),
        note=NOTE,
    )
    Target.objects.create(
        plan=world.a.plan, indicator=Indicator.objects.get(code="on_time"), value=Decimal(95)
    )
    topics_ensure_defaults(agency)
    feedback_submit(
        agency=agency,
        topic=FeedbackTopic.objects.filter(agency=agency).order_by("position").first(),
        title="Thủ tục cấp phiếu lý lịch tư pháp còn rườm rà",
        content="Đề nghị giảm bớt giấy tờ phải nộp khi xin cấp phiếu lý lịch tư pháp.",
        contact_name="Nguyễn Thị Người Gửi",
        contact_phone="0912 345 678",
    )
    return SimpleNamespace(world=world, agency=agency, proc=proc, today=NOW.date())
