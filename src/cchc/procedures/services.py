"""Writes of the procedures app: the catalogue import, the dossier ingest, apology letters.

Both imports follow DESIGN.md §5: one transaction per file; a file with any invalid row writes
nothing and every bad row is listed (row, column, reason) unless ``skip_invalid``, which loads
the valid rows and reports the rest. The summary is the same for the commands, the job and the
API: ``{"rows", "created", "updated", "unchanged", "rejected", "errors": [{"row", "column",
"message"}], "errors_total", "written"}`` (``errors`` lists at most ``MAX_ERRORS``;
``errors_total`` counts them all; ``written`` is false when nothing was saved).

The dossier ingest streams: rows are read one at a time and handled in batches of
``BATCH_SIZE`` (one query finds the batch's dossiers already stored, one statement writes the
new ones, one the changed ones), so memory does not grow with the file, except for the check of
codes repeated within the file: a set of the codes' 64-bit hashes (about 60 MB for a million
rows, measured by ``bench/bench_ingest.py``; a set of the codes themselves would be ~100 MB).
Two different codes with the same 64-bit hash would be reported as a repetition; with a million
codes the chance is about 3 × 10⁻⁸.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.models import Agency, Unit, User
from cchc.procedures import rollups
from cchc.procedures.ingest import (
    DOSSIER_FIELDS,
    F_CODE,
    LOCAL,
    PROCEDURE_FIELDS,
    DossierRowParser,
    FileError,
    ParsedDossier,
    ProcedureInfo,
    Table,
    open_table,
    parse_procedure_row,
)
from cchc.procedures.models import (
    ApologyLetter,
    Dossier,
    DossierStatus,
    Procedure,
)
from cchc.procedures.rules import DossierTimes, finished_effective_at, on_time_when_finished
from cchc.procedures.store import Existing, Store, store_for

BATCH_SIZE = 5000
MAX_ERRORS = 1000

Progress = Callable[[float], None]


class _Rollback(Exception):
    """Raised inside the transaction to undo a file that had invalid rows."""


@dataclass
class Summary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    written: bool = False

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})

    def file_error(self, exc: FileError) -> None:
        self.error(None, exc.column, exc.message)

    @property
    def failed(self) -> bool:
        """Nothing was saved because of bad input (the commands then exit non-zero)."""
        return not self.written and self.errors_total > 0

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
            "errors_total": self.errors_total,
            "written": self.written,
        }

    def nothing_written(self) -> None:
        self.created = self.updated = self.unchanged = 0
        self.written = False


# --- procedure catalogue -------------------------------------------------------------------------

_PROCEDURE_VALUES = tuple(f.alias for f in PROCEDURE_FIELDS)
# Fields of a procedure that the received rollups count by (fee_bearing, paper_result).
_ROLLUP_FIELDS = ("fee_bearing", "paper_result")


def procedure_import(
    *, actor: User | None, agency: Agency, stream: IO[bytes], skip_invalid: bool = False
) -> dict[str, Any]:
    """Create or update the agency's procedures from a catalogue file, keyed by code."""
    summary = Summary()
    try:
        table = open_table(stream, PROCEDURE_FIELDS)
    except FileError as exc:
        summary.file_error(exc)
        return summary.as_json()
    try:
        with transaction.atomic():
            _import_procedures(actor, agency, table, summary, skip_invalid)
            if summary.errors_total and not skip_invalid:
                raise _Rollback
    except _Rollback:
        summary.nothing_written()
    return summary.as_json()


def _import_procedures(
    actor: User | None, agency: Agency, table: Table, summary: Summary, skip_invalid: bool
) -> None:
    existing = {p.code: p for p in Procedure.objects.filter(agency=agency)}
    seen: set[str] = set()
    changed_for_rollups: list[int] = []
    for number, cells, reason in table.rows:
        summary.rows += 1
        if cells is None:
            summary.rejected += 1
            summary.error(number, None, reason or "")
            continue
        values, problems = parse_procedure_row(cells)
        code = cells[0].strip()
        if code and code in seen:
            problems.append((0, _("This procedure code appears earlier in the file.")))
            values = None
        seen.add(code)
        if values is None:
            summary.rejected += 1
            for index, message in problems:
                summary.error(number, table.label(index), message)
            continue
        if summary.errors_total and not skip_invalid:
            continue  # the file will be rolled back: only look for more errors
        procedure = existing.get(code)
        if procedure is None:
            procedure = Procedure(agency=agency, **values)
            procedure.full_clean(validate_unique=False)
            procedure.save()
            existing[code] = procedure
            summary.created += 1
            audit.record(
                actor=actor, action="procedure_import_create", obj=procedure, agency=agency
            )
            continue
        before = {name: getattr(procedure, name) for name in _PROCEDURE_VALUES}
        changes = audit.diff(before, values)
        if not changes:
            summary.unchanged += 1
            continue
        for name, value in values.items():
            setattr(procedure, name, value)
        procedure.full_clean(validate_unique=False)
        procedure.save()
        summary.updated += 1
        if any(name in changes for name in _ROLLUP_FIELDS):
            changed_for_rollups.append(procedure.pk)
        audit.record(
            actor=actor,
            action="procedure_import_update",
            obj=procedure,
            agency=agency,
            changes=changes,
        )
    if changed_for_rollups and not (summary.errors_total and not skip_invalid):
        days = (
            Dossier.objects.filter(agency=agency, procedure_id__in=changed_for_rollups)
            .values_list("received_day", flat=True)
            .distinct()
        )
        rollups.refresh(agency.pk, received_days=list(days))
    summary.written = True


# --- dossier ingest ------------------------------------------------------------------------------


# Plain ints: enum comparisons cost more than the rest of this function, a million times.
_RETURNED, _DONE, _SUPPLEMENT, _ACCEPTED = (
    int(DossierStatus.RETURNED),
    int(DossierStatus.DONE),
    int(DossierStatus.SUPPLEMENT),
    int(DossierStatus.ACCEPTED),
)


def status_time(parsed: ParsedDossier) -> dt.datetime | None:
    """The time the row's own dates give for its status, if any."""
    status = parsed.status
    if status == _RETURNED:
        return parsed.returned_at
    if status == _DONE:
        return parsed.finished_at
    if status == _SUPPLEMENT:
        return parsed.supplement_requested_at
    if status == _ACCEPTED:
        return parsed.received_at
    return None


def _lookups(agency: Agency) -> tuple[dict[str, ProcedureInfo], dict[str, int]]:
    procedures = {
        code: ProcedureInfo(pk, reduced if reduced is not None else limit, unit)
        for pk, code, limit, reduced, unit in Procedure.objects.filter(agency=agency).values_list(
            "pk", "code", "time_limit", "reduced_time_limit", "time_unit"
        )
    }
    units = dict(Unit.objects.filter(agency=agency).values_list("code", "pk"))
    return procedures, units


class _Ingest:
    """One dossier file into one agency, inside the caller's transaction."""

    def __init__(self, agency: Agency, table: Table, summary: Summary, skip_invalid: bool):
        from cchc.core.calendar import get_calendar

        self.agency = agency
        self.table = table
        self.summary = summary
        self.skip_invalid = skip_invalid
        procedures, units = _lookups(agency)
        self.parser = DossierRowParser(
            procedures=procedures, units=units, deadline=get_calendar().deadline
        )
        self.now = timezone.now()
        self.now_local = self.now.astimezone(LOCAL).replace(tzinfo=None)
        self.received_days: set[dt.date] = set()
        self.finished_days: set[dt.date] = set()
        self.store: Store | None = None
        self.may_exist = True

    @property
    def failing(self) -> bool:
        return bool(self.summary.errors_total) and not self.skip_invalid

    def run(self, progress: Progress | None) -> None:
        self.store = store_for(self.agency.pk)
        self.store.lock()
        try:
            self.may_exist = self.store.has_dossiers()
            self._read(progress)
            if self.failing:
                raise _Rollback
            rollups.refresh(
                self.agency.pk,
                received_days=self.received_days,
                finished_days=self.finished_days,
            )
        finally:
            self.store.finish()

    def _read(self, progress: Progress | None) -> None:
        summary, table, parse = self.summary, self.table, self.parser.parse
        seen: set[int] = set()
        batch: list[ParsedDossier] = []
        for number, cells, reason in table.rows:
            summary.rows += 1
            if cells is None:
                summary.rejected += 1
                summary.error(number, None, reason or "")
                continue
            parsed, problems = parse(cells)
            code = cells[F_CODE].strip()
            if code:
                key = hash(code)
                if key in seen:
                    problems.append((F_CODE, _("This dossier code appears earlier in the file.")))
                    parsed = None
                else:
                    seen.add(key)
            if parsed is None:
                summary.rejected += 1
                for index, message in problems:
                    summary.error(number, table.label(index), message)
                continue
            batch.append(parsed)
            if len(batch) >= BATCH_SIZE:
                self._write(batch)
                batch = []
                if progress is not None:
                    fraction = table.progress()
                    if fraction is not None:
                        progress(fraction)
        if batch:
            self._write(batch)

    def _write(self, batch: list[ParsedDossier]) -> None:
        if self.failing:
            return  # nothing will be kept: only the reading goes on, to list every error
        store = self.store
        assert store is not None
        existing = store.existing([p.code for p in batch]) if self.may_exist else {}
        new = [p for p in batch if p.code not in existing] if existing else batch
        ids = store.new_ids(len(new)) if new else []
        inserts: list[tuple] = []
        updates: list[tuple] = []
        events: list[tuple] = []
        adapt, day = store.dt, store.day
        agency_id, now, now_local = self.agency.pk, adapt(self.now_local), self.now_local
        received_days, finished_days = self.received_days, self.finished_days
        next_id = iter(ids).__next__
        for p in batch:
            old: Existing | None = existing.get(p.code) if existing else None
            if old is not None and old.row_hash == p.row_hash:
                self.summary.unchanged += 1
                continue
            at = status_time(p)
            if old is not None and at is None:
                at = old.status_at if old.status == p.status else now_local
            times = DossierTimes(
                p.received_at,
                p.due_at,
                p.finished_at,
                p.returned_at,
                p.status,
                at,
                p.supplement_requested_at,
                p.supplement_completed_at,
                p.supplement_rounds,
            )
            finished = finished_effective_at(times)
            on_time = on_time_when_finished(times)
            received_day = p.received_at.date()
            finished_day = finished.date() if finished is not None else None
            received_days.add(received_day)
            if finished_day is not None:
                finished_days.add(finished_day)
            values = (
                p.unit_id,
                p.procedure.id,
                p.code,
                p.channel,
                adapt(p.received_at),
                adapt(p.due_at),
                p.due_computed,
                adapt(p.finished_at),
                adapt(p.returned_at),
                p.status,
                adapt(at),
                adapt(p.supplement_requested_at),
                adapt(p.supplement_completed_at),
                p.supplement_rounds,
                p.components_digitized,
                p.result_digitized,
                p.paid_online,
            )
            derived = (
                adapt(finished),
                day(received_day),
                day(finished_day),
                on_time,
                p.row_hash,
                now,
            )
            if old is None:
                inserts.append((next_id(), agency_id, *values, False, *derived))
                continue
            updates.append((*values[:2], *values[3:], *derived, old.id))
            received_days.add(old.received_day)
            if old.finished_day is not None:
                finished_days.add(old.finished_day)
            if old.status != p.status:
                events.append((old.id, p.status, adapt(at or now_local), now))
        if inserts:
            store.insert(inserts)
            store.add_first_events(ids[0], ids[-1], self.now_local)
            self.summary.created += len(inserts)
        if updates:
            store.update(updates)
            store.add_events(events)
            self.summary.updated += len(updates)


def dossier_ingest(
    *,
    actor: User | None,
    agency: Agency,
    stream: IO[bytes] | None = None,
    table: Table | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    on_written: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Load a dossier file (or an already opened table, e.g. the API's JSON array) into the
    agency's register and bring its rollups up to date, in one transaction. ``on_written`` is
    called with the summary inside that transaction, last, when the file is written: what it
    records (the job's outcome) commits with the dossiers or not at all."""
    summary = Summary()
    if table is None:
        assert stream is not None
        try:
            table = open_table(stream, DOSSIER_FIELDS)
        except FileError as exc:
            summary.file_error(exc)
            return summary.as_json()
    try:
        with transaction.atomic():
            _Ingest(agency, table, summary, skip_invalid).run(progress)
            summary.written = True
            audit.record(
                actor=actor,
                action="dossier_ingest",
                obj=agency,
                agency=agency,
                changes={
                    k: v for k, v in summary.as_json().items() if k not in ("errors", "written")
                },
            )
            if on_written is not None:
                on_written(summary.as_json())
    except _Rollback:
        summary.nothing_written()
    return summary.as_json()


# --- apology letters -----------------------------------------------------------------------------


def apology_letter_create(
    *,
    actor: User | None,
    dossier: Dossier,
    issued_at: dt.datetime,
    new_due_at: dt.datetime | None = None,
    reason: str = "",
) -> ApologyLetter:
    """Record the letter of apology for a dossier that will be late (DESIGN.md §4.2). The
    return date may be moved once: a second letter with a new appointment is refused."""
    errors: dict[str, str] = {}
    if issued_at < dossier.received_at:
        errors["issued_at"] = _("The letter cannot be issued before the dossier was received.")
    if new_due_at is not None:
        if new_due_at <= dossier.due_at:
            errors["new_due_at"] = _("The new appointment must be after the deadline.")
        elif dossier.apologies.filter(new_due_at__isnull=False).exists():
            errors["new_due_at"] = _("The return date of a dossier may be moved only once.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        letter = ApologyLetter(
            dossier=dossier, issued_at=issued_at, new_due_at=new_due_at, reason=reason
        )
        letter.full_clean()
        letter.save()
        audit.record(
            actor=actor,
            action="apology_letter_create",
            obj=letter,
            agency=dossier.agency,
            changes={"issued_at": issued_at, "new_due_at": new_due_at},
        )
    return letter


def apology_is_timely(letter: ApologyLetter) -> bool:
    """A letter is on time when issued at least one day before the dossier's deadline."""
    return letter.issued_at <= letter.dossier.due_at - dt.timedelta(days=1)


# --- citizens' signals about a dossier -----------------------------------------------------------


@transaction.atomic
def dossier_mark_negative(*, dossier: Dossier, source: str) -> bool:
    """Record that a citizen rated the handling of ``dossier`` badly or sent feedback about it
    (DESIGN.md §4.3, handling_satisfaction_rate), and bring the rollup of its receipt day up to
    date. ``source`` names what said so (``survey`` or ``feedback``) for the audit trail.
    Returns False when the dossier was already marked."""
    marked = Dossier.objects.filter(pk=dossier.pk, negative_feedback=False).update(
        negative_feedback=True
    )
    if not marked:
        return False
    dossier.negative_feedback = True
    rollups.refresh(dossier.agency_id, received_days=[dossier.received_day])
    audit.record(
        actor=None,
        action="dossier.negative",
        obj=dossier,
        agency=dossier.agency,
        changes={"negative_feedback": True, "source": source},
    )
    return True
