"""``cchc run_periodic NAME``: run a periodic duty's service now, in this process.

For operators: to send today's reminders after fixing the mail server, say. This bypasses the
queue and the once-per-slot lock; the reminder services themselves never send a reminder twice,
but the weekly digest is sent again each time it is run.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.core.schedule import DUTIES, duty


class Command(BaseCommand):
    help = "Run a periodic duty immediately. Duties: " + ", ".join(d.name for d in DUTIES)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="The duty to run.")
        parser.add_argument("--list", action="store_true", help="List the duties.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"] or not options["name"]:
            for item in DUTIES:
                weekday = "" if item.weekday is None else f" weekday={item.weekday}"
                self.stdout.write(f"{item.name}\t{item.at:%H:%M}{weekday}\t{item.description}")
            if not options["list"]:
                raise CommandError(_("Name the duty to run."))
            return
        try:
            item = duty(options["name"])
        except KeyError as exc:
            raise CommandError(
                _("Unknown duty %(name)s. Duties: %(names)s.")
                % {"name": options["name"], "names": ", ".join(d.name for d in DUTIES)}
            ) from exc
        result = item.service()()
        if options["json"]:
            self.stdout.write(json.dumps({"duty": item.name, "result": result}))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(name)s done: %(result)s") % {"name": item.name, "result": result}
                )
            )
