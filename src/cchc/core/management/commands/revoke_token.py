"""``cchc revoke_token PREFIX``: revoke a REST API token at once.

The prefix is the beginning of the token shown in the admin's token list (``cchc_…``, 12
characters); the whole token works too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.models import ApiToken
from cchc.core.tokens import PREFIX_LENGTH, token_revoke


class Command(BaseCommand):
    help = "Revoke a REST API token, found by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        given = options["prefix"].strip()
        if len(given) < PREFIX_LENGTH:
            raise CommandError(
                f"Give at least the first {PREFIX_LENGTH} characters of the token.", returncode=1
            )
        if len(given) > PREFIX_LENGTH:
            tokens = list(ApiToken.objects.filter(digest=ApiToken.digest_of(given)))
        else:
            tokens = list(ApiToken.objects.filter(prefix=given))
        if not tokens:
            raise CommandError(f"No token starts with {given[:PREFIX_LENGTH]!r}.", returncode=1)
        if len(tokens) > 1:
            raise CommandError(
                f"{len(tokens)} tokens start with {given!r}; give the whole token.", returncode=1
            )
        token = token_revoke(token=tokens[0])
        self.stdout.write(
            f"Revoked {token.prefix}… of {token.user.username} at {token.revoked_at.isoformat()}."
        )
