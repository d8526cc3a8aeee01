"""The WSGI application served by gunicorn: ``cchc.wsgi:application`` (deploy/gunicorn.conf.py).

Behind a reverse proxy the peer of every request is the proxy itself, so rate limits
(``cchc.lib.ratelimit``) and the audit trail would see one address for the whole province.
With ``CCHC_PROXY_COUNT=N`` (the number of proxies in front of gunicorn, each appending the
address it saw to X-Forwarded-For, as deploy/nginx.conf does) REMOTE_ADDR becomes the address
the outermost proxy saw. Entries further left were written by the client and are never trusted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

from cchc.lib.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ForwardedClientAddress:
    """Set REMOTE_ADDR from the N-th address from the right of X-Forwarded-For."""

    def __init__(self, app: WSGIApp, proxy_count: int) -> None:
        self.app = app
        self.proxy_count = proxy_count

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        if self.proxy_count > 0:
            forwarded = [
                part.strip()
                for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            # Fewer entries than proxies: the request did not come through all of them, and
            # the header cannot be trusted; keep the peer address.
            if len(forwarded) >= self.proxy_count:
                environ["REMOTE_ADDR"] = forwarded[-self.proxy_count]
        return self.app(environ, start_response)


application = ForwardedClientAddress(
    get_wsgi_application(), proxy_count=env_int("CCHC_PROXY_COUNT", 0)
)
