"""cchc import_plan FILE [--agency CODE] [--appendix XLSX] [--year N] [--dry-run] [--json]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.core.models import Agency
from cchc.plans.importing.document import PlanImportError
from cchc.plans.importing.draft import draft_from_parsed
from cchc.plans.importing.services import plan_import
from cchc.plans.importing.workflow import find_agency, parse_upload


class Command(BaseCommand):
    help = _("Import a reform plan from its document (.docx, .txt, .pdf) and appendix (.xlsx).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the plan document"))
        parser.add_argument("--agency", help=_("code of the agency whose plan it is"))
        parser.add_argument("--appendix", help=_("the task appendix as .xlsx"))
        parser.add_argument("--year", type=int, help=_("the plan year, if the title lacks it"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("read and check the document, save nothing")
        )
        parser.add_argument("--json", action="store_true", help=_("answer in JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        try:
            result = self._run(options)
        except PlanImportError as exc:
            self._fail(as_json, {"code": exc.code, "message": exc.message})
        except ValidationError as exc:
            fields = exc.message_dict if hasattr(exc, "error_dict") else {}
            self._fail(
                as_json, {"code": "invalid", "message": " ".join(exc.messages), "fields": fields}
            )
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self._print(result)

    def _fail(self, as_json: bool, error: dict[str, Any]) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": error}, ensure_ascii=False, indent=2))
        raise CommandError(error["message"])

    def _read(self, path_text: str) -> tuple[bytes, str]:
        path = Path(path_text)
        if not path.is_file():
            raise PlanImportError(
                _("File not found: %(path)s") % {"path": path_text}, code="not_found"
            )
        limit = settings.CCHC_IMPORT_MAX_BYTES
        if path.stat().st_size > limit:
            raise PlanImportError(
                _("The file is larger than %(limit)s MB; a plan document is much smaller.")
                % {"limit": limit // (1024 * 1024)},
                code="too_large",
            )
        return path.read_bytes(), path.name

    def _run(self, options: dict[str, Any]) -> dict[str, Any]:
        data, name = self._read(options["file"])
        appendix = self._read(options["appendix"]) if options["appendix"] else None
        parsed = parse_upload(data, name, appendix=appendix, year=options["year"])
        result = parsed.as_json()
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise PlanImportError(
                    _("No agency has the code %(code)s.") % {"code": options["agency"]},
                    code="unknown_agency",
                )
        else:
            agency = find_agency(parsed.document.issuer)
        result["agency"] = agency.code if agency else None
        if agency is None:
            if options["dry_run"]:
                return result
            raise PlanImportError(
                _(
                    "Which agency's plan is this? Give --agency CODE (the issuer “%(issuer)s” "
                    "matches no agency)."
                )
                % {"issuer": parsed.document.issuer or "—"},
                code="unknown_agency",
            )
        draft = draft_from_parsed(parsed, agency=agency, year=options["year"])
        result["warnings"] = draft.warnings
        if options["dry_run"]:
            result["draft"] = {"year": draft.year, "tasks": len(draft.tasks)}
            return result
        result["saved"] = plan_import(actor=None, agency=agency, draft=draft)
        return result

    def _print(self, result: dict[str, Any]) -> None:
        doc = result["document"]
        self.stdout.write(f"{doc.get('kind') or ''} {doc.get('title') or ''} ({doc.get('year')})")
        for area in result["areas"]:
            self.stdout.write(f"  {area['number']}. {area['title']} — {len(area['tasks'])}")
        self.stdout.write(
            _("%(refs)s legal references, %(targets)s targets, %(rows)s appendix rows.")
            % {
                "refs": len(result["legal_references"]),
                "targets": len(result["targets"]),
                "rows": len(result["appendix"]["tasks"]),
            }
        )
        for warning in result.get("warnings", []):
            self.stdout.write(self.style.WARNING(f"! {warning}"))
        if "saved" in result:
            saved = result["saved"]
            self.stdout.write(
                self.style.SUCCESS(
                    _("Saved: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                    % saved
                )
            )
            for warning in saved["warnings"]:
                self.stdout.write(self.style.WARNING(f"! {warning}"))
