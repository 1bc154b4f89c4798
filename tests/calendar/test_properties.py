"""Hypothesis properties of the working-day arithmetic, nationwide and for a commune with overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhquyenso.calendar import services as cal
from chinhquyenso.calendar.models import OverrideKind
from tests.calendar.conftest import VN, D, override

pytestmark = pytest.mark.django_db

days = st.dates(min_value=D(2024, 1, 1), max_value=D(2028, 6, 30))
counts = st.integers(min_value=0, max_value=300)
moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 6, 30),
                       timezones=st.just(VN))
shared = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def commune(units):
    """Quảng Thọ with a make-up Saturday, an extra day off, and a province-wide day off."""
    override(day=D(2026, 1, 10), kind=OverrideKind.WORKING_DAY, unit=units.quang_tho, name="Làm bù")
    override(day=D(2026, 1, 2), unit=units.quang_tho, name="Nghỉ bù")
    override(day=D(2027, 3, 3), unit=units.province, name="Nghỉ do bão")
    override(day=D(2025, 12, 31), unit=units.quang_tho, name="Nghỉ cuối năm")
    return units.quang_tho


@pytest.fixture(params=["nationwide", "commune"])
def unit(request):
    return request.getfixturevalue("commune") if request.param == "commune" else None


@shared
@given(start=days, n=counts)
def test_result_is_never_a_day_off(unit, start, n):
    assert cal.is_working_day(cal.add_working_days(start, n, unit), unit)


@shared
@given(start=days, n=counts)
def test_monotonic_in_n(unit, start, n):
    this, following = cal.add_working_days(start, n, unit), cal.add_working_days(start, n + 1, unit)
    assert start <= this <= following
    if n >= 1 or cal.is_working_day(start, unit):  # n=0 from a day off is its next working day = n=1
        assert this < following


@shared
@given(start=days, a=counts, b=counts)
def test_additive_from_a_working_day(unit, start, a, b):
    day = cal.add_working_days(start, 0, unit)  # the working day on or after start
    assert cal.add_working_days(cal.add_working_days(day, a, unit), b, unit) == cal.add_working_days(day, a + b, unit)


@shared
@given(start=days, n=counts)
def test_working_days_between_inverts_add(unit, start, n):
    day = cal.add_working_days(start, 0, unit)
    assert cal.working_days_between(day, cal.add_working_days(day, n, unit), unit) == n


@shared
@given(a=days, b=days)
def test_working_days_between_is_antisymmetric(unit, a, b):
    assert cal.working_days_between(a, b, unit) == -cal.working_days_between(b, a, unit)


@shared
@given(received=moments, n=counts)
def test_receipt_counts_from_a_working_day_not_before_it(unit, received, n):
    start = cal.effective_start(received, unit)
    assert cal.is_working_day(start, unit)
    assert start >= received.date()
    assert cal.add_working_days(received, n, unit) == cal.add_working_days(start, n, unit)


@shared
@given(received=moments, hours=st.integers(min_value=0, max_value=40 * 60).map(lambda minutes: minutes / 60))
def test_working_hours_end_inside_office_hours(unit, received, hours):
    end = cal.add_working_hours(received, hours, unit)
    assert end >= received
    if hours > 0:
        assert cal.is_working_day(end.date(), unit)
        oh = cal.office_hours(unit)
        assert any(start < end.time() <= stop for start, stop in oh.sessions())
    assert cal.add_working_hours(received, hours + 1, unit) > end
