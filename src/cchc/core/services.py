"""Writes to agencies, units and people. Each service validates, runs in one transaction and
records an audit row; operators call them through ``cchc create_agency`` / ``create_user``."""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.models import Agency, AgencyKind, Membership, Role, Unit, User

# Codes appear in URLs, file names and dossier codes (``<agency code>-YYMMDD-NNNN``).
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Roles that act through one unit of the agency.
UNIT_ROLES = frozenset({Role.UNIT_HEAD})


def _check_code(code: str, field: str = "code") -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError({field: _("Enter a code.")})
    if len(code) > 32 or not CODE_RE.match(code):
        raise ValidationError(
            {
                field: _(
                    "A code has at most 32 characters: letters, digits, '.', '-' or '_', "
                    "starting with a letter or digit."
                )
            }
        )
    return code


@transaction.atomic
def agency_create(
    *,
    actor: User | None = None,
    code: str,
    name: str,
    kind: str = AgencyKind.AGENCY,
    parent: Agency | None = None,
    short_name: str = "",
) -> Agency:
    code = _check_code(code)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if kind not in AgencyKind.values:
        raise ValidationError(
            {
                "kind": _("Unknown kind %(kind)s. Kinds: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(AgencyKind.values)}
            }
        )
    if Agency.objects.filter(code__iexact=code).exists():
        raise ValidationError({"code": _("An agency with code %(code)s exists.") % {"code": code}})
    if kind == AgencyKind.AGENCY and parent is None:
        raise ValidationError({"parent": _("An agency belongs to a province: name its parent.")})
    if kind == AgencyKind.PROVINCE and parent is not None:
        raise ValidationError({"parent": _("A province is the top of the tree: it has no parent.")})
    agency = Agency(code=code, name=name, short_name=short_name.strip(), kind=kind, parent=parent)
    agency.full_clean()
    agency.save()
    audit.record(
        actor=actor,
        action="agency.create",
        obj=agency,
        agency=agency,
        changes={"code": code, "name": name, "kind": kind, "parent": parent},
    )
    return agency


@transaction.atomic
def unit_create(*, actor: User | None = None, agency: Agency, code: str, name: str) -> Unit:
    code = _check_code(code)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if agency.units.filter(code__iexact=code).exists():
        raise ValidationError(
            {"code": _("This agency already has a unit with code %(code)s.") % {"code": code}}
        )
    unit = Unit(agency=agency, code=code, name=name)
    unit.full_clean()
    unit.save()
    audit.record(
        actor=actor,
        action="unit.create",
        obj=unit,
        agency=agency,
        changes={"code": code, "name": name},
    )
    return unit


@transaction.atomic
def user_create(
    *,
    actor: User | None = None,
    username: str,
    agency: Agency,
    role: str,
    unit: Unit | None = None,
    password: str | None = None,
    email: str = "",
    full_name: str = "",
    job_title: str = "",
) -> User:
    """A person with one role in one agency.

    Without a password the account cannot log in until one is set (``changepassword`` or a
    reset); a password is checked against the server's validators. The ``admin`` role makes a
    superuser, so that the Django admin (calendars, frameworks) is open to them too.
    """
    username = (username or "").strip()
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role %(role)s. Roles: %(roles)s.") % {
            "role": role,
            "roles": ", ".join(Role.values),
        }
    if unit is not None and unit.agency_id != agency.pk:
        errors["unit"] = _("The unit must be a unit of this agency.")
    elif unit is not None and not unit.is_active:
        errors["unit"] = _("The unit is no longer active.")
    elif unit is None and role in UNIT_ROLES:
        errors["unit"] = _("A unit head needs a unit.")
    if not username:
        errors["username"] = _("Enter a user name.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("The user name %(username)s is taken.") % {"username": username}
    if errors:
        raise ValidationError(errors)

    is_admin = role == Role.ADMIN
    user = User(
        username=username,
        email=(email or "").strip(),
        full_name=(full_name or "").strip(),
        job_title=(job_title or "").strip(),
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    user.full_clean()
    user.save()
    membership = Membership(user=user, agency=agency, role=role, unit=unit)
    membership.full_clean()
    membership.save()
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        agency=agency,
        changes={
            "username": username,
            "full_name": user.full_name,
            "email": user.email,
            "role": role,
            "unit": unit,
        },
    )
    return user
