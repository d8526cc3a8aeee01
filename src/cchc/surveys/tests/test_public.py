"""The citizens' pages: the agency's survey, the kiosk, a dossier's survey; every kind of bad
input refused with a message and nothing stored; nothing personal shown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from cchc.core.models import RateLimitBucket
from cchc.procedures import metrics
from cchc.procedures.models import ReceivedRollup
from cchc.surveys import defaults, links
from cchc.surveys.models import Answer, QuestionKind, Response, ResponseChannel

from .conftest import MARCH, dossier_of, form_data

EN = {"HTTP_COOKIE": "django_language=en"}


def _stored() -> tuple[int, int]:
    return Response.objects.count(), Answer.objects.count()


def test_default_survey_is_created_once_with_the_five_aspects(world, survey):
    from cchc.surveys.services import survey_default_for

    assert survey_default_for(world.a.agency) == survey
    assert list(survey.aspects.values_list("code", flat=True)) == [
        "access",
        "procedure",
        "civil_servant",
        "result",
        "feedback_handling",
    ]
    scale = survey.questions.filter(kind=QuestionKind.SCALE)
    for aspect in survey.aspects.all():
        assert 2 <= scale.filter(aspect=aspect).count() <= 4
    [free] = survey.questions.filter(kind=QuestionKind.TEXT)
    assert (free.text, free.required) == (defaults.FREE_TEXT.text, False)
    assert survey.scale() == list(enumerate(defaults.SCALE_LABELS, 1))


def test_public_form_and_answer(client, world, survey):
    page = client.get("/s/STP/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Việc tìm hiểu thông tin về thủ tục hành chính có thuận tiện không?" in body
    assert "Sở Tư pháp" in body
    assert page["Cache-Control"].startswith("no-store")
    response = client.post("/s/STP/", form_data(survey, 5, "Cán bộ rất nhiệt tình."))
    assert response.status_code == 302 and response["Location"] == "/s/STP/thanks/"
    stored = Response.objects.get()
    assert (stored.channel, stored.agency, stored.dossier, stored.negative) == (
        ResponseChannel.WEB,
        world.a.agency,
        None,
        False,
    )
    assert stored.answers.filter(value=5).count() == survey.questions.filter(kind="scale").count()
    assert stored.answers.get(value__isnull=True).text == "Cán bộ rất nhiệt tình."
    thanks = client.get(response["Location"], **EN)
    assert "Thank you for your answers" in thanks.content.decode()


def test_unknown_agency_is_a_clear_404(client, world):
    response = client.get("/s/NOPE/", **EN)
    assert response.status_code == 404
    assert "This survey link is not valid" in response.content.decode()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda data, survey: data.clear(), "Please answer at least one question"),
        (lambda data, survey: data.update(_one(survey, "7")), "Select a valid choice"),
        (lambda data, survey: data.update(_one(survey, "")), "Please choose an answer"),
        (
            lambda data, survey: data.update(_text(survey, "<script>alert(1)</script>")),
            "plain text",
        ),
        (lambda data, survey: data.update(_text(survey, "&lt;b&gt;đậm")), "plain text"),
        (lambda data, survey: data.update(_text(survey, "x" * 2001)), "2000"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(client, world, survey, change, message):
    data = form_data(survey, 4)
    change(data, survey)
    response = client.post("/s/STP/", data, **EN)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _stored() == (0, 0)


def _one(survey, value: str) -> dict[str, str]:
    question = survey.questions.filter(kind="scale", required=True).first()
    return {f"q{question.pk}": value}


def _text(survey, text: str) -> dict[str, str]:
    question = survey.questions.get(kind="text")
    return {f"q{question.pk}": text}


def test_out_of_range_value_refused_by_the_service_too(world, survey):
    from django.core.exceptions import ValidationError

    from cchc.surveys.services import response_submit

    question = survey.questions.filter(kind="scale").first()
    with pytest.raises(ValidationError):
        response_submit(survey=survey, channel="web", answers={question.pk: 0})
    with pytest.raises(ValidationError):
        response_submit(survey=survey, channel="web", answers={10**9: 5})
    assert _stored() == (0, 0)


def test_honeypot_thanks_and_stores_nothing(client, world, survey):
    response = client.post("/s/STP/", form_data(survey, 5, website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == "/s/STP/thanks/"
    assert _stored() == (0, 0)


def test_flood_from_one_address_is_refused(client, world, survey):
    for _n in range(20):
        assert client.post("/s/STP/", form_data(survey, 5)).status_code == 302
    assert Response.objects.count() == 20
    refused = client.post("/s/STP/", form_data(survey, 5), **EN)
    assert refused.status_code == 429
    assert "Too many answers have been sent from your connection" in refused.content.decode()
    assert Response.objects.count() == 20
    # The address is kept hashed, never in clear.
    assert not RateLimitBucket.objects.filter(key__contains="127.0.0.1").exists()
    # Another address is not affected.
    other = client.post("/s/STP/", form_data(survey, 5), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302 and Response.objects.count() == 21


# --- a dossier's survey ----------------------------------------------------------------------


@pytest.fixture
def dossier(world):
    return dossier_of(world.a.agency, unit=world.a.unit, code="STP-260302-0001")


def test_dossier_link_ties_the_answer_once(client, world, survey, dossier):
    url = links.dossier_survey_url(dossier)
    assert url.startswith("/s/d/") and "STP-260302-0001" not in url
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert dossier.procedure.name in body and dossier.code not in body
    response = client.post(url, form_data(survey, 4))
    assert response.status_code == 302
    stored = Response.objects.get()
    assert (stored.dossier, stored.unit, stored.procedure, stored.channel) == (
        dossier,
        world.a.unit,
        dossier.procedure,
        ResponseChannel.QR_DOSSIER,
    )
    again = client.get(url, **EN)
    assert "This dossier's survey has already been answered" in again.content.decode()
    second = client.post(url, form_data(survey, 1), **EN)
    assert second.status_code == 409
    assert "already been answered" in second.content.decode()
    assert Response.objects.count() == 1
    dossier.refresh_from_db()
    assert dossier.negative_feedback is False


def test_forged_or_altered_token_is_a_clear_404(client, world, survey, dossier):
    token = links.dossier_token(dossier)
    other = links.dossier_token(dossier.pk + 1)
    forged = [
        "abc",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        other,  # a real signature for a dossier that does not exist
        token.replace(token.split(":")[0], links.dossier_token(dossier.pk + 1).split(":")[0]),
    ]
    for bad in forged:
        for method in ("get", "post"):
            response = getattr(client, method)(f"/s/d/{bad}/", form_data(survey, 5), **EN)
            assert response.status_code == 404, bad
            assert "This survey link is not valid" in response.content.decode()
    assert _stored() == (0, 0)


def test_the_database_allows_one_response_per_dossier(world, survey, dossier):
    Response.objects.create(survey=survey, agency=world.a.agency, channel="web", dossier=dossier)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=survey, agency=world.a.agency, channel="web", dossier=dossier
        )


def test_second_answer_through_the_service_is_refused(world, survey, dossier):
    from cchc.surveys.services import AlreadyAnswered, response_submit

    answers = {q.pk: 5 for q in survey.questions.filter(kind="scale")}
    response_submit(survey=survey, channel="qr_dossier", answers=answers, dossier=dossier)
    with pytest.raises(AlreadyAnswered):
        response_submit(survey=survey, channel="qr_dossier", answers=answers, dossier=dossier)
    assert Response.objects.count() == 1


def test_negative_answer_counts_in_handling_satisfaction(client, world, survey, dossier):
    # A second dossier of the same day, rated well, to show only the bad one is marked.
    good = dossier_of(world.a.agency, code="STP-260302-0002", procedure=dossier.procedure)
    before = metrics.compute(agency_ids=[world.a.agency.pk], start=MARCH[0], end=MARCH[1])
    assert before.rates["handling_satisfaction_rate"] == 100
    assert client.post(links.dossier_survey_url(good), form_data(survey, 4)).status_code == 302
    data = form_data(survey, 2)
    # Mean (2 × 12 + 4) ÷ 13 = 2.15 < 3: negative.
    first = survey.questions.filter(kind="scale").first()
    data[f"q{first.pk}"] = "4"
    assert client.post(links.dossier_survey_url(dossier), data).status_code == 302
    dossier.refresh_from_db()
    good.refresh_from_db()
    assert (dossier.negative_feedback, good.negative_feedback) == (True, False)
    assert Response.objects.get(dossier=dossier).negative is True
    rollup = ReceivedRollup.objects.filter(agency=world.a.agency, day=dt.date(2026, 3, 2))
    assert rollup.aggregate(received=Sum("received"), negative=Sum("negative")) == {
        "received": 2,
        "negative": 1,
    }
    after = metrics.compute(agency_ids=[world.a.agency.pk], start=MARCH[0], end=MARCH[1])
    # 100 − (0 % late + 1 of 2 received with a negative rating = 50 %) = 50.
    assert after.rates["handling_satisfaction_rate"] == 50


def test_middling_answer_is_not_negative(client, world, survey, dossier):
    assert client.post(links.dossier_survey_url(dossier), form_data(survey, 3)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.negative_feedback is False


# --- the kiosk -----------------------------------------------------------------------------------


def test_kiosk_returns_to_an_empty_form(client, world, survey):
    form = client.get("/s/STP/kiosk/")
    assert form.status_code == 200 and form["Cache-Control"].startswith("no-store")
    secret = "Góp ý riêng của người trước"
    response = client.post("/s/STP/kiosk/", form_data(survey, 2, secret))
    assert response.status_code == 302 and response["Location"] == "/s/STP/thanks/?kiosk=1"
    assert Response.objects.get().channel == ResponseChannel.KIOSK
    thanks = client.get(response["Location"])
    body = thanks.content.decode()
    assert '<meta http-equiv="refresh" content="8;url=/s/STP/kiosk/">' in body
    assert 'href="/s/STP/kiosk/"' in body and "cchc/surveys.js" in body
    assert thanks["Cache-Control"].startswith("no-store")
    fresh = client.get("/s/STP/kiosk/").content.decode()
    assert "checked" not in fresh and secret not in fresh


# --- QR codes and what public pages show ---------------------------------------------------------


def test_agency_qr_code(client, world, survey, settings):
    settings.CCHC_BASE_URL = "https://cchc.example.gov.vn"
    response = client.get("/s/STP/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    expected = links.qr_svg("https://cchc.example.gov.vn/s/STP/", title="Sở Tư pháp")
    assert response.content == expected
    assert client.get("/s/NOPE/qr.svg").status_code == 404


def test_public_pages_show_nothing_personal(client, world, survey, dossier):
    client.post("/s/STP/", form_data(survey, 5, "Nội dung góp ý bí mật 123"))
    token = links.dossier_survey_url(dossier)
    pages = [
        client.get("/s/STP/"),
        client.get("/s/STP/kiosk/"),
        client.get("/s/STP/thanks/"),
        client.get("/s/STP/thanks/?kiosk=1"),
        client.get(token),
        client.post(token, form_data(survey, 5), follow=True),
        client.get(token),
        client.get("/s/d/forged/"),
    ]
    people = [getattr(world.a, role) for role in ("leader", "coordinator", "officer", "viewer")]
    forbidden = [dossier.code, "Nội dung góp ý bí mật 123", "@example.gov.vn"]
    for person in people:
        forbidden += [person.full_name, person.username]
    for page in pages:
        body = page.content.decode()
        for text in forbidden:
            assert text not in body, (page.request["PATH_INFO"], text)


def test_pages_need_no_inline_script_or_style(client, world, survey, dossier):
    """A strict Content-Security-Policy can be switched on: no inline <script> (data in
    ``type="application/json"`` blocks only), no style attribute, no on… handler."""
    pages = [
        client.get("/s/STP/"),
        client.post("/s/STP/", {}),
        client.get("/s/STP/thanks/?kiosk=1"),
        client.get(links.dossier_survey_url(dossier)),
        client.get("/s/d/forged/"),
    ]
    client.force_login(world.a.coordinator)
    pages += [client.get("/surveys/"), client.get("/surveys/qr/")]
    for page in pages:
        html = page.content.decode()
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)
        for script in re.findall(r"<script[^>]*>", html):
            assert " src=" in script or 'type="application/json"' in script, script
