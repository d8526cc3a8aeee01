"""Daily rollups of dossiers, kept current by the ingest and rebuilt on demand.

A refresh recomputes whole rollup rows from the dossiers of the affected (agency, day) pairs,
so an incremental refresh and a full rebuild give the same rows by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from cchc.procedures.models import Channel, Dossier, FinishedRollup, ReceivedRollup

_UNIT_KEY = Coalesce(F("unit_id"), Value(0), output_field=IntegerField())
_KEYS = ("agency_id", "day", "unit_key", "procedure_id")


def _received_rows(dossiers: QuerySet[Dossier]) -> list[ReceivedRollup]:
    digitized = Q(components_digitized=True) & (
        Q(procedure__paper_result=False) | Q(result_digitized=True)
    )
    pending = Q(components_digitized=True, procedure__paper_result=True, result_digitized=False)
    rows = (
        dossiers.annotate(day=F("received_day"), unit_key=_UNIT_KEY)
        .values(*_KEYS)
        .annotate(
            n_received=Count("id"),
            n_online=Count("id", filter=Q(channel=Channel.ONLINE)),
            n_digitized=Count("id", filter=digitized),
            n_pending=Count("id", filter=pending),
            n_fee=Count("id", filter=Q(procedure__fee_bearing=True)),
            n_paid=Count("id", filter=Q(procedure__fee_bearing=True, paid_online__in=(1, 2))),
            n_negative=Count("id", filter=Q(negative_feedback=True)),
        )
        .order_by()
    )
    return [
        ReceivedRollup(
            agency_id=r["agency_id"],
            day=r["day"],
            unit_key=r["unit_key"],
            procedure_id=r["procedure_id"],
            received=r["n_received"],
            online=r["n_online"],
            digitized=r["n_digitized"],
            digitized_pending_result=r["n_pending"],
            fee_bearing=r["n_fee"],
            paid_online=r["n_paid"],
            negative=r["n_negative"],
        )
        for r in rows
    ]


def _finished_rows(dossiers: QuerySet[Dossier]) -> list[FinishedRollup]:
    rows = (
        dossiers.filter(finished_day__isnull=False)
        .annotate(day=F("finished_day"), unit_key=_UNIT_KEY)
        .values(*_KEYS)
        .annotate(
            n_finished=Count("id"),
            n_on_time=Count(Case(When(on_time_when_finished=True, then=1))),
        )
        .order_by()
    )
    return [
        FinishedRollup(
            agency_id=r["agency_id"],
            day=r["day"],
            unit_key=r["unit_key"],
            procedure_id=r["procedure_id"],
            finished=r["n_finished"],
            on_time=r["n_on_time"],
        )
        for r in rows
    ]


@transaction.atomic
def refresh(
    agency_id: int,
    *,
    received_days: Iterable[dt.date] = (),
    finished_days: Iterable[dt.date] = (),
) -> None:
    """Recompute the rollup rows of one agency for the given days."""
    received_days = sorted(set(received_days))
    finished_days = sorted(set(finished_days))
    dossiers = Dossier.objects.filter(agency_id=agency_id)
    if received_days:
        ReceivedRollup.objects.filter(agency_id=agency_id, day__in=received_days).delete()
        ReceivedRollup.objects.bulk_create(
            _received_rows(dossiers.filter(received_day__in=received_days)), batch_size=2000
        )
    if finished_days:
        FinishedRollup.objects.filter(agency_id=agency_id, day__in=finished_days).delete()
        FinishedRollup.objects.bulk_create(
            _finished_rows(dossiers.filter(finished_day__in=finished_days)), batch_size=2000
        )


@transaction.atomic
def rebuild(agency_id: int | None = None) -> None:
    """Recompute every rollup row (of one agency, or of all) from the dossiers."""
    received = ReceivedRollup.objects.all()
    finished = FinishedRollup.objects.all()
    dossiers = Dossier.objects.all()
    if agency_id is not None:
        received = received.filter(agency_id=agency_id)
        finished = finished.filter(agency_id=agency_id)
        dossiers = dossiers.filter(agency_id=agency_id)
    received.delete()
    finished.delete()
    ReceivedRollup.objects.bulk_create(_received_rows(dossiers), batch_size=2000)
    FinishedRollup.objects.bulk_create(_finished_rows(dossiers), batch_size=2000)
