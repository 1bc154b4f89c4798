"""The legal clock: working days, receipt dates and deadlines for every app of the platform.

Every deadline (dossiers, feedback, official documents, tasks) is computed here and nowhere
else (DESIGN.md "Deadlines"). The rules, with their legal basis, are in ``docs/calendar.md``:

* A working day is Monday–Friday that is not a public holiday (Labour Code 2019 Art. 112, from
  the ``holidays`` package, which also knows lunar Tết, Hùng Kings' day, compensatory days and
  the government's announced swaps), unless an administrator's ``CalendarOverride`` says
  otherwise. The override of the nearest unit wins (commune over district over province over
  nationwide); any override beats the package.
* A period in working days does not count its first day (Civil Code 2015 Art. 147(1): "kể từ
  ngày nhận đủ hồ sơ" starts the next day): received Monday, 3 working days → Thursday.
* A submission counts from the day it is received when that is a working day and it arrives
  before the end of office hours; otherwise from the next working day. A desk that receives on
  Saturday morning gives the citizen a receipt dated Saturday, but the count starts as for any
  day-off receipt.

Speed: a unit's calendar for a year (holidays and overrides resolved) is loaded with one query
and kept in process memory under a version token held in the Django cache. Saving or deleting an
override (through the services below) replaces the token, so admin edits take effect at once in
every process sharing the cache (Redis), and within ``CALENDAR_CACHE_SECONDS`` in processes that
do not share one (the token expires). ``add_working_days(d, 250, unit)`` costs at most one query
cold and none warm.
"""

from __future__ import annotations

import datetime as dt
import operator
import threading
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.calendar import selectors
from chinhquyenso.calendar.models import CalendarOverride, OverrideKind, UnitServiceHours
from chinhquyenso.calendar.policies import can_manage_calendar
from chinhquyenso.core.audit import audit_record, snapshot
from chinhquyenso.core.errors import DomainError, PermissionDenied
from chinhquyenso.core.events import event_record

__all__ = [
    "CalendarDay",
    "DeadlineStatus",
    "OfficeHours",
    "add_working_days",
    "add_working_hours",
    "calendar_cache_bump",
    "calendar_override_create",
    "calendar_override_delete",
    "calendar_override_update",
    "deadline_status",
    "effective_start",
    "is_desk_open",
    "is_working_day",
    "next_working_day",
    "office_hours",
    "unit_service_hours_delete",
    "unit_service_hours_set",
    "working_days_between",
    "year_calendar",
]

OVERRIDE_CHANGED = "calendar.override_changed"
SERVICE_HOURS_CHANGED = "calendar.service_hours_changed"

# A calendar with no working day for a whole year is a configuration error, not a loop forever.
_MAX_GAP_DAYS = 370
# Years the calendar is trusted for; outside, arithmetic refuses (ValueError).
MIN_YEAR, MAX_YEAR = 1995, 2100  # the package's lunar tables end in 2100


class DeadlineStatus:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class CalendarDay:
    """A day that is not what its weekday says: a holiday or day off on a weekday or weekend, or a
    Saturday/Sunday that is a working day."""

    date: dt.date
    working: bool
    name: str
    source: str  # "holiday" (the holidays package) | "override"
    legal_basis: str = ""
    unit_code: str | None = None  # the override's unit; None = nationwide


@dataclass(frozen=True)
class OfficeHours:
    morning_start: dt.time
    morning_end: dt.time
    afternoon_start: dt.time
    afternoon_end: dt.time
    saturday_morning_service: bool = False
    unit_code: str | None = None  # where the hours were configured; None = settings defaults

    def sessions(self) -> tuple[tuple[dt.time, dt.time], tuple[dt.time, dt.time]]:
        return (self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)


# --- time zone and small conversions ---------------------------------------------------------

def local_tz() -> zoneinfo.ZoneInfo:
    # The legal clock runs on Vietnamese time whatever time zone a request activated.
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _localtime(value: dt.datetime) -> dt.datetime:
    tz = local_tz()
    if timezone.is_naive(value):
        return value.replace(tzinfo=tz)  # a naive datetime is taken as Vietnamese wall time
    return value.astimezone(tz)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return _localtime(value).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")


def _unit_path(unit) -> str:
    return getattr(unit, "path", "") or "" if unit is not None else ""


def _parse_hhmm(value: str, setting: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{setting}={value!r} is not a time like 07:30") from exc


def _default_hours() -> OfficeHours:
    return OfficeHours(
        morning_start=_parse_hhmm(settings.OFFICE_HOURS_START, "OFFICE_HOURS_START"),
        morning_end=_parse_hhmm(getattr(settings, "OFFICE_HOURS_MORNING_END", "11:30"), "OFFICE_HOURS_MORNING_END"),
        afternoon_start=_parse_hhmm(getattr(settings, "OFFICE_HOURS_AFTERNOON_START", "13:30"),
                                    "OFFICE_HOURS_AFTERNOON_START"),
        afternoon_end=_parse_hhmm(settings.OFFICE_HOURS_END, "OFFICE_HOURS_END"),
    )


# --- the holidays package, per year (pure, cached for the life of the process) -----------------

@lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    """Public holidays (incl. compensatory days) and weekend working days the package knows for
    ``year``. A swap may be announced in the neighbouring year's list (e.g. 27/12/2014 worked for
    02/01/2015), so the neighbours are generated too."""
    vn = holidays.country_holidays("VN", years=[year - 1, year, year + 1], language="vi")
    days_off = {d: name for d, name in vn.items() if d.year == year}
    weekend_workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    return days_off, weekend_workdays


# --- resolved calendar of one unit for one year ----------------------------------------------

@dataclass(frozen=True)
class _Year:
    off: dict[dt.date, CalendarDay]  # days off that are not ordinary weekends (or are both)
    work: dict[dt.date, CalendarDay]  # working days that the weekday rule would call days off

    def is_working(self, day: dt.date) -> bool:
        if day in self.work:
            return True
        if day in self.off:
            return False
        return day.weekday() < 5


def _resolve_year(year: int, override_rows: Iterable[dict]) -> _Year:
    package_off, package_work = _package_year(year)
    off = {d: CalendarDay(d, False, name, "holiday") for d, name in package_off.items()}
    work = {
        d: CalendarDay(d, True, "Ngày làm việc bù (theo lịch nghỉ lễ của Chính phủ)", "holiday")
        for d in package_work
    }
    for row in override_rows:  # shallowest unit first: the nearest unit is applied last and wins
        day = row["date"]
        entry = CalendarDay(day, row["kind"] == OverrideKind.WORKING_DAY, row["name"], "override",
                            row["legal_basis"], row["unit__code"])
        if entry.working:
            off.pop(day, None)
            work[day] = entry
        else:
            work.pop(day, None)
            off[day] = entry
    return _Year(off=off, work=work)


# --- cache: version token in the Django cache, data in process memory --------------------------

_VERSION_KEY = "calendar:version"
_lock = threading.Lock()
_memo: dict[tuple, object] = {}
_memo_version: str | None = None
_MEMO_MAX = 20_000


def _version() -> str:
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=settings.CALENDAR_CACHE_SECONDS)
        version = cache.get(_VERSION_KEY) or uuid.uuid4().hex
    return version


def calendar_cache_bump() -> None:
    """Make every process reload calendars (called after an override or office hours change)."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=settings.CALENDAR_CACHE_SECONDS)


def _bump_now_and_on_commit() -> None:
    # Now, so this process sees its own change; again after commit, so a reader that loaded the
    # old rows between the two does not keep them.
    calendar_cache_bump()
    transaction.on_commit(calendar_cache_bump)


def _memo_for(version: str) -> dict[tuple, object]:
    global _memo, _memo_version
    if _memo_version != version or len(_memo) > _MEMO_MAX:
        with _lock:
            if _memo_version != version or len(_memo) > _MEMO_MAX:
                _memo = {}
                _memo_version = version
    return _memo


class _Calendar:
    """One unit's calendar for the duration of one call: years are fetched lazily from the memo,
    and a miss loads the missing year and the next one in a single query."""

    __slots__ = ("_memo", "_path", "_years")

    def __init__(self, unit):
        self._path = _unit_path(unit)
        self._memo = _memo_for(_version())
        self._years: dict[int, _Year] = {}

    def year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            self.load(year, year + 1 if year < MAX_YEAR else year)
            found = self._years[year]
        return found

    def load(self, first: int, last: int) -> None:
        """Make the years ``first..last`` available, with at most one query."""
        if first < MIN_YEAR or last > MAX_YEAR:
            raise ValueError(f"the working-day calendar covers {MIN_YEAR}–{MAX_YEAR}, not {first}–{last}")
        missing = []
        for year in range(first, last + 1):
            cached = self._memo.get(("year", self._path, year))
            if cached is None:
                missing.append(year)
            else:
                self._years[year] = cached  # type: ignore[assignment]
        if not missing:
            return
        rows = selectors.overrides_applicable(
            unit_path=self._path, first_day=dt.date(missing[0], 1, 1), last_day=dt.date(missing[-1], 12, 31)
        )
        for year in missing:
            resolved = _resolve_year(year, (r for r in rows if r["date"].year == year))
            self._memo[("year", self._path, year)] = resolved
            self._years[year] = resolved

    def is_working(self, day: dt.date) -> bool:
        return self.year(day.year).is_working(day)

    def next_working(self, day: dt.date) -> dt.date:
        for _i in range(_MAX_GAP_DAYS):
            day = day + dt.timedelta(days=1)
            if self.is_working(day):
                return day
        raise RuntimeError("no working day within a year: check the calendar overrides")

    def hours(self) -> OfficeHours:
        key = ("hours", self._path)
        found = self._memo.get(key)
        if found is None:
            row = selectors.service_hours_row(unit_path=self._path)
            if row is None:
                found = _default_hours()
            else:
                found = OfficeHours(row.morning_start, row.morning_end, row.afternoon_start, row.afternoon_end,
                                    row.saturday_morning_service, row.unit.code)
            self._memo[key] = found
        return found  # type: ignore[return-value]


# --- the public API: reads ---------------------------------------------------------------------

def is_working_day(day: dt.date, unit=None) -> bool:
    """Is ``day`` a working day for ``unit`` (its subtree's overrides included)?"""
    return _Calendar(unit).is_working(_as_date(day))


def next_working_day(day: dt.date, unit=None) -> dt.date:
    """The first working day strictly after ``day``."""
    return _Calendar(unit).next_working(_as_date(day))


def office_hours(unit=None) -> OfficeHours:
    """The unit's office hours: its own, else the nearest ancestor's, else the settings defaults."""
    return _Calendar(unit).hours()


def _effective_start(cal: _Calendar, received_at: dt.datetime) -> dt.date:
    local = _localtime(received_at)
    day = local.date()
    if cal.is_working(day) and local.time() < cal.hours().afternoon_end:
        return day
    return cal.next_working(day)


def effective_start(received_at: dt.datetime, unit=None) -> dt.date:
    """The local date a submission counts from: the day of receipt when that is a working day and
    it arrived before the end of office hours, otherwise the next working day (after hours, on a
    weekend — including during Saturday-morning desk service — or on a holiday)."""
    if not isinstance(received_at, dt.datetime):
        raise TypeError("effective_start needs a datetime (the moment of receipt)")
    return _effective_start(_Calendar(unit), received_at)


def add_working_days(start: dt.date | dt.datetime, n: int, unit=None) -> dt.date:
    """The date ``n`` working days after ``start`` (the start day itself is not counted).

    A datetime ``start`` is a moment of receipt and first goes through ``effective_start``.
    ``n == 0`` gives the effective start (a date that is a day off moves to the next working day).
    """
    n = operator.index(n)
    if n < 0:
        raise ValueError("n must not be negative")
    cal = _Calendar(unit)
    if isinstance(start, dt.datetime):
        day = _effective_start(cal, start)
    elif isinstance(start, dt.date):
        day = start
        if n == 0 and not cal.is_working(day):
            day = cal.next_working(day)
    else:
        raise TypeError(f"expected a date or datetime, got {type(start).__name__}")
    one = dt.timedelta(days=1)
    year_no, year = day.year, cal.year(day.year)
    remaining = n
    while remaining:
        day += one
        if day.year != year_no:
            year_no, year = day.year, cal.year(day.year)
        if year.is_working(day):
            remaining -= 1
    return day


def working_days_between(a: dt.date, b: dt.date, unit=None) -> int:
    """The number of working days in ``(a, b]``; negative (minus those in ``(b, a]``) when b < a."""
    a, b = _as_date(a), _as_date(b)
    if a == b:
        return 0
    lo, hi, sign = (a, b, 1) if a < b else (b, a, -1)
    cal = _Calendar(unit)
    cal.load(lo.year, hi.year)
    one = dt.timedelta(days=1)
    count, day = 0, lo
    while day < hi:
        day += one
        if cal.is_working(day):
            count += 1
    return sign * count


def add_working_hours(start: dt.datetime, hours: float, unit=None) -> dt.datetime:
    """The moment ``hours`` office hours after ``start`` (Decree 45/2020: an online dossier is
    accepted or sent back within 8 working hours). Only the unit's morning and afternoon sessions
    of working days count; Saturday-morning desk service does not. Returns Vietnamese local time."""
    if not isinstance(start, dt.datetime):
        raise TypeError("add_working_hours needs a datetime")
    if hours < 0:
        raise ValueError("hours must not be negative")
    tz = local_tz()
    current = _localtime(start)
    remaining = dt.timedelta(hours=hours)
    if not remaining:
        return current
    cal = _Calendar(unit)
    sessions = cal.hours().sessions()
    day = current.date()
    for _i in range(int(hours // 4 + 2) * 7 + _MAX_GAP_DAYS):
        if cal.is_working(day):
            for begin_t, end_t in sessions:
                begin = max(current, dt.datetime.combine(day, begin_t, tzinfo=tz))
                end = dt.datetime.combine(day, end_t, tzinfo=tz)
                if begin >= end:
                    continue
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        day += dt.timedelta(days=1)
        current = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    raise RuntimeError("no working hours found: check the calendar overrides")


def deadline_status(due: dt.date | dt.datetime, *, now: dt.datetime | None = None, unit=None,
                    soon_days: int = 2) -> str:
    """``on_time`` | ``due_soon`` (at most ``soon_days`` working days left, the due day itself
    included as 0) | ``overdue`` (a date is due until the end of that day; a datetime at that moment)."""
    now = now or timezone.now()
    today = _localtime(now).date()
    if isinstance(due, dt.datetime):
        if _localtime(now) > _localtime(due):
            return DeadlineStatus.OVERDUE
        due_day = _localtime(due).date()
    else:
        if today > due:
            return DeadlineStatus.OVERDUE
        due_day = due
    left = working_days_between(today, due_day, unit)
    return DeadlineStatus.DUE_SOON if left <= soon_days else DeadlineStatus.ON_TIME


def is_desk_open(at: dt.datetime, unit=None) -> bool:
    """Is the unit's desk receiving at ``at``: office hours of a working day, or Saturday morning
    (no holiday) where the unit offers Saturday-morning service."""
    cal = _Calendar(unit)
    local = _localtime(at)
    day, moment = local.date(), local.time()
    hours = cal.hours()
    if cal.is_working(day):
        return any(begin <= moment < end for begin, end in hours.sessions())
    is_plain_saturday = day.weekday() == 5 and day not in cal.year(day.year).off
    return hours.saturday_morning_service and is_plain_saturday and hours.morning_start <= moment < hours.morning_end


def year_calendar(year: int, unit=None) -> list[CalendarDay]:
    """The days of ``year`` that differ from the weekday rule for ``unit``, in date order: public
    holidays and announced days off, and weekend days that are working days."""
    resolved = _Calendar(unit).year(year)
    return sorted([*resolved.off.values(), *resolved.work.values()], key=lambda d: d.date)


# --- the public API: writes (administrators) ----------------------------------------------------

def _check_actor(actor, unit) -> None:
    if actor is not None and not can_manage_calendar(actor, unit):
        raise PermissionDenied("calendar_forbidden",
                               _("Bạn không có quyền cập nhật lịch làm việc của đơn vị này."))


_OVERRIDE_FIELDS = ["date", "kind", "unit", "name", "legal_basis"]


def _validate_override(*, date, kind, name, legal_basis, unit, exclude_pk=None) -> tuple[str, str]:
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise DomainError("invalid_date", _("Ngày không hợp lệ."), "date")
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise DomainError("invalid_date", _("Ngày nằm ngoài phạm vi lịch làm việc."), "date")
    if kind not in OverrideKind.values:
        raise DomainError("invalid_kind", _("Loại ngày không hợp lệ."), "kind")
    name, legal_basis = (name or "").strip(), (legal_basis or "").strip()
    if not name:
        raise DomainError("name_required", _("Cần nhập tên hoặc lý do của ngày nghỉ/làm bù."), "name")
    if not legal_basis:
        raise DomainError("legal_basis_required",
                          _("Cần nhập căn cứ (số, ký hiệu văn bản thông báo lịch nghỉ)."), "legal_basis")
    clash = CalendarOverride.objects.filter(date=date, unit=unit)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError("override_exists",
                          _("Ngày này đã có điều chỉnh cho cùng đơn vị; hãy sửa bản ghi đó."), "date", status=409)
    return name, legal_basis


def _override_event(override: CalendarOverride, *, action: str, actor, before: dict | None) -> None:
    event_record(
        event_type=OVERRIDE_CHANGED,
        aggregate_type="calendar.calendaroverride",
        aggregate_id=str(override.pk),
        unit=override.unit,
        actor=actor,
        payload={
            "action": action,
            "date": override.date.isoformat(),
            "kind": override.kind,
            "unit_code": override.unit.code if override.unit_id else None,
            "previous_date": before["date"].isoformat() if before else None,
        },
    )


@transaction.atomic
def calendar_override_create(*, actor, date: dt.date, kind: str, name: str, legal_basis: str,
                             unit=None) -> CalendarOverride:
    """Apply an announced day off or make-up working day (nationwide or for a unit's subtree)."""
    _check_actor(actor, unit)
    name, legal_basis = _validate_override(date=date, kind=kind, name=name, legal_basis=legal_basis, unit=unit)
    try:
        with transaction.atomic():
            override = CalendarOverride.objects.create(date=date, kind=kind, unit=unit, name=name,
                                                       legal_basis=legal_basis, created_by=actor)
    except IntegrityError as exc:  # a concurrent create of the same day and unit
        raise DomainError("override_exists", _("Ngày này đã có điều chỉnh cho cùng đơn vị."), "date",
                          status=409) from exc
    audit_record(action="calendar.override.create", actor=actor, obj=override, unit=unit,
                 after=snapshot(override, _OVERRIDE_FIELDS))
    _override_event(override, action="created", actor=actor, before=None)
    _bump_now_and_on_commit()
    return override


_UNCHANGED = object()


@transaction.atomic
def calendar_override_update(*, actor, override: CalendarOverride, date=_UNCHANGED, kind=_UNCHANGED,
                             name=_UNCHANGED, legal_basis=_UNCHANGED, unit=_UNCHANGED) -> CalendarOverride:
    """Correct an override (a later announcement moved the day, the basis had a typo …)."""
    override = CalendarOverride.objects.select_for_update(of=("self",)).select_related("unit").get(pk=override.pk)
    _check_actor(actor, override.unit)
    before = snapshot(override, _OVERRIDE_FIELDS)
    new = {
        "date": override.date if date is _UNCHANGED else date,
        "kind": override.kind if kind is _UNCHANGED else kind,
        "name": override.name if name is _UNCHANGED else name,
        "legal_basis": override.legal_basis if legal_basis is _UNCHANGED else legal_basis,
        "unit": override.unit if unit is _UNCHANGED else unit,
    }
    _check_actor(actor, new["unit"])
    new["name"], new["legal_basis"] = _validate_override(**new, exclude_pk=override.pk)
    for field, value in new.items():
        setattr(override, field, value)
    override.save()
    audit_record(action="calendar.override.update", actor=actor, obj=override, unit=override.unit,
                 before=before, after=snapshot(override, _OVERRIDE_FIELDS))
    _override_event(override, action="updated", actor=actor, before=before)
    _bump_now_and_on_commit()
    return override


@transaction.atomic
def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    """Withdraw an override (the announcement was cancelled or entered by mistake)."""
    override = CalendarOverride.objects.select_related("unit").get(pk=override.pk)
    _check_actor(actor, override.unit)
    before = snapshot(override, _OVERRIDE_FIELDS)
    audit_record(action="calendar.override.delete", actor=actor, obj=override, unit=override.unit, before=before)
    _override_event(override, action="deleted", actor=actor, before=before)
    override.delete()
    _bump_now_and_on_commit()


_HOURS_FIELDS = ["morning_start", "morning_end", "afternoon_start", "afternoon_end", "saturday_morning_service",
                 "applies_to_subtree", "note"]


@transaction.atomic
def unit_service_hours_set(*, actor, unit, morning_start: dt.time, morning_end: dt.time,
                           afternoon_start: dt.time, afternoon_end: dt.time,
                           saturday_morning_service: bool = False, applies_to_subtree: bool = True,
                           note: str = "") -> UnitServiceHours:
    """Set (create or replace) a unit's office hours."""
    _check_actor(actor, unit)
    if not (morning_start < morning_end <= afternoon_start < afternoon_end):
        raise DomainError("invalid_hours",
                          _("Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu "
                            "< chiều kết thúc."), "morning_start")
    row = UnitServiceHours.objects.select_for_update().filter(unit=unit).first()
    before = snapshot(row, _HOURS_FIELDS) if row else None
    values = {"morning_start": morning_start, "morning_end": morning_end, "afternoon_start": afternoon_start,
              "afternoon_end": afternoon_end, "saturday_morning_service": saturday_morning_service,
              "applies_to_subtree": applies_to_subtree, "note": note.strip(), "updated_by": actor}
    if row is None:
        row = UnitServiceHours.objects.create(unit=unit, **values)
    else:
        for field, value in values.items():
            setattr(row, field, value)
        row.save()
    after = snapshot(row, _HOURS_FIELDS)
    if after != before:
        audit_record(action="calendar.service_hours.set", actor=actor, obj=row, unit=unit, before=before,
                     after=after)
        event_record(event_type=SERVICE_HOURS_CHANGED, aggregate=row, unit=unit, actor=actor,
                     payload={"unit_code": unit.code})
        _bump_now_and_on_commit()
    return row


@transaction.atomic
def unit_service_hours_delete(*, actor, row: UnitServiceHours) -> None:
    """Remove a unit's own office hours: it inherits its ancestors' (or the defaults) again."""
    row = UnitServiceHours.objects.select_related("unit").get(pk=row.pk)
    _check_actor(actor, row.unit)
    audit_record(action="calendar.service_hours.delete", actor=actor, obj=row, unit=row.unit,
                 before=snapshot(row, _HOURS_FIELDS))
    event_record(event_type=SERVICE_HOURS_CHANGED, aggregate=row, unit=row.unit, actor=actor,
                 payload={"unit_code": row.unit.code, "deleted": True})
    row.delete()
    _bump_now_and_on_commit()
