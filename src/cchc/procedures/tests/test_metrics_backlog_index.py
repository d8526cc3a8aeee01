"""The backlog open at the end of a period is read through the index (agency,
finished_effective_at, received_at): "received by the end" is tested in the index entry, not in
each row. For the previous year of a yearly report nearly every dossier finished after the
period's end, and without received_at in the index the report's snapshot read a row per
dossier (seconds at a million dossiers on SQLite, ``bench/bench_report.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q

from cchc.procedures import metrics
from cchc.procedures.models import Dossier
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure

BACKLOG_INDEX = ["agency", "finished_effective_at", "received_at"]


def _backlog_index_name() -> str:
    names = [index.name for index in Dossier._meta.indexes if index.fields == BACKLOG_INDEX]
    assert names, "Dossier.Meta.indexes has no index (agency, finished_effective_at, received_at)"
    return names[0]


def _sqlite_plan(queryset) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row[-1]) for row in cursor.fetchall()]


@pytest.fixture
def agency(world):
    return world.a.agency


def test_the_database_has_the_backlog_index(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Dossier._meta.db_table)
    columns = [Dossier._meta.get_field(name).column for name in BACKLOG_INDEX]
    assert constraints[_backlog_index_name()]["columns"] == columns


def _postgresql_plan(queryset) -> list[str]:
    """PostgreSQL plans a few rows with a sequential scan, rightly; with that scan switched off
    it shows whether the index can serve the query, and with which conditions."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return [str(row[0]) for row in cursor.fetchall()]


def test_backlog_queries_search_the_backlog_index(agency):
    procedure = make_procedure(agency)
    # One dossier of each kind the two queries tell apart: open, finished after the end,
    # finished before it, received after it.
    make_dossier(procedure, received=at("2025-12-20 08:00"), due=at("2026-01-10 17:00"))
    make_dossier(
        procedure,
        received=at("2025-12-20 08:00"),
        due=at("2026-01-10 17:00"),
        finished_at=at("2026-01-05 09:00"),
    )
    make_dossier(
        procedure,
        received=at("2025-12-01 08:00"),
        due=at("2025-12-10 17:00"),
        finished_at=at("2025-12-09 09:00"),
    )
    make_dossier(procedure, received=at("2026-01-02 08:00"), due=at("2026-01-10 17:00"))
    _start_at, end_at = metrics.period_bounds(dt.date(2025, 12, 15), dt.date(2025, 12, 31))
    name = _backlog_index_name()

    never_finished, finished_later = metrics.open_at_end(Q(agency_id__in=[agency.pk]), end_at)

    assert never_finished.count() == 1
    assert finished_later.count() == 1
    if connection.vendor == "postgresql":
        # PostgreSQL plans from statistics: give it a register where most dossiers finished
        # long before the end, as a real one, and let it count them.
        template = Dossier.objects.filter(finished_effective_at__isnull=False).first()
        many = []
        for number in range(3000):
            template.pk = None
            template.code = f"OLD-{number:05d}"
            template.finished_effective_at = at("2025-06-01 09:00")
            many.append(
                Dossier(
                    **{
                        f.attname: getattr(template, f.attname)
                        for f in Dossier._meta.concrete_fields
                    }
                )
            )
        Dossier.objects.bulk_create(many)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Dossier._meta.db_table}")
        for queryset in (never_finished, finished_later):
            plan = "\n".join(_postgresql_plan(queryset))
            assert name in plan and "received_at <=" in plan, plan
        return
    # SQLite plans without statistics: its choice is the same on a few rows as on a million.
    for queryset in (never_finished, finished_later):
        plan = _sqlite_plan(queryset)
        assert any(f"USING INDEX {name} " in line for line in plan), plan
    # SQLite names the columns it searches the index with (the range on received_at shows only
    # where finished_effective_at is an equality: IS NULL).
    assert any("received_at<" in line for line in _sqlite_plan(never_finished))
