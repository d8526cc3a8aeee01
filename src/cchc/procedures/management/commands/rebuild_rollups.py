"""cchc rebuild_rollups [--agency CODE] [--json]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc.procedures import rollups
from cchc.procedures.management.commands._files import find_agency
from cchc.procedures.models import FinishedRollup, ReceivedRollup


class Command(BaseCommand):
    help = _("Recompute the daily dossier rollups from the dossiers (of one agency, or of all).")

    def add_arguments(self, parser):
        parser.add_argument("--agency", help=_("code of the agency (default: every agency)"))
        parser.add_argument("--json", action="store_true", help=_("answer in JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        agency = (
            find_agency(self, options["agency"], as_json=as_json) if options["agency"] else None
        )
        agency_id = agency.pk if agency else None
        rollups.rebuild(agency_id)
        received, finished = ReceivedRollup.objects.all(), FinishedRollup.objects.all()
        if agency_id is not None:
            received = received.filter(agency_id=agency_id)
            finished = finished.filter(agency_id=agency_id)
        result = {
            "agency": agency.code if agency else None,
            "received_rows": received.count(),
            "finished_rows": finished.count(),
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                _(
                    "Rollups rebuilt: %(received_rows)s received rows, "
                    "%(finished_rows)s finished rows."
                )
                % result
            )
