"""``cchc restore DIR [--yes] [--json]``: put back a backup made by ``cchc backup``.

Every checksum is verified before anything is touched. Stop the web, worker and scheduler
processes first (docs/deploy.md, "Restoring").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from cchc.core.backup import BackupError, restore
from cchc.core.management.commands.backup import report_error


class Command(BaseCommand):
    help = "Restore the database and the media files from a backup folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_dir", help="A folder written by `cchc backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace a database that already has tables (and the media folder).",
        )
        parser.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        try:
            summary = restore(backup_dir=Path(options["backup_dir"]), overwrite=options["yes"])
        except BackupError as error:
            raise report_error(self, error, as_json=as_json) from error
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("Restored %(rows)s rows in %(tables)s tables from the backup of %(created)s.")
            % {
                "rows": summary["rows"],
                "tables": summary["tables"],
                "created": summary["created_at"],
            }
        )
        if "files" in summary["media"]:
            self.stdout.write(_("Media files: %(count)s.") % {"count": summary["media"]["files"]})
