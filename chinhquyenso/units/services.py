"""Writes for units and agencies: loading a locality from its data file."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from chinhquyenso.core.audit import audit_record
from chinhquyenso.units.identifiers import parse_agency_code
from chinhquyenso.units.models import AdministrativeUnit, Agency

_UNIT_FIELDS = ("name", "full_name", "level", "kind", "valid_from", "valid_until")
_AGENCY_FIELDS = ("kind", "name", "abbreviation", "identifier_confirmed", "email", "phone", "address")


def _upsert_unit(data: dict, parent: AdministrativeUnit | None) -> tuple[AdministrativeUnit, bool]:
    values = {k: data[k] for k in _UNIT_FIELDS if k in data}
    unit = AdministrativeUnit.objects.filter(code=data["code"]).first()
    if unit is None:
        node = AdministrativeUnit(code=data["code"], **values)
        manager = AdministrativeUnit.objects
        unit = manager.add_child(parent, instance=node) if parent else manager.add_root(instance=node)
        return unit, True
    for key, value in values.items():
        setattr(unit, key, value)
    unit.save()
    if parent is not None and not (unit.path.startswith(parent.path) and unit.depth == parent.depth + 1):
        # A unit moved in a reorganisation: re-hang it (and its subtree) under its new parent.
        AdministrativeUnit.objects.move(unit, parent, "sorted-child")
        unit.refresh_from_db()
    return unit, False


def _load_units(items: list[dict], parent, stats: dict) -> None:
    for item in items:
        unit, created = _upsert_unit(item, parent)
        stats["units_created" if created else "units_updated"] += 1
        _load_units(item.get("children", []), unit, stats)


def _load_boundaries(path: Path) -> int:
    collection = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for feature in collection.get("features", []):
        code = str(feature.get("properties", {}).get("gso_code") or feature.get("id") or "")
        count += AdministrativeUnit.objects.filter(code=code).update(boundary=feature["geometry"])
    return count


@transaction.atomic
def locality_load(*, path: str | Path, actor=None) -> dict:
    """Create or update the units and agencies described by a locality data file (idempotent)."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    stats = {"units_created": 0, "units_updated": 0, "agencies_created": 0, "agencies_updated": 0,
             "boundaries": 0}
    _load_units(data["units"], None, stats)
    for item in data.get("agencies", []):
        code = str(parse_agency_code(item["identifier_code"]))
        values = {k: item[k] for k in _AGENCY_FIELDS if k in item}
        values["unit"] = AdministrativeUnit.objects.get(code=item["unit"])
        values["parent"] = Agency.objects.get(identifier_code=item["parent"]) if item.get("parent") else None
        _agency, created = Agency.objects.update_or_create(identifier_code=code, defaults=values)
        stats["agencies_created" if created else "agencies_updated"] += 1
    if data.get("boundaries"):
        stats["boundaries"] = _load_boundaries(path.parent / data["boundaries"])
    audit_record(action="units.locality_load", actor=actor, object_type="units.locality",
                 object_id=path.name, after=stats)
    return stats
