"""The outbox subscriber: every domain event may call for notifications (when templates exist)."""

from __future__ import annotations

from chinhquyenso.core.events import subscribe
from chinhquyenso.notifications.constants import SUBSCRIBER_NAME


@subscribe("*", name=SUBSCRIBER_NAME)
def fanout(event) -> None:
    from chinhquyenso.notifications.services import notifications_create_for_event

    notifications_create_for_event(event=event)
