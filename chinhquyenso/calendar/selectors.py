"""Database reads behind the calendar. ``calendar.services`` caches what these return.

Every read takes the unit's materialised path, not the unit: the ancestors' paths are prefixes
of it (``AdministrativeUnit.steplen`` characters per level), so "the overrides that apply to this
commune" is one indexed ``IN`` on ``units_administrativeunit.path`` joined once, with no query to
find the ancestors first.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from chinhquyenso.calendar.models import CalendarOverride, UnitServiceHours
from chinhquyenso.units.models import AdministrativeUnit

STEPLEN = AdministrativeUnit.steplen


def path_and_ancestors(path: str) -> list[str]:
    """``path`` and the paths of its ancestors, root first ("" → no unit → [])."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def _applicable_to(path: str) -> Q:
    nationwide = Q(unit__isnull=True)
    return nationwide | Q(unit__path__in=path_and_ancestors(path)) if path else nationwide


def overrides_applicable(*, unit_path: str, first_day: dt.date, last_day: dt.date) -> list[dict]:
    """Overrides in ``[first_day, last_day]`` that apply to the unit at ``unit_path``: one query.

    Rows come shallowest unit first (nationwide, then province …), so applying them in order lets
    the nearest unit win.
    """
    rows = list(
        CalendarOverride.objects.filter(_applicable_to(unit_path), date__gte=first_day, date__lte=last_day)
        .values("id", "date", "kind", "name", "legal_basis", "unit__path", "unit__code")
    )
    rows.sort(key=lambda r: (len(r["unit__path"] or ""), r["date"]))
    return rows


def service_hours_row(*, unit_path: str) -> UnitServiceHours | None:
    """The nearest configured office hours: the unit's own row, else the nearest ancestor whose row
    applies to its subtree. One query."""
    if not unit_path:
        return None
    ancestors = path_and_ancestors(unit_path)[:-1]
    return (
        UnitServiceHours.objects.filter(Q(unit__path=unit_path) | Q(unit__path__in=ancestors, applies_to_subtree=True))
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )


def override_list(*, year: int | None = None, unit: AdministrativeUnit | None = None):
    """Overrides for the admin and reports: all of them, or those of a year / a unit's subtree."""
    qs = CalendarOverride.objects.select_related("unit", "created_by")
    if year is not None:
        qs = qs.filter(date__year=year)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("date", "unit__path")
