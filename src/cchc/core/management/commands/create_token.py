"""``cchc create_token USERNAME [--name N] [--days D] [--agency CODE] [--role ROLE] [--json]``:
issue a REST API token, optionally narrowed to one agency and one role of its owner.

The raw token is printed once; only its digest is kept, so a lost token is revoked and replaced,
never recovered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cchc.core.models import Agency, ApiToken, Role, User
from cchc.core.tokens import token_create


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of days, 1 or more, not {value!r}"
        )
    return int(value)


class Command(BaseCommand):
    help = "Create a bearer token for the REST API and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to recognise the token by.")
        parser.add_argument(
            "--days",
            type=_positive_int,
            default=None,
            help="Days until the token expires (default and maximum: CCHC_TOKEN_MAX_DAYS).",
        )
        parser.add_argument(
            "--agency", default="", help="Agency code: the token reads and writes only there."
        )
        parser.add_argument(
            "--role",
            default="",
            choices=Role.values,
            help="Act only with this role of the user (viewer: read-only).",
        )
        parser.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            self._fail(f"No user with the username {username!r}.", as_json)
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                self._fail(f"No agency with the code {options['agency']!r}.", as_json)
        days = options["days"]
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            raw = token_create(
                user=user,
                name=options["name"],
                expires_at=expires_at,
                agency=agency,
                role=options["role"],
            )
        except ValidationError as exc:
            self._fail(" ".join(exc.messages), as_json)
        expires_at = user.api_tokens.get(digest=ApiToken.digest_of(raw)).expires_at
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "token": raw,
                        "user": user.username,
                        "expires_at": expires_at.isoformat() if expires_at else None,
                    }
                )
            )
            return
        self.stdout.write(raw)
        expiry = expires_at.isoformat() if expires_at else "never"
        self.stderr.write(
            f"Token for {user.username} (expires: {expiry}). "
            "Store it now: it cannot be shown again."
        )

    def _fail(self, message: str, as_json: bool) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"error": message}))
        raise CommandError(message, returncode=1)
