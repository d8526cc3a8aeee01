"""Back-office pages of the surveys: the results of an agency for a period (and their XLSX
export), the printable QR code of the agency's survey, and a dossier's QR code."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cchc.core.models import Agency
from cchc.core.views import parse_int
from cchc.procedures.selectors import access_dossier
from cchc.surveys import exporting, links, selectors
from cchc.surveys.forms import ResultsFilterForm
from cchc.surveys.public_views import svg_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FREE_TEXTS_PER_PAGE = 20


def _chosen_agency(request: HttpRequest, agencies: list[Agency]) -> Agency | None:
    """The agency asked for (404 when the person may not read it), else the first they read."""
    asked = parse_int(request.GET.get("agency"))
    if asked is not None:
        return selectors.access_results(actor=request.user, agency_id=asked)
    if request.GET.get("agency"):
        raise Http404
    return agencies[0] if agencies else None


def _choose(request: HttpRequest) -> tuple[ResultsFilterForm, Agency | None, tuple]:
    agencies = selectors.results_agencies(request.user)
    agency = _chosen_agency(request, agencies)
    if agency is not None and agency not in agencies:
        agencies = [agency, *agencies]
    data = request.GET.copy()
    if agency is not None:
        data["agency"] = str(agency.pk)
    form = ResultsFilterForm(data, agencies=agencies)
    period = form.period(timezone.localdate())
    # Shown with what is used: the defaults in place of what was missing or wrong.
    data["start"], data["end"] = period[0].isoformat(), period[1].isoformat()
    form = ResultsFilterForm(data, agencies=agencies)
    form.is_valid()
    return form, agency, period


@login_required
@require_GET
def survey_results(request: HttpRequest) -> HttpResponse:
    form, agency, (start, end) = _choose(request)
    context: dict = {
        "form": form,
        "agency": agency,
        "start": start,
        "end": end,
        "show_agency_filter": len(form.fields["agency"].choices) > 1,
    }
    if agency is not None:
        result = selectors.satisfaction(user=request.user, agency=agency, start=start, end=end)
        texts = selectors.free_texts(user=request.user, agency=agency, start=start, end=end)
        context.update(
            {
                "result": result,
                "chart": result.chart(label=_("Satisfaction index"), target_label=_("Target")),
                "several_versions": len({q.version for q in result.questions}) > 1,
                "may_read_texts": selectors.can_read_free_text(request.user, agency.pk),
                "texts_page": Paginator(texts, FREE_TEXTS_PER_PAGE).get_page(
                    request.GET.get("page")
                ),
                "query": f"agency={agency.pk}&start={start.isoformat()}&end={end.isoformat()}",
                "public_url": links.absolute(links.agency_survey_url(agency)),
            }
        )
    return render(request, "surveys/results.html", context)


@login_required
@require_GET
def survey_export_xlsx(request: HttpRequest) -> HttpResponse:
    _form, agency, (start, end) = _choose(request)
    if agency is None:
        raise Http404
    result = selectors.satisfaction(user=request.user, agency=agency, start=start, end=end)
    texts = None
    if selectors.can_read_free_text(request.user, agency.pk):
        texts = list(
            selectors.free_texts(user=request.user, agency=agency, start=start, end=end)[
                : exporting.MAX_TEXTS
            ]
        )
    content = exporting.results_workbook(result, texts)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"khao-sat-hai-long-{agency.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def survey_qr_print(request: HttpRequest) -> HttpResponse:
    """A page to print and post at the one-stop desk: the QR code of the agency's survey with
    its link written out, and the kiosk's link for the desk's tablet."""
    agencies = selectors.results_agencies(request.user)
    agency = _chosen_agency(request, agencies)
    context: dict = {
        "agency": agency,
        "agencies": agencies,
    }
    if agency is not None:
        context.update(
            {
                "public_url": links.absolute(links.agency_survey_url(agency)),
                "kiosk_url": links.absolute(links.agency_survey_url(agency, kiosk=True)),
            }
        )
    return render(request, "surveys/qr_print.html", context)


@login_required
@require_GET
def survey_dossier_qr(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The QR code of one dossier's survey, for its page and receipt (readers of the dossier's
    agency only; 404 to anyone else)."""
    dossier = access_dossier(actor=request.user, dossier_id=dossier_id)
    url = links.absolute(links.dossier_survey_url(dossier))
    response = svg_response(links.qr_svg(url), f"khao-sat-ho-so-{dossier.pk}.svg")
    response["Cache-Control"] = "private, no-store"
    return response
