"""Public read API over units and agencies (the address picker and integrators use it)."""

from __future__ import annotations

from ninja import P, PathEx, Router, Schema

from chinhquyenso.core.errors import NotFound
from chinhquyenso.units.models import AdministrativeUnit, Agency
from chinhquyenso.units.selectors import parent_of

router = Router(tags=["Đơn vị hành chính"])


class UnitOut(Schema):
    code: str
    name: str
    full_name: str
    level: str
    kind: str
    parent_code: str | None = None


class AgencyOut(Schema):
    identifier_code: str
    name: str
    kind: str
    abbreviation: str
    unit_code: str


def _unit_out(unit: AdministrativeUnit, parent_code: str | None) -> UnitOut:
    return UnitOut(code=unit.code, name=unit.name, full_name=unit.full_name, level=unit.level, kind=unit.kind,
                   parent_code=parent_code)


@router.get("/", response=list[UnitOut], auth=None, summary="Danh sách đơn vị hành chính")
def list_units(request, parent: str | None = None, level: str | None = None):
    """Children of ``parent`` (by code), or the roots when no parent is given; at most 500 rows."""
    qs = AdministrativeUnit.objects.filter(is_active=True)
    if parent:
        parent_unit = AdministrativeUnit.objects.filter(code=parent).first()
        if parent_unit is None:
            raise NotFound("unit_not_found", "Không tìm thấy đơn vị hành chính.", "parent")
        qs = qs.filter(path__startswith=parent_unit.path, depth=parent_unit.depth + 1)
        parent_code = parent_unit.code
    else:
        qs = qs.filter(depth=1)
        parent_code = None
    if level:
        qs = qs.filter(level=level)
    return [_unit_out(u, parent_code) for u in qs.order_by("name")[:500]]


@router.get("/agencies", response=list[AgencyOut], auth=None, summary="Danh sách cơ quan")
def list_agencies(request, unit: str | None = None):
    qs = Agency.objects.filter(is_active=True).select_related("unit")
    if unit:
        qs = qs.filter(unit__code=unit)
    return [
        AgencyOut(identifier_code=a.identifier_code, name=a.name, kind=a.kind, abbreviation=a.abbreviation,
                  unit_code=a.unit.code)
        for a in qs.order_by("unit__path", "name")[:500]
    ]


# A GSO unit code is digits only ("46", "477", "19894"); declaring it keeps "/units/agencies" (the
# agency list above) out of this operation's documented space.
GSO_CODE_PATTERN = r"^[0-9]{1,10}$"


@router.get("/{code}", response=UnitOut, auth=None, summary="Một đơn vị hành chính")
def get_unit(request, code: PathEx[str, P(pattern=GSO_CODE_PATTERN, description="Mã đơn vị hành chính (TCTK)")]):
    unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị hành chính.", "code")
    parent = parent_of(unit)
    return _unit_out(unit, parent.code if parent else None)
