"""Who may see and change what (DESIGN.md §2), computed once per request.

The rule of thumb, after Healthchecks and Zulip: a person outside an agency gets 404 for anything
of that agency (we do not reveal that it exists); a person who may read but not write gets 403.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cchc.core.models import Agency, Membership, Role, User

# Roles that read everything of their own agency.
AGENCY_READERS = frozenset(
    {Role.LEADER, Role.COORDINATOR, Role.UNIT_HEAD, Role.OFFICER, Role.VIEWER}
)
# Roles that manage the agency's plan as a whole.
PLAN_MANAGERS = frozenset({Role.COORDINATOR})


@dataclass
class Scope:
    """Everything the access helpers need to know about one person, loaded in one query."""

    user_id: int | None
    is_admin: bool = False
    readable_agency_ids: frozenset[int] = frozenset()
    roles: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    # agency id -> role -> unit ids (for unit heads and officers)
    units: dict[int, dict[str, set[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def can_read_agency(self, agency_id: int) -> bool:
        return self.is_admin or agency_id in self.readable_agency_ids

    def has_role(self, agency_id: int, *roles: str) -> bool:
        return bool(self.roles.get(agency_id, set()) & set(roles))

    def unit_ids(self, agency_id: int, role: str) -> set[int]:
        return set(self.units.get(agency_id, {}).get(role, set()))

    def is_member(self, agency_id: int) -> bool:
        return bool(self.roles.get(agency_id))

    def is_appraiser(self) -> bool:
        return any(Role.APPRAISER in roles for roles in self.roles.values())


def _descendant_ids(root_ids: set[int]) -> set[int]:
    """Agency ids below (and including) the given roots. The tree is shallow and small."""
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = (
            set(Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        )
        found |= frontier
    return found


def get_scope(user: User | None) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None)
    cached = getattr(user, "_cchc_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user_id=user.pk, is_admin=user.is_superuser)
    readable: set[int] = set()
    appraised_roots: set[int] = set()
    memberships = Membership.objects.filter(user=user, is_active=True).values_list(
        "agency_id", "role", "unit_id"
    )
    for agency_id, role, unit_id in memberships:
        scope.roles[agency_id].add(role)
        if unit_id is not None:
            scope.units[agency_id][role].add(unit_id)
        if role == Role.ADMIN:
            scope.is_admin = True
        elif role == Role.APPRAISER:
            # An appraiser of Sở Nội vụ reads every agency of the province. A membership may be
            # held on the province node or on Sở Nội vụ itself; both mean "this province".
            appraised_roots.add(agency_id)
        if role in AGENCY_READERS:
            readable.add(agency_id)
    if appraised_roots:
        provinces = {a.province.pk for a in Agency.objects.filter(pk__in=appraised_roots)}
        readable |= _descendant_ids(provinces)
    scope.readable_agency_ids = frozenset(readable)
    user._cchc_scope = scope  # type: ignore[attr-defined]
    return scope


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    scope = get_scope(user)
    if scope.is_admin:
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=scope.readable_agency_ids)


def access_agency(*, actor: User, agency_id: int, for_write: bool = False) -> Agency:
    """The agency, if the actor may see it (404 otherwise); with ``for_write``, if the actor
    manages its plan (403 for readers)."""
    scope = get_scope(actor)
    if not scope.can_read_agency(agency_id):
        raise Http404
    try:
        agency = Agency.objects.get(pk=agency_id)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    if for_write and not (scope.is_admin or scope.has_role(agency.pk, *PLAN_MANAGERS)):
        raise PermissionDenied
    return agency
