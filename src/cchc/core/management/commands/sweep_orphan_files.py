"""``cchc sweep_orphan_files [--min-age-hours H] [--dry-run] [--json]``: delete the uploaded and
generated files no row owns (``cchc.core.orphan_files``), e.g. after a crash; the nightly duty
``forget_orphan_files`` does the same for files a day old.

``--min-age-hours 0`` takes every such file: use it only while no upload or job runs (the
web and job workers stopped), or a file whose row is about to be committed could go.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.orphan_files import DEFAULT_MIN_AGE, sweep_orphan_files


class Command(BaseCommand):
    help = "Delete uploaded or generated files that no row owns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-age-hours",
            type=float,
            default=DEFAULT_MIN_AGE.total_seconds() / 3600,
            help="Keep files written less than this many hours ago (default 24).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["min_age_hours"]
        if hours < 0:
            raise CommandError("--min-age-hours cannot be negative.", returncode=2)
        result = sweep_orphan_files(min_age=dt.timedelta(hours=hours), dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps({**result.as_json(), "dry_run": options["dry_run"]}))
            return
        verb = "would delete" if options["dry_run"] else "deleted"
        for name in result.deleted:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{result.checked} files checked, {len(result.deleted)} {verb}.")
