"""The citizens' survey pages: no login, phone first, nothing personal shown or asked.

* ``/s/<agency code>/`` — the agency's survey (public link, printed QR code);
* ``/s/<agency code>/kiosk/`` — the same on the tablet at the one-stop desk: after each answer a
  thank-you page that goes back to an empty form by itself;
* ``/s/d/<token>/`` — the survey of one dossier (its QR code on the receipt and the result);
* ``/s/<agency code>/qr.svg`` — the agency's QR code.

Every refusal stores nothing and says why: a flood from one address (rate limit), an empty or
invalid answer, a dossier already answered, a link altered or made up (404). A robot that fills
the hidden honeypot field sees the usual thank-you, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cchc.core.forms import apply_service_errors
from cchc.core.models import Agency
from cchc.lib.ratelimit import request_allowed
from cchc.procedures.models import Dossier
from cchc.surveys import links, services
from cchc.surveys.forms import SurveyForm
from cchc.surveys.models import ResponseChannel, Survey

RATE_SCOPE = "survey_submit"
RATE_LIMIT = 20
RATE_WINDOW = dt.timedelta(hours=1)
KIOSK_RESET_SECONDS = 8


def _private(response: HttpResponse) -> HttpResponse:
    """Never kept by a browser or a proxy: the back button of a shared tablet must not bring
    back somebody's answers."""
    response["Cache-Control"] = "no-store, max-age=0"
    return response


def _not_found(request: HttpRequest, agency: Agency | None = None) -> HttpResponse:
    return _private(
        render(request, "surveys/public_not_found.html", {"public_agency": agency}, status=404)
    )


def _agency(code: str) -> Agency | None:
    return Agency.objects.filter(code=code, kind="agency").first()


def _render_form(
    request: HttpRequest,
    *,
    agency: Agency,
    survey: Survey,
    form: SurveyForm,
    action: str,
    kiosk: bool = False,
    dossier: Dossier | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "public_agency": agency,
        "survey": survey,
        "form": form,
        "action": action,
        "kiosk": kiosk,
        "procedure_name": dossier.procedure.name if dossier is not None else "",
        "scale": survey.scale(),
    }
    return _private(render(request, "surveys/survey_form.html", context, status=status))


def _form(survey: Survey, data: Any = None) -> SurveyForm:
    questions = list(survey.questions.select_related("aspect").order_by("position", "id"))
    return SurveyForm(data, survey=survey, questions=questions)


def _thanks_url(agency: Agency, *, kiosk: bool) -> str:
    url = reverse("survey_thanks", args=[agency.code])
    return f"{url}?kiosk=1" if kiosk else url


def _submit(
    request: HttpRequest,
    *,
    agency: Agency,
    survey: Survey,
    channel: str,
    action: str,
    kiosk: bool = False,
    dossier: Dossier | None = None,
) -> HttpResponse:
    """The POST of any of the three forms. The rate limit counts every attempt, kept or not."""
    form = _form(survey, request.POST)
    if not request_allowed(request, RATE_SCOPE, limit=RATE_LIMIT, window=RATE_WINDOW):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many answers have been sent from your connection in the last hour. "
                "Please try again later."
            ),
        )
        return _render_form(
            request,
            agency=agency,
            survey=survey,
            form=form,
            action=action,
            kiosk=kiosk,
            dossier=dossier,
            status=429,
        )
    if form.is_robot():
        return redirect(_thanks_url(agency, kiosk=kiosk))
    if form.is_valid():
        try:
            services.response_submit(
                survey=survey, channel=channel, answers=form.answers(), dossier=dossier
            )
        except services.AlreadyAnswered:
            return _answered(request, agency, status=409)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(_thanks_url(agency, kiosk=kiosk))
    return _render_form(
        request,
        agency=agency,
        survey=survey,
        form=form,
        action=action,
        kiosk=kiosk,
        dossier=dossier,
        status=400,
    )


def _answered(request: HttpRequest, agency: Agency, *, status: int = 200) -> HttpResponse:
    return _private(
        render(request, "surveys/already_answered.html", {"public_agency": agency}, status=status)
    )


def _agency_survey(request: HttpRequest, agency_code: str, *, kiosk: bool) -> HttpResponse:
    agency = _agency(agency_code)
    if agency is None:
        return _not_found(request)
    survey = services.survey_default_for(agency)
    if survey is None:
        return _not_found(request, agency)
    action = links.agency_survey_url(agency, kiosk=kiosk)
    if request.method == "POST":
        channel = ResponseChannel.KIOSK if kiosk else ResponseChannel.WEB
        return _submit(
            request, agency=agency, survey=survey, channel=channel, action=action, kiosk=kiosk
        )
    return _render_form(
        request, agency=agency, survey=survey, form=_form(survey), action=action, kiosk=kiosk
    )


@require_http_methods(["GET", "POST"])
def survey_public(request: HttpRequest, agency_code: str) -> HttpResponse:
    return _agency_survey(request, agency_code, kiosk=False)


@require_http_methods(["GET", "POST"])
def survey_kiosk(request: HttpRequest, agency_code: str) -> HttpResponse:
    return _agency_survey(request, agency_code, kiosk=True)


@require_http_methods(["GET", "POST"])
def survey_dossier(request: HttpRequest, token: str) -> HttpResponse:
    dossier_id = links.dossier_id_from_token(token)
    dossier = (
        Dossier.objects.select_related("agency", "procedure").filter(pk=dossier_id).first()
        if dossier_id is not None
        else None
    )
    if dossier is None:
        return _not_found(request)
    agency = dossier.agency
    if dossier.survey_responses.exists():
        return _answered(request, agency, status=409 if request.method == "POST" else 200)
    survey = services.survey_default_for(agency)
    if survey is None:
        return _not_found(request, agency)
    action = reverse("survey_dossier", args=[token])
    if request.method == "POST":
        return _submit(
            request,
            agency=agency,
            survey=survey,
            channel=ResponseChannel.QR_DOSSIER,
            action=action,
            dossier=dossier,
        )
    return _render_form(
        request, agency=agency, survey=survey, form=_form(survey), action=action, dossier=dossier
    )


@require_GET
def survey_thanks(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = _agency(agency_code)
    if agency is None:
        return _not_found(request)
    kiosk = request.GET.get("kiosk") == "1"
    context = {
        "public_agency": agency,
        "kiosk": kiosk,
        "again_url": links.agency_survey_url(agency, kiosk=True) if kiosk else "",
        "reset_seconds": KIOSK_RESET_SECONDS,
    }
    return _private(render(request, "surveys/thanks.html", context))


@require_GET
def survey_agency_qr(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = _agency(agency_code)
    if agency is None:
        return _not_found(request)
    url = links.absolute(links.agency_survey_url(agency))
    return svg_response(links.qr_svg(url, title=agency.name), f"khao-sat-{agency.code}.svg")


def svg_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
