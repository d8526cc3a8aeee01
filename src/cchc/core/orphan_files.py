"""Files of the media storage that no row owns: left by a process killed between writing an
upload's file and committing its row (issue 8, fault test b), or by a transaction rolled back
after the file was written.

A file is written before its row is committed, so that no committed row ever points to a
missing file. The price is that a crash in between leaves a file without a row: invisible to
everyone (nothing links to it) but taking room, and for evidence and feedback attachments
holding personal data that nobody can then find to erase. The duty ``forget_orphan_files``
(every night) deletes them once they are older than any upload or job could still be running
(``DEFAULT_MIN_AGE``); ``cchc sweep_orphan_files`` does it at once, e.g. after a crash.

Only the folders listed in ``OWNED`` are swept, each owned by the file fields named there: every
file in them belongs to one of those rows. Other folders of the storage (job inputs, plan
appendices, evidence packages) are kept by their own rules.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)

# folder of the media storage → the file fields (app.Model.field) whose rows own its files
OWNED: dict[str, tuple[str, ...]] = {
    "evidence": ("plans.Evidence.file",),
    "feedback": ("feedback.FeedbackAttachment.file",),
    "scoring": ("scoring.ItemEvidence.file",),
    "report_templates": ("reports.ReportTemplate.file",),
    "reports": ("reports.Report.docx", "reports.Report.xlsx", "reports.Report.pdf"),
}
DEFAULT_MIN_AGE = dt.timedelta(hours=24)


@dataclass
class Sweep:
    checked: int = 0
    deleted: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"checked": self.checked, "deleted": len(self.deleted), "names": self.deleted}


def _owned_names(fields: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for dotted in fields:
        app_label, model_name, field_name = dotted.split(".")
        model = apps.get_model(app_label, model_name)
        names.update(
            model._default_manager.exclude(**{field_name: ""})
            .values_list(field_name, flat=True)
            .iterator()
        )
    return names


def _walk(storage: Storage, folder: str):
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}")


def sweep_orphan_files(
    *,
    min_age: dt.timedelta = DEFAULT_MIN_AGE,
    dry_run: bool = False,
    storage: Storage | None = None,
) -> Sweep:
    """Delete (or with ``dry_run`` only list) the files of the ``OWNED`` folders that no row
    owns and that were last written more than ``min_age`` ago."""
    storage = storage or default_storage
    cutoff = timezone.now() - min_age
    result = Sweep()
    for folder, fields in OWNED.items():
        owned = _owned_names(fields)
        for name in _walk(storage, folder):
            result.checked += 1
            if name in owned or storage.get_modified_time(name) > cutoff:
                continue
            if not dry_run:
                storage.delete(name)
                log.warning("deleted %s: no row owns it", name)
            result.deleted.append(name)
    return result


def forget_orphan_files() -> int:
    return len(sweep_orphan_files().deleted)


@task()
def forget_orphan_files_job() -> int:
    return forget_orphan_files()
