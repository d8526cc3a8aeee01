"""Pages of the one-stop desk's dossiers: the upload of a dossier file (a background job with a
summary page), and the read-only list and page of the dossiers of the user's agencies."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cchc.core.access import agencies_visible_to, get_scope
from cchc.core.job_views import job_page
from cchc.core.jobs import access_job, job_create
from cchc.core.models import Agency, Job, Role, User
from cchc.core.views import parse_int
from cchc.procedures import selectors
from cchc.procedures.forms import DossierFilterForm, DossierUploadForm
from cchc.procedures.jobs import DOSSIER_INGEST
from cchc.procedures.models import ApologyLetter, Procedure
from cchc.surveys.links import absolute, dossier_survey_url

PER_PAGE = 50
SHOWN_ERRORS = 50


def _retry_url(job: Job) -> str:
    """After a failed load: the list of the bad rows when the ingest reported them, else the
    upload page."""
    if job.result:
        return reverse("dossier_upload_result", args=[job.pk])
    return reverse("dossier_upload")


# The job page sends the person on to the summary once the file is loaded. The job kind itself
# is registered by ``cchc.procedures.jobs`` (imported by the app's ``ready``); this module is
# imported with the URLconf, later, so its description of the pages wins.
job_page(
    DOSSIER_INGEST,
    title=_("Loading a dossier file"),
    next_url=lambda job: reverse("dossier_upload_result", args=[job.pk]),
    retry_url=_retry_url,
)


def upload_agencies(user: User) -> QuerySet[Agency]:
    """Agencies whose dossiers the user may load: as coordinator, or all as administrator."""
    scope = get_scope(user)
    if scope.is_admin:
        return Agency.objects.filter(kind="agency").order_by("name")
    ids = [aid for aid, roles in scope.roles.items() if Role.COORDINATOR in roles]
    return Agency.objects.filter(pk__in=ids).order_by("name")


def procedures_of(agency_id: int | None) -> list[Procedure]:
    if agency_id is None:
        return []
    return list(Procedure.objects.filter(agency_id=agency_id).order_by("code").only("code", "name"))


@login_required
@require_http_methods(["GET", "POST"])
def dossier_upload(request: HttpRequest) -> HttpResponse:
    agencies = upload_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if agencies.count() == 1:
        initial["agency"] = agencies.first()
    else:
        chosen = parse_int(request.GET.get("agency"))
        initial["agency"] = agencies.filter(pk=chosen).first() if chosen else None
    form = DossierUploadForm(
        request.POST or None, request.FILES or None, agencies=agencies, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        job = job_create(
            actor=request.user,
            kind=DOSSIER_INGEST,
            agency=data["agency"],
            params={"agency": data["agency"].pk, "skip_invalid": bool(data["skip_invalid"])},
            input_file=upload,
            input_name=upload.name,
        )
        return redirect("job_detail", job.pk)
    recent = Job.objects.filter(created_by=request.user, kind=DOSSIER_INGEST).select_related(
        "agency"
    )[:5]
    return render(
        request,
        "procedures/dossier_upload.html",
        {"form": form, "recent_jobs": recent},
        status=400 if form.errors else 200,
    )


@login_required
def dossier_upload_result(request: HttpRequest, job_id: int) -> HttpResponse:
    """The summary of a finished load: counts and the first errors (row, column, message)."""
    job = access_job(actor=request.user, job_id=job_id)
    if job.kind != DOSSIER_INGEST:
        raise Http404
    if not job.is_finished or job.result is None:
        return redirect("job_detail", job.pk)
    result = job.result or {}
    errors = list(result.get("errors") or [])
    return render(
        request,
        "procedures/dossier_upload_result.html",
        {
            "job": job,
            "result": result,
            "errors": errors[:SHOWN_ERRORS],
            "errors_total": result.get("errors_total", len(errors)),
            "more_errors": max(0, result.get("errors_total", len(errors)) - SHOWN_ERRORS),
            "written": result.get("written", True),
        },
    )


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    agencies = list(agencies_visible_to(user).filter(kind="agency").order_by("name"))
    agency_id = parse_int(request.GET.get("agency"))
    if agency_id not in {a.pk for a in agencies}:
        agency_id = agencies[0].pk if len(agencies) == 1 else None
    form = DossierFilterForm(request.GET, agencies=agencies, procedures=procedures_of(agency_id))
    form.is_valid()
    data = form.cleaned_data
    dossiers = selectors.dossier_list(
        user=user,
        agency_id=agency_id,
        status=data.get("status"),
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
    ).annotate(has_apology=Exists(ApologyLetter.objects.filter(dossier_id=OuterRef("pk"))))
    if agency_id is not None and data.get("procedure") is not None:
        dossiers = dossiers.filter(procedure_id=data["procedure"])
    if data.get("late"):
        # Finished late, or still open and past its deadline.
        dossiers = dossiers.filter(
            Q(on_time_when_finished=False)
            | Q(finished_effective_at__isnull=True, due_at__lt=timezone.now())
        )
    search = (data.get("q") or "").strip()
    if search:
        dossiers = dossiers.filter(code__icontains=search)
    page = Paginator(dossiers, PER_PAGE).get_page(request.GET.get("page"))
    scope = get_scope(user)
    can_upload = scope.is_admin or any(Role.COORDINATOR in r for r in scope.roles.values())
    return render(
        request,
        "procedures/dossier_list.html",
        {
            "page": page,
            "form": form,
            "show_agency": len(agencies) > 1,
            "can_upload": can_upload,
        },
    )


@login_required
def dossier_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = selectors.access_dossier(actor=request.user, dossier_id=dossier_id)
    return render(
        request,
        "procedures/dossier_detail.html",
        {
            "dossier": dossier,
            "events": list(dossier.events.order_by("at", "id")),
            "apologies": list(dossier.apologies.order_by("issued_at", "id")),
            # Printed on the receipt and the result: the citizen's link to rate this dossier.
            "survey_url": absolute(dossier_survey_url(dossier)),
        },
    )
