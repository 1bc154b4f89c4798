import datetime as dt

import pytest
from django.utils import timezone

from chinhquyenso.core import schedule

runs = []


@schedule.periodic("tests.every_hour", every=dt.timedelta(hours=1))
def _job():
    runs.append(1)


@pytest.mark.django_db
def test_a_periodic_job_runs_once_per_period_whatever_the_number_of_worker_loops():
    runs.clear()
    now = timezone.now()
    assert "tests.every_hour" in schedule.schedule_run_due(now)
    assert "tests.every_hour" not in schedule.schedule_run_due(now + dt.timedelta(minutes=30))
    assert "tests.every_hour" in schedule.schedule_run_due(now + dt.timedelta(minutes=61))
    assert len(runs) == 2
