"""Background work: a thin, idempotent wrapper around ``services.notification_send``."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from chinhquyenso.core.schedule import periodic
from chinhquyenso.notifications.constants import QUEUE_NAME


@task(queue_name=QUEUE_NAME)
def notification_send_task(notification_id: int) -> str:
    from chinhquyenso.notifications.services import notification_send

    return notification_send(notification_id=notification_id)


@periodic("notifications.enqueue_due", every=timedelta(minutes=1))
def _sweep() -> None:
    """Every minute the worker re-queues due retries and sends whose enqueue was lost."""
    from chinhquyenso.notifications.services import notifications_enqueue_due

    notifications_enqueue_due()
