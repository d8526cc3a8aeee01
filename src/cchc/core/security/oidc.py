"""Single sign-on through the province's OpenID Connect provider (mozilla-django-oidc).

Only people who already have an account sign in this way: the provider proves who someone is,
but roles and agencies are granted in cchc alone, so no account (let alone a privileged one) is
ever created from a provider's claims.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from cchc.core.models import User


class ExistingUserOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        username = (claims.get("preferred_username") or "").strip()
        email = (claims.get("email") or "").strip()
        conditions = []
        if username:
            conditions.append(Q(username__iexact=username))
        # Only an address the provider has checked identifies a person.
        if email and claims.get("email_verified") is True:
            conditions.append(Q(email__iexact=email))
        if not conditions:
            return self.UserModel.objects.none()
        match = conditions[0]
        for condition in conditions[1:]:
            match |= condition
        return self.UserModel.objects.filter(match, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> None:
        return None

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user
