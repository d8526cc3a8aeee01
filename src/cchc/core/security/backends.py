"""Authentication backends: the login throttle (django-axes) in front of the model backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins of a locked-out username and address; checks no password itself.

    Only logins that come through a web request are throttled: management commands and
    ``authenticate()`` calls without a request (e.g. ``cchc create_user`` checking a password)
    have no client address to count against, so they pass on to the next backend instead of
    failing as django-axes' own backend would.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
