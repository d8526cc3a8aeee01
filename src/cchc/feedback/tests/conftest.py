"""Fixtures of the feedback tests: a clock the services read, topics, and a helper to submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cchc.core.calendar import TZ
from cchc.feedback.models import FeedbackTopic
from cchc.feedback.services import feedback_submit, topics_ensure_defaults


def at(text: str) -> dt.datetime:
    """A local (Asia/Ho_Chi_Minh) time written ``2026-08-21 10:00``."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


class Clock:
    """What ``timezone.now()`` answers in the services while a test runs."""

    def __init__(self) -> None:
        self.now: dt.datetime | None = None

    def set(self, text: str) -> dt.datetime:
        self.now = at(text)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    real_now = timezone.now
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now or real_now())
    return clock


@pytest.fixture
def topic(world) -> FeedbackTopic:
    topics_ensure_defaults(world.a.agency)
    return FeedbackTopic.objects.filter(agency=world.a.agency).order_by("position").first()


def submit(world, topic, **fields):
    values = {
        "agency": world.a.agency,
        "topic": topic,
        "title": "Thủ tục cấp phiếu lý lịch tư pháp còn rườm rà",
        "content": "Đề nghị giảm bớt giấy tờ phải nộp khi xin cấp phiếu lý lịch tư pháp.",
        "contact_name": "Nguyễn Thị Người Gửi",
        "contact_phone": "0912 345 678",
    }
    values.update(fields)
    return feedback_submit(**values)
