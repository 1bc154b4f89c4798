"""Periodic jobs run by ``chinhquyenso worker`` (hourly overdue checks, daily reconciliation…).

Apps register jobs with ``@periodic("name", every=timedelta(...))`` in their ``tasks.py``. Each
worker loop calls ``schedule_run_due()``; a row per job, locked while it is checked, makes sure
that with several workers a job still runs once per period.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from chinhquyenso.core.models import PeriodicRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[[], object]


_jobs: dict[str, Job] = {}


def periodic(name: str, *, every: timedelta):
    def decorator(func):
        _jobs[name] = Job(name, every, func)
        return func

    return decorator


def autodiscover_jobs() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("chinhquyenso."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise


def schedule_run_due(now=None) -> list[str]:
    """Run every job whose period has passed; returns the names run."""
    now = now or timezone.now()
    ran = []
    for job in list(_jobs.values()):
        with transaction.atomic():
            row, _created = PeriodicRun.objects.select_for_update().get_or_create(name=job.name)
            if row.last_run_at is not None and row.last_run_at + job.every > now:
                continue
            row.last_run_at = now
            row.save(update_fields=["last_run_at"])
        try:
            job.func()
            ran.append(job.name)
        except Exception:
            log.exception("periodic job %s failed", job.name)
    return ran
