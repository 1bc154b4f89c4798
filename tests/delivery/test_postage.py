"""Postage: zones from the unit tree, the zone/weight table as data, and the calculator's properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinhquyenso.core.errors import DomainError
from chinhquyenso.delivery.services import postage_amount, postage_quote, postage_zone
from chinhquyenso.units.models import AdministrativeUnit
from tests import factories

pytestmark = [pytest.mark.django_db,
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_zones_follow_the_unit_tree(locality):
    district = factories.unit(factories.DISTRICT)
    tho, phu = factories.unit(factories.QUANG_THO), factories.unit(factories.QUANG_PHU)
    assert postage_zone(district, tho) == "local"
    assert postage_zone(tho, phu) == "local"
    other_province = AdministrativeUnit.add_root(code="48", name="Đà Nẵng", full_name="Thành phố Đà Nẵng",
                                                 level="province", kind="city_central")
    assert postage_zone(tho, other_province) == "national"
    province = factories.unit(factories.PROVINCE)
    assert postage_zone(district, province) == "province"


def test_quote_uses_the_table_in_force(postage, desk):
    quote = postage_quote(origin=desk.unit, destination=factories.unit(factories.QUANG_THO), weight_g=300)
    assert (quote.zone, quote.amount) == ("local", 22_000)
    heavy = postage_quote(origin=desk.unit, destination=factories.unit(factories.QUANG_THO), weight_g=3_100)
    assert heavy.amount == 32_000 + 3 * 3_000  # 2 kg band + three started 500 g
    with pytest.raises(DomainError):
        postage_quote(origin=desk.unit, destination=desk.unit, weight_g=31_000)


def test_no_table_means_a_clear_error(locality, desk):
    with pytest.raises(DomainError) as exc:
        postage_quote(origin=desk.unit, destination=desk.unit, weight_g=100)
    assert exc.value.code == "no_postage_table"


def _non_decreasing(pairs):
    """(weight step, price step) pairs → bands with growing weights and non-decreasing prices."""
    weight = price = 0
    out = []
    for dw, dp in pairs:
        weight, price = weight + dw, price + dp
        out.append((weight, price))
    return out


bands = st.lists(st.tuples(st.integers(1, 2_000), st.integers(0, 20_000)), min_size=1, max_size=6).map(
    _non_decreasing).filter(lambda bs: bs[0][1] > 0)


@settings(deadline=None)
@given(bands=bands, extra=st.integers(0, 20_000), w1=st.integers(1, 30_000), w2=st.integers(1, 30_000))
def test_postage_never_falls_when_the_parcel_gets_heavier(bands, extra, w1, w2):
    low, high = sorted((w1, w2))
    assert postage_amount(bands=bands, extra_per_500g=extra, weight_g=low) <= postage_amount(
        bands=bands, extra_per_500g=extra, weight_g=high)
    assert postage_amount(bands=bands, extra_per_500g=extra, weight_g=low) >= bands[0][1]


@settings(deadline=None)
@given(bands=bands, extra=st.integers(0, 20_000))
def test_each_band_edge_costs_the_band_amount(bands, extra):
    for up_to, amount in bands:
        assert postage_amount(bands=bands, extra_per_500g=extra, weight_g=up_to) == amount
