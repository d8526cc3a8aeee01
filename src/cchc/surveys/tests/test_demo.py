"""The demo answers: a year of plausible responses, fast, tied to dossiers in part, negative
ones counted in the dossiers' rollups; loading twice changes nothing; deleting removes all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cchc.procedures.demo import load_demo_dossiers
from cchc.procedures.models import Dossier, ReceivedRollup
from cchc.surveys import selectors
from cchc.surveys.demo import delete_demo_surveys, load_demo_surveys
from cchc.surveys.models import Answer, Response, ResponseChannel, Survey

SEEN_AT = timezone.make_aware(dt.datetime(2026, 12, 31, 20, 0))
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture
def loaded(world):
    agency = world.a.agency
    load_demo_dossiers(agency, 2026, 2000, 3, now=SEEN_AT)
    world.marked_before = set(
        Dossier.objects.filter(agency=agency, negative_feedback=True).values_list("pk", flat=True)
    )
    with CaptureQueriesContext(connection) as captured:
        count = load_demo_surveys(agency, 2026, 3, now=SEEN_AT)
    return agency, count, len(captured)


def test_a_year_of_plausible_answers(loaded):
    agency, count, queries = loaded
    assert 1450 <= count <= 1500
    # Written in bulk (about a second on a laptop): the questionnaire row by row, then the
    # responses and answers in batches — never a query per response.
    assert queries < 300, queries
    responses = Response.objects.filter(agency=agency)
    assert responses.count() == count
    assert responses.filter(submitted_at__year=2026).count() >= count - 10
    tied = responses.filter(dossier__isnull=False)
    assert 0.35 < tied.count() / count < 0.45
    assert tied.filter(channel=ResponseChannel.QR_DOSSIER).count() == tied.count()
    assert responses.filter(channel=ResponseChannel.KIOSK).exists()
    assert tied.exclude(procedure_id=None).count() == tied.count()
    assert Answer.objects.filter(response__agency=agency).exclude(text="").count() > 100
    index = selectors.satisfaction_index([agency.pk], *YEAR)
    assert index is not None and 75 < index < 95
    result = selectors.compute(agency, *YEAR)
    assert all(a.rate is not None for a in result.aspects)
    assert result.units and result.procedures
    assert sum(m.responses for m in result.months) >= count - 10


def test_negative_answers_mark_their_dossiers(loaded, world):
    agency, _count, _queries = loaded
    negative = Response.objects.filter(agency=agency, negative=True, dossier__isnull=False)
    assert negative.count() > 10
    marked = Dossier.objects.filter(agency=agency, negative_feedback=True)
    # The dossier demo marks a few itself (feedback about them); each negative answer its own.
    assert set(marked.values_list("pk", flat=True)) == world.marked_before | set(
        negative.values_list("dossier_id", flat=True)
    )
    total = ReceivedRollup.objects.filter(agency=agency).aggregate(n=Sum("negative"))["n"]
    assert total == marked.count()


def test_loading_twice_changes_nothing_and_delete_removes_all(loaded, world):
    agency, count, _queries = loaded
    assert load_demo_surveys(agency, 2026, 3, now=SEEN_AT) == 0
    assert Response.objects.filter(agency=agency).count() == count
    delete_demo_surveys([agency])
    assert not Response.objects.filter(agency=agency).exists()
    assert not Survey.objects.filter(agency=agency).exists()
