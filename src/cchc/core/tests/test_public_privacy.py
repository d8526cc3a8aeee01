"""No page or feed open to the public shows personal data.

Every URL pattern of the project is tried anonymously, its parameters filled with real values
(agency A's code, tracking codes, published ids, a dossier's survey token, Open311 formats), after
citizens sent feedback with their contact details, answered surveys about a dossier, and staff
handled and published the answers. Whatever an anonymous visitor gets with 200 must not contain a
sender's name, phone, e-mail, private text or sender key, nor a staff member's name, username or
e-mail (DESIGN.md names no official who is published on the citizens' pages: an answer is
published in the agency's name). And only the URLs the permission matrix lists as open answer
anonymous visitors with 200.
"""

from __future__ import annotations

import datetime as dt
import re

from django.urls import URLPattern, URLResolver, get_resolver

from cchc.core.models import User
from cchc.core.tests.test_permission_matrix import OPEN
from cchc.feedback import services as feedback_services
from cchc.feedback.models import Classification, FeedbackTopic
from cchc.procedures.models import Dossier, Procedure
from cchc.surveys import links
from cchc.surveys import services as survey_services
from cchc.surveys.models import QuestionKind

SENDER = {
    "contact_name": "Hoàng Thị Riêngtư",
    "contact_phone": "0977 424 242",
    "contact_email": "rieng.tu.4242@example.com",
}
PRIVATE_CONTENT = "Nội dung riêng tư mã 97531 về ông Hàngxóm Đặcbiệt"
SURVEY_TEXT = "Góp ý riêng của người dân mã 86420"


def _patterns(patterns, prefix="", namespace=""):
    """(name, route with <param> placeholders) of every URL pattern, the admin's aside."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", prefix + str(entry.pattern)


def _fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Concrete paths of a route: every combination of the known values of its parameters."""
    route = route.lstrip("^").rstrip("$")
    paths = ["/" + route]
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)", route):
        name = match.group(2) or match.group(3)
        choices = values.get(name, ["1"])
        paths = [p.replace(match.group(0), choice, 1) for p in paths for choice in choices]
    return [p.replace("\\", "") for p in paths]


def _dossier(agency):
    received = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    procedure = Procedure.objects.create(
        agency=agency, code="1.000009", name="Cấp phiếu lý lịch tư pháp", time_limit=5
    )
    return Dossier.objects.create(
        agency=agency,
        procedure=procedure,
        code=f"{agency.code}-260302-0009",
        channel=1,
        received_at=received,
        due_at=received + dt.timedelta(days=7),
        status=10,
        received_day=received.date(),
    )


def _citizens_data(world):
    agency = world.a.agency
    feedback_services.topics_ensure_defaults(agency)
    topic = FeedbackTopic.objects.filter(agency=agency).order_by("position").first()
    dossier = _dossier(agency)

    def submit(**extra):
        return feedback_services.feedback_submit(
            agency=agency,
            topic=topic,
            title="Thủ tục còn rườm rà",
            content=PRIVATE_CONTENT,
            **SENDER,
            **extra,
        )

    published = submit(dossier_code=dossier.code)
    feedback_services.feedback_classify(
        actor=world.a.coordinator,
        feedback=published,
        classification=Classification.WITHIN_COMPETENCE,
        unit=world.a.unit,
    )
    feedback_services.feedback_answer(
        actor=world.a.officer,
        feedback=published,
        answer="Cơ quan đã tiếp thu và rút ngắn thời gian giải quyết.",
        public_summary="Kiến nghị rút ngắn thời gian giải quyết thủ tục.",
    )
    feedback_services.feedback_approve(actor=world.a.leader, feedback=published)
    published = feedback_services.feedback_publish(actor=world.a.coordinator, feedback=published)
    waiting = submit()
    feedback_services.feedback_request_info(
        actor=world.a.coordinator, feedback=waiting, message="Xin bổ sung giấy tờ."
    )
    # The sender's own reply is shown back to them on the tracking page (its code is their
    # secret), so it carries nothing checked here.
    feedback_services.feedback_sender_reply(feedback=waiting, message="Đã bổ sung.")

    survey = survey_services.survey_default_for(agency)
    answers = {
        q.pk: (SURVEY_TEXT if q.kind == QuestionKind.TEXT else 2) for q in survey.questions.all()
    }
    survey_services.response_submit(survey=survey, channel="web", answers=answers, dossier=dossier)
    return published, waiting, dossier


def _forbidden(world, published, waiting) -> list[tuple[str, re.Pattern]]:
    staff = User.objects.all()
    values = [
        SENDER["contact_name"],
        SENDER["contact_email"],
        "0977424242",
        "0977 424 242",
        "97531",
        "86420",
        "Hàngxóm",
    ]
    for feedback in (published, waiting):
        if feedback.sender_key:
            values.append(feedback.sender_key)
    for person in staff:
        # The fixture's superuser is called "admin", which is also a role the API documents.
        values += [person.email] if person.username == "admin" else [person.username, person.email]
        if person.full_name and person.full_name != person.username:
            values.append(person.full_name)
    # Whole words only: the username "admin" may not appear, "administrator" may.
    return [(v, re.compile(rf"(?<!\w){re.escape(v)}(?!\w)")) for v in values if v]


def test_no_public_url_shows_personal_data(client, world):
    published, waiting, dossier = _citizens_data(world)
    agency = world.a.agency.code
    values = {
        "agency_code": [agency],
        "tracking_code": [published.tracking_code, waiting.tracking_code],
        "public_id": [published.public_id],
        "token": [links.dossier_token(dossier), published.public_id],
        "fmt": ["json", "xml"],
        "path": ["khong-co"],
    }
    queries = ["", f"?jurisdiction_id={agency}", "?q=rieng+tu", f"?code={waiting.tracking_code}"]
    forbidden = _forbidden(world, published, waiting)

    open_to_anonymous: set[str] = set()
    checked = 0
    for name, route in _patterns(get_resolver().url_patterns):
        if name in ("login", "logout", "set_language") or route.startswith("static"):
            continue
        for path in _fill(route, values):
            for query in queries:
                response = client.get(path + query)
                if response.status_code != 200:
                    continue
                open_to_anonymous.add(name)
                checked += 1
                body = response.content.decode(errors="replace")
                for value, pattern in forbidden:
                    assert not pattern.search(body), (path + query, value)

    assert open_to_anonymous <= OPEN, open_to_anonymous - OPEN
    # The pages that carry citizens' data were really reached, not skipped by a 404.
    for reached in (
        "feedback_public_list",
        "feedback_public_detail",
        "feedback_track",
        "survey_public",
        "survey_dossier",
        "open311:requests",
        "open311:request",
    ):
        assert reached in open_to_anonymous, reached
    assert checked > 20
