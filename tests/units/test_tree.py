import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chinhquyenso.accounts.roles import Role
from chinhquyenso.units.identifiers import parse_agency_code
from chinhquyenso.units.models import AdministrativeUnit, Agency
from chinhquyenso.units.selectors import children_of, unit_scope_q, unit_subtree, visible_units
from chinhquyenso.units.services import locality_load
from tests.factories import QUANG_PHU, QUANG_THO


def test_demo_locality_has_the_district_its_eleven_communes_and_departments(locality, units):
    communes = children_of(units.district)
    assert sorted(c.name for c in communes) == sorted([
        "Quảng Thọ", "Quảng Phú", "Quảng Vinh", "Quảng An", "Quảng Thành", "Quảng Thái", "Quảng Lợi",
        "Quảng Phước", "Quảng Ngạn", "Quảng Công", "Sịa"])
    departments = set(Agency.objects.filter(unit=units.district).values_list("name", flat=True))
    for name in ["Phòng Nội vụ", "Phòng Tư pháp", "Phòng Tài chính - Kế hoạch", "Phòng Văn hóa và Thông tin",
                 "Phòng Tài nguyên và Môi trường", "Phòng Kinh tế - Hạ tầng", "Văn phòng HĐND và UBND huyện"]:
        assert name in departments
    assert Agency.objects.filter(unit=units.district, kind="one_stop").exists()
    assert units.quang_tho.boundary["type"] == "Polygon"


def test_loading_the_locality_twice_changes_nothing(locality):
    before = (AdministrativeUnit.objects.count(), Agency.objects.count())
    stats = locality_load(path=__import__("django.conf").conf.settings.LOCALITY_FILE)
    assert stats["units_created"] == 0 and stats["agencies_created"] == 0
    assert (AdministrativeUnit.objects.count(), Agency.objects.count()) == before


def test_subtree_is_one_query_on_the_path(locality, units):
    district = units.district
    with CaptureQueriesContext(connection) as ctx:
        codes = set(unit_subtree(district).values_list("code", flat=True))
    assert len(ctx.captured_queries) == 1
    assert "LIKE" in ctx.captured_queries[0]["sql"].upper()
    assert len(codes) == 12 and "46" not in codes


def test_a_two_tier_locality_province_to_commune_works(db, settings):
    from pathlib import Path

    path = Path(settings.BASE_DIR) / "units" / "data" / "hue-two-tier.json"
    locality_load(path=path)
    city = AdministrativeUnit.objects.get(code="46")
    communes = list(children_of(city))
    assert {c.level for c in communes} == {"commune"}
    assert {c.full_name for c in communes} == {"Xã Quảng Điền", "Xã Đan Điền"}
    assert set(unit_subtree(city).values_list("code", flat=True)) == {"46", "19900", "19901"}


def test_commune_officer_sees_only_their_commune_and_district_officer_sees_all(locality, make_staff):
    commune_officer = make_staff(Role.SPECIALIST, QUANG_THO)
    district_officer = make_staff(Role.SPECIALIST, "477")
    assert set(visible_units(commune_officer).values_list("code", flat=True)) == {QUANG_THO}
    district_codes = set(visible_units(district_officer).values_list("code", flat=True))
    assert {QUANG_THO, QUANG_PHU, "477"} <= district_codes and "46" not in district_codes


def test_unit_scope_filter_keeps_rows_of_the_subtree_only(locality, make_staff):
    officer = make_staff(Role.RECEPTION_OFFICER, QUANG_THO)
    agencies = Agency.objects.filter(unit_scope_q(officer))
    assert agencies.exists()
    assert set(agencies.values_list("unit__code", flat=True)) == {QUANG_THO}


def test_user_without_roles_sees_no_unit(locality, citizen):
    assert not visible_units(citizen).exists()
    assert not Agency.objects.filter(unit_scope_q(citizen)).exists()


@pytest.mark.parametrize(
    ("raw", "standard"),
    [("000.00.14.H57", "000.00.14.H57"), ("00.14.H57", "000.00.14.H57"), ("H15.50.05.13", "013.05.50.H15")],
)
def test_agency_codes_are_parsed_in_both_orders_and_written_in_the_standard_one(raw, standard):
    assert str(parse_agency_code(raw)) == standard


def test_a_malformed_agency_code_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        parse_agency_code("H57-14")
