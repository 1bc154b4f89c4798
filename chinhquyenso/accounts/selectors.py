"""Reads about users and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chinhquyenso.accounts.models import RoleAssignment, User
from chinhquyenso.accounts.roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class RoleScope:
    role: str
    unit_id: int
    unit_path: str
    agency_id: int | None


def role_scopes(user) -> tuple[RoleScope, ...]:
    """The user's active (role, unit) pairs; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_role_scopes", None)
    if cached is not None:
        return cached
    rows = (
        RoleAssignment.objects.active()
        .filter(user_id=user.pk)
        .values_list("role", "unit_id", "unit__path", "agency_id")
    )
    scopes = tuple(RoleScope(*row) for row in rows)
    user._role_scopes = scopes
    return scopes


def roles_of(user) -> set[str]:
    roles = {s.role for s in role_scopes(user)}
    if getattr(user, "is_authenticated", False):
        if user.kind == User.Kind.CITIZEN:
            roles.add(Role.CITIZEN)
        elif user.kind == User.Kind.ORGANISATION:
            roles.add(Role.ORGANISATION_REP)
        if user.is_superuser:
            roles.add(Role.ADMINISTRATOR)
    return roles


def scope_paths(user, roles: Iterable[str] | None = None) -> list[str]:
    """Unit paths where the user holds one of ``roles`` (any staff role when None), minimal set."""
    wanted = set(roles) if roles is not None else STAFF_ROLES
    paths = sorted({s.unit_path for s in role_scopes(user) if s.role in wanted})
    minimal: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def user_has_role(user, roles: str | Iterable[str], unit=None) -> bool:
    """Does the user hold one of ``roles`` in ``unit`` (by inheritance from an ancestor)?
    With ``unit=None`` the question is "anywhere"."""
    if not getattr(user, "is_authenticated", False):
        return False
    wanted = {roles} if isinstance(roles, str) else set(roles)
    if user.is_superuser and Role.ADMINISTRATOR in wanted:
        return True
    for scope in role_scopes(user):
        if scope.role in wanted and (unit is None or unit.path.startswith(scope.unit_path)):
            return True
    return False


def is_staff_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or scope_paths(user)))


def commune_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Active communes grouped under their parent (district, or province in the two-tier layout),
    for address pickers. Two queries whatever the size of the tree."""
    from chinhquyenso.units.models import AdministrativeUnit, UnitLevel

    communes = list(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, is_active=True)
                    .order_by("path").values_list("pk", "full_name", "path"))
    parent_paths = {path[: -AdministrativeUnit.steplen] for _pk, _name, path in communes}
    parents = dict(AdministrativeUnit.objects.filter(path__in=parent_paths).values_list("path", "full_name"))
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, name, path in communes:
        groups.setdefault(parents.get(path[: -AdministrativeUnit.steplen], ""), []).append((pk, name))
    return list(groups.items())
