"""Pages of the periodic reports: the list, a new report, the editor of its narrative and
header, the generation and the downloads; and the Word templates a province may upload."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.core.access import agencies_visible_to
from cchc.core.views import parse_int
from cchc.reports import selectors, services
from cchc.reports.default_template import DEFAULT_PATH
from cchc.reports.docx_render import CONTEXT_KEYS, default_options
from cchc.reports.figures import figures_summary
from cchc.reports.forms import ReportCreateForm, ReportEditForm, TemplateUploadForm
from cchc.reports.jobs import file_stem
from cchc.reports.models import Report, ReportStatus
from cchc.reports.narrative import NARRATIVE_KEYS, default_narrative
from cchc.reports.render import soffice

PAGE_SIZE = 25
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STALE_MESSAGE = gettext_lazy(
    "Someone else changed this report after you opened it. Nothing was saved. Reload the "
    "page, check their changes and try again."
)


def _download(handle: Any, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = selectors.reports_visible_to(request.user)
    agency_id = parse_int(request.GET.get("agency"))
    if agency_id is not None:
        reports = reports.filter(agency_id=agency_id)
    page = Paginator(reports.defer("snapshot", "narrative"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/report_list.html",
        {
            "page": page,
            "agencies": agencies_visible_to(request.user).order_by("name"),
            "agency_id": agency_id,
            "can_create": selectors.agencies_managed_by(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    agencies = selectors.agencies_managed_by(request.user)
    if not agencies.exists():
        raise PermissionDenied
    templates = selectors.templates_visible_to(request.user).filter(is_active=True)
    today = timezone.localdate()
    form = ReportCreateForm(
        request.POST or None,
        agencies=agencies,
        templates=templates,
        initial={"agency": agencies.first(), "year": today.year, "kind": _default_kind(today)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _report, job = services.report_create(
                actor=request.user,
                agency=form.cleaned_data["agency"],
                period=form.period,
                template=form.cleaned_data["template"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("job_detail", job.pk)
    return render(request, "reports/report_create.html", {"form": form})


def _default_kind(today: Any) -> str:
    """The report due next: a person opening the page in November writes the yearly one."""
    if today.month <= 3:
        return "q1"
    if today.month <= 6:
        return "h1"
    if today.month <= 9:
        return "q3"
    return "year"


def _area_titles(report: Report) -> dict[str, str]:
    snapshot = report.snapshot or {}
    areas = (snapshot.get("plan") or {}).get("areas") or []
    return {f"area_{row['number']}": f"II.{row['number'] - 1}. {row['title']}" for row in areas}


def _edit_initial(report: Report) -> dict[str, Any]:
    """The stored text and options; blank options show what the document will say."""
    options = dict(default_options(report.snapshot)) if report.snapshot else {}
    options.update({key: value for key, value in (report.options or {}).items() if value})
    initial: dict[str, Any] = {
        "version": report.version,
        "number": options.get("number", ""),
        "place": options.get("place", ""),
        "date": options.get("date") or None,
        "signer_title": options.get("signer_title", ""),
        "signer_name": options.get("signer_name", ""),
        "recipients": "\n".join(options.get("recipients") or []),
        "template": report.template_id,
    }
    for key, text in (report.narrative or {}).items():
        initial[f"n_{key}"] = text
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.access_report(
        actor=request.user, report_id=report_id, for_write=request.method == "POST"
    )
    can_edit = selectors.can_manage(request.user, report.agency_id)
    templates = services.templates_for(report.agency)
    form = ReportEditForm(
        request.POST or None,
        templates=templates,
        area_titles=_area_titles(report),
        initial=_edit_initial(report),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.report_update(
                    actor=request.user,
                    report=report,
                    version=form.cleaned_data["version"],
                    narrative=form.narrative(),
                    options=form.options(),
                    template=form.cleaned_data["template"],
                )
            except services.StaleReport:
                form.add_error(None, STALE_MESSAGE)
                status = 409
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The report's text was saved."))
                return redirect("report_detail", report.pk)
        else:
            status = 400
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "form": form,
            "can_edit": can_edit and not report.is_busy,
            "job": selectors.latest_job(report) if report.is_busy else None,
            "snapshot": report.snapshot,
            "sections": _sections(form, report),
            "figures": figures_summary(report.snapshot) if report.snapshot else [],
            "files_older": report.files_are_older and report.status == ReportStatus.READY,
            "pdf_available": soffice() is not None,
        },
        status=status,
    )


def _sections(form: ReportEditForm, report: Report) -> list[tuple[Any, str]]:
    """Each narrative field with the text suggested from the current figures."""
    suggested = default_narrative(report.snapshot) if report.snapshot else {}
    return [(form[f"n_{key}"], suggested.get(key, "")) for key in NARRATIVE_KEYS]


def _add_errors(form: ReportEditForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        field = f"n_{key}" if f"n_{key}" in form.fields else key
        form.add_error(field if field in form.fields else None, errors)


def _version(request: HttpRequest) -> int:
    """The version the person's page showed; a missing one counts as out of date."""
    version = parse_int(request.POST.get("version"))
    return -1 if version is None else version


def _start_job(request: HttpRequest, report_id: int, start: Any) -> HttpResponse:
    """Start the report's job with ``start`` (a service taking actor, report and version) and
    follow it, or go back to the report with the reason it could not start."""
    report = selectors.access_report(actor=request.user, report_id=report_id, for_write=True)
    try:
        job = start(actor=request.user, report=report, version=_version(request))
    except services.StaleReport:
        messages.error(request, STALE_MESSAGE)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        return redirect("job_detail", job.pk)
    return redirect("report_detail", report.pk)


@login_required
@require_POST
def report_generate(request: HttpRequest, report_id: int) -> HttpResponse:
    return _start_job(request, report_id, services.report_generate)


@login_required
@require_POST
def report_refresh(request: HttpRequest, report_id: int) -> HttpResponse:
    return _start_job(request, report_id, services.report_refresh)


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    report = selectors.access_report(actor=request.user, report_id=report_id)
    stored = {"docx": report.docx, "xlsx": report.xlsx, "pdf": report.pdf}.get(fmt)
    if stored is None:
        raise Http404
    if not stored:
        messages.error(request, _("This file has not been generated yet."))
        return redirect("report_detail", report.pk)
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        messages.error(request, _("The file is no longer available; generate the report again."))
        return redirect("report_detail", report.pk)
    suffix = "-phu-luc.xlsx" if fmt == "xlsx" else f".{fmt}"
    return _download(handle, file_stem(report) + suffix, CONTENT_TYPES[fmt])


# --- templates --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest) -> HttpResponse:
    managed = selectors.agencies_managed_by(request.user)
    if request.method == "POST" and not managed.exists():
        raise PermissionDenied
    form = TemplateUploadForm(request.POST or None, request.FILES or None, agencies=managed)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                template = services.template_upload(
                    actor=request.user,
                    agency=form.cleaned_data["agency"],
                    name=form.cleaned_data["name"],
                    uploaded=upload,
                    filename=upload.name,
                    size=upload.size,
                )
            except ValidationError as exc:
                _add_template_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("The template “%(name)s” was accepted.") % {"name": template.name},
                )
                return redirect("report_template_list")
        else:
            status = 400
    templates = selectors.templates_visible_to(request.user)
    return render(
        request,
        "reports/template_list.html",
        {
            "templates": templates,
            "form": form if managed.exists() else None,
            "managed_ids": set(managed.values_list("id", flat=True)),
            "placeholders": sorted(CONTEXT_KEYS),
            "placeholder_help": _(
                "Write them as {{ name }} in the document; a table row is repeated with "
                "{%tr for row in area_rows %} … {%tr endfor %} (docxtpl). A template that uses "
                "any other name is refused with the list of them."
            ),
        },
        status=status,
    )


def _add_template_errors(form: TemplateUploadForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error("file", exc)


@login_required
@require_GET
def template_download(request: HttpRequest, template_id: int) -> HttpResponse:
    template = selectors.access_template(actor=request.user, template_id=template_id)
    try:
        handle = template.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return _download(handle, template.original_name or "mau-bao-cao.docx", CONTENT_TYPES["docx"])


@login_required
@require_POST
def template_retire(request: HttpRequest, template_id: int) -> HttpResponse:
    template = selectors.access_template(
        actor=request.user, template_id=template_id, for_write=True
    )
    services.template_retire(actor=request.user, template=template)
    messages.success(request, _("The template is no longer offered."))
    return redirect("report_template_list")


@login_required
@require_GET
def template_default(request: HttpRequest) -> HttpResponse:
    return _download(DEFAULT_PATH.open("rb"), "mau-bao-cao-cchc.docx", CONTENT_TYPES["docx"])
