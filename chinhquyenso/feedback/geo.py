"""Where a report is: point-in-polygon over the units' boundaries (shapely), and distances.

The boundaries (GeoJSON on ``AdministrativeUnit.boundary``) are turned into shapely geometries once
per process and kept in an STR-tree. The cache is dropped when a unit is saved in this process, when
another process bumps the shared version key (Django cache), and at the latest every
``FEEDBACK_BOUNDARY_RECHECK_SECONDS``, when a cheap fingerprint query (count, last id, total size
of the boundaries) notices a bulk ``update()`` that sent no signal (the locality loader does that).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum, TextField
from django.db.models.functions import Cast, Length
from django.db.models.signals import post_delete, post_save
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.validation import make_valid

from chinhquyenso.units.models import AdministrativeUnit, UnitLevel

EARTH_RADIUS_M = 6_371_008.8
_VERSION_KEY = "feedback:boundaries:version"
_LEVEL_RANK = {UnitLevel.COMMUNE: 3, UnitLevel.DISTRICT: 2, UnitLevel.PROVINCE: 1}


@dataclass(frozen=True)
class _Index:
    tree: STRtree | None
    unit_ids: tuple[int, ...]
    ranks: tuple[int, ...]
    areas: tuple[float, ...]
    fingerprint: tuple
    version: str
    checked_at: float


_lock = threading.Lock()
_index: _Index | None = None


def _fingerprint() -> tuple:
    row = (AdministrativeUnit.objects.filter(boundary__isnull=False, is_active=True)
           .aggregate(n=Count("id"), last=Max("id"), size=Sum(Length(Cast("boundary", TextField())))))
    return row["n"], row["last"], row["size"]


def _shared_version() -> str:
    return str(cache.get(_VERSION_KEY) or "0")


def boundaries_changed() -> None:
    """Drop every process's cached boundaries (shared cache) and this process's copy now."""
    global _index
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, timeout=None)
    with _lock:
        _index = None


def _build() -> _Index:
    geoms, ids, ranks, areas = [], [], [], []
    rows = (AdministrativeUnit.objects.filter(boundary__isnull=False, is_active=True)
            .values_list("id", "level", "boundary"))
    for unit_id, level, boundary in rows:
        try:
            geom = shape(boundary)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # a broken boundary must not stop routing for everyone else
        if not geom.is_valid:
            geom = make_valid(geom)
        if geom.is_empty:
            continue
        geoms.append(geom)
        ids.append(unit_id)
        ranks.append(_LEVEL_RANK.get(level, 0))
        areas.append(geom.area)
    return _Index(tree=STRtree(geoms) if geoms else None, unit_ids=tuple(ids), ranks=tuple(ranks),
                  areas=tuple(areas), fingerprint=_fingerprint(), version=_shared_version(),
                  checked_at=time.monotonic())


def _current() -> _Index:
    global _index
    index = _index
    recheck = getattr(settings, "FEEDBACK_BOUNDARY_RECHECK_SECONDS", 60)
    if index is not None and index.version == _shared_version():
        if time.monotonic() - index.checked_at < recheck:
            return index
        if _fingerprint() == index.fingerprint:
            index = _Index(index.tree, index.unit_ids, index.ranks, index.areas, index.fingerprint, index.version,
                           time.monotonic())
            _index = index
            return index
    with _lock:
        _index = _build()
        return _index


def unit_id_at(latitude: float, longitude: float) -> int | None:
    """The id of the deepest unit whose boundary contains the point (commune before district);
    among overlapping units of the same level (approximate borders), the smallest. None if outside."""
    index = _current()
    if index.tree is None:
        return None
    point = Point(longitude, latitude)  # GeoJSON order: x = longitude, y = latitude
    hits = index.tree.query(point, predicate="intersects")
    if len(hits) == 0:
        return None
    best = min(hits, key=lambda i: (-index.ranks[i], index.areas[i]))
    return index.unit_ids[best]


def unit_at(latitude: float, longitude: float) -> AdministrativeUnit | None:
    unit_id = unit_id_at(latitude, longitude)
    return AdministrativeUnit.objects.filter(pk=unit_id).first() if unit_id else None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(latitude: float, longitude: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) around a point: an index-friendly pre-filter."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(latitude)), 1e-6)
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def _on_unit_change(sender, instance, **kwargs):
    boundaries_changed()


def connect_signals() -> None:
    post_save.connect(_on_unit_change, sender=AdministrativeUnit, dispatch_uid="feedback.geo.unit_saved")
    post_delete.connect(_on_unit_change, sender=AdministrativeUnit, dispatch_uid="feedback.geo.unit_deleted")
