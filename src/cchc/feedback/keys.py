"""Open311 API keys: an application (a city app, the province's portal) creates feedback of one
agency with the ``api_key`` parameter of ``POST requests``. The raw key is returned once and never
stored; the database keeps its SHA-256 and a short prefix by which a person recognises it."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from cchc.core import audit
from cchc.core.models import Agency, User
from cchc.feedback.models import Open311Key

KEY_START = "o311_"
PREFIX_LENGTH = 12
# Longer input cannot be a key; it is refused before hashing.
MAX_KEY_LENGTH = 128
# ``last_used_at`` is written at most this often, so that a busy application does not update the
# row on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, agency: Agency, name: str = "", actor: User | None = None) -> str:
    """Issue a key for ``agency`` and return the raw value (shown to the person once)."""
    raw = KEY_START + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(
        agency=agency,
        name=name.strip()[:100],
        prefix=raw[:PREFIX_LENGTH],
        digest=key_digest(raw),
    )
    audit.record(
        actor=actor,
        action="open311_key.create",
        obj=key,
        agency=agency,
        changes={"name": key.name, "prefix": key.prefix},
    )
    return raw


@transaction.atomic
def open311_key_revoke(*, key: Open311Key, actor: User | None = None) -> Open311Key:
    """Revoke a key at once; revoking twice keeps the first time."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="open311_key.revoke",
            obj=key,
            agency=key.agency,
            changes={"prefix": key.prefix},
        )
    return key


def open311_key_check(raw: str) -> Open311Key | None:
    """The usable key whose raw value is ``raw`` (with its agency), or None for an empty, unknown
    or revoked key. A successful check counts as a use and is recorded in ``last_used_at``."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    key = Open311Key.objects.select_related("agency").filter(digest=key_digest(raw)).first()
    if key is None or key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
