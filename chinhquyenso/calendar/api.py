"""Public read API of the working-day calendar (``/api/v1/calendar/``).

Integrators and the portal ask which days are off and when a period of working days ends; no
login is needed (the calendar is public information). Bad input answers 400 with
``{"code", "message", "field"}``.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema

from chinhquyenso.calendar import services
from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.units.models import AdministrativeUnit

router = Router(tags=["Lịch làm việc"])

# Guards against a request that asks the server to walk decades of days.
MAX_WORKING_DAYS = 1000


class CalendarDayOut(Schema):
    date: dt.date
    working: bool
    name: str
    source: str
    legal_basis: str
    unit_code: str | None = None


class DaysOffOut(Schema):
    year: int
    unit_code: str | None = None
    days_off: list[CalendarDayOut]
    working_days: list[CalendarDayOut]


class DueDateOut(Schema):
    start: dt.date
    n: int
    unit_code: str | None = None
    due: dt.date


def _unit(code: str | None) -> AdministrativeUnit | None:
    if not code:
        return None
    unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound("unit_not_found", _("Không tìm thấy đơn vị hành chính."), "unit")
    return unit


def _year(value: str | None) -> int:
    if value is None or value == "":
        raise DomainError("year_required", _("Cần chọn năm."), "year")
    try:
        year = int(value)
    except ValueError:
        year = 0
    if not services.MIN_YEAR <= year <= services.MAX_YEAR:
        raise DomainError("invalid_year", _("Năm không hợp lệ."), "year")
    return year


def parse_iso_date(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError("invalid_date", _("Ngày không hợp lệ (định dạng YYYY-MM-DD)."), field) from None


def _day_out(day: services.CalendarDay) -> CalendarDayOut:
    return CalendarDayOut(date=day.date, working=day.working, name=day.name, source=day.source,
                          legal_basis=day.legal_basis, unit_code=day.unit_code)


@router.get("/days-off", response=DaysOffOut, auth=None, summary="Ngày nghỉ lễ, nghỉ bù và ngày làm bù trong năm")
def days_off(request, year: str | None = None, unit: str | None = None):
    """Days off (public holidays, compensatory and announced days off) and weekend working days of
    ``year`` for the unit with GSO code ``unit`` (nationwide when omitted)."""
    year_no = _year(year)
    unit_obj = _unit(unit)
    days = services.year_calendar(year_no, unit_obj)
    return DaysOffOut(
        year=year_no,
        unit_code=unit_obj.code if unit_obj else None,
        days_off=[_day_out(d) for d in days if not d.working],
        working_days=[_day_out(d) for d in days if d.working],
    )


@router.get("/add-working-days", response=DueDateOut, auth=None, summary="Tính ngày hết hạn theo ngày làm việc")
def add_working_days(request, start: str | None = None, n: str | None = None, unit: str | None = None):
    """The date ``n`` working days after ``start`` (the start day itself is not counted)."""
    start_day = parse_iso_date(start, "start")
    try:
        count = int(n or "")
    except ValueError:
        raise DomainError("invalid_number", _("Số ngày làm việc phải là số nguyên."), "n") from None
    if not 0 <= count <= MAX_WORKING_DAYS:
        raise DomainError("invalid_number",
                          _("Số ngày làm việc phải từ 0 đến %(max)d.") % {"max": MAX_WORKING_DAYS}, "n")
    unit_obj = _unit(unit)
    try:
        due = services.add_working_days(start_day, count, unit_obj)
    except ValueError:
        raise DomainError("invalid_date", _("Ngày nằm ngoài phạm vi lịch làm việc."), "start") from None
    return DueDateOut(start=start_day, n=count, unit_code=unit_obj.code if unit_obj else None, due=due)
