"""The service metrics' cache and the versions of their inputs (issue 8: the dashboards of a
province under load).

Computing an agency's metrics reads its rollups, its open backlog, its catalogue, its citizens'
feedback and the province's point rules and parameters: tens of milliseconds for a month, a
few hundred for the twelve months of a dashboard at 25,000 dossiers a year. The figures only
change when those inputs do, a few times a day, while the dashboards are read all day long.

* Every write of an input calls ``mark_changed`` for the agencies it touches (``None``: every
  agency, for the province-wide rules). It replaces their ``MetricsStamp`` token with a new random
  one **inside the writer's transaction**, so the new token becomes visible exactly when the new
  data does, and disappears with it if the transaction rolls back. Writers: ``rollups.refresh``
  and ``rollups.rebuild`` (every change to dossiers goes through them: the ingest, the API, the
  demo, the rebuild command) and the save and delete receivers of dossiers, procedures, feedback,
  point rules and parameters (``cchc.procedures.apps``).
* ``cached`` reads the tokens of the agencies asked for plus the province's (one query) and
  keys the cache entry by them, by the function and by its arguments. A reader that raced a
  writer at worst stores figures under a token nobody will ask for again. When an agency has no
  token yet, one is written first (the first read after an upgrade, or in a new database).

The cache is Django's default cache (``settings.CACHES``): per process unless Redis is
configured; either way every process sees the tokens in the database, so none serves figures
older than the last committed change. Tokens are random rather than counters so that a database
restored from a backup, or a test's rolled-back rows, can never match an entry computed from
other data.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cchc.procedures.models import MetricsStamp

PROVINCE = 0  # the scope of what every agency's metrics read
T = TypeVar("T")


def mark_changed(agency_ids: Iterable[int] | None) -> None:
    """The metrics inputs of these agencies (``None``: of all) change in this transaction."""
    scopes = [PROVINCE] if agency_ids is None else sorted({int(pk) for pk in agency_ids})
    if scopes:
        _write(scopes)


def _write(scopes: list[int]) -> None:
    now = timezone.now()
    token = uuid.uuid4().hex
    MetricsStamp.objects.bulk_create(
        [MetricsStamp(scope=scope, token=token, changed_at=now) for scope in scopes],
        update_conflicts=True,
        unique_fields=["scope"],
        update_fields=["token", "changed_at"],
    )


def tokens(agency_ids: Iterable[int]) -> str:
    """The version of the inputs of these agencies' metrics (with the province's): changes
    whenever any of them does."""
    scopes = sorted({PROVINCE, *(int(pk) for pk in agency_ids)})
    found = dict(MetricsStamp.objects.filter(scope__in=scopes).values_list("scope", "token"))
    missing = [
        MetricsStamp(scope=scope, token=uuid.uuid4().hex, changed_at=timezone.now())
        for scope in scopes
        if scope not in found
    ]
    if missing:
        # Should another process write the same scope first, its token stays and ours keys an
        # entry nobody asks for again: harmless.
        MetricsStamp.objects.bulk_create(missing, ignore_conflicts=True)
        found.update((stamp.scope, stamp.token) for stamp in missing)
    return ",".join(f"{scope}:{found[scope]}" for scope in scopes)


def cached(name: str, agency_ids: Iterable[int], arguments: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the same ``name`` and ``arguments`` since the
    inputs of ``agency_ids`` last changed."""
    ids = list(agency_ids)
    digest = hashlib.sha256(f"{tokens(ids)}|{name}|{arguments!r}".encode()).hexdigest()
    key = f"cchc:metrics:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.CCHC_METRICS_CACHE_SECONDS)
    return value


# --- writes through the ORM ------------------------------------------------------------------
# (Bulk writes bypass these; the ingest and the demo refresh or rebuild the rollups after
# them, which marks the change.)


def _agency_changed(sender, instance, **kwargs) -> None:
    mark_changed([instance.agency_id])


def _rules_changed(sender, instance, **kwargs) -> None:
    mark_changed(None)


def connect() -> None:
    """Called once by ``ProceduresConfig.ready``."""
    from django.db.models.signals import post_delete, post_save

    for sender in ("procedures.Dossier", "procedures.Procedure", "feedback.Feedback"):
        post_save.connect(_agency_changed, sender=sender, dispatch_uid=f"freshness:{sender}")
        post_delete.connect(_agency_changed, sender=sender, dispatch_uid=f"freshness-:{sender}")
    for sender in ("procedures.ServicePointRule", "procedures.MetricParameter"):
        post_save.connect(_rules_changed, sender=sender, dispatch_uid=f"freshness:{sender}")
        post_delete.connect(_rules_changed, sender=sender, dispatch_uid=f"freshness-:{sender}")
