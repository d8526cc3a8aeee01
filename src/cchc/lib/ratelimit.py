"""Fixed-window rate limits kept in the database, for the public forms and the Open311 API.

Libraries such as django-ratelimit need memcached or Redis for an atomic increment; an
installation of cchc runs on its database alone, so the counter is a row per (key, window)
incremented with one ``UPDATE … SET count = count + 1`` (atomic on both engines). Addresses are
stored as keyed hashes, never in clear (they are personal data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from cchc.core.models import RateLimitBucket


def client_address(request: HttpRequest) -> str:
    """The client's address as the web server saw it. Behind a reverse proxy, the proxy must set
    REMOTE_ADDR (e.g. with a trusted X-Forwarded-For handler); a client-supplied header is not
    trusted here, or anyone could pick a fresh address for each request."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def client_ip(request: HttpRequest) -> str | None:
    """The same address for django-axes, which stores it in an IP-address column: None when the
    server saw none (a test client, a management command), never a placeholder."""
    return request.META.get("REMOTE_ADDR") or None


def address_key(scope: str, address: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[
        :40
    ]
    return f"{scope}:{digest}"


def _window_start(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def hit(key: str, *, limit: int, window: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Count one action for ``key``; False when it goes over ``limit`` actions in the window.

    Call it before opening the transaction of the work it guards: a count written inside a
    transaction that is then rolled back is undone with it, and a flood of refused requests
    must not reset its own counter."""
    start = _window_start(now or timezone.now(), window)
    with transaction.atomic():
        updated = RateLimitBucket.objects.filter(key=key, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitBucket.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:  # another process created it a moment ago
                RateLimitBucket.objects.filter(key=key, window_start=start).update(
                    count=F("count") + 1
                )
        count = RateLimitBucket.objects.filter(key=key, window_start=start).values_list(
            "count", flat=True
        )[0]
    return count <= limit


def request_allowed(request: HttpRequest, scope: str, *, limit: int, window: dt.timedelta) -> bool:
    """One action of the request's client address in ``scope`` (e.g. ``feedback_submit``)."""
    return hit(address_key(scope, client_address(request)), limit=limit, window=window)


def forget_old(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Delete buckets whose window started long ago (run by the daily housekeeping duty)."""
    deleted, _by_model = RateLimitBucket.objects.filter(
        window_start__lt=timezone.now() - older_than
    ).delete()
    return deleted
