"""The evidence package of an assessment: one ZIP with a table of contents and every file.

Layout of the archive::

    00_MUC_LUC.html                 table of contents by criterion (code, title, score of each
                                    round, the files with their path in the archive, linked tasks)
    <criterion code>/<file>         files attached to the criterion
    <criterion code>/<task code>/<file>
                                    evidence files of the plan tasks linked to the criterion

Names are made safe (``cchc.lib.uploads.sanitize_filename``) and unique within their folder. The
archive is written to a temporary file on disk, one file at a time in chunks (never a whole file
in memory), then moved to the storage; the job's progress follows the files copied.

Built by a background job (``cchc.core.jobs``): ``package_start(actor=…, assessment=…)``. The
person who started it downloads the result from ``scoring_package_download``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cchc.core.job_views import job_page
from cchc.core.jobs import JobFailed, Report, job_create, job_kind
from cchc.core.models import Job, JobStatus, User
from cchc.lib.uploads import sanitize_filename
from cchc.scoring.arithmetic import MEASURED
from cchc.scoring.models import Assessment, AssessmentItem, Criterion, ItemEvidence

SCORING_PACKAGE = "scoring_package"
TOC_NAME = "00_MUC_LUC.html"
CHUNK = 1024 * 1024

STEP_LISTING = gettext_noop("Listing the evidence of every criterion")
STEP_COPYING = gettext_noop("Copying the evidence files")
STEP_SAVING = gettext_noop("Saving the package")


@dataclass
class PackedFile:
    arcname: str  # path inside the archive
    original_name: str
    source: FieldFile
    size: int | None
    modified: dt.datetime | None
    task_code: str = ""
    missing: bool = False

    @property
    def href(self) -> str:
        return quote(self.arcname)


@dataclass
class TocTask:
    code: str
    title: str


@dataclass
class TocRow:
    """One criterion of the table of contents (parents as headings, leaves with their scores)."""

    code: str
    title: str
    depth: int
    is_leaf: bool
    max_points: Decimal
    self_score: Decimal | None = None
    appraisal_score: Decimal | None = None
    final_score: Decimal | None = None
    measured_value: Decimal | None = None
    files: list[PackedFile] = field(default_factory=list)
    tasks: list[TocTask] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Names:
    """Safe, unique paths inside the archive."""

    def __init__(self) -> None:
        self.used: set[str] = {TOC_NAME.casefold()}

    def folder(self, code: str) -> str:
        return sanitize_filename(code, max_length=60).replace(" ", "_") or "tieu-chi"

    def take(self, folder: str, name: str) -> str:
        safe = sanitize_filename(name)
        path = PurePosixPath(folder, safe)
        stem, suffix = path.stem, path.suffix
        number = 1
        while str(path).casefold() in self.used:
            number += 1
            path = PurePosixPath(folder, f"{stem} ({number}){suffix}")
        self.used.add(str(path).casefold())
        return str(path)


def _tree(criteria: list[Criterion]) -> list[tuple[Criterion, int, bool]]:
    """Every criterion depth first in (position, id) order, with its depth and whether it is
    a leaf."""
    ordered = sorted(criteria, key=lambda c: (c.position, c.pk))
    ids = {c.pk for c in ordered}
    children: dict[int | None, list[Criterion]] = {}
    for c in ordered:
        children.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    found: list[tuple[Criterion, int, bool]] = []

    def visit(node: Criterion, depth: int, seen: frozenset[int]) -> None:
        kids = [k for k in children.get(node.pk, []) if k.pk not in seen]
        found.append((node, depth, not kids))
        for kid in kids:
            visit(kid, depth + 1, seen | {kid.pk})

    for root in children.get(None, []):
        visit(root, 0, frozenset({root.pk}))
    return found


def _evidence_rows(assessment: Assessment) -> dict[int, list[ItemEvidence]]:
    rows = (
        ItemEvidence.objects.filter(item__assessment=assessment)
        .select_related("task", "task_evidence__task", "target__indicator")
        .prefetch_related("task__evidence")
        .order_by("added_at", "id")
    )
    by_item: dict[int, list[ItemEvidence]] = {}
    for row in rows:
        by_item.setdefault(row.item_id, []).append(row)
    return by_item


def _target_note(evidence: ItemEvidence) -> str:
    target = evidence.target
    if target is None:
        return ""
    subject = str(target.indicator or target.ranking or target.text[:80])
    if target.value is None:
        return _("Indicator: %(name)s") % {"name": subject}
    value = f"{floatformat(target.value, '-2')} {target.unit}".strip()
    return _("Indicator: %(name)s (target %(value)s)") % {"name": subject, "value": value}


class _Criterion:
    """Collects the files and tasks of one criterion, each task file once."""

    def __init__(self, row: TocRow, folder: str, names: _Names, files: list[PackedFile]):
        self.row, self.folder, self.names, self.files = row, folder, names, files
        self.task_files: set[int] = set()
        self.tasks: set[int] = set()

    def add_file(self, packed: PackedFile) -> None:
        self.files.append(packed)
        self.row.files.append(packed)

    def add_item_file(self, ev: ItemEvidence) -> None:
        name = ev.original_name or PurePosixPath(ev.file.name).name
        self.add_file(
            PackedFile(
                arcname=self.names.take(self.folder, name),
                original_name=ev.original_name,
                source=ev.file,
                size=ev.size,
                modified=ev.added_at,
            )
        )

    def add_task(self, task: Any) -> None:
        if task.pk not in self.tasks:
            self.tasks.add(task.pk)
            self.row.tasks.append(TocTask(code=task.code, title=task.title))

    def add_task_file(self, task_file: Any, task: Any) -> None:
        if task_file.pk in self.task_files or not task_file.file:
            return
        self.task_files.add(task_file.pk)
        folder = f"{self.folder}/{self.names.folder(task.code)}"
        name = task_file.original_name or PurePosixPath(task_file.file.name).name
        self.add_file(
            PackedFile(
                arcname=self.names.take(folder, name),
                original_name=task_file.original_name,
                source=task_file.file,
                size=task_file.size,
                modified=task_file.uploaded_at,
                task_code=task.code,
            )
        )


def plan_package(assessment: Assessment) -> tuple[list[TocRow], list[PackedFile]]:
    """The table of contents and the files to copy, with their paths in the archive."""
    criteria = list(assessment.framework.criteria.all())
    items = {
        item.criterion_id: item
        for item in AssessmentItem.objects.filter(assessment=assessment).select_related("criterion")
    }
    evidence = _evidence_rows(assessment)
    names = _Names()
    files: list[PackedFile] = []
    rows: list[TocRow] = []
    for criterion, depth, is_leaf in _tree(criteria):
        row = TocRow(
            code=criterion.code,
            title=criterion.title,
            depth=depth,
            is_leaf=is_leaf,
            max_points=criterion.max_points,
        )
        rows.append(row)
        item = items.get(criterion.pk)
        if item is None:
            continue
        row.self_score = item.self_score
        if row.self_score is None and criterion.method in MEASURED:
            row.self_score = item.measured_points
        row.appraisal_score = item.appraisal_score
        row.final_score = item.final_score
        row.measured_value = item.measured_value
        collect = _Criterion(row, names.folder(criterion.code), names, files)
        for ev in evidence.get(item.pk, []):
            if ev.file:
                collect.add_item_file(ev)
            # Only the agency's own tasks: a link to another agency's task never exports it.
            task_evidence = ev.task_evidence
            if task_evidence is not None and task_evidence.task.agency_id == assessment.agency_id:
                collect.add_task(task_evidence.task)
                collect.add_task_file(task_evidence, task_evidence.task)
            if ev.task is not None and ev.task.agency_id == assessment.agency_id:
                collect.add_task(ev.task)
                task_files = sorted(ev.task.evidence.all(), key=lambda e: (e.uploaded_at, e.pk))
                for task_file in task_files:
                    collect.add_task_file(task_file, ev.task)
            note = _target_note(ev)
            if note:
                row.notes.append(note)
            if ev.description:
                row.notes.append(ev.description)
    return rows, files


def _zip_time(moment: dt.datetime | None) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment or timezone.now())
    if local.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def write_package(
    assessment: Assessment,
    stream: Any,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the package of ``assessment`` as a ZIP into ``stream`` (a file opened for writing
    in binary). ``progress(done, total)`` is called after each file. Returns counts."""
    rows, files = plan_package(assessment)
    total = len(files)
    copied = 0
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for number, packed in enumerate(files, 1):
            info = zipfile.ZipInfo(packed.arcname, date_time=_zip_time(packed.modified))
            info.compress_type = zipfile.ZIP_DEFLATED
            try:
                source = packed.source.storage.open(packed.source.name, "rb")
            except (FileNotFoundError, OSError):
                packed.missing = True
            else:
                big = (packed.size or 0) > zipfile.ZIP64_LIMIT // 2
                with source, zf.open(info, "w", force_zip64=big) as target:
                    shutil.copyfileobj(source, target, CHUNK)
                copied += 1
            if progress is not None:
                progress(number, total)
        toc = render_to_string(
            "scoring/package_toc.html",
            {
                "assessment": assessment,
                "agency": assessment.agency,
                "framework": assessment.framework,
                "rows": rows,
                "files": files,
                "generated_at": timezone.localtime(),
            },
        )
        info = zipfile.ZipInfo(TOC_NAME, date_time=_zip_time(None))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, toc.encode("utf-8"))
    return {
        "files": copied,
        "missing": [f.arcname for f in files if f.missing],
        "criteria": sum(1 for row in rows if row.is_leaf),
    }


def package_filename(assessment: Assessment) -> str:
    return f"ho-so-chi-so-cchc-{assessment.agency.code}-{assessment.framework.year}.zip"


# --- the job ------------------------------------------------------------------------------------


def package_start(*, actor: User, assessment: Assessment, language: str = "") -> Job:
    """Queue the building of the package. The caller has checked that ``actor`` may read the
    assessment's evidence."""
    return job_create(
        actor=actor,
        kind=SCORING_PACKAGE,
        agency=assessment.agency,
        params={
            "assessment": assessment.pk,
            "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        },
    )


@job_kind(SCORING_PACKAGE)
def package_job(job: Job, report: Report) -> dict[str, Any]:
    """``job.params``: ``assessment`` (id) and ``language`` (of the table of contents)."""
    assessment = (
        Assessment.objects.select_related("agency", "framework")
        .filter(pk=job.params.get("assessment"))
        .first()
    )
    if assessment is None:
        raise JobFailed(_("The assessment of this package no longer exists."))
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        report(2, STEP_LISTING)
        last = [2]

        def progress(done: int, total: int) -> None:
            percent = 5 + int(90 * done / total) if total else 95
            if percent > last[0]:
                last[0] = percent
                report(percent, STEP_COPYING)

        with tempfile.TemporaryFile(suffix=".zip") as temporary:
            summary = write_package(assessment, temporary, progress=progress)
            report(96, STEP_SAVING)
            size = temporary.tell()
            temporary.seek(0)
            folder = f"packages/{assessment.agency.code}/{assessment.framework.year}"
            path = default_storage.save(f"{folder}/{secrets.token_hex(16)}.zip", File(temporary))
    return {
        **summary,
        "assessment": assessment.pk,
        "path": path,
        "filename": package_filename(assessment),
        "bytes": size,
    }


def package_forget_old(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete the stored archives of packages built more than ``older_than`` ago (they can be
    built again at any time). Returns how many were deleted."""
    deleted = 0
    old = Job.objects.filter(
        kind=SCORING_PACKAGE,
        status=JobStatus.SUCCEEDED,
        finished_at__lt=timezone.now() - older_than,
        result__has_key="path",
    )
    for job in old:
        result = dict(job.result or {})
        path = result.pop("path", "")
        if path:
            default_storage.delete(path)
            deleted += 1
        result["expired"] = True
        Job.objects.filter(pk=job.pk).update(result=result)
    return deleted


job_page(
    SCORING_PACKAGE,
    title=gettext_lazy("Building the evidence package"),
    next_url=lambda job: reverse("scoring_package_ready", args=[job.pk]),
)
