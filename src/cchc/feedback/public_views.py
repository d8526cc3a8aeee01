"""Citizens' pages (no account): send a feedback, follow it with the tracking code (reply to a
request for information, rate the answer), and read an agency's published answers.

Nothing personal is shown here: never the sender's name, phone, e-mail or address key, nor the
content they wrote (it may name people); the public reads the summary written by the agency. The
tracking page, opened with the sender's secret code, also shows the title the sender gave; it is
not indexed and sends no referrer to other sites (the code is in its address).

Abuse: a rate limit per address on every form, a honeypot field (a robot that fills it gets the
normal answer and nothing is stored), and a size limit checked before the request body is read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.core.forms import apply_service_errors
from cchc.core.models import Agency, AgencyKind
from cchc.feedback import search, selectors, services
from cchc.feedback.forms import (
    PublicFeedbackForm,
    PublicSearchForm,
    RatingForm,
    SenderReplyForm,
    TrackingLookupForm,
)
from cchc.feedback.models import Feedback, FeedbackChannel, FeedbackState, new_tracking_code
from cchc.lib.ratelimit import address_key, client_address, request_allowed

PER_PAGE = 20
SUBMIT_LIMIT = 5
REPLY_LIMIT = 10
LOOKUP_LIMIT = 30
WINDOW = dt.timedelta(hours=1)
# What the form's text fields may add to the files (a little over the longest texts allowed).
TEXT_ALLOWANCE = 256 * 1024


def body_limit() -> int:
    """The largest request body a public form accepts: the files' total limit plus the text."""
    return services.attachment_limits()[1] + TEXT_ALLOWANCE


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > body_limit()


def _private(response: HttpResponse) -> HttpResponse:
    """Headers of the pages that carry the tracking code."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def public_agency(agency_code: str) -> Agency:
    agency = (
        Agency.objects.filter(code=agency_code, kind=AgencyKind.AGENCY).first()
        or Agency.objects.filter(code__iexact=agency_code, kind=AgencyKind.AGENCY)
        .order_by("pk")
        .first()
    )
    if agency is None:
        raise Http404
    return agency


def _tracked(tracking_code: str) -> Feedback:
    code = (tracking_code or "").strip().upper()
    feedback = (
        Feedback.objects.select_related("agency", "topic").filter(tracking_code=code).first()
        if code
        else None
    )
    if feedback is None:
        raise Http404
    return feedback


def _limits_context() -> dict[str, Any]:
    per_file, total = services.attachment_limits()
    return {
        "max_files": services.MAX_ATTACHMENTS,
        "file_limit": filesizeformat(per_file),
        "files_limit": filesizeformat(total),
    }


# --- sending ------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    agency: Agency,
    form: PublicFeedbackForm,
    *,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "feedback/public/feedback_form.html",
        {"public_agency": agency, "form": form, "problem": problem, **_limits_context()},
        status=status,
    )


def _sent_page(request: HttpRequest, agency: Agency, tracking_code: str) -> HttpResponse:
    response = render(
        request,
        "feedback/public/feedback_sent.html",
        {
            "public_agency": agency,
            "tracking_code": tracking_code,
            "tracking_path": reverse("feedback_track", args=[tracking_code]),
        },
    )
    return _private(response)


@csrf_exempt  # the size is checked before the body is read; CSRF is checked right after
@require_http_methods(["GET", "POST"])
def feedback_public_new(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = public_agency(agency_code)
    services.topics_ensure_defaults(agency)
    topics = selectors.active_topics(agency.pk)
    if request.method == "POST" and _too_large(request):
        problem = _(
            "What you sent is too large: the attached files may total at most %(limit)s. "
            "Go back, remove or shrink some files and send again."
        ) % {"limit": filesizeformat(services.attachment_limits()[1])}
        return _form_page(
            request, agency, PublicFeedbackForm(topics=topics), problem=problem, status=413
        )
    return _submit(request, agency, topics)


@csrf_protect
def _submit(request: HttpRequest, agency: Agency, topics: Any) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, agency, PublicFeedbackForm(topics=topics))
    form = PublicFeedbackForm(request.POST, request.FILES, topics=topics)
    if not request_allowed(request, "feedback_submit", limit=SUBMIT_LIMIT, window=WINDOW):
        problem = _(
            "Too many feedback forms were sent from your connection in the last hour. "
            "Nothing was saved; please try again later."
        )
        return _form_page(request, agency, form, problem=problem, status=429)
    if form.is_spam:
        return _sent_page(request, agency, new_tracking_code())
    if form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_submit(
                agency=agency,
                topic=data.get("topic"),
                title=data.get("title") or "",
                content=data.get("content") or "",
                dossier_code=data.get("dossier_code") or "",
                attachments=data.get("attachments") or [],
                contact_name=data.get("contact_name") or "",
                contact_phone=data.get("contact_phone") or "",
                contact_email=data.get("contact_email") or "",
                channel=FeedbackChannel.WEB,
                sender_key=address_key("feedback", client_address(request)),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _sent_page(request, agency, feedback.tracking_code)
    return _form_page(request, agency, form, status=400)


# --- following ----------------------------------------------------------------------------------


def _tracking_page(
    request: HttpRequest,
    feedback: Feedback,
    *,
    reply_form: SenderReplyForm | None = None,
    rating_form: RatingForm | None = None,
    problem: str = "",
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    waiting = feedback.state == FeedbackState.WAITING_SENDER
    published = feedback.state == FeedbackState.PUBLISHED
    response = render(
        request,
        "feedback/public/feedback_track.html",
        {
            "public_agency": feedback.agency,
            "feedback": feedback,
            "events": selectors.public_events(feedback),
            "reply_form": (reply_form or SenderReplyForm()) if waiting else None,
            "rating_form": (rating_form or RatingForm())
            if published and feedback.rating is None
            else None,
            "problem": problem,
            "notice": notice,
            **_limits_context(),
        },
        status=status,
    )
    return _private(response)


@require_GET
def feedback_track_lookup(request: HttpRequest) -> HttpResponse:
    """Type the tracking code to open the tracking page."""
    form = TrackingLookupForm(request.GET or None)
    problem = ""
    if form.is_bound and form.is_valid():
        if not request_allowed(request, "feedback_lookup", limit=LOOKUP_LIMIT, window=WINDOW):
            problem = _("Too many look-ups from your connection. Please try again later.")
        else:
            code = form.cleaned_data["code"].strip().upper()
            if Feedback.objects.filter(tracking_code=code).exists():
                return redirect("feedback_track", code)
            problem = _("No feedback has this tracking code. Check the code and try again.")
    response = render(
        request,
        "feedback/public/feedback_lookup.html",
        {"form": form, "problem": problem},
        status=400 if problem else 200,
    )
    return _private(response)


@require_GET
def feedback_track(request: HttpRequest, tracking_code: str) -> HttpResponse:
    return _tracking_page(request, _tracked(tracking_code), notice=request.GET.get("done", ""))


@csrf_exempt  # as for the form: size first, then CSRF
@require_POST
def feedback_track_reply(request: HttpRequest, tracking_code: str) -> HttpResponse:
    feedback = _tracked(tracking_code)
    if _too_large(request):
        problem = _(
            "What you sent is too large: the attached files may total at most %(limit)s."
        ) % {"limit": filesizeformat(services.attachment_limits()[1])}
        return _tracking_page(request, feedback, problem=problem, status=413)
    return _reply(request, feedback)


@csrf_protect
def _reply(request: HttpRequest, feedback: Feedback) -> HttpResponse:
    form = SenderReplyForm(request.POST, request.FILES)
    if not request_allowed(request, "feedback_reply", limit=REPLY_LIMIT, window=WINDOW):
        problem = _("Too many replies from your connection. Nothing was saved; try again later.")
        return _tracking_page(request, feedback, reply_form=form, problem=problem, status=429)
    if form.is_valid():
        try:
            services.feedback_sender_reply(
                feedback=feedback,
                message=form.cleaned_data.get("message") or "",
                attachments=form.cleaned_data.get("attachments") or [],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "state":
                feedback.refresh_from_db()
                problem = " ".join(exc.messages)
                return _tracking_page(request, feedback, problem=problem, status=400)
            apply_service_errors(form, exc)
        else:
            return redirect(f"{reverse('feedback_track', args=[feedback.tracking_code])}?done=1")
    feedback.refresh_from_db()
    return _tracking_page(request, feedback, reply_form=form, status=400)


@require_POST
def feedback_track_rate(request: HttpRequest, tracking_code: str) -> HttpResponse:
    feedback = _tracked(tracking_code)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_rate(feedback=feedback, rating=form.cleaned_data["rating"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(f"{reverse('feedback_track', args=[feedback.tracking_code])}?done=2")
    problem = " ".join(form.non_field_errors())
    feedback.refresh_from_db()
    return _tracking_page(request, feedback, rating_form=form, problem=problem, status=400)


# --- published answers --------------------------------------------------------------------------


@require_GET
def feedback_public_list(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = public_agency(agency_code)
    form = PublicSearchForm(request.GET)
    form.is_valid()
    query = (form.cleaned_data.get("q") or "").strip()
    answers = selectors.published_answers(agency.pk)
    if query:
        answers = search.matching(answers, query)
    page = Paginator(answers, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/public/answer_list.html",
        {"public_agency": agency, "page": page, "form": form, "query": query},
    )


@require_GET
def feedback_public_detail(request: HttpRequest, agency_code: str, public_id: str) -> HttpResponse:
    agency = public_agency(agency_code)
    feedback = selectors.published_answers(agency.pk).filter(public_id=public_id).first()
    if feedback is None:
        raise Http404
    return render(
        request,
        "feedback/public/answer_detail.html",
        {"public_agency": agency, "feedback": feedback},
    )
