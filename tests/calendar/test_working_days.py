"""Working-day arithmetic against the Vietnamese holidays (no overrides)."""

from __future__ import annotations

import datetime as dt

import pytest

from chinhquyenso.calendar import services as cal
from tests.calendar.conftest import VN, D, vn

pytestmark = pytest.mark.django_db


def test_received_monday_three_working_days_is_thursday():
    assert cal.add_working_days(D(2026, 3, 9), 3) == D(2026, 3, 12)


def test_package_knows_tet_2026_and_2027():
    days_off_2026 = {d.date for d in cal.year_calendar(2026) if not d.working}
    assert {D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20)} <= days_off_2026
    days_off_2027 = {d.date for d in cal.year_calendar(2027) if not d.working}
    # Tết 2027 is Saturday 06/02; the package gives 04/02–10/02 (weekend Tết days moved to weekdays).
    assert {D(2027, 2, day) for day in range(4, 11)} <= days_off_2027
    assert D(2026, 11, 24) in days_off_2026  # Ngày Văn hóa Việt Nam, from 2026


def test_received_friday_before_tet_2026_lands_after_the_whole_break():
    # Tết Bính Ngọ: off Sat 14/02 – Sun 22/02/2026 (weekend + 16–20/02).
    assert cal.add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)


def test_received_friday_before_tet_2027_lands_after_the_whole_break():
    # Fri 29/01/2027: Mon 1, Tue 2, Wed 3 are working days, then off 04/02 – 10/02/2027.
    assert cal.add_working_days(D(2027, 1, 29), 3) == D(2027, 2, 3)
    assert cal.add_working_days(D(2027, 1, 29), 5) == D(2027, 2, 12)


def test_package_swap_makes_saturday_22_08_2026_a_working_day():
    assert cal.is_working_day(D(2026, 8, 22))
    assert not cal.is_working_day(D(2026, 8, 31))


def test_weekends_are_days_off_and_next_working_day_is_strictly_after():
    assert not cal.is_working_day(D(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(D(2026, 3, 8))  # Sunday
    assert cal.next_working_day(D(2026, 3, 6)) == D(2026, 3, 9)
    assert cal.next_working_day(D(2026, 3, 9)) == D(2026, 3, 10)


def test_submission_after_office_hours_counts_from_next_working_day():
    assert cal.effective_start(vn(2026, 3, 9, 16, 59)) == D(2026, 3, 9)
    assert cal.effective_start(vn(2026, 3, 9, 17, 0)) == D(2026, 3, 10)
    assert cal.add_working_days(vn(2026, 3, 9, 10), 3) == D(2026, 3, 12)
    assert cal.add_working_days(vn(2026, 3, 9, 18), 3) == D(2026, 3, 13)


def test_submission_on_sunday_counts_from_monday():
    assert cal.effective_start(vn(2026, 3, 8, 10)) == D(2026, 3, 9)
    assert cal.add_working_days(vn(2026, 3, 8, 10), 3) == D(2026, 3, 12)
    assert cal.add_working_days(vn(2026, 3, 8, 10), 0) == D(2026, 3, 9)


def test_effective_start_uses_vietnamese_time_whatever_the_input_zone():
    # 10:30 UTC on Monday is 17:30 in Hà Nội: after hours.
    assert cal.effective_start(dt.datetime(2026, 3, 9, 10, 30, tzinfo=dt.UTC)) == D(2026, 3, 10)
    # 23:30 UTC on Sunday is 06:30 Monday in Hà Nội: counts from Monday.
    assert cal.effective_start(dt.datetime(2026, 3, 8, 23, 30, tzinfo=dt.UTC)) == D(2026, 3, 9)


def test_zero_days_and_day_off_dates():
    assert cal.add_working_days(D(2026, 3, 9), 0) == D(2026, 3, 9)
    assert cal.add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 9)  # Saturday → Monday
    assert cal.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)  # day 1 is the next working day


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 3, 9), -1)


def test_years_outside_the_calendar_are_refused():
    with pytest.raises(ValueError):
        cal.is_working_day(D(2101, 1, 3))


def test_working_days_between_counts_the_half_open_interval():
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 27)) == 5
    assert cal.working_days_between(D(2026, 2, 27), D(2026, 2, 13)) == -5
    assert cal.working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert cal.working_days_between(D(2026, 3, 6), D(2026, 3, 8)) == 0  # Fri → Sun


def test_eight_working_hours_skip_lunch_nights_and_tet():
    # Decree 45/2020: online dossier answered within 8 working hours. The default office day is
    # 07:00–11:30 + 13:30–17:00 = 8 hours (Huế's office hours).
    assert cal.add_working_hours(vn(2026, 3, 9, 8, 0), 8) == vn(2026, 3, 10, 8, 0)
    assert cal.add_working_hours(vn(2026, 3, 9, 11, 0), 0.5) == vn(2026, 3, 9, 11, 30)
    assert cal.add_working_hours(vn(2026, 3, 9, 11, 0), 1) == vn(2026, 3, 9, 14, 0)
    assert cal.add_working_hours(vn(2026, 3, 9, 20, 0), 8) == vn(2026, 3, 10, 17, 0)
    assert cal.add_working_hours(vn(2026, 3, 9, 20, 0), 7.5) == vn(2026, 3, 10, 16, 30)
    # Submitted Friday 11:00 before Tết: 4 hours that day, the rest on Monday 23/02 after the break.
    assert cal.add_working_hours(vn(2026, 2, 13, 11, 0), 8) == vn(2026, 2, 23, 11, 0)
    assert cal.add_working_hours(vn(2026, 3, 9, 12, 0), 0) == vn(2026, 3, 9, 12, 0)


def test_working_hours_result_is_vietnamese_local_time():
    result = cal.add_working_hours(dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC), 1)  # 08:00 in Hà Nội
    assert result == vn(2026, 3, 9, 9, 0)
    assert result.utcoffset() == dt.timedelta(hours=7)
    assert result.tzinfo == VN


def test_deadline_status():
    due = D(2026, 3, 13)  # Friday
    assert cal.deadline_status(due, now=vn(2026, 3, 9, 9)) == "on_time"  # 4 working days left
    assert cal.deadline_status(due, now=vn(2026, 3, 11, 9)) == "due_soon"  # 2 left
    assert cal.deadline_status(due, now=vn(2026, 3, 13, 16)) == "due_soon"  # due today
    assert cal.deadline_status(due, now=vn(2026, 3, 14, 0, 1)) == "overdue"
    assert cal.deadline_status(due, now=vn(2026, 3, 11, 9), soon_days=1) == "on_time"
    # Weekends and holidays do not count as time left: Friday before Tết, due 23/02 is 1 working day away.
    assert cal.deadline_status(D(2026, 2, 23), now=vn(2026, 2, 13, 9)) == "due_soon"
    # A datetime deadline is overdue the moment it passes.
    assert cal.deadline_status(vn(2026, 3, 9, 11), now=vn(2026, 3, 9, 11, 1)) == "overdue"
    assert cal.deadline_status(vn(2026, 3, 20, 11), now=vn(2026, 3, 9, 11)) == "on_time"


def test_default_office_hours_come_from_settings(settings):
    settings.OFFICE_HOURS_END = "16:30"
    cal.calendar_cache_bump()
    assert cal.effective_start(vn(2026, 3, 9, 16, 45)) == D(2026, 3, 10)
    assert cal.office_hours().afternoon_end == dt.time(16, 30)
