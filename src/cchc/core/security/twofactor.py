"""Who must use a second factor, and the TOTP device that provides it (django-otp)."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import Role, User

# The roles that approve plans, reports and self-scores, appraise them or administer the
# system: a stolen password alone must not be enough for them.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.APPRAISER, Role.LEADER, Role.COORDINATOR})
DEVICE_NAME = "cchc"


def requires_two_factor(user: User) -> bool:
    if not settings.CCHC_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = get_scope(user)
    return any(roles & TWO_FACTOR_ROLES for roles in scope.roles.values())


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: User) -> TOTPDevice:
    """The device being set up: kept unconfirmed until the person enters a first valid code,
    so that reloading the set-up page shows the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URL as an SVG QR code in a data URI, made on the server: the page
    needs no script, and the CSP allows ``data:`` images."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def device_confirm(*, actor: User, device: TOTPDevice) -> TOTPDevice:
    """Mark a device as set up once its first code was right (checked by the caller's form)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(
        actor=actor,
        action="two_factor.enrol",
        obj=device.user,
        agency=None,
        changes={"device": device.name},
    )
    return device
