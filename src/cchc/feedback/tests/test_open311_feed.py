"""The Open311 feed without a live server: the XML writer's element names and the cost of a
list (the client library's journeys are in ``test_open311_api``)."""

from __future__ import annotations

import datetime as dt

import pytest
import xmltodict
from django.utils import timezone

from cchc.core.models import Agency
from cchc.feedback.models import Feedback, FeedbackState, FeedbackTopic
from cchc.feedback.open311.render import Open311Error, error_response, to_xml


def test_xml_uses_the_spec_element_names():
    body = to_xml(
        "service_definition",
        {
            "service_code": "a",
            "attributes": [{"code": "x", "required": False, "values": [{"key": 1, "name": "n"}]}],
        },
    )
    parsed = xmltodict.parse(body)
    attribute = parsed["service_definition"]["attributes"]["attribute"]
    assert attribute == {
        "code": "x",
        "required": "false",
        "values": {"value": {"key": "1", "name": "n"}},
    }
    # Characters XML cannot carry are dropped rather than breaking the document.
    assert xmltodict.parse(to_xml("services", [{"service_name": "a\x01b", "group": None}])) == {
        "services": {"service": {"service_name": "ab", "group": None}}
    }
    response = error_response("xml", Open311Error(400, "một", "hai"))
    errors = xmltodict.parse(response.content)["errors"]["error"]
    assert errors == [{"code": "400", "description": "một"}, {"code": "400", "description": "hai"}]


@pytest.mark.django_db
def test_a_list_costs_a_few_queries_whatever_its_length(client, django_assert_max_num_queries):
    agency = Agency.objects.create(code="STP", name="Sở Tư pháp")
    topics = [
        FeedbackTopic.objects.create(agency=agency, code=f"t{n}", name=f"Lĩnh vực {n}")
        for n in range(3)
    ]
    now = timezone.now()

    def add(count: int) -> None:
        start = Feedback.objects.count()
        for n in range(start, start + count):
            Feedback.objects.create(
                agency=agency,
                public_id=f"PAKN-2026-{n:06d}",
                topic=topics[n % 3],
                title="t",
                content="c",
                contact_name="n",
                state=FeedbackState.PUBLISHED if n % 2 else FeedbackState.IN_PROGRESS,
                received_at=now - dt.timedelta(days=n % 80),
            )

    add(2)
    client.get("/open311/v2/services.json")  # the client's first rate-limit row
    # The rate-limit count (savepoints, update, read), the agency, the items with their topics.
    with django_assert_max_num_queries(6):
        answer = client.get("/open311/v2/requests.json", {"jurisdiction_id": "STP"})
    assert len(answer.json()) == 2
    add(30)
    with django_assert_max_num_queries(6):
        answer = client.get("/open311/v2/requests.xml", {"jurisdiction_id": "STP"})
    assert len(xmltodict.parse(answer.content)["service_requests"]["request"]) == 32
