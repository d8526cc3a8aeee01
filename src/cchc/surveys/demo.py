"""Demo survey answers: the shipped questionnaire and a year of plausible responses per agency.

Distributions of a one-stop desk that serves well: about 70 % of respondents pleased (mostly 4
and 5), a fifth mixed, a few unhappy; the civil servant rated a little better than the procedure;
the optional questions answered by some; about 40 % of the responses given through a dossier's
QR code (the others through the public link or the desk's kiosk); free texts in Vietnamese now
and then. Negative responses tied to a dossier mark it, as ``response_submit`` would, but in one
UPDATE and one rollup refresh rather than a service call per dossier.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cchc.core import calendar
from cchc.core.models import Agency
from cchc.procedures import rollups
from cchc.procedures.models import Dossier
from cchc.surveys.models import (
    Answer,
    Aspect,
    Question,
    QuestionKind,
    Response,
    ResponseChannel,
    Survey,
)
from cchc.surveys.services import is_negative, survey_default_for

BATCH = 2000
TIED_SHARE = 0.4

# value → weight, by the respondent's mood
MOODS = (
    (0.72, {5: 55, 4: 38, 3: 6, 2: 1}),  # pleased
    (0.93, {5: 15, 4: 40, 3: 30, 2: 12, 1: 3}),  # mixed
    (1.00, {4: 8, 3: 25, 2: 42, 1: 25}),  # unhappy
)
# aspect code → chance that an answer is one point lower (the procedure itself and the handling
# of feedback are rated a little worse than the people)
HARSHER = {"procedure": 0.12, "feedback_handling": 0.10, "access": 0.05}
OPTIONAL_ANSWERED = 0.35
FREE_TEXT_SHARE = 0.15

PRAISE = (
    "Cán bộ hướng dẫn rất nhiệt tình, chu đáo.",
    "Thủ tục nhanh gọn, trả kết quả đúng hẹn. Cảm ơn cơ quan.",
    "Nộp hồ sơ trực tuyến thuận tiện, không phải đi lại nhiều.",
    "Phòng chờ sạch sẽ, có nước uống và chỗ ngồi đầy đủ.",
    "Tôi rất hài lòng với thái độ phục vụ của công chức một cửa.",
    "Được nhắn tin báo kết quả, rất tiện.",
)
COMPLAINTS = (
    "Phải chờ lâu, nên bố trí thêm người tiếp nhận vào buổi sáng.",
    "Hồ sơ phải bổ sung nhiều lần, đề nghị hướng dẫn một lần cho đầy đủ.",
    "Trang dịch vụ công hay bị lỗi khi tải tệp đính kèm.",
    "Kết quả trả trễ hẹn mà không được báo trước.",
    "Khó tìm chỗ gửi xe, biển chỉ dẫn chưa rõ.",
    "Đề nghị niêm yết rõ hơn mức phí, lệ phí.",
    "Máy lấy số thứ tự không hoạt động.",
)


def _weighted(rng: random.Random, weights: dict[int, int]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _local(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=calendar.TZ) + dt.timedelta(minutes=minutes)


def _answers(
    rng: random.Random, scale: list[Question], texts: list[Question]
) -> tuple[dict[int, int], str]:
    roll = rng.random()
    weights = next(w for limit, w in MOODS if roll < limit)
    values: dict[int, int] = {}
    for question in scale:
        if not question.required and rng.random() > OPTIONAL_ANSWERED:
            continue
        value = _weighted(rng, weights)
        code = question.aspect.code if question.aspect else ""
        if value > 1 and rng.random() < HARSHER.get(code, 0):
            value -= 1
        values[question.pk] = value
    text = ""
    if texts and rng.random() < FREE_TEXT_SHARE:
        mean = sum(values.values()) / max(len(values), 1)
        text = rng.choice(PRAISE if mean >= 4 else COMPLAINTS)
    return values, text


def load_demo_surveys(
    agency: Agency,
    year: int,
    seed: int = 0,
    *,
    count: int = 1500,
    now: dt.datetime | None = None,
) -> int:
    """Create the agency's default survey and about ``count`` responses submitted in ``year``
    (up to ``now``), ~40 % of them tied to the agency's dossiers of that year. Does nothing
    (returns 0) when the agency has responses already. Returns the number created."""
    if Response.objects.filter(agency=agency).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(f"survey-{agency.code}-{year}-{seed}")
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), timezone.localtime(now, calendar.TZ).date())
    if last < first:
        return 0
    with transaction.atomic():
        survey = survey_default_for(agency)
        if survey is None:
            return 0
        questions = list(survey.questions.select_related("aspect"))
        scale = [q for q in questions if q.kind == QuestionKind.SCALE]
        texts = [q for q in questions if q.kind == QuestionKind.TEXT]
        responses, answers, negative_dossiers = _make(
            rng, agency, survey, scale, texts, first, last, count, now
        )
        created = Response.objects.bulk_create(responses, batch_size=BATCH)
        rows = [
            Answer(response_id=response.pk, question_id=qid, value=value, text=text)
            for response, items in zip(created, answers, strict=True)
            for qid, value, text in items
        ]
        Answer.objects.bulk_create(rows, batch_size=BATCH)
        if negative_dossiers:
            Dossier.objects.filter(pk__in=negative_dossiers).update(negative_feedback=True)
            days = Dossier.objects.filter(pk__in=negative_dossiers).values_list(
                "received_day", flat=True
            )
            rollups.refresh(agency.pk, received_days=set(days))
    return len(created)


def _make(
    rng: random.Random,
    agency: Agency,
    survey: Survey,
    scale: list[Question],
    texts: list[Question],
    first: dt.date,
    last: dt.date,
    count: int,
    now: dt.datetime,
) -> tuple[list[Response], list[list[tuple[int, int | None, str]]], list[int]]:
    dossiers = list(
        Dossier.objects.filter(
            agency=agency, received_day__gte=first, received_day__lte=last
        ).values_list("pk", "unit_id", "procedure_id", "received_at", "finished_effective_at")
    )
    tied = rng.sample(dossiers, min(int(count * TIED_SHARE), len(dossiers)))
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    weekdays = [day for day in days if day.weekday() < 5] or days
    responses: list[Response] = []
    answers: list[list[tuple[int, int | None, str]]] = []
    negative: list[int] = []
    for number in range(count):
        dossier = tied[number] if number < len(tied) else None
        if dossier is not None:
            pk, unit_id, procedure_id, received_at, finished_at = dossier
            base = finished_at if finished_at is not None else received_at
            submitted = base + dt.timedelta(minutes=rng.randint(10, 3 * 24 * 60))
            if submitted > now:
                submitted = received_at + dt.timedelta(minutes=rng.randint(5, 60))
            channel = ResponseChannel.QR_DOSSIER
        else:
            pk = unit_id = procedure_id = None
            submitted = _local(rng.choice(weekdays), rng.randint(7 * 60 + 30, 17 * 60))
            channel = ResponseChannel.KIOSK if rng.random() < 0.45 else ResponseChannel.WEB
        if submitted > now:
            continue
        values, text = _answers(rng, scale, texts)
        bad = is_negative(survey, list(values.values()))
        responses.append(
            Response(
                survey=survey,
                agency=agency,
                channel=channel,
                dossier_id=pk,
                unit_id=unit_id,
                procedure_id=procedure_id,
                submitted_at=submitted,
                negative=bad,
            )
        )
        items: list[tuple[int, int | None, str]] = [(qid, v, "") for qid, v in values.items()]
        if text:
            items.append((texts[0].pk, None, text))
        answers.append(items)
        if bad and pk is not None:
            negative.append(pk)
    return responses, answers, negative


def delete_demo_surveys(agencies: Iterable[Agency]) -> None:
    """Every survey and response of the agencies, for ``cchc demo --reset`` (call it before the
    dossiers and agencies are deleted)."""
    agencies = list(agencies)
    Answer.objects.filter(response__agency__in=agencies).delete()
    Response.objects.filter(agency__in=agencies).delete()
    Question.objects.filter(survey__agency__in=agencies).delete()
    Aspect.objects.filter(survey__agency__in=agencies).delete()
    Survey.objects.filter(agency__in=agencies).delete()
