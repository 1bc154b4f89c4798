"""The public calendar page: a year's days off and make-up working days (``/lich/<year>/``)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from chinhquyenso.calendar import services
from chinhquyenso.units.models import AdministrativeUnit

WEEKDAYS = (_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật"))


def _row(day: services.CalendarDay, unit_names: dict[str, str]) -> dict:
    return {
        "date": day.date,
        "weekday": WEEKDAYS[day.date.weekday()],
        "name": day.name,
        "legal_basis": day.legal_basis,
        "scope": unit_names.get(day.unit_code, "") if day.unit_code else "",
        "source": day.source,
    }


def year_view(request, year: int):
    if not services.MIN_YEAR <= year <= services.MAX_YEAR:
        raise Http404
    code = (request.GET.get("don-vi") or "").strip()
    unit = AdministrativeUnit.objects.filter(code=code).first() if code else None
    if code and unit is None:
        raise Http404
    days = services.year_calendar(year, unit)
    codes = {d.unit_code for d in days if d.unit_code}
    unit_names = {}
    if codes:
        unit_names = dict(AdministrativeUnit.objects.filter(code__in=codes).values_list("code", "full_name"))
    # Units one can pick: provinces and districts (communes arrive with ?don-vi= from their own pages).
    choices = AdministrativeUnit.objects.filter(is_active=True, depth__lte=2).order_by("path").only("code", "full_name")
    return render(request, "calendar/year.html", {
        "year": year,
        "unit": unit,
        "unit_choices": choices,
        "days_off": [_row(d, unit_names) for d in days if not d.working],
        "working_days": [_row(d, unit_names) for d in days if d.working],
        "previous_year": year - 1 if year > services.MIN_YEAR else None,
        "next_year": year + 1 if year < services.MAX_YEAR else None,
    })
