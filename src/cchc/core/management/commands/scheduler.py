"""``cchc scheduler [--once]``: enqueue the periodic duties of ``cchc.core.schedule`` when due.

Run one per server (the Procfile does); several schedulers never enqueue a duty twice for the
same slot. Stops cleanly on SIGTERM or SIGINT, between passes.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _

from cchc.core.schedule import DUTIES, enqueue_due

log = logging.getLogger("cchc.scheduler")


class Command(BaseCommand):
    help = "Enqueue periodic duties (reminders, digests) when their time comes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between passes (default 30)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self._pass()
            return
        stop = threading.Event()

        def on_signal(signum: int, _frame: Any) -> None:
            log.info("Scheduler stopping (signal %s)", signum)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(
            _("Scheduler started: %(duties)s.") % {"duties": ", ".join(d.name for d in DUTIES)}
        )
        try:
            while not stop.is_set():
                try:
                    self._pass()
                except Exception:  # a database hiccup must not end the scheduler
                    log.exception("Scheduler pass failed")
                finally:
                    close_old_connections()
                stop.wait(options["interval"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(_("Scheduler stopped."))

    def _pass(self) -> None:
        for name, slot in enqueue_due():
            self.stdout.write(_("Enqueued %(name)s for %(slot)s.") % {"name": name, "slot": slot})
