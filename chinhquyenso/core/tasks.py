"""Background tasks of the shared kernel (Django Tasks API via the django-tasks backport)."""

from __future__ import annotations

from django_tasks import task

from chinhquyenso.core.events import outbox_deliver_due


@task(queue_name="outbox")
def outbox_relay(limit: int = 200) -> int:
    """Deliver due outbox rows now (the worker loop does this too; enqueue it to skip the wait)."""
    return outbox_deliver_due(limit=limit)


@task()
def ping(message: str) -> str:
    """Round trip through the queue: used by health checks and by the backend tests."""
    return message
