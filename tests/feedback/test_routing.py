"""Routing by polygon (shapely over unit boundaries) and data-driven agency rules."""

from __future__ import annotations

import pytest

from chinhquyenso.feedback import geo, routing
from chinhquyenso.feedback.models import RoutingRule
from chinhquyenso.units.models import AdministrativeUnit
from tests import factories
from tests.feedback.conftest import HUE_CITY_POINT, KTHT, QUANG_THO_POINT, UBND_QUANG_THO

pytestmark = pytest.mark.django_db


def test_point_in_quang_tho_is_routed_to_quang_tho(submit):
    feedback = submit()
    assert feedback.unit.code == factories.QUANG_THO
    assert feedback.routed_by_point is True


def test_point_outside_every_commune_goes_to_the_district_coordinator(submit, coordinator, commune_coordinator):
    feedback = submit(latitude=HUE_CITY_POINT[0], longitude=HUE_CITY_POINT[1])
    assert feedback.unit.code == factories.DISTRICT
    assert feedback.routed_by_point is False
    from chinhquyenso.feedback.services import coordinator_ids

    assert coordinator_ids(feedback.unit) == [coordinator.pk]  # not the commune's coordinator


def test_each_commune_representative_point_lands_in_that_commune(locality):
    from shapely.geometry import shape

    for unit in AdministrativeUnit.objects.filter(level="commune", boundary__isnull=False):
        point = shape(unit.boundary).representative_point()
        assert geo.unit_id_at(point.y, point.x) == unit.pk, unit.full_name


def test_typed_path_needs_no_map(submit, units):
    feedback = submit(latitude=None, longitude=None, unit=units.quang_phu, village="Thôn Thủy Lập",
                      location_source="typed")
    assert feedback.unit == units.quang_phu
    assert feedback.routed_by_point is False
    assert feedback.public_address == "Thôn Thủy Lập, Xã Quảng Phú"


def test_no_location_at_all_is_refused(submit):
    from chinhquyenso.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        submit(latitude=None, longitude=None)
    assert exc.value.code == "location_required"


def test_category_rule_picks_the_district_department(submit):
    assert submit().agency.identifier_code == KTHT


def test_commune_category_goes_to_the_commune_peoples_committee(submit, waste_category):
    feedback = submit(category=waste_category, attributes={"muc_do": "lon"})
    assert feedback.agency.identifier_code == UBND_QUANG_THO


def test_explicit_routing_rule_beats_the_category_rule(submit, road_category, units):
    one_stop = factories.agency("001.29.14.H57")
    RoutingRule.objects.create(category=road_category, unit=units.quang_tho, agency=one_stop)
    assert submit().agency == one_stop


def test_boundary_change_is_seen_without_restart(locality, units):
    lat, lon = QUANG_THO_POINT
    assert geo.unit_id_at(lat, lon) == units.quang_tho.pk
    # A bulk update sends no signal (the locality loader does this); the fingerprint notices it.
    AdministrativeUnit.objects.filter(code=factories.QUANG_THO).update(boundary=None)
    geo._index = geo._index.__class__(*[getattr(geo._index, f) for f in
                                        ("tree", "unit_ids", "ranks", "areas", "fingerprint", "version")], 0.0)
    assert geo.unit_id_at(lat, lon) != units.quang_tho.pk


def test_fallback_unit_setting(settings, locality):
    settings.FEEDBACK_FALLBACK_UNIT_CODE = factories.SIA
    assert routing.fallback_unit().code == factories.SIA
