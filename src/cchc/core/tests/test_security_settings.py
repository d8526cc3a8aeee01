"""The security settings: OpenID Connect only with its env vars, throttling and 2FA defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

OIDC_ENV = {
    "CCHC_OIDC_CLIENT_ID": "cchc",
    "CCHC_OIDC_CLIENT_SECRET": "s3cret",
    "CCHC_OIDC_AUTHORIZATION_ENDPOINT": "https://sso.example.gov.vn/auth",
    "CCHC_OIDC_TOKEN_ENDPOINT": "https://sso.example.gov.vn/token",
    "CCHC_OIDC_USER_ENDPOINT": "https://sso.example.gov.vn/userinfo",
    "CCHC_OIDC_JWKS_ENDPOINT": "https://sso.example.gov.vn/jwks",
}
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.urls import reverse
out = {"enabled": settings.CCHC_OIDC_ENABLED, "backends": settings.AUTHENTICATION_BACKENDS,
       "apps": "mozilla_django_oidc" in settings.INSTALLED_APPS,
       "create": getattr(settings, "OIDC_CREATE_USER", None)}
if settings.CCHC_OIDC_ENABLED:
    out["url"] = reverse("oidc_authentication_init")
print(json.dumps(out))
"""


def _probe(extra_env: dict[str, str]) -> dict:
    env = (
        {k: v for k, v in os.environ.items() if not k.startswith("CCHC_OIDC_")}
        | {"DJANGO_SETTINGS_MODULE": "cchc.settings"}
        | extra_env
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_oidc_is_off_by_default():
    off = _probe({})
    assert off["enabled"] is False
    assert off["apps"] is False
    assert not any("oidc" in backend.lower() for backend in off["backends"])


def test_oidc_is_on_with_its_env_vars_and_never_creates_accounts():
    on = _probe(OIDC_ENV)
    assert on["enabled"] is True
    assert on["apps"] is True
    assert on["backends"][-1] == "cchc.core.security.oidc.ExistingUserOIDCBackend"
    assert on["create"] is False
    assert on["url"] == "/accounts/oidc/authenticate/"


def test_throttle_and_two_factor_defaults():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "cchc.core.security.backends.LoginThrottleBackend"
    assert settings.CCHC_TOKEN_MAX_DAYS == 365
    middleware = settings.MIDDLEWARE
    assert middleware.index("django_otp.middleware.OTPMiddleware") < middleware.index(
        "cchc.core.security.middleware.TwoFactorRequiredMiddleware"
    )
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
