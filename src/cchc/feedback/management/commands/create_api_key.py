"""``cchc create_api_key --agency CODE [--name NAME] [--json]``: issue an Open311 API key.

An application sends the key as the ``api_key`` parameter of ``POST /open311/v2/requests.json``
to create feedback of the agency. The raw key is printed once; only its digest is kept, so a lost
key is revoked and replaced, never recovered.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.models import Agency
from cchc.feedback.keys import PREFIX_LENGTH, open311_key_create


class Command(BaseCommand):
    help = "Create an Open311 API key for an agency and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency", required=True, help="The code of the agency the key creates feedback for."
        )
        parser.add_argument("--name", default="", help="A label to recognise the key by.")
        parser.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        code = options["agency"].strip()
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            self._fail(f"No agency with the code {code!r} (codes are case-sensitive).", as_json)
        raw = open311_key_create(agency=agency, name=options["name"])
        prefix = raw[:PREFIX_LENGTH]
        if as_json:
            self.stdout.write(json.dumps({"agency": agency.code, "key": raw, "prefix": prefix}))
            return
        self.stdout.write(raw)
        self.stderr.write(
            f"Open311 API key for {agency.code} (prefix {prefix}). "
            "Store it now: it cannot be shown again."
        )

    def _fail(self, message: str, as_json: bool) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"error": message}))
        raise CommandError(message, returncode=1)
