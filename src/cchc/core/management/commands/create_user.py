"""``cchc create_user USERNAME --agency CODE --role ROLE [--unit CODE] [--password P] ...``."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.management.commands.create_agency import dump, fail
from cchc.core.models import Agency, Role
from cchc.core.services import user_create


def generate_password() -> str:
    # 16 characters from letters, digits, '-' and '_': about 96 bits, and never all digits or
    # a common password, so Django's validators accept it.
    return secrets.token_urlsafe(12)


class Command(BaseCommand):
    help = "Create a person with a role in an agency. Without --password, one is generated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="Code of the agency.")
        parser.add_argument("--role", required=True, help="One of: " + ", ".join(Role.values))
        parser.add_argument("--unit", default=None, help="Code of the unit (unit heads need one).")
        parser.add_argument("--password", default=None, help="Generated and printed if omitted.")
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--job-title", default="")
        parser.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        generated = options["password"] is None
        password = generate_password() if generated else options["password"]
        try:
            with transaction.atomic():
                agency = Agency.objects.filter(code__iexact=options["agency"]).first()
                if agency is None:
                    raise ValidationError(
                        {
                            "agency": _("No agency has the code %(code)s.")
                            % {"code": options["agency"]}
                        }
                    )
                unit = None
                if options["unit"]:
                    unit = agency.units.filter(code__iexact=options["unit"]).first()
                    if unit is None:
                        raise ValidationError(
                            {
                                "unit": _("%(agency)s has no unit with the code %(code)s.")
                                % {"agency": agency.code, "code": options["unit"]}
                            }
                        )
                user = user_create(
                    actor=None,
                    username=options["username"],
                    agency=agency,
                    role=options["role"],
                    unit=unit,
                    password=password,
                    email=options["email"],
                    full_name=options["full_name"],
                    job_title=options["job_title"],
                )
        except ValidationError as exc:
            raise fail(self, exc, as_json=as_json) from exc
        if as_json:
            data = {
                "id": user.pk,
                "username": user.username,
                "full_name": user.full_name,
                "email": user.email,
                "agency": agency.code,
                "role": options["role"],
                "unit": unit.code if unit else None,
                "is_superuser": user.is_superuser,
            }
            if generated:
                data["password"] = password
            dump(self, data)
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(username)s (%(role)s) in %(agency)s.")
                % {"username": user.username, "role": options["role"], "agency": agency.code}
            )
        )
        if generated:
            self.stdout.write(_("Password: %(password)s") % {"password": password})
