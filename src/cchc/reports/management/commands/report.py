"""``cchc report --agency CODE --period 2026|2026-H1|2026-Q1|2026-Q3|FROM..TO
--format docx|xlsx|pdf --out FILE [--json]``: the periodic CCHC report of DESIGN.md §4.7 from
live data. With ``--json`` the answer is ``{"agency", "period", "format", "out", "bytes",
"snapshot"}``; on bad input ``{"error": {"code", "message"}}`` and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.core.models import Agency
from cchc.reports.periods import parse_period
from cchc.reports.render import FORMATS, PdfUnavailable, render
from cchc.reports.snapshot import report_snapshot


class Command(BaseCommand):
    help = _("Write the periodic administrative-reform report of an agency (DOCX, XLSX or PDF).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help=_("agency code"))
        parser.add_argument(
            "--period",
            required=True,
            help=_("2026 (year), 2026-Q1, 2026-H1, 2026-Q3 or 2026-03-01..2026-05-31"),
        )
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="docx")
        parser.add_argument("--out", required=True, help=_("file to write"))
        parser.add_argument("--signer", default="", help=_("name of the signer"))
        parser.add_argument("--json", action="store_true", help=_("answer in JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        try:
            result = self._run(options)
        except (ValueError, PdfUnavailable, OSError) as exc:
            code = "unavailable" if isinstance(exc, PdfUnavailable) else "invalid"
            if as_json:
                error = {"error": {"code": code, "message": str(exc)}}
                self.stdout.write(json.dumps(error, ensure_ascii=False, indent=2))
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                _("Wrote %(out)s (%(bytes)s bytes).")
                % {"out": result["out"], "bytes": result["bytes"]}
            )

    def _run(self, options: dict[str, Any]) -> dict[str, Any]:
        code = options["agency"].strip()
        agency = Agency.objects.filter(code__iexact=code).select_related("parent").first()
        if agency is None:
            raise ValueError(_("No agency has the code %(code)s.") % {"code": code})
        period = parse_period(options["period"])
        snapshot = report_snapshot(agency=agency, period=period)
        content = render(snapshot, options["fmt"], signer_name=options["signer"])
        out = Path(options["out"])
        out.write_bytes(content)
        return {
            "agency": agency.code,
            "period": period.code,
            "format": options["fmt"],
            "out": str(out),
            "bytes": len(content),
            "snapshot": snapshot,
        }
