"""Links to the public survey pages and their QR codes.

A dossier's link carries the dossier's id signed with the server's secret
(``django.core.signing``, salt ``surveys.dossier``): it cannot be forged or guessed from
another dossier's, and it shows neither the dossier's code nor anything about the citizen.
QR codes hold absolute links on ``CCHC_BASE_URL`` — the public address of the site, which is
what a printed code must point to whatever address the official who prints it uses.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse

from cchc.core.models import Agency
from cchc.procedures.models import Dossier

DOSSIER_SALT = "surveys.dossier"


def dossier_token(dossier: Dossier | int) -> str:
    pk = dossier if isinstance(dossier, int) else dossier.pk
    return signing.dumps(pk, salt=DOSSIER_SALT)


def dossier_id_from_token(token: str) -> int | None:
    """The dossier id a token was made for, or None when it is altered or made up."""
    try:
        value = signing.loads(token, salt=DOSSIER_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def dossier_survey_url(dossier: Dossier | int) -> str:
    """The path of the survey for one dossier (``/s/d/<token>/``), for the dossier page and
    the receipt; ``absolute`` makes the full link."""
    return reverse("survey_dossier", args=[dossier_token(dossier)])


def agency_survey_url(agency: Agency, *, kiosk: bool = False) -> str:
    return reverse("survey_kiosk" if kiosk else "survey_public", args=[agency.code])


def absolute(path: str) -> str:
    return f"{settings.CCHC_BASE_URL.rstrip('/')}{path}"


def qr_svg(url: str, *, title: str = "") -> bytes:
    """An SVG QR code of ``url`` (error correction M, which survives a smudged print)."""
    code = segno.make(url, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=8, border=4, xmldecl=False, title=title or None)
    return out.getvalue()
