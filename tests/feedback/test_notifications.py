"""The citizen is told of answers and requests through the notifications app (templates from our data file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chinhquyenso.core.events import DomainEvent
from chinhquyenso.feedback import services

pytestmark = pytest.mark.django_db
TEMPLATES = Path(services.__file__).parent / "notification_templates.json"


def test_our_templates_load_and_render_for_the_answer(submit, coordinator, handler, citizen):
    from chinhquyenso.notifications.models import Notification
    from chinhquyenso.notifications.services import notification_templates_load, notifications_create_for_event

    assert notification_templates_load(path=TEMPLATES)["created"] > 10
    routed = services.feedback_route(feedback=submit(), actor=coordinator)
    answered = services.feedback_answer(feedback=services.feedback_accept(feedback=routed, actor=handler),
                                        actor=handler, text="Đã xử lý xong.")
    notifications_create_for_event(event=DomainEvent.objects.get(event_type="feedback.answer"))
    inbox = Notification.objects.filter(recipient=citizen, channel="in_app").get()
    assert answered.code in inbox.subject and inbox.link == f"/phan-anh/{answered.code}/"
