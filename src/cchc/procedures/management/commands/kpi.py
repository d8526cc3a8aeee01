"""``cchc kpi --agency CODE --from DATE --to DATE [--unit CODE] [--procedure CODE] [--field TEXT]
[--json]``: the service-quality metrics of DESIGN.md §4.3 for a period, read from the rollups.

``--agency`` may name several agencies (``STP,SYT`` or the option repeated); their dossiers are
counted together. Dates are ISO (2026-01-31) or Vietnamese (31/01/2026). With ``--json`` the
answer is ``{"agency", "from", "to", "counts", "rates", "points"}`` (null where a rate has no data);
on bad input, ``{"error": {"code", "message"}}`` and a non-zero exit.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.core.models import Agency, Unit
from cchc.procedures.metrics import PeriodError, compute
from cchc.procedures.models import Procedure


def parse_date(text: str) -> dt.date:
    """An ISO (2026-01-31) or Vietnamese (31/01/2026) date."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise PeriodError(
        _("“%(value)s” is not a date; write 2026-01-31 or 31/01/2026.") % {"value": text}
    )


class Command(BaseCommand):
    help = _("Print the service-quality metrics (Decision 766) of an agency for a period.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency",
            action="append",
            required=True,
            help=_("agency code; several may be given, comma-separated or repeated"),
        )
        parser.add_argument("--from", dest="start", required=True, help=_("first day"))
        parser.add_argument("--to", dest="end", required=True, help=_("last day"))
        parser.add_argument("--unit", help=_("only this unit (its code)"))
        parser.add_argument("--procedure", help=_("only this procedure (its code)"))
        parser.add_argument("--field", help=_("only the procedures of this field"))
        parser.add_argument("--json", action="store_true", help=_("answer in JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        try:
            result = self._run(options)
        except PeriodError as exc:
            if as_json:
                error = {"error": {"code": "invalid", "message": str(exc)}}
                self.stdout.write(json.dumps(error, ensure_ascii=False, indent=2))
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self._print(result)

    def _run(self, options: dict[str, Any]) -> dict[str, Any]:
        codes = [code.strip() for value in options["agency"] for code in value.split(",")]
        codes = [code for code in codes if code]
        agencies = {a.code.upper(): a for a in Agency.objects.filter(code__in=codes)}
        for code in codes:
            if code.upper() not in agencies:
                agencies.update(
                    {a.code.upper(): a for a in Agency.objects.filter(code__iexact=code)}
                )
            if code.upper() not in agencies:
                raise PeriodError(_("No agency has the code %(code)s.") % {"code": code})
        chosen = [agencies[code.upper()] for code in codes]
        if not chosen:
            raise PeriodError(_("Choose at least one agency."))
        start, end = parse_date(options["start"]), parse_date(options["end"])
        if start > end:
            raise PeriodError(_("The start of the period is after its end."))
        filters: dict[str, Any] = {"field": options["field"] or None}
        if options["unit"] or options["procedure"]:
            if len(chosen) != 1:
                raise PeriodError(_("A unit or procedure needs exactly one agency."))
            filters.update(self._unit_and_procedure(chosen[0], options))
        metrics = compute(
            agency_ids=[a.pk for a in chosen], start=start, end=end, **filters
        ).as_json()
        return {
            "agency": chosen[0].code if len(chosen) == 1 else [a.code for a in chosen],
            "from": metrics["from"],
            "to": metrics["to"],
            "counts": metrics["counts"],
            "rates": metrics["rates"],
            "points": metrics["points"],
        }

    def _unit_and_procedure(self, agency: Agency, options: dict[str, Any]) -> dict[str, int]:
        found: dict[str, int] = {}
        if options["unit"]:
            unit = Unit.objects.filter(agency=agency, code__iexact=options["unit"]).first()
            if unit is None:
                raise PeriodError(
                    _("%(agency)s has no unit with the code %(code)s.")
                    % {"agency": agency.code, "code": options["unit"]}
                )
            found["unit_id"] = unit.pk
        if options["procedure"]:
            procedure = Procedure.objects.filter(agency=agency, code=options["procedure"]).first()
            if procedure is None:
                raise PeriodError(
                    _("%(agency)s has no procedure with the code %(code)s.")
                    % {"agency": agency.code, "code": options["procedure"]}
                )
            found["procedure_id"] = procedure.pk
        return found

    def _print(self, result: dict[str, Any]) -> None:
        agency = result["agency"]
        self.stdout.write(
            _("Service quality of %(agency)s from %(start)s to %(end)s")
            % {
                "agency": agency if isinstance(agency, str) else ", ".join(agency),
                "start": dt.date.fromisoformat(result["from"]).strftime("%d/%m/%Y"),
                "end": dt.date.fromisoformat(result["to"]).strftime("%d/%m/%Y"),
            }
        )
        for title, values in (
            (_("Counts"), result["counts"]),
            (_("Rates (%)"), result["rates"]),
            (_("Points"), result["points"]),
        ):
            self.stdout.write(f"\n{title}")
            for key, value in values.items():
                shown = (
                    "—"
                    if value is None
                    else (f"{value:.2f}" if isinstance(value, float) else value)
                )
                self.stdout.write(f"  {key:<28} {shown}")
