"""``cchc due_date [--received T] (--days N | --hours H | --calendar-days N) [--json]``: print the
deadline of a receipt, computed by the working-day calendar (``cchc.core.calendar``).

``--received`` is ISO 8601 (``2026-08-20T10:00``, offset optional) or ``20/08/2026 10:00``;
without an offset it is local time (Asia/Ho_Chi_Minh); a date alone means its start. Default: now.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import calendar

VIETNAMESE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def parse_received(text: str) -> dt.datetime | None:
    """An aware local datetime from ISO 8601 or ``dd/mm/yyyy[ HH:MM[:SS]]``; None if neither."""
    text = text.strip()
    moment = None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        for pattern in VIETNAMESE_FORMATS:
            try:
                moment = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=calendar.TZ)
    return moment.astimezone(calendar.TZ)


class Command(BaseCommand):
    help = "Print the deadline of a receipt with a time limit, by the working-day calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--received",
            default=None,
            help="Time of receipt, e.g. 2026-08-20T10:00 or 20/08/2026 10:00 (default: now).",
        )
        limit = parser.add_mutually_exclusive_group(required=True)
        limit.add_argument("--days", help="Time limit in working days (fractions allowed).")
        limit.add_argument("--hours", help="Time limit in working hours.")
        limit.add_argument("--calendar-days", help="Time limit in calendar days (whole).")
        parser.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        if options["received"] is None:
            received = timezone.now().astimezone(calendar.TZ).replace(microsecond=0)
        else:
            received = parse_received(options["received"])
            if received is None:
                self._fail(
                    _(
                        "Cannot read the time of receipt %(value)r: use ISO 8601 "
                        "(2026-08-20T10:00) or dd/mm/yyyy HH:MM."
                    )
                    % {"value": options["received"]},
                    as_json,
                )
        option, unit = next(
            (option, unit)
            for option, unit in (
                ("days", calendar.WORKING_DAYS),
                ("hours", calendar.WORKING_HOURS),
                ("calendar_days", calendar.CALENDAR_DAYS),
            )
            if options[option] is not None
        )
        amount = self._amount(options[option], as_json)
        try:
            due = calendar.deadline(received, amount, unit)
        except (ValueError, OverflowError) as exc:
            self._fail(str(exc), as_json)
        if as_json:
            payload = {
                "received": received.isoformat(),
                "amount": str(amount),
                "unit": unit,
                "deadline": due.isoformat(),
            }
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(due.isoformat())

    def _amount(self, raw: str, as_json: bool) -> Decimal:
        try:
            amount = Decimal(raw.strip().replace(",", "."))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            self._fail(
                _("The time limit must be a number, 0 or more, not %(value)r.") % {"value": raw},
                as_json,
            )
        return amount

    def _fail(self, message: str, as_json: bool) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"error": message}))
        raise CommandError(message, returncode=1)
