"""Back-office pages of citizens' feedback: the list, an item with its timeline and the forms of
each handling step, the attachments, and recording a feedback received at the desk. Access is
decided by ``cchc.feedback.access`` (404 outside the agency, 403 for readers) and enforced again
by the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc.core.access import agencies_visible_to, get_scope
from cchc.core.forms import apply_service_errors
from cchc.core.models import Agency
from cchc.core.views import parse_int
from cchc.feedback import deadlines, selectors, services
from cchc.feedback.access import RECORDERS, FeedbackAction, access_feedback, can_on_feedback
from cchc.feedback.forms import (
    AnswerForm,
    AssignForm,
    ClassifyForm,
    ConfirmForm,
    DeskFeedbackForm,
    FeedbackFilterForm,
    RequestInfoForm,
    ReturnForm,
    units_of,
)
from cchc.feedback.models import Feedback, FeedbackChannel, FeedbackState, FeedbackTopic
from cchc.lib.downloads import attachment_response

PER_PAGE = 50


# --- list ---------------------------------------------------------------------------------------


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    agencies = list(agencies_visible_to(user).filter(kind="agency").order_by("name"))
    agency_id = parse_int(request.GET.get("agency"))
    if agency_id not in {a.pk for a in agencies}:
        agency_id = agencies[0].pk if len(agencies) == 1 else None
    topics = (
        FeedbackTopic.objects.filter(agency_id=agency_id).order_by("position", "name")
        if agency_id
        else []
    )
    units = units_of(agency_id) if agency_id else []
    form = FeedbackFilterForm(request.GET, agencies=agencies, topics=topics, units=units)
    form.is_valid()
    data = form.cleaned_data
    now = timezone.now()
    items = selectors.feedback_list(
        user=user,
        agency_id=agency_id,
        state=data.get("state") or None,
        topic_id=data.get("topic") if agency_id else None,
        unit_id=data.get("unit") if agency_id else None,
        overdue=bool(data.get("overdue")),
        search=data.get("q") or "",
        now=now,
    )
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    counted = [agency_id] if agency_id else [a.pk for a in agencies]
    counts = selectors.feedback_counts(
        agency_ids=counted, start=dt.date(today.year, 1, 1), end=today, now=now
    )
    scope = get_scope(user)
    can_record = scope.is_admin or any(set(RECORDERS) & roles for aid, roles in scope.roles.items())
    return render(
        request,
        "feedback/feedback_list.html",
        {
            "page": page,
            "form": form,
            "show_agency": len(agencies) > 1,
            "counts": counts,
            "year": today.year,
            "now": now,
            "soon": deadlines.due_soon_limit(now),
            "can_record": can_record,
            "agency_id": agency_id,
        },
    )


# --- detail and the handling steps --------------------------------------------------------------

# name in the page → (form class, the action it needs, the states it applies to)
STEPS: dict[str, tuple[type, FeedbackAction, tuple[str, ...]]] = {
    "classify": (ClassifyForm, FeedbackAction.CLASSIFY, (FeedbackState.RECEIVED,)),
    "assign": (
        AssignForm,
        FeedbackAction.ASSIGN,
        (FeedbackState.IN_PROGRESS, FeedbackState.WAITING_SENDER),
    ),
    "request_info": (
        RequestInfoForm,
        FeedbackAction.REQUEST_INFO,
        (FeedbackState.RECEIVED, FeedbackState.IN_PROGRESS),
    ),
    "answer": (
        AnswerForm,
        FeedbackAction.ANSWER,
        (FeedbackState.IN_PROGRESS, FeedbackState.ANSWER_DRAFTED),
    ),
    "approve": (ConfirmForm, FeedbackAction.APPROVE, (FeedbackState.ANSWER_DRAFTED,)),
    "return": (ReturnForm, FeedbackAction.APPROVE, (FeedbackState.ANSWER_DRAFTED,)),
    "publish": (ConfirmForm, FeedbackAction.PUBLISH, (FeedbackState.ANSWERED,)),
}


def _initial(name: str, feedback: Feedback) -> dict[str, Any]:
    if name == "classify":
        return {"unit": feedback.unit_id or feedback.topic.unit_id}
    if name == "assign":
        return {"unit": feedback.unit_id, "handler": feedback.handler_id}
    if name == "answer":
        return {"answer": feedback.answer, "public_summary": feedback.public_summary}
    return {}


def _first_request(feedback: Feedback) -> dict[str, Any]:
    """When the first request for information was made, and whether it came too late."""
    first = feedback.events.filter(state=FeedbackState.WAITING_SENDER).order_by("at").first()
    if first is None:
        return {"at": None, "late": None}
    due = feedback.first_request_due_at
    return {"at": first.at, "late": bool(due and first.at > due)}


def _detail(
    request: HttpRequest,
    feedback: Feedback,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = get_scope(request.user)
    bound = bound or {}
    forms = {}
    for name, (form_class, action, states) in STEPS.items():
        if name == "assign" and not feedback.classification:
            continue  # waiting for the sender before it was classified
        if feedback.state in states and can_on_feedback(scope, feedback, action):
            forms[name] = bound.get(name) or form_class(
                feedback=feedback, initial=_initial(name, feedback)
            )
    can_contact = can_on_feedback(scope, feedback, FeedbackAction.CONTACT)
    now = timezone.now()
    return render(
        request,
        "feedback/feedback_detail.html",
        {
            "feedback": feedback,
            "events": list(feedback.events.select_related("actor").order_by("at", "id")),
            "attachments": list(feedback.attachments.order_by("uploaded_at", "id"))
            if can_contact
            else [],
            "can_contact": can_contact,
            "forms": forms,
            "now": now,
            "soon": deadlines.due_soon_limit(now),
            "reject_due": deadlines.reject_deadline(feedback)
            if feedback.state == FeedbackState.RECEIVED
            else None,
            "first_request": _first_request(feedback),
        },
        status=status,
    )


@login_required
def feedback_detail(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _detail(request, access_feedback(actor=request.user, feedback_id=feedback_id))


def _step(
    request: HttpRequest,
    feedback_id: int,
    name: str,
    call: Callable[[Feedback, dict[str, Any]], Feedback],
    success: str,
) -> HttpResponse:
    form_class, action, states = STEPS[name]
    feedback = access_feedback(actor=request.user, feedback_id=feedback_id, action=action)
    form = form_class(request.POST, feedback=feedback)
    if form.is_valid():
        try:
            call(feedback, form.cleaned_data)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "state":
                # The step does not apply to the item as it is now (somebody else moved it
                # on, or a page was stale): say so at the top of its page.
                messages.error(request, " ".join(exc.messages))
                return redirect("feedback_detail", feedback.pk)
            apply_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("feedback_detail", feedback.pk)
    feedback.refresh_from_db()
    if feedback.state not in states:
        messages.error(request, _("This step no longer applies; nothing was changed."))
        return redirect("feedback_detail", feedback.pk)
    return _detail(request, feedback, bound={name: form}, status=400)


@login_required
@require_POST
def feedback_classify(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _step(
        request,
        feedback_id,
        "classify",
        lambda f, d: services.feedback_classify(
            actor=request.user,
            feedback=f,
            classification=d["classification"],
            unit=d.get("unit"),
            note=d.get("note") or "",
        ),
        _("The feedback was classified."),
    )


@login_required
@require_POST
def feedback_assign(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _step(
        request,
        feedback_id,
        "assign",
        lambda f, d: services.feedback_assign(
            actor=request.user, feedback=f, unit=d["unit"], handler=d.get("handler")
        ),
        _("The feedback was assigned."),
    )


@login_required
@require_POST
def feedback_request_info(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _step(
        request,
        feedback_id,
        "request_info",
        lambda f, d: services.feedback_request_info(
            actor=request.user, feedback=f, message=d.get("message") or ""
        ),
        _("The request was sent; the deadline stops until the sender replies."),
    )


@login_required
@require_POST
def feedback_answer(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _step(
        request,
        feedback_id,
        "answer",
        lambda f, d: services.feedback_answer(
            actor=request.user,
            feedback=f,
            answer=d.get("answer") or "",
            public_summary=d.get("public_summary") or "",
        ),
        _("The answer was drafted and awaits the leader's approval."),
    )


@login_required
@require_POST
def feedback_approve(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _step(
        request,
        feedback_id,
        "approve",
        lambda f, d: services.feedback_approve(actor=request.user, feedback=f),
        _("The answer was approved."),
    )


@login_required
@require_POST
def feedback_return(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _step(
        request,
        feedback_id,
        "return",
        lambda f, d: services.feedback_return_draft(
            actor=request.user, feedback=f, note=d.get("note") or ""
        ),
        _("The draft was sent back."),
    )


@login_required
@require_POST
def feedback_publish(request: HttpRequest, feedback_id: int) -> HttpResponse:
    return _step(
        request,
        feedback_id,
        "publish",
        lambda f, d: services.feedback_publish(actor=request.user, feedback=f),
        _("The answer was published."),
    )


@login_required
def feedback_attachment(request: HttpRequest, feedback_id: int, attachment_id: int) -> HttpResponse:
    feedback = access_feedback(
        actor=request.user, feedback_id=feedback_id, action=FeedbackAction.CONTACT
    )
    attachment = feedback.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- recording a feedback received at the desk --------------------------------------------------


def recording_agencies(user: Any) -> QuerySet[Agency]:
    scope = get_scope(user)
    if scope.is_admin:
        return Agency.objects.filter(kind="agency").order_by("name")
    ids = [aid for aid, roles in scope.roles.items() if set(RECORDERS) & roles]
    return Agency.objects.filter(pk__in=ids, kind="agency").order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def feedback_create(request: HttpRequest) -> HttpResponse:
    agencies = recording_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    chosen = parse_int(request.POST.get("agency") or request.GET.get("agency"))
    agency = agencies.get() if agencies.count() == 1 else agencies.filter(pk=chosen).first()
    if agency is None:
        return render(request, "feedback/feedback_create.html", {"agencies": agencies})
    services.topics_ensure_defaults(agency)
    topics = selectors.active_topics(agency.pk)
    form = DeskFeedbackForm(request.POST or None, request.FILES or None, topics=topics)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_submit(
                actor=request.user,
                agency=agency,
                topic=data.get("topic"),
                title=data.get("title") or "",
                content=data.get("content") or "",
                dossier_code=data.get("dossier_code") or "",
                attachments=data.get("attachments") or [],
                contact_name=data.get("contact_name") or "",
                contact_phone=data.get("contact_phone") or "",
                contact_email=data.get("contact_email") or "",
                channel=FeedbackChannel.DESK,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Feedback %(number)s was recorded. Give the sender the tracking code %(code)s.")
                % {"number": feedback.public_id, "code": feedback.tracking_code},
            )
            return redirect("feedback_detail", feedback.pk)
    return render(
        request,
        "feedback/feedback_create.html",
        {"agencies": agencies, "agency": agency, "form": form},
        status=400 if form.errors else 200,
    )
