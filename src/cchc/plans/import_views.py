"""Pages of the plan import: upload the signed plan, review the draft beside the source text,
confirm; and the appendix workbook (the blank template and a plan's export).

Reading the document runs as a background job (``cchc.plans.jobs``); the person watches it on
the job page, which sends them on to the review page.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.core.access import get_scope
from cchc.core.jobs import access_job, job_create
from cchc.core.models import Agency, Job, JobStatus, Role, User
from cchc.core.views import parse_int
from cchc.plans.access import access_plan
from cchc.plans.import_forms import PlanUploadForm, ReviewForms, build_draft
from cchc.plans.jobs import PLAN_IMPORT_PARSE, import_job_save_draft

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import_agencies(user: User) -> QuerySet[Agency]:
    """Agencies whose plan the user may import: as coordinator, or all as admin."""
    scope = get_scope(user)
    if scope.is_admin:
        return Agency.objects.filter(kind="agency").order_by("name")
    ids = [aid for aid, roles in scope.roles.items() if Role.COORDINATOR in roles]
    return Agency.objects.filter(pk__in=ids).order_by("name")


# --- upload --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest) -> HttpResponse:
    agencies = _import_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if agencies.count() == 1:
        initial["agency"] = agencies.first()
    else:
        # Coming from a plan's page: its agency and year.
        chosen = parse_int(request.GET.get("agency"))
        initial["agency"] = agencies.filter(pk=chosen).first() if chosen else None
    year = parse_int(request.GET.get("year"))
    if year is not None and 2000 <= year <= 2100:
        initial["year"] = year
    form = PlanUploadForm(
        request.POST or None, request.FILES or None, agencies=agencies, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = data["document"]
        params: dict[str, Any] = {"year": data["year"]}
        appendix = data["appendix"]
        if appendix is not None:
            params["appendix_path"] = default_storage.save(
                f"jobs/appendix/{secrets.token_hex(16)}", appendix
            )
            params["appendix_name"] = appendix.name
        job = job_create(
            actor=request.user,
            kind=PLAN_IMPORT_PARSE,
            agency=data["agency"],
            params=params,
            input_file=document,
            input_name=document.name,
        )
        return redirect("job_detail", job.pk)
    recent = Job.objects.filter(created_by=request.user, kind=PLAN_IMPORT_PARSE).select_related(
        "agency"
    )[:5]
    return render(
        request,
        "plans/import_upload.html",
        {"form": form, "recent_jobs": recent},
        status=400 if form.errors else 200,
    )


# --- review --------------------------------------------------------------------------------


def _review_job(actor: User, job_id: int) -> Job:
    """The person's finished parse job; 404 for anyone else's, 403 once the person no longer
    manages the agency's plan."""
    job = access_job(actor=actor, job_id=job_id)
    if job.kind != PLAN_IMPORT_PARSE or job.agency is None:
        raise Http404
    scope = get_scope(actor)
    if not (scope.is_admin or scope.has_role(job.agency_id, Role.COORDINATOR)):
        raise PermissionDenied
    return job


def _render_review(
    request: HttpRequest,
    job: Job,
    review: ReviewForms,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    text = (job.result or {}).get("text") or ""
    lines = text.splitlines()
    return render(
        request,
        "plans/import_review.html",
        {
            "job": job,
            "agency": job.agency,
            "review": review,
            "sections": review.sections(),
            "draft": review.draft,
            "source_lines": lines,
            "page_errors": errors or [],
            "summary": (job.result or {}).get("summary"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_review(request: HttpRequest, job_id: int) -> HttpResponse:
    from cchc.plans.importing.draft import PlanDraft
    from cchc.plans.importing.services import plan_import as plan_import_service

    job = _review_job(request.user, job_id)
    if job.status != JobStatus.SUCCEEDED:
        return redirect("job_detail", job.pk)
    stored = PlanDraft.from_json(job.result["draft"])
    units = list(job.agency.units.filter(is_active=True).order_by("name"))
    if request.method == "GET":
        return _render_review(request, job, ReviewForms(stored, units))

    action = request.POST.get("action", "apply")
    is_creator = job.created_by_id == request.user.pk
    if action in ("apply", "bulk") and not is_creator:
        raise PermissionDenied
    review = ReviewForms(stored, units, data=request.POST)
    if not review.is_valid():
        return _render_review(request, job, review, status=400)
    if action == "bulk":
        bulk = review.bulk.cleaned_data
        if not any(f.cleaned_data["selected"] for f in review.tasks.forms):
            review.bulk.add_error(None, _("Tick the tasks to change first."))
        elif bulk["bulk_lead_unit"] is None and bulk["bulk_due_date"] is None:
            review.bulk.add_error(None, _("Choose a lead unit or a due date to set."))
        if review.bulk.errors:
            return _render_review(request, job, review, status=400)
    draft = build_draft(review, bulk=action == "bulk")
    if draft is None:
        return _render_review(request, job, review, status=400)

    if action != "confirm":
        import_job_save_draft(actor=request.user, job=job, draft=draft)
        if action == "bulk":
            count = sum(1 for f in review.tasks.forms if f.cleaned_data["selected"])
            messages.success(
                request, _("The change was applied to %(count)s tasks.") % {"count": count}
            )
        else:
            messages.success(request, _("Your changes were applied. Nothing is saved yet."))
        return redirect("plan_import_review", job.pk)

    try:
        summary = plan_import_service(actor=request.user, agency=job.agency, draft=draft)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, field_errors in exc.message_dict.items():
                if name in ("year", "issued_on"):
                    review.header.add_error(name, field_errors)
        return _render_review(request, job, review, errors=exc.messages, status=400)
    if is_creator:
        import_job_save_draft(actor=request.user, job=job, draft=draft, summary=summary)
    messages.success(
        request,
        _(
            "The plan was saved: %(created)s tasks created, %(updated)s updated, "
            "%(unchanged)s unchanged."
        )
        % summary,
    )
    for warning in summary.get("warnings", []):
        messages.warning(request, warning)
    return redirect("plan_detail", summary["plan_id"])


# --- the appendix workbook -----------------------------------------------------------------


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def plan_appendix_template(request: HttpRequest) -> HttpResponse:
    from cchc.plans.exporting import appendix_filename, appendix_workbook

    return _xlsx_response(appendix_workbook(), appendix_filename())


@login_required
def plan_export_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:
    from cchc.plans.exporting import appendix_filename, appendix_workbook

    plan = access_plan(actor=request.user, plan_id=plan_id)
    return _xlsx_response(appendix_workbook(plan), appendix_filename(plan))
