"""The demo dossiers: a catalogue and a year of realistic dossiers, with rollups the metrics
read exactly as they read ingested data; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from cchc.core.models import Agency
from cchc.indicators.models import Target
from cchc.procedures import metrics
from cchc.procedures.demo import COMMUNE, PROVINCIAL, load_demo_dossiers
from cchc.procedures.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierEvent,
    FinishedRollup,
    Procedure,
    ReceivedRollup,
)

SEEN_AT = timezone.make_aware(dt.datetime(2026, 12, 31, 20, 0))


@pytest.fixture
def loaded(world):
    count = load_demo_dossiers(world.a.agency, 2026, 3000, 7, now=SEEN_AT)
    return world.a.agency, count


def test_catalogues_are_plausible():
    for catalogue in (PROVINCIAL, COMMUNE):
        assert 38 <= len(catalogue) <= 45
        assert len({spec.code for spec in catalogue}) == len(catalogue)
        assert any(spec.reduced for spec in catalogue) and any(spec.fee for spec in catalogue)


def test_distributions_are_realistic(loaded):
    agency, count = loaded
    dossiers = Dossier.objects.filter(agency=agency)
    assert count == dossiers.count() and 2950 < count <= 3000  # none received after "now"
    assert Procedure.objects.filter(agency=agency).count() == len(PROVINCIAL)
    assert dossiers.filter(received_day__year=2026).count() == count
    codes = dossiers.values_list("code", flat=True)
    assert all(code.startswith(f"{agency.code}-26") for code in codes[:50])
    online = dossiers.filter(channel=Channel.ONLINE).count() / count
    assert 0.6 < online < 0.8
    m = metrics.compute(
        agency_ids=[agency.pk], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert 88 < m.rates["on_time_rate"] < 96
    assert 60 < m.rates["digitization_rate"] < 90
    assert m.rates["online_payment_rate"] is not None
    assert dossiers.filter(supplement_rounds__gt=0).count() / count > 0.03
    assert dossiers.filter(finished_effective_at__isnull=True).exists()  # open at year end
    assert dossiers.filter(status=3).exists()  # some refused
    late = dossiers.filter(on_time_when_finished=False)
    letters = ApologyLetter.objects.filter(dossier__agency=agency)
    assert 0 < letters.count() < late.count() + dossiers.filter(finished_day__isnull=True).count()
    assert DossierEvent.objects.filter(dossier__agency=agency).count() > count
    # Every deadline is after the receipt, and derived fields are those of the rules.
    assert not dossiers.filter(due_at__lt=F("received_at")).exists()


def test_rollups_agree_with_the_dossiers(loaded):
    agency, count = loaded
    assert sum(ReceivedRollup.objects.filter(agency=agency).values_list("received", flat=True)) == (
        count
    )
    assert FinishedRollup.objects.filter(agency=agency).exists()
    start, end = dt.date(2026, 1, 1), dt.date(2026, 9, 30)
    fast = metrics.compute(agency_ids=[agency.pk], start=start, end=end)
    slow = metrics.metrics_direct(agency_ids=[agency.pk], start=start, end=end)
    assert fast.counts == slow.counts and fast.rates == slow.rates


def test_loading_is_idempotent(loaded):
    agency, count = loaded
    before = Dossier.objects.filter(agency=agency).count()
    assert load_demo_dossiers(agency, 2026, 3000, 7, now=SEEN_AT) == 0
    assert Dossier.objects.filter(agency=agency).count() == before == count


def test_nothing_in_the_future(world):
    now = timezone.make_aware(dt.datetime(2026, 3, 15, 10, 0))
    load_demo_dossiers(world.b.agency, 2026, 500, 1, now=now)
    dossiers = Dossier.objects.filter(agency=world.b.agency)
    assert not dossiers.filter(received_at__gt=now).exists()
    assert not dossiers.filter(finished_at__gt=now).exists()
    assert not dossiers.filter(returned_at__gt=now).exists()
    assert not DossierEvent.objects.filter(dossier__agency=world.b.agency, at__gt=now).exists()
    assert not ApologyLetter.objects.filter(
        dossier__agency=world.b.agency, issued_at__gt=now
    ).exists()


@pytest.mark.django_db
def test_demo_command_loads_dossiers_and_targets(monkeypatch):
    from cchc.core.management.commands import demo

    monkeypatch.setattr(demo, "DOSSIERS_PER_AGENCY", 300)
    call_command("demo", stdout=io.StringIO())
    for code in ("DEMO-STP", "DEMO-XAB"):
        agency = Agency.objects.get(code=code)
        assert Dossier.objects.filter(agency=agency).count() == 300
        codes = set(
            Target.objects.filter(plan__agency=agency).values_list("indicator__code", flat=True)
        )
        assert {"on_time", "online_usage", "digitization", "satisfaction"} <= codes
    commune = Agency.objects.get(code="DEMO-XAB")
    assert Procedure.objects.filter(agency=commune).count() == len(COMMUNE)
    # The reports are written from those dossiers: the third quarter generated, the year drafted.
    from cchc.reports.models import Report, ReportStatus

    ready = Report.objects.get(agency__code="DEMO-STP", period_kind="q3")
    assert ready.status == ReportStatus.READY and ready.docx and ready.xlsx
    assert ready.snapshot["dossiers"]["counts"]["received"] > 0
    assert Report.objects.get(agency__code="DEMO-STP", period_kind="year").status == "draft"
    assert Report.objects.filter(agency=commune, status=ReportStatus.READY).count() == 1
    # Again: nothing new.
    targets = Target.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert Dossier.objects.count() == 600 and Target.objects.count() == targets
    # --reset deletes the dossiers with the agencies and loads them afresh.
    call_command("demo", "--reset", stdout=io.StringIO())
    assert Dossier.objects.count() == 600
