"""HTML views of plans, tasks and evidence: parse the request, call a selector or a service,
render. Access is decided by ``cchc.plans.access`` (404 outside the agency, 403 for readers) and
enforced again by the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cchc.core.access import agencies_visible_to, get_scope
from cchc.core.forms import apply_service_errors
from cchc.core.models import Agency, Role, Unit
from cchc.core.views import parse_int
from cchc.lib.downloads import attachment_response
from cchc.plans import selectors, services
from cchc.plans.access import (
    PlanAction,
    TaskAction,
    access_evidence,
    access_plan,
    access_task,
    can_on_plan,
    can_on_task,
)
from cchc.plans.forms import (
    CommentForm,
    EvidenceForm,
    PlanCreateForm,
    PlanEditForm,
    PlanIssueForm,
    ProgressForm,
    TaskCreateForm,
    TaskEditForm,
    TaskFilterForm,
)
from cchc.plans.models import Task, TaskStatus
from cchc.plans.services import StaleVersion

# --- plans ---------------------------------------------------------------------------------


def _plan_creatable_agencies(user) -> QuerySet[Agency]:
    """Agencies for which the user may create a plan: as coordinator, or all as admin."""
    scope = get_scope(user)
    if scope.is_admin:
        return Agency.objects.filter(kind="agency").order_by("name")
    ids = [aid for aid, roles in scope.roles.items() if Role.COORDINATOR in roles]
    return Agency.objects.filter(pk__in=ids).order_by("name")


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    top = Q(tasks__parent__isnull=True)
    plans = (
        selectors.plans_visible_to(request.user)
        .annotate(
            task_count=Count("tasks", filter=top),
            done_count=Count("tasks", filter=top & Q(tasks__status=TaskStatus.DONE)),
            weight_sum=Sum("tasks__weight", filter=top),
            weighted_progress=Sum(F("tasks__weight") * F("tasks__progress"), filter=top),
        )
        .order_by("-year", "agency__name")
    )
    page = Paginator(plans, 30).get_page(request.GET.get("page"))
    for plan in page:
        plan.overall = (
            (Decimal(plan.weighted_progress) / Decimal(plan.weight_sum)).quantize(Decimal("0.1"))
            if plan.weight_sum
            else None
        )
    return render(
        request,
        "plans/plan_list.html",
        {"page": page, "can_create": _plan_creatable_agencies(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    agencies = _plan_creatable_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {"year": timezone.localdate().year, "with_standard_areas": True}
    if agencies.count() == 1:
        initial["agency"] = agencies.first()
    form = PlanCreateForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(actor=request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The plan was created."))
            return redirect("plan_detail", plan.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "creating": True},
        status=400 if form.errors else 200,
    )


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=plan_id)
    plan = selectors.plan_detail(user=request.user, plan=plan)
    scope = get_scope(request.user)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "areas": list(plan.areas.all()),
            "can_manage": can_on_plan(scope, plan, PlanAction.MANAGE),
            "can_issue": can_on_plan(scope, plan, PlanAction.ISSUE) and plan.status == "draft",
            "issue_form": PlanIssueForm(initial={"number": plan.number}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=plan_id, action=PlanAction.MANAGE)
    form = PlanEditForm.for_plan(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            plan = access_plan(actor=request.user, plan_id=plan_id, action=PlanAction.MANAGE)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("plan_detail", plan.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "plan": plan, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def plan_issue(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=plan_id, action=PlanAction.ISSUE)
    form = PlanIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid issue date."))
        return redirect("plan_detail", plan.pk)
    try:
        services.plan_issue(actor=request.user, plan=plan, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The plan was issued."))
    return redirect("plan_detail", plan.pk)


# --- tasks ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=plan_id, action=PlanAction.MANAGE)
    parent = None
    parent_id = parse_int(request.GET.get("parent"))
    if parent_id is not None:
        parent = access_task(actor=request.user, task_id=parent_id)
        if parent.plan_id != plan.pk:
            raise Http404
    form = TaskCreateForm(request.POST or None, plan=plan, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if parent is not None:
            data["area"] = parent.area
        try:
            task = services.task_create(actor=request.user, plan=plan, parent=parent, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The task was created."))
            return redirect("task_detail", task.pk)
    return render(
        request,
        "plans/task_form.html",
        {"form": form, "plan": plan, "parent": parent, "creating": True},
        status=400 if form.errors else 200,
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    agencies = list(agencies_visible_to(user).filter(kind="agency").order_by("name"))
    years = sorted(
        set(selectors.plans_visible_to(user).values_list("year", flat=True)), reverse=True
    )
    agency_id = parse_int(request.GET.get("agency"))
    if agency_id not in {a.pk for a in agencies}:
        agency_id = agencies[0].pk if len(agencies) == 1 else None
    units = (
        list(Unit.objects.filter(agency_id=agency_id).order_by("name"))
        if agency_id is not None
        else []
    )
    form = TaskFilterForm(request.GET, agencies=agencies, years=years, units=units)
    form.is_valid()
    data = form.cleaned_data
    tasks = selectors.task_list(
        user=user,
        agency_id=data.get("agency"),
        area_number=data.get("area"),
        lead_unit_id=data.get("unit"),
        assignee_id=user.pk if data.get("mine") else None,
        status=data.get("status") or None,
        overdue=bool(data.get("overdue")),
        due_within_days=settings.CCHC_DUE_SOON_DAYS if data.get("due_soon") else None,
        search=(data.get("q") or "").strip() or None,
    )
    if data.get("year"):
        tasks = tasks.filter(plan__year=data["year"])
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/task_list.html",
        {
            "page": page,
            "form": form,
            "show_agency": len(agencies) > 1,
            "due_soon_days": settings.CCHC_DUE_SOON_DAYS,
        },
    )


def _task_context(request: HttpRequest, task: Task, **forms: Any) -> dict[str, Any]:
    """Everything the task page shows, with the forms given (bound ones keep their errors)."""
    user = request.user
    scope = get_scope(user)
    assignees = list(task.assignees.all())
    task.assignee_ids = {u.pk for u in assignees}
    children = list(
        task.children.select_related("lead_unit")
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("position", "id")
    )
    can = {action.value: can_on_task(scope, task, action, user_id=user.pk) for action in TaskAction}
    can["add_subtask"] = can_on_plan(scope, task.plan, PlanAction.MANAGE)
    can["record_progress"] = (
        can["progress"] and not children and task.status != TaskStatus.CANCELLED
    )
    return {
        "task": task,
        "assignees": assignees,
        "coordinating_units": list(task.coordinating_units.all()),
        "children": children,
        "updates": list(task.progress_updates.select_related("author")[:50]),
        "evidence_list": list(task.evidence.select_related("uploaded_by")),
        "comments": list(task.comments.select_related("author")),
        "history": list(selectors.task_history(task=task)[:50]),
        "can": can,
        "progress_form": forms.get("progress_form")
        or ProgressForm(initial={"percent": task.progress, "version": task.version}),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "comment_form": forms.get("comment_form") or CommentForm(),
    }


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access_task(actor=request.user, task_id=task_id)
    return render(request, "plans/task_detail.html", _task_context(request, task))


def _task_url(task: Task, anchor: str = "") -> str:
    return reverse("task_detail", args=[task.pk]) + (f"#{anchor}" if anchor else "")


@login_required
@require_POST
def task_progress(request: HttpRequest, task_id: int) -> HttpResponse:
    """Record progress and, in the same form and the same transaction, an evidence file: a
    refused file leaves the progress unrecorded too."""
    task = access_task(actor=request.user, task_id=task_id, action=TaskAction.PROGRESS)
    form = ProgressForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.task_update_progress(
                    actor=request.user,
                    task=task,
                    percent=data["percent"],
                    note=data["note"],
                    expected_version=data["version"],
                )
                upload = data["evidence_file"]
                if upload:
                    services.evidence_add(
                        actor=request.user,
                        task=task,
                        uploaded=upload,
                        name=upload.name,
                        size=upload.size,
                        description=data["note"],
                    )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"file": "evidence_file"})
        except StaleVersion:
            form.add_error(
                None,
                _(
                    "Someone else recorded progress on this task after you opened it. "
                    "Nothing was saved. Reload the page, check their update and try again."
                ),
            )
            status = 409
        else:
            messages.success(request, _("The progress was recorded."))
            if request.htmx:
                # No fragment: a fragment-only change of the URL would not reload the page.
                return HttpResponseClientRedirect(_task_url(task))
            return redirect(_task_url(task, "progress"))
    # The services may have changed the task in memory before failing; show it as stored.
    task = access_task(actor=request.user, task_id=task_id)
    context = _task_context(request, task, progress_form=form)
    if request.htmx:
        return render(request, "plans/partials/progress_form.html", context)
    return render(request, "plans/task_detail.html", context, status=status)


@login_required
@require_POST
def task_evidence(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access_task(actor=request.user, task_id=task_id, action=TaskAction.PROGRESS)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.evidence_add(
                actor=request.user,
                task=task,
                uploaded=upload,
                name=upload.name,
                size=upload.size,
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The evidence file was added."))
            return redirect(_task_url(task, "evidence"))
    context = _task_context(request, task, evidence_form=form)
    return render(request, "plans/task_detail.html", context, status=400)


@login_required
@require_POST
def task_comment(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access_task(actor=request.user, task_id=task_id, action=TaskAction.COMMENT)
    form = CommentForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.comment_add(actor=request.user, task=task, body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            saved = True
    if request.htmx:
        context = _task_context(request, task, comment_form=None if saved else form)
        return render(request, "plans/partials/comments.html", context)
    if saved:
        messages.success(request, _("Your comment was added."))
        return redirect(_task_url(task, "comments"))
    context = _task_context(request, task, comment_form=form)
    return render(request, "plans/task_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access_task(actor=request.user, task_id=task_id, action=TaskAction.EDIT)
    scope = get_scope(request.user)
    is_manager = scope.is_admin or scope.has_role(task.agency_id, Role.COORDINATOR)
    form = TaskEditForm(request.POST or None, task=task, is_manager=is_manager)
    status = 200
    conflict = False
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.task_update(
                    actor=request.user, task=task, expected_version=version, **data
                )
            except StaleVersion:
                conflict = True
                status = 409
                form.add_error(
                    None,
                    _(
                        "Someone else changed this task after you opened it, so your changes "
                        "were not saved. Your input is kept below: open the current version "
                        "in a new tab, compare, and make your changes there."
                    ),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The task was saved."))
                return redirect("task_detail", task.pk)
        task = access_task(actor=request.user, task_id=task_id, action=TaskAction.EDIT)
    return render(
        request,
        "plans/task_form.html",
        {"form": form, "task": task, "plan": task.plan, "creating": False, "conflict": conflict},
        status=status,
    )


# --- evidence ------------------------------------------------------------------------------


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = access_evidence(actor=request.user, evidence_id=evidence_id)
    return attachment_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = access_evidence(actor=request.user, evidence_id=evidence_id)
    task = access_task(actor=request.user, task_id=evidence.task_id, action=TaskAction.PROGRESS)
    services.evidence_delete(actor=request.user, evidence=evidence)
    messages.success(request, _("The evidence file was deleted."))
    return redirect(_task_url(task, "evidence"))
