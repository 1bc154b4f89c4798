"""Admin edits go through the services (audited once, cache refreshed); the demo is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chinhquyenso.accounts.roles import Role
from chinhquyenso.calendar import demo
from chinhquyenso.calendar import services as cal
from chinhquyenso.calendar.models import CalendarOverride, UnitServiceHours
from chinhquyenso.core.models import AuditEvent
from tests.calendar.conftest import D, override, vn

pytestmark = pytest.mark.django_db


def test_superuser_adds_an_override_in_the_admin(client, superuser, units):
    client.force_login(superuser)
    assert cal.is_working_day(D(2026, 3, 11), units.quang_tho)
    response = client.post(reverse("admin:calendar_calendaroverride_add"), {
        "date": "11/03/2026", "kind": "day_off", "unit": units.quang_tho.pk, "name": "Nghỉ do bão",
        "legal_basis": "Quyết định số 5/QĐ-UBND",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarOverride.objects.get()
    assert row.created_by == superuser
    assert list(AuditEvent.objects.filter(object_type="calendar.calendaroverride").values_list("action", flat=True)) \
        == ["calendar.override.create"]
    assert not cal.is_working_day(D(2026, 3, 11), units.quang_tho)
    response = client.post(reverse("admin:calendar_calendaroverride_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert cal.is_working_day(D(2026, 3, 11), units.quang_tho)


def test_commune_administrator_cannot_add_an_override_elsewhere(client, units, make_staff):
    admin_tho = make_staff(Role.ADMINISTRATOR, "19894")
    admin_tho.is_staff = True
    admin_tho.save(update_fields=["is_staff"])
    client.force_login(admin_tho)
    url = reverse("admin:calendar_calendaroverride_add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": "11/03/2026", "kind": "day_off", "unit": units.quang_phu.pk,
                                 "name": "Nghỉ", "legal_basis": "Thông báo số 1/TB"})
    assert response.status_code == 200  # the form again, with an error
    assert not CalendarOverride.objects.exists()
    response = client.post(url, {"date": "11/03/2026", "kind": "day_off", "unit": units.quang_tho.pk,
                                 "name": "Nghỉ", "legal_basis": "Thông báo số 1/TB"})
    assert response.status_code == 302
    assert CalendarOverride.objects.get().unit == units.quang_tho


def test_service_hours_are_inherited_unless_limited_to_the_unit(units):
    cal.unit_service_hours_set(actor=None, unit=units.province, morning_start=dt.time(7),
                               morning_end=dt.time(11, 30), afternoon_start=dt.time(13),
                               afternoon_end=dt.time(16, 30))
    assert cal.office_hours(units.quang_tho).afternoon_end == dt.time(16, 30)
    assert cal.effective_start(vn(2026, 3, 9, 16, 45), units.quang_tho) == D(2026, 3, 10)
    assert cal.add_working_hours(vn(2026, 3, 9, 16), 1, units.quang_tho) == vn(2026, 3, 10, 7, 30)
    cal.unit_service_hours_set(actor=None, unit=units.district, morning_start=dt.time(7, 30),
                               morning_end=dt.time(11, 30), afternoon_start=dt.time(13, 30),
                               afternoon_end=dt.time(17), saturday_morning_service=True, applies_to_subtree=False)
    assert cal.office_hours(units.district).saturday_morning_service
    assert cal.office_hours(units.quang_tho).afternoon_end == dt.time(16, 30)  # the province's, not the district's
    assert cal.office_hours(units.quang_tho).unit_code == "46"


def test_saturday_morning_service_receives_but_counts_from_monday(units):
    demo.load(log=lambda message: None)
    district = units.district
    saturday = vn(2026, 3, 14, 9)
    assert cal.is_desk_open(saturday, district)
    assert not cal.is_desk_open(vn(2026, 3, 14, 14), district)
    assert not cal.is_desk_open(saturday, units.quang_tho)  # the commune desks do not open on Saturday
    assert not cal.is_working_day(saturday.date(), district)
    assert cal.effective_start(saturday, district) == D(2026, 3, 16)
    assert cal.add_working_days(saturday, 3, district) == D(2026, 3, 19)
    assert not cal.is_desk_open(vn(2027, 5, 1, 9), district)  # a Saturday that is a public holiday
    # Saturday 14/02/2026 opens the Tết break; an override closes the desk that morning.
    assert cal.is_desk_open(vn(2026, 2, 14, 9), district)
    override(day=D(2026, 2, 14), unit=district, name="Nghỉ Tết, không tiếp nhận sáng thứ Bảy")
    assert not cal.is_desk_open(vn(2026, 2, 14, 9), district)


def test_demo_is_idempotent_and_applies_the_new_year_2026_swap(locality):
    messages = []
    demo.load(log=messages.append)
    demo.load(log=messages.append)
    assert CalendarOverride.objects.count() == 2
    assert UnitServiceHours.objects.get().unit.code == "477"
    assert AuditEvent.objects.filter(action="calendar.service_hours.set").count() == 1
    assert not cal.is_working_day(D(2026, 1, 2)) and cal.is_working_day(D(2026, 1, 10))
    assert all(row.legal_basis.startswith("Công văn số 12729/VPCP-KGVX") for row in CalendarOverride.objects.all())
    assert "Lịch làm việc" in messages[0]


def test_admin_lists_render(client, superuser, locality):
    demo.load(log=lambda message: None)
    client.force_login(superuser)
    for name in ("calendaroverride", "unitservicehours"):
        response = client.get(reverse(f"admin:calendar_{name}_changelist"))
        assert response.status_code == 200
    html = client.get(reverse("admin:calendar_calendaroverride_changelist")).content.decode()
    assert "02/01/2026" in html and "12729/VPCP-KGVX" in html
    row = UnitServiceHours.objects.get()
    assert client.get(reverse("admin:calendar_unitservicehours_change", args=[row.pk])).status_code == 200
