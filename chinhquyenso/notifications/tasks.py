"""Background work: a thin, idempotent wrapper around ``services.notification_send``."""

from __future__ import annotations

from django_tasks import task

from chinhquyenso.notifications.constants import QUEUE_NAME


@task(queue_name=QUEUE_NAME)
def notification_send_task(notification_id: int) -> str:
    from chinhquyenso.notifications.services import notification_send

    return notification_send(notification_id=notification_id)
