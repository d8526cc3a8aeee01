"""What an API token may do: its owner's access, narrowed to the token's agency and role.

The access helpers read a person's rights from ``get_scope(user)``, which keeps them on the user
object for the request. The bearer authentication computes the owner's scope, narrows it here
and leaves the narrowed one in its place, so every selector and ``access_*`` helper of the
request sees only what the token allows. A token never gives more than its owner has.
"""

from __future__ import annotations

from collections import defaultdict

from cchc.core.access import AGENCY_READERS, Scope, _descendant_ids, get_scope
from cchc.core.models import Agency, ApiToken, Role, User


def narrowed_scope(scope: Scope, *, agency_id: int | None, role: str) -> Scope:
    if not role and agency_id is None:
        return scope
    if scope.is_admin and not role:
        readable = set(Agency.objects.values_list("pk", flat=True))
    else:
        readable = set(scope.readable_agency_ids)
    roles: dict[int, set[str]] = defaultdict(set)
    units: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    is_admin = scope.is_admin
    if not role:
        for held_agency, held_roles in scope.roles.items():
            roles[held_agency] |= held_roles
            for held_role, unit_ids in scope.units.get(held_agency, {}).items():
                units[held_agency][held_role] |= unit_ids
    elif role == Role.ADMIN:
        if not scope.is_admin:
            return Scope(user_id=scope.user_id)
        readable = set(Agency.objects.values_list("pk", flat=True))
        for held_agency, held_roles in scope.roles.items():
            if Role.ADMIN in held_roles:
                roles[held_agency].add(Role.ADMIN)
    elif role == Role.VIEWER:
        # Read-only: every agency the owner may read, with no right to change anything.
        is_admin = False
        if scope.is_admin:
            readable = set(Agency.objects.values_list("pk", flat=True))
        for readable_agency in readable:
            roles[readable_agency].add(Role.VIEWER)
    elif role == Role.APPRAISER:
        is_admin = False
        roots = {a for a, held in scope.roles.items() if Role.APPRAISER in held}
        provinces = {a.province.pk for a in Agency.objects.filter(pk__in=roots)}
        readable = _descendant_ids(provinces)
        for root in roots:
            roles[root].add(Role.APPRAISER)
    else:
        # An agency role (leader, coordinator, unit head, officer): only where the owner holds it.
        is_admin = False
        readable = set()
        for held_agency, held_roles in scope.roles.items():
            if role in held_roles:
                roles[held_agency].add(role)
                units[held_agency][role] |= scope.units.get(held_agency, {}).get(role, set())
                if role in AGENCY_READERS:
                    readable.add(held_agency)
    if agency_id is not None:
        is_admin = False
        readable &= {agency_id}
        roles = defaultdict(set, {agency_id: roles.get(agency_id, set())})
        units = defaultdict(
            lambda: defaultdict(set), {agency_id: units.get(agency_id, defaultdict(set))}
        )
    return Scope(
        user_id=scope.user_id,
        is_admin=is_admin,
        readable_agency_ids=frozenset(readable),
        roles=roles,
        units=units,
    )


def apply_token_scope(user: User, token: ApiToken) -> None:
    """Leave the token's scope on ``user`` for the rest of the request."""
    full = get_scope(user)
    user._cchc_scope = narrowed_scope(  # type: ignore[attr-defined]
        full, agency_id=token.agency_id, role=token.role
    )
