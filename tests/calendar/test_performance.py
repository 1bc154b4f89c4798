"""The calendar is cached: a 250-working-day deadline costs at most one query cold and none warm."""

from __future__ import annotations

import pytest

from chinhquyenso.calendar import services as cal
from tests.calendar.conftest import D, override, vn

pytestmark = pytest.mark.django_db


def test_add_250_working_days_uses_a_bounded_number_of_queries(units, django_assert_max_num_queries,
                                                               django_assert_num_queries):
    commune = units.quang_tho
    override(day=D(2026, 7, 1), unit=commune)
    cal.calendar_cache_bump()
    with django_assert_max_num_queries(3):
        due = cal.add_working_days(D(2026, 6, 1), 250, commune)
    assert due.year == 2027
    with django_assert_num_queries(0):
        assert cal.add_working_days(D(2026, 6, 1), 250, commune) == due
        cal.working_days_between(D(2026, 6, 1), due, commune)
        cal.is_working_day(D(2026, 12, 31), commune)


def test_receipt_moment_deadline_is_bounded_too(units, django_assert_max_num_queries, django_assert_num_queries):
    commune = units.sia
    cal.calendar_cache_bump()
    with django_assert_max_num_queries(3):  # office hours + overrides
        due = cal.add_working_days(vn(2026, 6, 1, 18), 250, commune)
    with django_assert_num_queries(0):
        assert cal.add_working_days(vn(2026, 6, 1, 18), 250, commune) == due
        cal.add_working_hours(vn(2026, 6, 1, 18), 8, commune)
        cal.deadline_status(due, now=vn(2026, 6, 2), unit=commune)


def test_a_change_is_seen_after_a_bump(units):
    assert cal.is_working_day(D(2026, 7, 2), units.sia)
    override(day=D(2026, 7, 2), unit=units.sia)  # the service bumps the version itself
    assert not cal.is_working_day(D(2026, 7, 2), units.sia)
