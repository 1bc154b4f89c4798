"""Working-day calendar: cost of a 250-working-day deadline, cold and warm, against a naive
calendar that asks the database about every day.

    DJANGO_SETTINGS_MODULE=chinhquyenso.settings .venv/bin/python benchmarks/calendar_bench.py

Uses a throw-away test database (SQLite in memory unless DATABASE_URL points elsewhere).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from chinhquyenso.calendar import services as cal  # noqa: E402
from chinhquyenso.calendar.models import CalendarOverride, OverrideKind  # noqa: E402
from chinhquyenso.calendar.selectors import path_and_ancestors  # noqa: E402
from chinhquyenso.units.models import AdministrativeUnit  # noqa: E402
from chinhquyenso.units.services import locality_load  # noqa: E402

START, N = dt.date(2026, 6, 1), 250


def naive_add(start: dt.date, n: int, unit) -> dt.date:
    """What the cache avoids: the package plus one override query per day."""
    paths = path_and_ancestors(unit.path)
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        row = (CalendarOverride.objects.filter(Q(unit__isnull=True) | Q(unit__path__in=paths), date=day)
               .order_by("-unit__depth").values_list("kind", flat=True).first())
        # Without an override row: the package and weekends (warm, no query).
        working = row == OverrideKind.WORKING_DAY if row is not None else cal.is_working_day(day)
        left -= working
    return day


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def main() -> None:
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        locality_load(path=settings.LOCALITY_FILE)
        commune = AdministrativeUnit.objects.get(code="19894")
        cal.calendar_override_create(actor=None, date=dt.date(2026, 7, 1), kind=OverrideKind.DAY_OFF,
                                     unit=commune, name="Nghỉ", legal_basis="Ví dụ")
        cal.calendar_override_create(actor=None, date=dt.date(2026, 1, 10), kind=OverrideKind.WORKING_DAY,
                                     name="Làm bù", legal_basis="Ví dụ")
        cal.calendar_cache_bump()
        with CaptureQueriesContext(connection) as cold_q:
            t0 = time.perf_counter()
            due = cal.add_working_days(START, N, commune)
            cold = (time.perf_counter() - t0) * 1000
        cal.calendar_cache_bump()  # what an admin edit does: the package stays warm, overrides reload
        with CaptureQueriesContext(connection) as bump_q:
            t0 = time.perf_counter()
            cal.add_working_days(START, N, commune)
            after_bump = (time.perf_counter() - t0) * 1000
        with CaptureQueriesContext(connection) as warm_q:
            warm = timed(lambda: cal.add_working_days(START, N, commune), 200)
        with CaptureQueriesContext(connection) as naive_q:
            naive = timed(lambda: naive_add(START, N, commune), 5)
        assert naive_add(START, N, commune) == due
        short = timed(lambda: cal.add_working_days(START, 15, commune), 2000)
        status = timed(lambda: cal.deadline_status(due, now=dt.datetime(2026, 6, 2, 9, tzinfo=cal.local_tz()),
                                                   unit=commune), 2000)
        print(f"database: {connection.vendor}; add_working_days({START}, {N}, commune) = {due}")
        print(f"  cold (first use in the process, builds the holidays package years): {cold:8.3f} ms, "
              f"{len(cold_q)} queries")
        print(f"  after an override edit: {after_bump:8.3f} ms, {len(bump_q)} queries")
        print(f"  warm  : {warm:8.3f} ms, {len(warm_q) // 200} queries per call")
        print(f"  naive : {naive:8.3f} ms, {len(naive_q) // 5} queries per call (one per day)")
        print(f"  naive/warm ratio: {naive / warm:,.0f}x")
        print(f"  add_working_days(…, 15) warm: {short * 1000:.1f} µs; deadline_status warm: {status * 1000:.1f} µs")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
