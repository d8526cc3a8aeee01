"""HTML views of the reform index assessments: parse the request, call a selector or a service,
render. Access is decided by ``cchc.scoring.access`` (404 outside the agency or the province,
403 for people who may not do the write) and enforced again by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc.core.access import agencies_visible_to
from cchc.core.calendar import add_working_days
from cchc.core.forms import apply_service_errors
from cchc.lib.downloads import attachment_response
from cchc.scoring import arithmetic, selectors, services
from cchc.scoring.access import (
    AssessmentAction,
    ItemAction,
    access_assessment,
    access_item,
    access_item_evidence,
)
from cchc.scoring.forms import (
    AppraisalCloseForm,
    AppraisalForm,
    AssessmentFilterForm,
    AssessmentOpenForm,
    AssignForm,
    EvidenceForm,
    ExplanationForm,
    FinalForm,
    ProposeForm,
)
from cchc.scoring.models import AssessmentItem
from cchc.scoring.services import StaleVersion

PER_PAGE = 30

# --- the list and opening ------------------------------------------------------------------


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    agencies = list(agencies_visible_to(user).filter(kind="agency").order_by("name"))
    form = AssessmentFilterForm(
        request.GET, agencies=agencies, years=selectors.assessment_years(user)
    )
    form.is_valid()
    data = form.cleaned_data
    assessments = selectors.assessment_list(
        user=user,
        agency_id=data.get("agency"),
        year=data.get("year"),
        status=data.get("status") or None,
    )
    page = Paginator(assessments, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/assessment_list.html",
        {
            "page": page,
            "form": form,
            "show_agency": len(agencies) > 1,
            "can_open": selectors.openable_agencies(user).exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_open(request: HttpRequest) -> HttpResponse:
    agencies = selectors.openable_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    frameworks = selectors.frameworks_in_use()
    initial: dict[str, Any] = {}
    if agencies.count() == 1:
        initial["agency"] = agencies.first()
    if frameworks.count() == 1:
        initial["framework"] = frameworks.first()
    form = AssessmentOpenForm(
        request.POST or None, agencies=agencies, frameworks=frameworks, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_open(actor=request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The assessment was opened."))
            return redirect("assessment_detail", assessment.pk)
    return render(
        request,
        "scoring/assessment_open.html",
        {"form": form, "no_frameworks": not frameworks.exists()},
        status=400 if form.errors else 200,
    )


# --- the assessment ------------------------------------------------------------------------


@login_required
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(actor=request.user, assessment_id=assessment_id)
    page = selectors.assessment_page(user=request.user, assessment=assessment)
    close_form = AppraisalCloseForm(
        initial={
            "explanation_deadline": add_working_days(
                timezone.localdate(), services.DEFAULT_EXPLANATION_WORKING_DAYS
            )
        }
    )
    return render(
        request,
        "scoring/assessment_detail.html",
        {"page": page, "assessment": assessment, "close_form": close_form},
    )


def _transition(request: HttpRequest, assessment_id: int, action: AssessmentAction, run, done):
    """A POST that moves the assessment on: refusals come back as messages on its page."""
    assessment = access_assessment(actor=request.user, assessment_id=assessment_id, action=action)
    try:
        run(assessment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("assessment_detail", assessment.pk)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _transition(
        request,
        assessment_id,
        AssessmentAction.SUBMIT,
        lambda a: services.assessment_submit(actor=request.user, assessment=a),
        _("The self-assessment was submitted for appraisal."),
    )


@login_required
@require_POST
def assessment_refresh(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _transition(
        request,
        assessment_id,
        AssessmentAction.MANAGE,
        lambda a: services.assessment_refresh_measured(actor=request.user, assessment=a),
        _("The automatic criteria were measured again."),
    )


@login_required
@require_POST
def appraisal_close(request: HttpRequest, assessment_id: int) -> HttpResponse:
    form = AppraisalCloseForm(request.POST)

    def run(assessment):
        if not form.is_valid():
            raise ValidationError(_("Set the last day for the agency's explanations."))
        services.appraisal_close(
            actor=request.user,
            assessment=assessment,
            explanation_deadline=form.cleaned_data["explanation_deadline"],
        )

    return _transition(
        request,
        assessment_id,
        AssessmentAction.APPRAISE,
        run,
        _("The appraisal was closed and the agency was told."),
    )


@login_required
@require_POST
def explanations_submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _transition(
        request,
        assessment_id,
        AssessmentAction.SEND_EXPLANATIONS,
        lambda a: services.explanations_submit(actor=request.user, assessment=a),
        _("The explanations were sent to the appraisers."),
    )


@login_required
@require_POST
def assessment_finalize(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _transition(
        request,
        assessment_id,
        AssessmentAction.APPRAISE,
        lambda a: services.assessment_finalize(actor=request.user, assessment=a),
        _("The assessment is final."),
    )


# --- items ---------------------------------------------------------------------------------


def _evidence_form(item: AssessmentItem, data=None, files=None) -> EvidenceForm:
    return EvidenceForm(
        data,
        files,
        tasks=selectors.linkable_tasks(item=item),
        task_evidence=selectors.linkable_task_evidence(item=item),
        targets=selectors.linkable_targets(item=item),
    )


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _item_context(request: HttpRequest, item: AssessmentItem, **forms: Any) -> dict[str, Any]:
    can = selectors.item_permissions(user=request.user, item=item)
    version = {"version": item.version}
    context: dict[str, Any] = {
        "item": item,
        "assessment": item.assessment,
        "criterion": item.criterion,
        "bands": list(item.criterion.bands.all()),
        "evidence_list": selectors.item_evidence(item=item),
        "history": selectors.item_history(item=item),
        "can": can,
        "self_value": services.self_value(item),
        "disputed": services.is_disputed(item),
        "limit": arithmetic.leaf_limit(item.criterion),
        "measured_from": _iso_date(item.measured_detail.get("from")),
        "measured_to": _iso_date(item.measured_detail.get("to")),
    }
    if can["assign"]:
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            initial={"unit": item.unit_id, **version},
            units=selectors.agency_units(item.assessment.agency_id),
        )
    if can["propose"]:
        context["propose_form"] = forms.get("propose_form") or ProposeForm(
            initial={"score": item.self_score, "note": item.self_note, **version}
        )
    if can["evidence"]:
        context["evidence_form"] = forms.get("evidence_form") or _evidence_form(item)
    if can["appraise"]:
        context["appraisal_form"] = forms.get("appraisal_form") or AppraisalForm(
            initial={
                "score": item.appraisal_score
                if item.appraisal_score is not None
                else services.self_value(item),
                "comment": item.appraisal_comment,
                **version,
            }
        )
    if can["explain"]:
        context["explanation_form"] = forms.get("explanation_form") or ExplanationForm(
            initial={"explanation": item.explanation, **version}
        )
    if can["final"]:
        context["final_form"] = forms.get("final_form") or FinalForm(
            initial={
                "score": item.final_score
                if item.final_score is not None
                else services.appraisal_value(item),
                "comment": item.final_comment,
                **version,
            }
        )
    return context


def _item_url(item: AssessmentItem, anchor: str = "") -> str:
    return reverse("assessment_item_detail", args=[item.pk]) + (f"#{anchor}" if anchor else "")


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access_item(actor=request.user, item_id=item_id)
    return render(request, "scoring/item_detail.html", _item_context(request, item))


STALE = _(
    "Someone else changed this criterion after you opened it, so nothing was saved. Reload "
    "the page, look at their change and try again."
)


def _item_post(
    request: HttpRequest,
    item_id: int,
    action: ItemAction,
    form_class,
    form_key: str,
    can_key: str,
    save,
    done: str,
    anchor: str,
    *,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """One form of the item page: the service's refusal is shown on the form (400, or 409
    when someone else saved first); success redirects back to the page."""
    item = access_item(actor=request.user, item_id=item_id, action=action)
    if form_class is EvidenceForm:
        form = _evidence_form(item, request.POST, request.FILES)
    elif form_class is AssignForm:
        form = AssignForm(request.POST, units=selectors.agency_units(item.assessment.agency_id))
    else:
        form = form_class(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            save(item, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map)
        except StaleVersion:
            form.add_error(None, STALE)
            status = 409
        else:
            messages.success(request, done)
            return redirect(_item_url(item, anchor))
    item = access_item(actor=request.user, item_id=item_id)
    context = _item_context(request, item, **{form_key: form})
    # Show the refused form with its errors even when the round no longer allows it.
    context["can"][can_key] = True
    context[form_key] = form
    return render(request, "scoring/item_detail.html", context, status=status)


@login_required
@require_POST
def item_assign(request: HttpRequest, item_id: int) -> HttpResponse:
    def save(item, data):
        services.item_assign(
            actor=request.user, item=item, unit=data["unit"], expected_version=data["version"]
        )

    return _item_post(
        request,
        item_id,
        ItemAction.ASSIGN,
        AssignForm,
        "assign_form",
        "assign",
        save,
        _("The criterion was assigned."),
        "assign",
    )


@login_required
@require_POST
def item_propose(request: HttpRequest, item_id: int) -> HttpResponse:
    """The proposed score and, in the same transaction, an evidence file: a refused file
    leaves the score unrecorded too."""

    def save(item, data):
        upload = data["evidence_file"]
        added = None
        try:
            with transaction.atomic():
                if upload:
                    added = services.item_evidence_add(
                        actor=request.user, item=item, file=upload, description=data["note"][:500]
                    )
                services.item_propose(
                    actor=request.user,
                    item=item,
                    score=data["score"],
                    note=data["note"],
                    expected_version=data["version"],
                )
        except BaseException:
            # The evidence row was rolled back with the score; its stored file goes too.
            if added is not None and added.file:
                added.file.storage.delete(added.file.name)
            raise

    return _item_post(
        request,
        item_id,
        ItemAction.PROPOSE,
        ProposeForm,
        "propose_form",
        "propose",
        save,
        _("The proposed score was saved."),
        "self",
        field_map={"file": "evidence_file"},
    )


@login_required
@require_POST
def item_evidence_add(request: HttpRequest, item_id: int) -> HttpResponse:
    from cchc.plans.models import Evidence, Task

    def save(item, data):
        def pick(model, pk, *related):
            if pk is None:
                return None
            found = model.objects.select_related(*related).filter(pk=pk).first()
            if found is None:
                raise Http404
            return found

        services.item_evidence_add(
            actor=request.user,
            item=item,
            file=data["file"] or None,
            task=pick(Task, data["task"]),
            task_evidence=pick(Evidence, data["task_evidence"], "task"),
            target=_target(data["target"]),
            description=data["description"],
        )

    return _item_post(
        request,
        item_id,
        ItemAction.PROPOSE,
        EvidenceForm,
        "evidence_form",
        "evidence",
        save,
        _("The evidence was added."),
        "evidence",
    )


def _target(pk: int | None):
    from cchc.indicators.models import Target

    if pk is None:
        return None
    found = Target.objects.select_related("plan").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def item_appraise(request: HttpRequest, item_id: int) -> HttpResponse:
    def save(item, data):
        services.appraisal_score(
            actor=request.user,
            item=item,
            score=data["score"],
            comment=data["comment"],
            expected_version=data["version"],
        )

    return _item_post(
        request,
        item_id,
        ItemAction.APPRAISE,
        AppraisalForm,
        "appraisal_form",
        "appraise",
        save,
        _("The appraisal score was saved."),
        "appraisal",
    )


@login_required
@require_POST
def item_explain(request: HttpRequest, item_id: int) -> HttpResponse:
    def save(item, data):
        services.item_explain(
            actor=request.user,
            item=item,
            explanation=data["explanation"],
            expected_version=data["version"],
        )

    return _item_post(
        request,
        item_id,
        ItemAction.EXPLAIN,
        ExplanationForm,
        "explanation_form",
        "explain",
        save,
        _("The explanation was saved."),
        "explanation",
    )


@login_required
@require_POST
def item_final(request: HttpRequest, item_id: int) -> HttpResponse:
    def save(item, data):
        services.final_score(
            actor=request.user,
            item=item,
            score=data["score"],
            comment=data["comment"],
            expected_version=data["version"],
        )

    return _item_post(
        request,
        item_id,
        ItemAction.APPRAISE,
        FinalForm,
        "final_form",
        "final",
        save,
        _("The final score was saved."),
        "final",
    )


# --- evidence ------------------------------------------------------------------------------


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = access_item_evidence(actor=request.user, evidence_id=evidence_id)
    if not evidence.file:
        raise Http404
    return attachment_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = access_item_evidence(
        actor=request.user, evidence_id=evidence_id, action=ItemAction.PROPOSE
    )
    try:
        services.item_evidence_remove(actor=request.user, evidence=evidence)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The evidence was removed."))
    return redirect(_item_url(evidence.item, "evidence"))
