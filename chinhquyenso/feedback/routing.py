"""Where a report belongs (unit) and who answers it (agency): data-driven, no per-locality code.

1. The unit: the commune whose boundary contains the point; a point outside every commune goes to
   the district it lies in, and a point outside everything (or a report with no usable location)
   to the fallback unit — the district coordinator (``FEEDBACK_FALLBACK_UNIT_CODE``, default the
   first district of the tree). The typed path (commune chosen from the list) needs no map at all.
2. The agency: an explicit ``RoutingRule`` for the category in that unit or an ancestor (deepest
   wins); else the category's generic rule (handling level + agency kind + abbreviation); else
   the People's Committee of the district. Borders are approximate, so the coordinator always
   confirms or re-routes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from chinhquyenso.core.errors import DomainError
from chinhquyenso.feedback import geo
from chinhquyenso.feedback.models import FeedbackCategory, RoutingRule
from chinhquyenso.units.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel


def fallback_unit() -> AdministrativeUnit:
    code = getattr(settings, "FEEDBACK_FALLBACK_UNIT_CODE", "")
    unit = None
    if code:
        unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is None:
        unit = (AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT, is_active=True).order_by("path").first()
                or AdministrativeUnit.objects.filter(depth=1).order_by("path").first())
    if unit is None:
        raise DomainError("no_units", _("Chưa cấu hình địa bàn (đơn vị hành chính)."))
    return unit


def validate_point(latitude, longitude) -> tuple[float, float] | None:
    if latitude in (None, "") and longitude in (None, ""):
        return None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise DomainError("location_invalid", _("Toạ độ vị trí không hợp lệ."), "lat") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError("location_invalid", _("Toạ độ vị trí không hợp lệ."), "lat")
    return lat, lon


def locate(*, point: tuple[float, float] | None, unit: AdministrativeUnit | None) -> tuple[AdministrativeUnit, bool]:
    """(unit, found_by_point). A point inside a unit wins over the chosen commune (it is where the
    problem is); a point outside every unit keeps the chosen commune, or falls back."""
    if point is not None:
        found = geo.unit_at(*point)
        if found is not None:
            return found, True
    if unit is not None:
        return unit, False
    if point is not None:
        return fallback_unit(), False
    raise DomainError("location_required",
                      _("Hãy chọn vị trí trên bản đồ hoặc chọn xã, phường nơi xảy ra sự việc."), "unit")


def district_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The district the unit is in (itself for a district); the parent in a two-tier province."""
    if unit.level in (UnitLevel.DISTRICT, UnitLevel.PROVINCE):
        return unit
    paths = unit.ancestor_paths()
    ancestors = {u.path: u for u in AdministrativeUnit.objects.filter(path__in=paths)}
    for path in reversed(paths):
        if ancestors.get(path) is not None and ancestors[path].level == UnitLevel.DISTRICT:
            return ancestors[path]
    return ancestors.get(paths[-1], unit) if paths else unit


def agency_for(category: FeedbackCategory, unit: AdministrativeUnit) -> Agency | None:
    rule = (RoutingRule.objects.filter(category=category, unit__path__in=[unit.path, *unit.ancestor_paths()],
                                       agency__is_active=True)
            .select_related("agency").order_by("-unit__depth").first())
    if rule is not None:
        return rule.agency
    if category.handling_level == UnitLevel.COMMUNE and unit.level == UnitLevel.COMMUNE:
        target = unit
    else:
        target = district_of(unit)
    qs = Agency.objects.filter(unit=target, kind=category.agency_kind, is_active=True)
    if category.agency_abbreviation:
        qs = qs.filter(abbreviation=category.agency_abbreviation)
    agency = qs.order_by("identifier_code").first()
    if agency is None:
        agency = (Agency.objects.filter(unit=district_of(unit), kind=AgencyKind.PEOPLES_COMMITTEE, is_active=True)
                  .order_by("identifier_code").first())
    return agency
