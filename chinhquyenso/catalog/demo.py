"""Demo catalogue: the 37 researched procedures of ``catalog/data/procedures.json``.

The data file names implementing agencies by role (``agency_match``: "the commune People's
Committees", "the district justice office") so that it fits any locality file; they are resolved
against the loaded locality here. Loading again changes nothing (the import reports "unchanged").
"""

from __future__ import annotations

import json
from pathlib import Path

from chinhquyenso.catalog.exchange import parse_json
from chinhquyenso.catalog.services import catalog_import
from chinhquyenso.units.models import AdministrativeUnit, Agency

DATA_FILE = Path(__file__).resolve().parent / "data" / "procedures.json"


def _resolve_agencies(match: list[dict], owner: AdministrativeUnit) -> list[str]:
    codes: list[str] = []
    for m in match:
        qs = Agency.objects.filter(is_active=True, unit__path__startswith=owner.path, unit__level=m["level"])
        if "kind" in m:
            qs = qs.filter(kind=m["kind"])
        if "abbreviation" in m:
            qs = qs.filter(abbreviation=m["abbreviation"])
        codes.extend(qs.order_by("unit__path").values_list("identifier_code", flat=True))
    return sorted(set(codes))


def demo_records(path: Path = DATA_FILE) -> tuple[list[dict], list]:
    data = json.loads(path.read_text(encoding="utf-8"))
    owners = {u.code: u for u in AdministrativeUnit.objects.filter(code__in={p["unit"] for p in data["procedures"]})}
    for p in data["procedures"]:
        match = p.pop("agency_match", None)
        owner = owners.get(p["unit"])
        if match and owner is not None:
            p["agencies"] = _resolve_agencies(match, owner)
    return parse_json(data)


def load(*, log) -> None:
    records, issues = demo_records()
    report = catalog_import(records=records, actor=None, parse_issues=issues, source="demo")
    if not report.ok:
        for issue in report.issues[:10]:
            log(f"  {issue}")
        raise RuntimeError("Dữ liệu mẫu danh mục thủ tục không hợp lệ.")
    log(f"Danh mục thủ tục: {report.total} thủ tục ({len(report.created)} mới, {len(report.updated)} cập nhật).")
