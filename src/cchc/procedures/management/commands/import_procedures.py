"""cchc import_procedures FILE --agency CODE [--skip-invalid] [--json]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc.procedures.management.commands._files import answer, fail, find_agency
from cchc.procedures.services import procedure_import


class Command(BaseCommand):
    help = _("Import an agency's procedure catalogue (CSV, XLSX or JSON Lines), keyed by code.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the catalogue file"))
        parser.add_argument("--agency", required=True, help=_("code of the agency"))
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_("load the valid rows and report the others (default: all or nothing)"),
        )
        parser.add_argument("--json", action="store_true", help=_("answer in JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        agency = find_agency(self, options["agency"], as_json=as_json)
        path = Path(options["file"])
        if not path.is_file():
            raise fail(self, _("File not found: %(path)s") % {"path": path}, as_json=as_json)
        with path.open("rb") as stream:
            summary = procedure_import(
                actor=None, agency=agency, stream=stream, skip_invalid=options["skip_invalid"]
            )
        answer(self, summary, as_json=as_json)
