"""Fixtures of the survey tests: agency A's default survey, its dossiers, and a way to fill the
public form."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from cchc.procedures import rollups
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure
from cchc.surveys.models import QuestionKind, Survey
from cchc.surveys.services import survey_default_for


@pytest.fixture
def survey(world) -> Survey:
    return survey_default_for(world.a.agency)


def form_data(survey: Survey, value: int = 5, text: str = "", **extra) -> dict[str, str]:
    """POST data answering every scale question of ``survey`` with ``value``."""
    data: dict[str, str] = {}
    for question in survey.questions.all():
        if question.kind == QuestionKind.SCALE:
            data[f"q{question.pk}"] = str(value)
        elif text:
            data[f"q{question.pk}"] = text
    data.update(extra)
    return data


_procedure_codes = itertools.count(1)


def dossier_of(agency, *, unit=None, code="STP-260302-0001", procedure=None, **fields):
    """A dossier of ``agency`` received on 02/03/2026, finished on time, with rollups built."""
    procedure = procedure or make_procedure(agency, code=f"1.{next(_procedure_codes):06d}")
    dossier = make_dossier(
        procedure,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-06 17:00"),
        finished_at=at("2026-03-05 10:00"),
        unit=unit,
        code=code,
        **fields,
    )
    rollups.rebuild(agency.pk)
    return dossier


MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
