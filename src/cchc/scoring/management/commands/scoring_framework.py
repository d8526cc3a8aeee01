"""cchc scoring_framework --year YYYY --level department|commune [--json]
                         [--import FILE | --export FILE | --install-starter | --template FILE]

Without an action, prints the framework in use for the year and level (its tree as JSON with
``--json``). ``--import`` reads a workbook (its own "Khung" sheet names the year and level) and
creates the framework, or lists every problem and writes nothing; ``--export`` writes the
framework of the year and level to a workbook; ``--install-starter`` installs the starter
framework (a template to adapt); ``--template`` writes the blank template.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.scoring.frameworks import framework_check, framework_for, framework_tree, number
from cchc.scoring.models import Framework, Level
from cchc.scoring.starter import framework_install_starter
from cchc.scoring.xlsx import (
    MAX_BYTES,
    FrameworkImportError,
    describe,
    export_framework,
    import_framework,
    template_workbook,
)


class Command(BaseCommand):
    help = _("Show, import, export or install a framework of the reform index.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help=_("the year of the framework"))
        parser.add_argument(
            "--level", choices=Level.values, help=_("department or commune (default: department)")
        )
        actions = parser.add_mutually_exclusive_group()
        actions.add_argument(
            "--import", dest="import_file", metavar="FILE", help=_("import a framework workbook")
        )
        actions.add_argument(
            "--export", dest="export_file", metavar="FILE", help=_("write the framework to FILE")
        )
        actions.add_argument(
            "--install-starter",
            action="store_true",
            help=_("install the starter framework (a template to adapt) for the year and level"),
        )
        actions.add_argument(
            "--template", dest="template_file", metavar="FILE", help=_("write the blank template")
        )
        parser.add_argument("--json", action="store_true", help=_("answer in JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        self.as_json = options["json"]
        if options["import_file"]:
            result = self._import(options["import_file"])
        elif options["template_file"]:
            level = options["level"] or Level.DEPARTMENT
            data = template_workbook(year=options["year"], level=level)
            self._write(options["template_file"], data)
            result = {"template": options["template_file"]}
        else:
            year, level = self._year_level(options)
            if options["install_starter"]:
                framework = framework_install_starter(year=year, level=level)
                result = self._summary(framework)
            else:
                framework = framework_for(year, level)
                if framework is None:
                    raise self._fail(
                        _("There is no framework for %(year)s (%(level)s).")
                        % {"year": year, "level": level}
                    )
                if options["export_file"]:
                    self._write(options["export_file"], export_framework(framework))
                    result = {**self._summary(framework), "file": options["export_file"]}
                else:
                    result = {**framework_tree(framework), "problems": framework_check(framework)}
        self._answer(result)

    # --- actions ------------------------------------------------------------------------------

    def _year_level(self, options: dict[str, Any]) -> tuple[int, str]:
        year = options["year"]
        if year is None:
            raise self._fail(_("Give the year: --year YYYY."))
        if not 2000 <= year <= 2100:
            raise self._fail(_("The year %(year)s is not plausible.") % {"year": year})
        return year, options["level"] or Level.DEPARTMENT

    def _import(self, path_text: str) -> dict[str, Any]:
        path = Path(path_text)
        if not path.is_file():
            raise self._fail(_("File not found: %(path)s") % {"path": path_text})
        if path.stat().st_size > MAX_BYTES:
            raise self._fail(_("The file is too large for a framework workbook."))
        try:
            framework = import_framework(path.read_bytes())
        except FrameworkImportError as exc:
            if self.as_json:
                self.stdout.write(
                    json.dumps(
                        {"error": exc.as_json(), "written": False},
                        ensure_ascii=False,
                        indent=2,
                    )
                )
            else:
                for problem in exc.problems:
                    self.stderr.write(describe(problem))
            raise CommandError(exc.as_json()["message"]) from exc
        return {**self._summary(framework), "written": True}

    # --- output -------------------------------------------------------------------------------

    def _summary(self, framework: Framework) -> dict[str, Any]:
        tree = framework_tree(framework)
        return {
            "id": framework.pk,
            "year": framework.year,
            "level": framework.level,
            "version": framework.version,
            "title": framework.title,
            "status": framework.status,
            "is_template": framework.is_template,
            "criteria": framework.criteria.count(),
            "max": tree["max"],
        }

    def _write(self, path_text: str, data: bytes) -> None:
        path = Path(path_text)
        if not path.parent.is_dir():
            raise self._fail(_("The folder of %(path)s does not exist.") % {"path": path_text})
        path.write_bytes(data)

    def _fail(self, message: str) -> CommandError:
        if self.as_json:
            self.stdout.write(json.dumps({"error": {"message": message}}, ensure_ascii=False))
        return CommandError(message)

    def _answer(self, result: dict[str, Any]) -> None:
        if self.as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        if "areas" in result:
            self.stdout.write(
                f"{result['title']} — {result['year']}, {result['level']}, v{result['version']}"
            )
            for area in result["areas"]:
                self.stdout.write(f"{area['code']}. {area['title']} — {area['max']}")
                for criterion in area["criteria"]:
                    self._print_node(criterion, depth=1)
            self.stdout.write(_("Total: %(max)s points.") % {"max": result["max"]})
            for problem in result["problems"]:
                self.stdout.write(self.style.WARNING(f"! {problem}"))
        elif "template" in result:
            self.stdout.write(_("Template written to %(path)s.") % {"path": result["template"]})
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(title)s: version %(version)s, %(criteria)s criteria, %(max)s points.")
                    % result
                )
            )
            if "file" in result:
                self.stdout.write(_("Written to %(path)s.") % {"path": result["file"]})

    def _print_node(self, node: dict[str, Any], depth: int) -> None:
        method = "" if node["method"] == "manual" else f" [{node['method']}]"
        self.stdout.write(
            f"{'  ' * depth}{node['code']}. {node['title']} — {number(node['max'])}{method}"
        )
        for child in node["children"]:
            self._print_node(child, depth + 1)
