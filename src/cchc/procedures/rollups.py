"""Daily rollups of dossiers, kept current by the ingest and rebuilt on demand.

A refresh recomputes whole rollup rows from the dossiers of the affected (agency, day) pairs,
so an incremental refresh and a full rebuild give the same rows by construction.

Both are set-based: the rows are deleted and written back by one ``INSERT … SELECT … GROUP BY``
per rollup, with the aggregate queryset below compiled by the ORM (the same SQL on SQLite and
PostgreSQL), so no rollup row passes through Python; a year of a large agency has about 10⁵ of
them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Model, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from cchc.procedures import freshness
from cchc.procedures.models import Channel, Dossier, FinishedRollup, ReceivedRollup

_UNIT_KEY = Coalesce(F("unit_id"), Value(0), output_field=IntegerField())
_KEYS = ("agency_id", "day", "unit_key", "procedure_id")
_KEY_FIELDS = ("agency", "day", "unit_key", "procedure")

# rollup field ← aggregate alias of the queryset
_RECEIVED_COUNTS = {
    "received": "n_received",
    "online": "n_online",
    "digitized": "n_digitized",
    "digitized_pending_result": "n_pending",
    "fee_bearing": "n_fee",
    "paid_online": "n_paid",
    "negative": "n_negative",
}
_FINISHED_COUNTS = {"finished": "n_finished", "on_time": "n_on_time"}


def _received_counts(dossiers: QuerySet[Dossier]) -> QuerySet:
    digitized = Q(components_digitized=True) & (
        Q(procedure__paper_result=False) | Q(result_digitized=True)
    )
    pending = Q(components_digitized=True, procedure__paper_result=True, result_digitized=False)
    return (
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


def _finished_counts(dossiers: QuerySet[Dossier]) -> QuerySet:
    return (
        dossiers.filter(finished_day__isnull=False)
        .annotate(day=F("finished_day"), unit_key=_UNIT_KEY)
        .values(*_KEYS)
        .annotate(
            n_finished=Count("id"),
            n_on_time=Count(Case(When(on_time_when_finished=True, then=1))),
        )
        .order_by()
    )


def _insert_select(model: type[Model], counts: dict[str, str], rows: QuerySet) -> None:
    """``INSERT INTO <rollup> (keys, counts) SELECT … FROM (<rows>)``: the aggregate query runs
    in the database and its rows go straight into the rollup table. The outer SELECT names the
    queryset's columns, so their order in the compiled SQL does not matter."""
    qn = connection.ops.quote_name
    fields: Sequence[str] = (*_KEY_FIELDS, *counts)
    aliases: Sequence[str] = (*_KEYS, *counts.values())
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    sql, params = rows.query.get_compiler(connection=connection).as_sql()
    select = ", ".join(f"r.{qn(a)}" for a in aliases)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(model._meta.db_table)} ({columns}) SELECT {select} FROM ({sql}) r",
            params,
        )


@transaction.atomic
def refresh(
    agency_id: int,
    *,
    received_days: Iterable[dt.date] = (),
    finished_days: Iterable[dt.date] = (),
) -> None:
    """Recompute the rollup rows of one agency for the given days (its dossiers changed: its
    cached metrics are outdated, whichever days)."""
    freshness.mark_changed([agency_id])
    received_days = sorted(set(received_days))
    finished_days = sorted(set(finished_days))
    dossiers = Dossier.objects.filter(agency_id=agency_id)
    if received_days:
        ReceivedRollup.objects.filter(agency_id=agency_id, day__in=received_days).delete()
        _insert_select(
            ReceivedRollup,
            _RECEIVED_COUNTS,
            _received_counts(dossiers.filter(received_day__in=received_days)),
        )
    if finished_days:
        FinishedRollup.objects.filter(agency_id=agency_id, day__in=finished_days).delete()
        _insert_select(
            FinishedRollup,
            _FINISHED_COUNTS,
            _finished_counts(dossiers.filter(finished_day__in=finished_days)),
        )


@transaction.atomic
def rebuild(agency_id: int | None = None) -> None:
    """Recompute every rollup row (of one agency, or of all) from the dossiers."""
    freshness.mark_changed(None if agency_id is None else [agency_id])
    received = ReceivedRollup.objects.all()
    finished = FinishedRollup.objects.all()
    dossiers = Dossier.objects.all()
    if agency_id is not None:
        received = received.filter(agency_id=agency_id)
        finished = finished.filter(agency_id=agency_id)
        dossiers = dossiers.filter(agency_id=agency_id)
    received.delete()
    finished.delete()
    _insert_select(ReceivedRollup, _RECEIVED_COUNTS, _received_counts(dossiers))
    _insert_select(FinishedRollup, _FINISHED_COUNTS, _finished_counts(dossiers))
