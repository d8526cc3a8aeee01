"""``cchc create_agency CODE NAME [--parent CODE] [--kind province|agency] [--json]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.models import Agency, AgencyKind
from cchc.core.services import agency_create


def fail(command: BaseCommand, error: ValidationError, *, as_json: bool) -> CommandError:
    """The CommandError to raise for invalid input; with ``--json`` the error is printed first as
    ``{"error": {"message": ..., "fields": {field: [messages]}}}`` on standard output."""
    fields = error.message_dict if hasattr(error, "error_dict") else {}
    message = "; ".join(
        f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs)
        for name, msgs in fields.items()
    ) or " ".join(error.messages)
    if as_json:
        payload = {"error": {"message": message, "fields": fields}}
        command.stdout.write(json.dumps(payload, ensure_ascii=False))
    return CommandError(message)


def dump(command: BaseCommand, data: dict[str, Any]) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))


def agency_as_dict(agency: Agency) -> dict[str, Any]:
    return {
        "id": agency.pk,
        "code": agency.code,
        "name": agency.name,
        "kind": agency.kind,
        "parent": agency.parent.code if agency.parent_id else None,
    }


class Command(BaseCommand):
    help = "Create an agency (or, with --kind province, a province at the top of the tree)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Short unique code, e.g. STP.")
        parser.add_argument("name", help="Full name, e.g. 'Sở Tư pháp'.")
        parser.add_argument("--parent", default=None, help="Code of the parent (the province).")
        parser.add_argument(
            "--kind",
            default=AgencyKind.AGENCY,
            help="province or agency (default: agency).",
        )
        parser.add_argument("--short-name", default="", help="Short name shown in tight places.")
        parser.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        try:
            with transaction.atomic():
                parent = None
                if options["parent"]:
                    parent = Agency.objects.filter(code__iexact=options["parent"]).first()
                    if parent is None:
                        raise ValidationError(
                            {
                                "parent": _("No agency has the code %(code)s.")
                                % {"code": options["parent"]}
                            }
                        )
                agency = agency_create(
                    actor=None,
                    code=options["code"],
                    name=options["name"],
                    kind=options["kind"],
                    parent=parent,
                    short_name=options["short_name"],
                )
        except ValidationError as exc:
            raise fail(self, exc, as_json=as_json) from exc
        if as_json:
            dump(self, agency_as_dict(agency))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Created %(kind)s %(code)s — %(name)s.")
                    % {"kind": agency.get_kind_display(), "code": agency.code, "name": agency.name}
                )
            )
