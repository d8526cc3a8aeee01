"""The Open311 GeoReport v2 endpoints (``/open311/v2/``), in JSON and XML.

Reads are public and rate-limited per client address. ``POST requests`` creates feedback through
``feedback_submit`` with an API key (``cchc create_api_key``); it is exempt from CSRF because
the key, not a browser session, authenticates it. A created request is answered with status 200
and the spec's body (``[{"service_request_id", "service_notice", "account_id"}]``), as the
common GeoReport servers do; requests get their id at once, so the token is that id.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cchc.core.models import Agency
from cchc.feedback.keys import open311_key_check
from cchc.feedback.models import Feedback, FeedbackChannel, Open311Key
from cchc.feedback.open311 import feed
from cchc.feedback.open311.render import Open311Error, error_response, render
from cchc.feedback.services import feedback_submit
from cchc.lib.ratelimit import address_key, client_address, hit, request_allowed
from cchc.lib.text import plain_text, validate_plain_text

WINDOW = dt.timedelta(hours=1)
READ_LIMIT = 600  # GET requests per client address and hour
WRITE_LIMIT_PER_ADDRESS = 60  # POST requests per client address and hour
WRITE_LIMIT_PER_KEY = 300  # POST requests per API key and hour
READ_SCOPE = "open311_read"
WRITE_SCOPE = "open311_write"
TITLE_LENGTH = 80

# Where each field of ``feedback_submit`` comes from in the POST body, to name it in errors.
PARAMETER_OF_FIELD = {
    "agency": "jurisdiction_id",
    "topic": "service_code",
    "title": "description",
    "content": "description",
    "contact_name": "first_name",
    "contact_phone": "phone",
    "contact_email": "email",
    "dossier_code": f"attribute[{feed.DOSSIER_ATTRIBUTE}]",
    "latitude": "lat",
    "longitude": "long",
}

Payload = tuple[str, Any, int]  # root element, body, status


def _too_many() -> Open311Error:
    return Open311Error(429, _("Too many requests from this client; please try again later."))


def _retry_after() -> str:
    seconds = int(WINDOW.total_seconds())
    return str(seconds - int(time.time()) % seconds)


def endpoint(*methods: str) -> Callable:
    """Wrap a view returning ``(root, payload, status)``: method check, read rate limit, and
    errors as Open311 error bodies in the requested format."""

    def decorate(func: Callable[..., Payload]) -> Callable[..., HttpResponse]:
        @functools.wraps(func)
        def view(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            method = "GET" if request.method == "HEAD" else request.method
            reading = method == "GET"
            try:
                if method not in methods:
                    raise Open311Error(405, _("This method is not allowed here."))
                if reading and not request_allowed(
                    request, READ_SCOPE, limit=READ_LIMIT, window=WINDOW
                ):
                    raise _too_many()
                root, payload, status = func(request, *args, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                if error.status == 429:
                    response["Retry-After"] = _retry_after()
                return response
            response = render(fmt, root, payload, status=status)
            if reading:
                # Public data: browser applications of other sites may read it.
                response["Access-Control-Allow-Origin"] = "*"
            return response

        # Only ``POST requests`` writes, and it is authenticated by its API key, not a session.
        return csrf_exempt(view)

    return decorate


def _jurisdiction(request: HttpRequest, *, required: bool = True) -> Agency | None:
    return feed.agency_of(request.GET.get("jurisdiction_id", ""), required=required)


@endpoint("GET")
def service_list(request: HttpRequest) -> Payload:
    return "services", feed.services(_jurisdiction(request)), 200


@endpoint("GET")
def service_definition(request: HttpRequest, code: str) -> Payload:
    topic = feed.active_topic(_jurisdiction(request), code)
    if topic is None:
        raise Open311Error(404, _("No service with this service_code."))
    return "service_definition", feed.service_definition(topic), 200


@endpoint("GET", "POST")
def request_list(request: HttpRequest) -> Payload:
    if request.method == "POST":
        return "service_requests", _create(request), 200
    params = request.GET
    found = feed.service_requests(
        _jurisdiction(request),
        service_request_id=params.get("service_request_id", ""),
        service_code=params.get("service_code", ""),
        start_date=params.get("start_date", ""),
        end_date=params.get("end_date", ""),
        status=params.get("status", ""),
    )
    return "service_requests", found, 200


@endpoint("GET")
def request_detail(request: HttpRequest, public_id: str) -> Payload:
    agency = _jurisdiction(request, required=False)
    return "service_requests", feed.one_request(agency, public_id), 200


@endpoint("GET")
def token_detail(request: HttpRequest, token: str) -> Payload:
    agency = _jurisdiction(request, required=False)
    return "service_requests", feed.token_entries(agency, token), 200


# --- POST requests -------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the transaction to undo a submission that had other problems."""


def _title(description: str) -> str:
    """The first words of the description, about 80 characters."""
    words = " ".join(description.split())
    if len(words) <= TITLE_LENGTH:
        return words
    cut = words[:TITLE_LENGTH].rsplit(" ", 1)[0] or words[:TITLE_LENGTH]
    return cut + "…"


def _problem(field: str, message: str) -> str:
    parameter = PARAMETER_OF_FIELD.get(field, "")
    if not parameter:
        return message
    return _("%(parameter)s: %(problem)s") % {"parameter": parameter, "problem": message}


def _problems_of(error: ValidationError, *, known: frozenset[str]) -> list[str]:
    """The service's findings, named by POST parameter; ``known`` fields are already reported."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    problems: list[str] = []
    for field, messages in error.message_dict.items():
        if field in known:
            continue
        for message in messages:
            text = _problem(field, message)
            if text not in problems:
                problems.append(text)
    return problems


def _api_key(request: HttpRequest) -> Open311Key:
    """The key of the POST (form field ``api_key``, never the URL, which ends up in logs)."""
    try:
        params = request.POST
    except (RequestDataTooBig, TooManyFieldsSent):
        raise Open311Error(413, _("The request is too large.")) from None
    raw_key = params.get("api_key", "")
    if not raw_key.strip():
        raise Open311Error(403, _("An api_key is required to create a service request."))
    key = open311_key_check(raw_key)
    if key is None:
        raise Open311Error(403, _("The api_key is not valid or has been revoked."))
    jurisdiction = params.get("jurisdiction_id", "").strip()
    if jurisdiction and jurisdiction != key.agency.code:
        raise Open311Error(403, _("The api_key is not valid for this jurisdiction_id."))
    return key


def _create(request: HttpRequest) -> list[dict]:
    """Create a feedback item from the form-encoded POST of GeoReport v2 (``service_code``,
    ``description``, ``first_name``/``last_name``, ``phone``/``email``, ``lat``/``long``,
    ``address_string``, ``attribute[dossier_code]``). Refused input is answered with every
    problem found, and nothing is stored. ``media_url`` is not fetched (the server does not
    download from addresses given by clients); ``device_id`` and ``account_id`` are ignored."""
    if not request_allowed(request, WRITE_SCOPE, limit=WRITE_LIMIT_PER_ADDRESS, window=WINDOW):
        raise _too_many()
    key = _api_key(request)
    if not hit(f"open311_key:{key.pk}", limit=WRITE_LIMIT_PER_KEY, window=WINDOW):
        raise _too_many()

    params = request.POST
    agency = key.agency
    problems: list[str] = []
    code = params.get("service_code", "").strip()
    topic = feed.active_topic(agency, code) if code else None
    if not code:
        problems.append(_("service_code is required."))
    elif topic is None:
        problems.append(_("No service with this service_code."))
    description = plain_text(params.get("description", ""))
    if not description:
        problems.append(_("description is required: say what the feedback is about."))
    address = plain_text(params.get("address_string", ""))
    try:
        validate_plain_text(address)
    except ValidationError as error:
        problems.extend(
            _("address_string: %(problem)s") % {"problem": message} for message in error.messages
        )
        address = ""
    content = description
    if address and description:
        content = description + "\n\n" + _("Address: %(address)s") % {"address": address}
    if bool(params.get("lat", "").strip()) != bool(params.get("long", "").strip()):
        problems.append(_("lat and long go together: give both or neither."))
    names = (plain_text(params.get(part, "")) for part in ("first_name", "last_name"))
    # Fields whose problems are reported above in the API's own words.
    known = frozenset({"topic", *(() if description else ("title", "content"))})
    try:
        # The service checks everything else and names each problem; when problems were found
        # above, it runs all the same (to report its findings too) and is rolled back.
        with transaction.atomic():
            item = feedback_submit(
                agency=agency,
                topic=topic,
                title=_title(description),
                content=content,
                contact_name=" ".join(part for part in names if part),
                contact_phone=params.get("phone", ""),
                contact_email=params.get("email", ""),
                dossier_code=params.get(f"attribute[{feed.DOSSIER_ATTRIBUTE}]", ""),
                channel=FeedbackChannel.OPEN311,
                sender_key=address_key("feedback_sender", client_address(request)),
                latitude=params.get("lat", "").strip() or None,
                longitude=params.get("long", "").strip() or None,
            )
            if problems:
                raise _DryRun
    except ValidationError as error:
        problems.extend(p for p in _problems_of(error, known=known) if p not in problems)
    except _DryRun:
        pass
    if problems:
        raise Open311Error(400, *problems)
    return [
        {
            "service_request_id": item.public_id,
            "service_notice": _notice(item),
            "account_id": None,
        }
    ]


def _notice(item: Feedback) -> str:
    deadline = item.final_due_at or item.due_at
    if deadline is None:
        return _("Your feedback has been received.")
    return _("Your feedback has been received; the agency will handle it by %(date)s.") % {
        "date": date_format(timezone.localtime(deadline), "SHORT_DATE_FORMAT")
    }
