"""``cchc backup --out DIR [--json]``: the database, the media files and a manifest in DIR.

See ``cchc.core.backup`` for what the folder holds and docs/deploy.md for the schedule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.core.backup import BackupError, backup_create


def report_error(command: BaseCommand, error: BackupError, *, as_json: bool) -> CommandError:
    """With ``--json`` the error is printed as ``{"error": {"code", "message", "problems"}}``."""
    if as_json:
        command.stdout.write(json.dumps({"error": error.as_dict()}, ensure_ascii=False))
    details = "; ".join(
        ", ".join(f"{key}={value}" for key, value in problem.items()) for problem in error.problems
    )
    return CommandError(f"{error.message} {details}".strip())


class Command(BaseCommand):
    help = "Back up the database and the media files into a new folder, with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="A new (or empty) folder to write to.")
        parser.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        out = Path(options["out"])
        try:
            manifest = backup_create(out_dir=out)
        except BackupError as error:
            raise report_error(self, error, as_json=as_json) from error
        if as_json:
            self.stdout.write(
                json.dumps({"backup": str(out), **manifest}, ensure_ascii=False, indent=2)
            )
            return
        tables = manifest["database"]["tables"]
        media = manifest["media"]
        self.stdout.write(
            _("Backup written to %(dir)s: %(tables)s tables, %(rows)s rows, %(size)s bytes.")
            % {
                "dir": out,
                "tables": len(tables),
                "rows": sum(tables.values()),
                "size": sum(entry["bytes"] for entry in manifest["files"].values()),
            }
        )
        if "file" in media:
            self.stdout.write(_("Media files: %(count)s.") % {"count": media["files"]})
        else:
            self.stdout.write(_("Media files not included: %(why)s.") % {"why": media["skipped"]})
