"""Which home page a user lands on after login."""

from __future__ import annotations

from django.urls import reverse

from chinhquyenso.accounts.roles import WORKSPACE_ROLES, Role
from chinhquyenso.accounts.selectors import roles_of


def home_route_for(user) -> str:
    roles = roles_of(user)
    if Role.ADMINISTRATOR in roles:
        return reverse("admin:index")
    if Role.UNIT_LEADER in roles:
        return reverse("portal:leader_overview")
    if roles & WORKSPACE_ROLES:
        return reverse("portal:workspace")
    return reverse("portal:citizen_home")
