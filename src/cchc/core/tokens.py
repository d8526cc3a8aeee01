"""API tokens: created and revoked here only. The raw token is returned once and never stored;
the database keeps its SHA-256 and a short prefix that lets a person recognise it in lists."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.models import ApiToken, User

PREFIX_LENGTH = 12


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str = "",
    expires_at: dt.datetime | None = None,
    actor: User | None = None,
) -> str:
    """Issue a bearer token for ``user`` and return the raw value (shown to the person once)."""
    if not user.is_active:
        raise ValidationError({"user": _("The user is not active.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[:PREFIX_LENGTH],
        digest=ApiToken.digest_of(raw),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action="token.create",
        obj=token,
        agency=None,
        changes={
            "user": user,
            "name": token.name,
            "prefix": token.prefix,
            "expires_at": expires_at,
        },
    )
    return raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="token.revoke",
            obj=token,
            agency=None,
            changes={"user": token.user, "prefix": token.prefix},
        )
    return token
