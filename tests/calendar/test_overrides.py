"""Administrator overrides: nationwide make-up days, unit-only days off, nearest unit wins,
audit and events, permissions, and the cache seeing every change at once."""

from __future__ import annotations

import datetime as dt

import pytest

from chinhquyenso.accounts.roles import Role
from chinhquyenso.calendar import services as cal
from chinhquyenso.calendar.models import CalendarOverride, OverrideKind
from chinhquyenso.core.errors import DomainError, PermissionDenied
from chinhquyenso.core.models import AuditEvent, DomainEvent
from tests.calendar.conftest import D, override, vn

pytestmark = pytest.mark.django_db


def test_make_up_saturday_is_a_working_day_and_counts_toward_deadlines():
    saturday = D(2026, 1, 10)
    assert not cal.is_working_day(saturday)
    override(day=saturday, kind=OverrideKind.WORKING_DAY, name="Làm bù cho thứ Sáu 02/01/2026")
    override(day=D(2026, 1, 2), name="Nghỉ Tết Dương lịch (hoán đổi)")
    assert cal.is_working_day(saturday)
    assert not cal.is_working_day(D(2026, 1, 2))
    assert cal.add_working_days(D(2026, 1, 9), 1) == saturday
    assert cal.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)
    # A desk receipt on the make-up Saturday counts from that Saturday.
    assert cal.effective_start(vn(2026, 1, 10, 9)) == saturday


def test_extra_day_off_for_one_commune_only(units):
    day = D(2026, 3, 11)  # Wednesday
    override(day=day, unit=units.quang_tho, name="Nghỉ do bão, theo quyết định của UBND xã")
    assert not cal.is_working_day(day, units.quang_tho)
    assert cal.is_working_day(day, units.quang_phu)  # a neighbouring commune
    assert cal.is_working_day(day, units.district)  # a district officer is not affected
    assert cal.is_working_day(day)
    assert cal.add_working_days(D(2026, 3, 10), 1, units.quang_tho) == D(2026, 3, 12)
    assert cal.add_working_days(D(2026, 3, 10), 1, units.district) == day


def test_district_override_applies_to_its_communes_not_to_the_province(units):
    day = D(2026, 3, 12)
    override(day=day, unit=units.district, name="Nghỉ lễ hội truyền thống của huyện")
    assert not cal.is_working_day(day, units.district)
    assert not cal.is_working_day(day, units.quang_tho)
    assert not cal.is_working_day(day, units.sia)
    assert cal.is_working_day(day, units.province)


def test_nearest_unit_wins(units):
    day = D(2026, 3, 13)
    override(day=day, unit=units.province, name="Nghỉ theo quyết định của tỉnh")
    override(day=day, unit=units.quang_tho, kind=OverrideKind.WORKING_DAY, name="Xã vẫn làm việc")
    assert cal.is_working_day(day, units.quang_tho)
    assert not cal.is_working_day(day, units.quang_phu)
    assert not cal.is_working_day(day, units.district)


def test_override_beats_the_holidays_package():
    # 22/08/2026 is a working Saturday in the package; a later announcement may cancel the swap.
    override(day=D(2026, 8, 22), name="Huỷ làm bù")
    override(day=D(2026, 8, 31), kind=OverrideKind.WORKING_DAY, name="Huỷ nghỉ bù")
    assert not cal.is_working_day(D(2026, 8, 22))
    assert cal.is_working_day(D(2026, 8, 31))


def test_admin_edits_take_effect_without_restart(django_capture_on_commit_callbacks):
    day = D(2026, 3, 16)
    assert cal.add_working_days(D(2026, 3, 13), 1) == day  # warm the cache
    with django_capture_on_commit_callbacks(execute=True):
        row = override(day=day)
    assert cal.add_working_days(D(2026, 3, 13), 1) == D(2026, 3, 17)
    with django_capture_on_commit_callbacks(execute=True):
        cal.calendar_override_update(actor=None, override=row, date=D(2026, 3, 17))
    assert cal.add_working_days(D(2026, 3, 13), 1) == day
    assert cal.add_working_days(D(2026, 3, 13), 2) == D(2026, 3, 18)
    with django_capture_on_commit_callbacks(execute=True):
        cal.calendar_override_delete(actor=None, override=row)
    assert cal.add_working_days(D(2026, 3, 13), 2) == D(2026, 3, 17)


def test_every_change_is_audited_and_announced(units, superuser):
    row = override(day=D(2026, 3, 18), unit=units.quang_tho, actor=superuser)
    cal.calendar_override_update(actor=superuser, override=row, name="Nghỉ do bão số 3")
    cal.calendar_override_delete(actor=superuser, override=row)
    actions = list(AuditEvent.objects.filter(object_type="calendar.calendaroverride")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["calendar.override.create", "calendar.override.update", "calendar.override.delete"]
    update = AuditEvent.objects.get(action="calendar.override.update")
    assert update.before["name"] == "Nghỉ theo thông báo" and update.after["name"] == "Nghỉ do bão số 3"
    assert update.actor_id == superuser.pk and update.unit_id == units.quang_tho.pk
    events = list(DomainEvent.objects.filter(event_type="calendar.override_changed").order_by("id"))
    assert [e.payload["action"] for e in events] == ["created", "updated", "deleted"]
    assert events[0].payload["date"] == "2026-03-18" and events[0].payload["unit_code"] == "19894"
    assert events[0].unit_path == units.quang_tho.path


def test_unit_administrator_manages_only_their_subtree(units, make_staff):
    admin_tho = make_staff(Role.ADMINISTRATOR, "19894")
    row = override(day=D(2026, 3, 19), unit=units.quang_tho, actor=admin_tho)
    assert row.created_by == admin_tho
    with pytest.raises(PermissionDenied):
        override(day=D(2026, 3, 19), unit=units.quang_phu, actor=admin_tho)
    with pytest.raises(PermissionDenied):
        override(day=D(2026, 3, 20), unit=None, actor=admin_tho)  # nationwide: superusers only
    with pytest.raises(PermissionDenied):
        cal.calendar_override_update(actor=admin_tho, override=row, unit=units.district)
    specialist = make_staff(Role.SPECIALIST, "19894")
    with pytest.raises(PermissionDenied):
        cal.calendar_override_delete(actor=specialist, override=row)
    admin_district = make_staff(Role.ADMINISTRATOR, "477")
    cal.calendar_override_delete(actor=admin_district, override=row)
    assert not CalendarOverride.objects.exists()


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"legal_basis": "  "}, "legal_basis_required"),
    ({"name": ""}, "name_required"),
    ({"kind": "holiday"}, "invalid_kind"),
    ({"date": dt.datetime(2026, 3, 9, 9)}, "invalid_date"),
    ({"date": D(1990, 1, 1)}, "invalid_date"),
])
def test_invalid_overrides_are_domain_errors(kwargs, code):
    data = {"actor": None, "date": D(2026, 3, 9), "kind": OverrideKind.DAY_OFF, "name": "Nghỉ",
            "legal_basis": "Thông báo số 1/TB"} | kwargs
    with pytest.raises(DomainError) as exc:
        cal.calendar_override_create(**data)
    assert exc.value.code == code


def test_one_override_per_day_and_unit(units):
    override(day=D(2026, 3, 23))
    override(day=D(2026, 3, 23), unit=units.quang_tho)  # another unit: fine
    for unit in (None, units.quang_tho):
        with pytest.raises(DomainError) as exc:
            override(day=D(2026, 3, 23), unit=unit)
        assert exc.value.code == "override_exists" and exc.value.status == 409


def test_year_calendar_lists_overrides_with_their_basis(units):
    override(day=D(2026, 3, 24), unit=units.quang_tho, basis="Quyết định số 12/QĐ-UBND")
    days = {d.date: d for d in cal.year_calendar(2026, units.quang_tho)}
    assert days[D(2026, 3, 24)].legal_basis == "Quyết định số 12/QĐ-UBND"
    assert days[D(2026, 3, 24)].unit_code == "19894" and days[D(2026, 3, 24)].source == "override"
    assert days[D(2026, 2, 17)].source == "holiday" and days[D(2026, 2, 17)].name == "Tết Nguyên Đán"
    assert D(2026, 3, 24) not in {d.date for d in cal.year_calendar(2026, units.quang_phu)}
