"""Who may change the calendar. Reading it is public.

A nationwide override (no unit) changes every deadline in the country: superusers only. A unit's
override or office hours belong to the administrators of that unit or of an ancestor.
"""

from __future__ import annotations

import rules

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import user_has_role


def can_manage_calendar(user, unit) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return unit is not None and user_has_role(user, Role.ADMINISTRATOR, unit)


@rules.predicate
def is_calendar_administrator(user) -> bool:
    """Administrator somewhere (may open the calendar admin and manage their own subtree)."""
    return bool(getattr(user, "is_authenticated", False) and user_has_role(user, Role.ADMINISTRATOR))


@rules.predicate
def manages_unit_of(user, obj=None) -> bool:
    """Without an object: may manage some unit; with one: may manage that row's unit."""
    if obj is None:
        return bool(is_calendar_administrator(user))
    return can_manage_calendar(user, getattr(obj, "unit", None))


rules.add_perm("calendar", is_calendar_administrator)
for _model in ("calendaroverride", "unitservicehours"):
    rules.add_perm(f"calendar.view_{_model}", is_calendar_administrator)
    rules.add_perm(f"calendar.add_{_model}", is_calendar_administrator)
    rules.add_perm(f"calendar.change_{_model}", manages_unit_of)
    rules.add_perm(f"calendar.delete_{_model}", manages_unit_of)
