"""Reads for the portal shell: which locality this installation serves."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from chinhquyenso.units.models import AdministrativeUnit

_CACHE_KEY = "portal:site_info:v1"


@dataclass(frozen=True)
class SiteInfo:
    name: str
    unit_code: str | None


def home_unit() -> AdministrativeUnit | None:
    """The unit this installation serves: ``HOME_UNIT_CODE``, else the only unit at depth 2, else
    the first root (a province-wide or a two-tier installation)."""
    code = getattr(settings, "HOME_UNIT_CODE", "")
    if code:
        return AdministrativeUnit.objects.filter(code=code).first()
    second = list(AdministrativeUnit.objects.filter(depth=2, level="district")[:2])
    if len(second) == 1:
        return second[0]
    return AdministrativeUnit.objects.filter(depth=1).order_by("path").first()


def site_info() -> SiteInfo:
    info = cache.get(_CACHE_KEY)
    if info is None:
        unit = home_unit()
        info = SiteInfo(name=unit.full_name if unit else "Chính quyền số", unit_code=unit.code if unit else None)
        cache.set(_CACHE_KEY, info, 300)
    return info


def site_info_clear() -> None:
    cache.delete(_CACHE_KEY)
