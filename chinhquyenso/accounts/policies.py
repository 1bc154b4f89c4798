"""Who may do what, as ``rules`` predicates. Always scoped by administrative unit.

Other apps build on these: ``has_role_in_unit_of(Role.SPECIALIST)`` is true when the user holds
that role in the unit an object belongs to (or in an ancestor of it).
"""

from __future__ import annotations

import rules

from chinhquyenso.accounts.roles import STAFF_ROLES, Role
from chinhquyenso.accounts.selectors import user_has_role


def unit_of(obj):
    """The administrative unit an object belongs to (the unit itself, or ``obj.unit``)."""
    if obj is None:
        return None
    if hasattr(obj, "path") and hasattr(obj, "level"):
        return obj
    return getattr(obj, "unit", None)


def has_role_in_unit_of(*roles: str):
    @rules.predicate(name=f"has_role_in_unit_of({','.join(roles)})")
    def predicate(user, obj=None) -> bool:
        unit = unit_of(obj)
        if obj is not None and unit is None:
            return False
        return user_has_role(user, roles, unit)

    return predicate


@rules.predicate
def is_citizen(user) -> bool:
    return bool(user.is_authenticated and user.kind == "citizen")


@rules.predicate
def is_organisation_rep(user) -> bool:
    return bool(user.is_authenticated and user.kind == "organisation")


is_staff_in_unit = has_role_in_unit_of(*STAFF_ROLES)
is_administrator_of = has_role_in_unit_of(Role.ADMINISTRATOR)
is_auditor_of = has_role_in_unit_of(Role.AUDITOR, Role.ADMINISTRATOR)

rules.add_perm("units.view_unit", is_staff_in_unit)
rules.add_perm("accounts.assign_role", is_administrator_of)
rules.add_perm("core.view_audit", is_auditor_of)
