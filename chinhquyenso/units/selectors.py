"""Reads over the unit tree. Every staff list starts from ``visible_units(user)``."""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from chinhquyenso.accounts.selectors import scope_paths
from chinhquyenso.units.models import AdministrativeUnit, Agency


def unit_subtree(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The unit and everything below it: one indexed prefix query on the materialised path."""
    return AdministrativeUnit.objects.filter(path__startswith=unit.path)


def children_of(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("name")


def parent_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    return AdministrativeUnit.objects.filter(path=unit.parent_path).first() if unit.depth > 1 else None


def ancestors_of(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Root first; one query."""
    return list(AdministrativeUnit.objects.filter(path__in=unit.ancestor_paths()).order_by("depth"))


def _paths_q(paths: list[str], field: str = "path") -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def visible_units(user, roles: Iterable[str] | None = None) -> QuerySet[AdministrativeUnit]:
    """Units a staff user may see: the subtrees of the units where they hold ``roles``."""
    if getattr(user, "is_superuser", False):
        return AdministrativeUnit.objects.all()
    paths = scope_paths(user, roles)
    if not paths:
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(_paths_q(paths))


def unit_scope_q(user, field: str = "unit", roles: Iterable[str] | None = None) -> Q:
    """A filter for any model with a unit foreign key ``field``: rows in the user's subtrees.

    It filters by the unit's path (``<field>__path__startswith``), which the database answers from
    the unit path index joined once; no per-row checks, no DISTINCT.
    """
    if getattr(user, "is_superuser", False):
        return Q()
    paths = scope_paths(user, roles)
    if not paths:
        return Q(pk__in=[])
    return _paths_q(paths, f"{field}__path")


def agencies_visible(user) -> QuerySet[Agency]:
    return Agency.objects.filter(unit__in=visible_units(user)).select_related("unit")


def unit_by_code(code: str) -> AdministrativeUnit | None:
    return AdministrativeUnit.objects.filter(code=code).first()


def unit_choices(level: str | None = None, parent: AdministrativeUnit | None = None) -> QuerySet:
    qs = AdministrativeUnit.objects.filter(is_active=True)
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    return qs.order_by("name")
