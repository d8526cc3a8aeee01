"""What the file commands of the procedures app share: finding the agency, answering."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.core.models import Agency


def fail(command: BaseCommand, message: str, *, as_json: bool) -> CommandError:
    if as_json:
        command.stdout.write(json.dumps({"error": {"message": message}}, ensure_ascii=False))
    return CommandError(message)


def find_agency(command: BaseCommand, code: str, *, as_json: bool) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise fail(command, _("No agency has the code %(code)s.") % {"code": code}, as_json=as_json)
    return agency


def answer(command: BaseCommand, summary: dict[str, Any], *, as_json: bool) -> None:
    """Print the summary (JSON, or a few lines); raise CommandError when nothing was saved
    because of bad input, so the exit status is non-zero."""
    if as_json:
        command.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for error in summary["errors"]:
            where = _("row %(row)s") % {"row": error["row"]} if error["row"] else _("file")
            column = f" [{error['column']}]" if error["column"] else ""
            command.stderr.write(f"{where}{column}: {error['message']}")
        command.stdout.write(
            _(
                "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged, %(rejected)s rejected."
            )
            % summary
        )
    if not summary["written"]:
        raise CommandError(
            _("Nothing was saved: the file has %(count)s errors.")
            % {"count": summary["errors_total"]}
        )
