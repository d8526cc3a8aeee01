"""The morning duty ``warm_dashboards``: compute, before people arrive, the figures every agency's
dashboards read today.

The service metrics are cached until their inputs change (``cchc.procedures.freshness``), but
the dashboards measure the year *to date*, so each new day asks for new periods and every
agency's first dashboard of the day would pay the full computation (about 0.2 s at 25,000
dossiers a year), all of them at once when the offices open. The duty reads them through the
very functions the pages call, so the entries it leaves are the ones the pages look up. With a
cache shared by the processes (``CCHC_CACHE=file``, the production default, or Redis) the web
workers find them; with a per-process cache (development) the work only warms the job worker's
own memory and is wasted, which is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from cchc.core.models import Agency, AgencyKind
from cchc.indicators import selectors as indicators
from cchc.reports.dashboard.selectors import monthly

log = logging.getLogger(__name__)


def warm_dashboards(today: dt.date | None = None) -> int:
    """Compute today's dashboard figures of every current agency; returns how many."""
    today = today or timezone.localdate()
    year = today.year
    period = indicators.year_to_date(year, today)
    agencies = Agency.objects.filter(kind=AgencyKind.AGENCY).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
    )
    started = time.monotonic()
    count = 0
    for agency in agencies.order_by("pk").iterator():
        monthly(agency, year, today)
        indicators.measured(agency.pk, period.start, period.end)
        count += 1
    log.info("warmed the dashboards of %s agencies in %.1f s", count, time.monotonic() - started)
    return count


@task()
def warm_dashboards_job() -> int:
    return warm_dashboards()
