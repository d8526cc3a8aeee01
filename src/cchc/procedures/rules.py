"""The rules of DESIGN.md §4.3 for one dossier, as plain functions on its fields.

Shared by the ingest (which stores what does not depend on the period) and by the metrics
(which evaluate the unfinished dossiers at the end of a period). After Quyết định 766/QĐ-TTg
and the national portal's published method ("operator rule" where marked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cchc.procedures.models import ENDING_STATES

# supplement_rounds at or above this make a dossier late (operator rule, national portal).
LATE_SUPPLEMENT_ROUNDS = 2


@dataclass(frozen=True)
class DossierTimes:
    received_at: dt.datetime
    due_at: dt.datetime
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    status: int
    status_at: dt.datetime | None
    supplement_requested_at: dt.datetime | None
    supplement_completed_at: dt.datetime | None
    supplement_rounds: int


def finished_effective_at(d: DossierTimes) -> dt.datetime | None:
    """*finished* = finished_at, else returned_at, else the time of state 3/7/8 if known."""
    if d.finished_at is not None:
        return d.finished_at
    if d.returned_at is not None:
        return d.returned_at
    if d.status in ENDING_STATES and d.status_at is not None:
        return d.status_at
    return None


def clock_end(d: DossierTimes, effective_end: dt.datetime) -> dt.datetime:
    """The moment the clock stopped: ``effective_end`` is the finish time when the dossier
    finished within the period, else the end of the period. A supplement requested and not
    completed by then stops the clock at the request; a completed one inside [received,
    effective end] is a pause taken off the end (DESIGN.md §4.3)."""
    requested, completed = d.supplement_requested_at, d.supplement_completed_at
    if requested is not None and d.received_at <= requested <= effective_end:
        if completed is None or completed > effective_end:
            return requested
        if completed >= requested:
            return effective_end - (completed - requested)
    return effective_end


def is_on_time(d: DossierTimes, effective_end: dt.datetime) -> bool:
    """On time ⇔ (effective end − supplement pause) ≤ due; a second supplement round makes the
    dossier late whatever the times (operator rule)."""
    return d.supplement_rounds < LATE_SUPPLEMENT_ROUNDS and clock_end(d, effective_end) <= d.due_at


def on_time_when_finished(d: DossierTimes) -> bool | None:
    """Whether the dossier, once finished, was on time; None while unfinished. Independent of
    the period, so the ingest stores it."""
    finished = finished_effective_at(d)
    if finished is None:
        return None
    return is_on_time(d, finished)
