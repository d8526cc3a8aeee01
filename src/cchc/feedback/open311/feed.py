"""What the Open311 feed shows: the public side of topics and feedback items.

Everything here is public, so the queries load only the columns that may be shown (never the
sender's contact, the content, the title, the tracking code, attachments or handlers), and an
item's ``description`` (its public summary) and location appear only once its answer is
published. Each function returns the GeoReport v2 dicts that ``render`` writes out.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.models import Agency
from cchc.feedback.models import CLOSED_STATES, Feedback, FeedbackState, FeedbackTopic
from cchc.feedback.open311.render import Open311Error

# GeoReport v2: a date range may not span more than 90 days; without one, the last 90 days.
MAX_SPAN = dt.timedelta(days=90)
# At most this many ids in one ``service_request_id`` list.
MAX_IDS = 100
# At most this many requests in one answer, the newest first (the spec has no paging; the
# 90-day window keeps the list short for all but the busiest agencies).
MAX_REQUESTS = 1000
# The reporter's position is shown to three decimals (about 100 m), never exactly.
LOCATION_STEP = Decimal("0.001")
# The one attribute a service accepts when a request is created (``attribute[dossier_code]``).
DOSSIER_ATTRIBUTE = "dossier_code"

PUBLIC_FIELDS = (
    "public_id",
    "state",
    "received_at",
    "updated_at",
    "due_at",
    "final_due_at",
    "published_at",
    "public_summary",
    "latitude",
    "longitude",
    "agency__name",
    "topic__code",
    "topic__name",
)


def w3c(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the local offset, e.g. ``2026-03-14T09:30:00+07:00``."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def agency_of(jurisdiction_id: str, *, required: bool = True) -> Agency | None:
    """The agency a request is about. ``jurisdiction_id`` is the agency's code; it may be left out
    while only one agency offers topics. An unknown code is a 404; a missing one, when several
    agencies offer topics, a 400 (or None when ``required`` is False)."""
    code = jurisdiction_id.strip()
    if code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise Open311Error(404, _("No jurisdiction with this jurisdiction_id."))
        return agency
    agency_ids = list(
        FeedbackTopic.objects.order_by().values_list("agency_id", flat=True).distinct()[:2]
    )
    if len(agency_ids) == 1:
        return Agency.objects.get(pk=agency_ids[0])
    if agency_ids and required:
        raise Open311Error(
            400, _("jurisdiction_id is required: this server answers for several agencies.")
        )
    return None


# --- services ------------------------------------------------------------------------------


def service_entry(topic: FeedbackTopic) -> dict:
    return {
        "service_code": topic.code,
        "service_name": topic.name,
        "description": topic.description,
        # Every service has a definition with the optional dossier code attribute.
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


def services(agency: Agency | None) -> list[dict]:
    if agency is None:
        return []
    topics = FeedbackTopic.objects.filter(agency=agency, active=True).order_by("position", "name")
    return [service_entry(topic) for topic in topics]


def active_topic(agency: Agency | None, code: str) -> FeedbackTopic | None:
    if agency is None:
        return None
    return FeedbackTopic.objects.filter(agency=agency, code=code, active=True).first()


def service_definition(topic: FeedbackTopic) -> dict:
    return {
        "service_code": topic.code,
        "attributes": [
            {
                "variable": True,
                "code": DOSSIER_ATTRIBUTE,
                "datatype": "string",
                "required": False,
                "datatype_description": _(
                    "The dossier code as printed on the receipt, e.g. STP-260314-0001."
                ),
                "order": 1,
                "description": _("Dossier code, if the feedback is about a dossier"),
            }
        ],
    }


# --- service requests ----------------------------------------------------------------------


def _rounded(value: Decimal) -> float:
    return float(value.quantize(LOCATION_STEP, rounding=ROUND_HALF_UP))


def request_entry(item: Feedback) -> dict:
    published = item.state == FeedbackState.PUBLISHED
    label = str(FeedbackState(item.state).label)
    entry: dict = {
        "service_request_id": item.public_id,
        "status": "closed" if item.state in CLOSED_STATES else "open",
        "status_notes": label,
        "service_name": item.topic.name,
        "service_code": item.topic.code,
        "description": item.public_summary if published else "",
        "agency_responsible": item.agency.name,
        "service_notice": "",
        "requested_datetime": w3c(item.received_at),
        "updated_datetime": w3c(item.updated_at),
        "expected_datetime": w3c(item.final_due_at or item.due_at),
        "address": "",
    }
    # The reporter's own position: shown (rounded) only with a published answer.
    if published and item.latitude is not None and item.longitude is not None:
        entry["lat"] = _rounded(item.latitude)
        entry["long"] = _rounded(item.longitude)
    entry["media_url"] = ""
    entry["cchc_state"] = item.state
    entry["cchc_state_label"] = label
    return entry


def public_feedback(agency: Agency | None) -> QuerySet[Feedback]:
    items = Feedback.objects.select_related("agency", "topic").only(*PUBLIC_FIELDS)
    if agency is not None:
        items = items.filter(agency=agency)
    return items.order_by("-received_at", "-id")


def _comma_list(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def _w3c_bound(name: str, value: str, *, end: bool) -> dt.datetime:
    """A w3c date-time (``2010-01-01T00:00:00Z``, an offset, or local time when absent) or a
    date (the whole day: its start for ``start_date``, its end for ``end_date``)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Open311Error(
            400,
            _("%(parameter)s is not a w3c date-time such as 2010-01-01T00:00:00Z.")
            % {"parameter": name},
        ) from None
    if "T" not in value and " " not in value and end:
        parsed = dt.datetime.combine(parsed.date(), dt.time.max)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def date_range(start_date: str, end_date: str) -> tuple[dt.datetime, dt.datetime]:
    start_date, end_date = start_date.strip(), end_date.strip()
    start = _w3c_bound("start_date", start_date, end=False) if start_date else None
    end = _w3c_bound("end_date", end_date, end=True) if end_date else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = timezone.now()
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_SPAN:
        raise Open311Error(
            400, _("The dates may not span more than 90 days; give both start_date and end_date.")
        )
    return start, end


def service_requests(
    agency: Agency | None,
    *,
    service_request_id: str = "",
    service_code: str = "",
    start_date: str = "",
    end_date: str = "",
    status: str = "",
) -> list[dict]:
    """GET requests with the standard filters. ``service_request_id`` overrides the others."""
    items = public_feedback(agency)
    ids = _comma_list(service_request_id)
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(
                400,
                _("At most %(count)d service_request_id values at once.") % {"count": MAX_IDS},
            )
        return [request_entry(item) for item in items.filter(public_id__in=ids)]
    statuses = set(_comma_list(status.lower()))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed, or both separated by a comma."))
    start, end = date_range(start_date, end_date)
    items = items.filter(received_at__gte=start, received_at__lte=end)
    if statuses == {"open"}:
        items = items.exclude(state__in=CLOSED_STATES)
    elif statuses == {"closed"}:
        items = items.filter(state__in=CLOSED_STATES)
    codes = _comma_list(service_code)
    if codes:
        items = items.filter(topic__code__in=codes)
    return [request_entry(item) for item in items[:MAX_REQUESTS]]


def one_request(agency: Agency | None, public_id: str) -> list[dict]:
    item = public_feedback(agency).filter(public_id=public_id).first()
    if item is None:
        raise Open311Error(404, _("No service request with this service_request_id."))
    return [request_entry(item)]


def token_entries(agency: Agency | None, token: str) -> list[dict]:
    """Requests are created at once, so the token of a request is its id."""
    found = public_feedback(agency).filter(public_id=token).values_list("public_id", flat=True)
    public_id = next(iter(found), None)
    if public_id is None:
        raise Open311Error(404, _("No service request with this token."))
    return [{"service_request_id": public_id, "token": token}]
