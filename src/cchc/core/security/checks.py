"""Deployment checks of the security settings (run by ``cchc check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Outside development, two-factor sign-in must stay on for the privileged roles."""
    if settings.DJANGO_ENV == "development" or settings.CCHC_REQUIRE_2FA:
        return []
    return [
        Warning(
            "CCHC_REQUIRE_2FA is off: administrators, appraisers, leaders and coordinators sign "
            "in with a password only.",
            hint="Unset CCHC_REQUIRE_2FA (it defaults to on outside development).",
            id="cchc.W001",
        )
    ]
