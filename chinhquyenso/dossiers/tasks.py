from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from chinhquyenso.core.schedule import periodic
from chinhquyenso.dossiers.services import dossier_mark_overdue


@task()
def dossiers_mark_overdue() -> int:
    """Flag and escalate overdue dossiers (idempotent: once per appointment date)."""
    return dossier_mark_overdue()


@periodic("dossiers.mark_overdue", every=timedelta(hours=1))
def _hourly_overdue() -> None:
    dossiers_mark_overdue.enqueue()
