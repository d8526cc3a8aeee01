"""Writes of the surveys: the agency's first survey from the shipped questionnaire, new versions,
publication, and a citizen's response.

A response is anonymous and is not written to the audit trail: the trail records what people
of the agencies did, and a row per answer would only add a timestamp that could help tell who
answered a dossier's survey. Changes to the questionnaire are audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.models import Agency, User
from cchc.lib.text import plain_text, validate_plain_text
from cchc.procedures.models import Dossier
from cchc.procedures.services import dossier_mark_negative
from cchc.surveys import defaults
from cchc.surveys.models import (
    TEXT_MAX_LENGTH,
    Answer,
    Aspect,
    Question,
    QuestionKind,
    Response,
    ResponseChannel,
    Survey,
)


class AlreadyAnswered(Exception):
    """The dossier's survey has been answered; a second answer is refused."""


# --- the questionnaire ---------------------------------------------------------------------------


def active_survey(agency: Agency) -> Survey | None:
    return Survey.objects.filter(agency=agency, active=True).first()


def survey_default_for(agency: Agency) -> Survey | None:
    """The agency's active survey. An agency that never had one gets version 1 of the shipped
    questionnaire (``cchc.surveys.defaults``: the five aspects and the 5-point scale of the
    SIPAS method of Bộ Nội vụ, as editable data), created once; an agency whose surveys were
    all closed by the administrator gets None (no survey open)."""
    survey = active_survey(agency)
    if survey is not None or Survey.objects.filter(agency=agency).exists():
        return survey
    try:
        with transaction.atomic():
            return _create_default(agency)
    except IntegrityError:  # created by a request running at the same moment
        return active_survey(agency)


def _create_default(agency: Agency) -> Survey:
    survey = Survey.objects.create(
        agency=agency,
        version=1,
        title=defaults.TITLE,
        introduction=defaults.INTRODUCTION,
        scale_max=defaults.SCALE_MAX,
        scale_labels="\n".join(defaults.SCALE_LABELS),
        satisfied_from=defaults.SATISFIED_FROM,
        negative_below=defaults.NEGATIVE_BELOW,
        method=defaults.METHOD,
        active=True,
        published_at=timezone.now(),
    )
    position = 0
    for aspect_position, spec in enumerate(defaults.ASPECTS, 1):
        aspect = Aspect.objects.create(
            survey=survey, code=spec.code, name=spec.name, position=aspect_position
        )
        for question in spec.questions:
            position += 1
            Question.objects.create(
                survey=survey,
                aspect=aspect,
                text=question.text,
                position=position,
                kind=QuestionKind.SCALE,
                required=question.required,
            )
    Question.objects.create(
        survey=survey,
        text=defaults.FREE_TEXT.text,
        position=position + 1,
        kind=QuestionKind.TEXT,
        required=defaults.FREE_TEXT.required,
    )
    audit.record(actor=None, action="survey.create_default", obj=survey, agency=agency)
    return survey


@transaction.atomic
def survey_new_version(*, actor: User | None, survey: Survey) -> Survey:
    """A copy of ``survey`` (aspects and questions) as the agency's next version, not active:
    edit it, then publish it. Answers already given keep pointing to the old version."""
    latest = Survey.objects.filter(agency_id=survey.agency_id).aggregate(v=Max("version"))["v"]
    copy = Survey.objects.create(
        agency_id=survey.agency_id,
        version=(latest or 0) + 1,
        title=survey.title,
        introduction=survey.introduction,
        scale_max=survey.scale_max,
        scale_labels=survey.scale_labels,
        satisfied_from=survey.satisfied_from,
        negative_below=survey.negative_below,
        method=survey.method,
        active=False,
    )
    aspects = {}
    for aspect in survey.aspects.all():
        aspects[aspect.pk] = Aspect.objects.create(
            survey=copy, code=aspect.code, name=aspect.name, position=aspect.position
        )
    Question.objects.bulk_create(
        Question(
            survey=copy,
            aspect=aspects.get(question.aspect_id) if question.aspect_id else None,
            text=question.text,
            position=question.position,
            kind=question.kind,
            required=question.required,
        )
        for question in survey.questions.all()
    )
    audit.record(
        actor=actor,
        action="survey.new_version",
        obj=copy,
        agency=survey.agency,
        changes={"copied_from": survey.version},
    )
    return copy


@transaction.atomic
def survey_publish(*, actor: User | None, survey: Survey) -> Survey:
    """Make ``survey`` the agency's active survey (the others are closed)."""
    survey.full_clean()
    if not survey.questions.exists():
        raise ValidationError(_("A survey without questions cannot be published."))
    Survey.objects.filter(agency_id=survey.agency_id, active=True).exclude(pk=survey.pk).update(
        active=False
    )
    Survey.objects.filter(pk=survey.pk).update(active=True, published_at=timezone.now())
    survey.refresh_from_db()
    audit.record(
        actor=actor,
        action="survey.publish",
        obj=survey,
        agency=survey.agency,
        changes={"version": survey.version},
    )
    return survey


# --- responses -----------------------------------------------------------------------------------


def is_negative(survey: Survey, values: list[int]) -> bool:
    """The rule that makes a response a negative rating of its dossier's handling (it then counts
    in handling_satisfaction_rate, DESIGN.md §4.3): the mean of its scale answers is below the
    survey's ``negative_below`` (3 on the shipped 5-point scale: on average, worse than
    "bình thường"). A single low mark among good ones does not make the rating negative; a
    response without any scale answer is not a rating."""
    if not values:
        return False
    return Fraction(sum(values), len(values)) < Fraction(Decimal(survey.negative_below))


def _clean_answers(
    survey: Survey, questions: list[Question], answers: Mapping[int, int | str | None]
) -> dict[int, int | str]:
    """The given answers, checked against the survey's questions: ratings on the scale, texts
    plain and not too long, every required question answered, something answered at all."""
    by_id = {q.pk: q for q in questions}
    unknown = set(answers) - set(by_id)
    if unknown:
        raise ValidationError(_("The answers do not match the survey's questions."))
    errors: list[ValidationError] = []
    cleaned: dict[int, int | str] = {}
    for question in questions:
        raw = answers.get(question.pk)
        if question.kind == QuestionKind.SCALE:
            if raw in (None, ""):
                value = None
            else:
                try:
                    value = int(raw)  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    value = 0
                if not 1 <= value <= survey.scale_max:
                    errors.append(
                        ValidationError(
                            _("An answer is outside the scale from 1 to %(max)d.")
                            % {"max": survey.scale_max}
                        )
                    )
                    continue
            if value is not None:
                cleaned[question.pk] = value
            elif question.required:
                errors.append(
                    ValidationError(
                        _("Please answer the question: %(question)s") % {"question": question.text}
                    )
                )
        else:
            text = plain_text(str(raw or ""))
            if len(text) > TEXT_MAX_LENGTH:
                errors.append(
                    ValidationError(
                        _("A text answer may have at most %(max)d characters.")
                        % {"max": TEXT_MAX_LENGTH}
                    )
                )
                continue
            try:
                validate_plain_text(text)
            except ValidationError as exc:
                errors.append(exc)
                continue
            if text:
                cleaned[question.pk] = text
            elif question.required:
                errors.append(
                    ValidationError(
                        _("Please answer the question: %(question)s") % {"question": question.text}
                    )
                )
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("Please answer at least one question before sending."))
    return cleaned


def response_submit(
    *,
    survey: Survey,
    channel: str,
    answers: Mapping[int, int | str | None],
    dossier: Dossier | None = None,
) -> Response:
    """Store a citizen's answers (``{question id: rating or text}``), all or nothing.

    Tied to a dossier, the response is the dossier's only one (``AlreadyAnswered`` otherwise,
    also when another answer wins a race: the unique constraint decides), carries the
    dossier's unit and procedure, and — when negative (``is_negative``) — marks the dossier
    through ``dossier_mark_negative`` in the same transaction."""
    if channel not in ResponseChannel.values:
        raise ValidationError(_("Unknown channel."))
    if dossier is not None and dossier.agency_id != survey.agency_id:
        raise ValidationError(_("The dossier belongs to another agency."))
    questions = list(survey.questions.all())
    cleaned = _clean_answers(survey, questions, answers)
    if dossier is not None and Response.objects.filter(dossier=dossier).exists():
        raise AlreadyAnswered
    values = [v for v in cleaned.values() if isinstance(v, int)]
    negative = is_negative(survey, values)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                agency_id=survey.agency_id,
                channel=channel,
                dossier=dossier,
                unit_id=dossier.unit_id if dossier is not None else None,
                procedure_id=dossier.procedure_id if dossier is not None else None,
                negative=negative,
            )
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    question_id=question_id,
                    value=value if isinstance(value, int) else None,
                    text=value if isinstance(value, str) else "",
                )
                for question_id, value in cleaned.items()
            )
            if dossier is not None and negative:
                dossier_mark_negative(dossier=dossier, source="survey")
    except IntegrityError as exc:
        if dossier is not None and Response.objects.filter(dossier=dossier).exists():
            raise AlreadyAnswered from exc
        raise
    return response
