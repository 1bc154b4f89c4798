"""Background tasks of the shared kernel (Django Tasks API via the django-tasks backport)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from chinhquyenso.core.events import outbox_deliver_due
from chinhquyenso.core.schedule import periodic


@task(queue_name="outbox")
def outbox_relay(limit: int = 200) -> int:
    """Deliver due outbox rows now (the worker loop does this too; enqueue it to skip the wait)."""
    return outbox_deliver_due(limit=limit)


@task()
def ping(message: str) -> str:
    """Round trip through the queue: used by health checks and by the backend tests."""
    return message


@task()
def uploads_sweep() -> int:
    """Delete dossier uploads nobody used (see core.files.stored_files_sweep)."""
    from django.conf import settings

    from chinhquyenso.core.files import stored_files_sweep

    return stored_files_sweep(purpose="document", older_than=timedelta(days=settings.UNUSED_UPLOAD_DAYS))


@periodic("core.uploads_sweep", every=timedelta(hours=6))
def _sweep_unused_uploads() -> None:
    uploads_sweep.enqueue()
