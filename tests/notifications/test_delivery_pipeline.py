"""Event → notification rows → send task → simulator → signed delivery report → delivered."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from chinhquyenso.core.events import outbox_deliver_due
from chinhquyenso.core.models import EventDelivery
from chinhquyenso.notifications.constants import Channel, Status
from chinhquyenso.notifications.models import Notification
from chinhquyenso.notifications.providers.sms import unaccent
from chinhquyenso.notifications.services import notification_preferences_set
from tests.notifications.conftest import register


@pytest.mark.django_db(transaction=True)
def test_a_registration_is_texted_through_the_gateway_and_the_delivery_report_marks_it_delivered(
        sims, live_callbacks, templates):
    user = register(phone="0912345678", full_name="Trần Thị Bình")

    outbox_deliver_due()  # real commits here: the send task runs on commit

    sms = Notification.objects.get(recipient=user, channel=Channel.SMS)
    recorded = sims.wait_for(lambda: [m for m in sims.sms() if (m.get("callback") or {}).get("status") == 200])
    assert len(recorded) == 1
    message = recorded[0]
    assert message["phone"] == "84912345678"
    assert message["brandname"] == "CHINHQUYENSO"
    assert message["client_message_id"] == str(sms.public_id)
    assert message["content"] == unaccent(sms.body)
    assert message["content"].startswith("Chinh quyen so: Tai khoan dich vu cong cua Tran Thi Binh da duoc tao.")
    sms.refresh_from_db()
    assert sms.status == Status.DELIVERED
    assert sms.provider_message_id == message["message_id"]
    assert sms.delivered_at is not None and sms.attempts == 1
    # The in-app copy is in the inbox at once; e-mail has no address, so none was made.
    assert Notification.objects.get(recipient=user, channel=Channel.IN_APP).status == Status.DELIVERED
    assert not Notification.objects.filter(recipient=user, channel=Channel.EMAIL).exists()


@pytest.mark.django_db(transaction=True)
def test_a_zalo_message_is_marked_delivered_by_the_signed_user_received_message_event(
        sims, live_callbacks, templates):
    user = register(phone="0987654321")

    outbox_deliver_due()

    zalo = Notification.objects.get(recipient=user, channel=Channel.ZALO)
    sims.wait_for(lambda: [m for m in sims.zalo()["messages"] if (m.get("callback") or {}).get("status") == 200])
    zalo.refresh_from_db()
    assert zalo.status == Status.DELIVERED
    assert zalo.provider_message_id == sims.zalo()["messages"][0]["msg_id"]


def _redeliver_fanout():
    EventDelivery.objects.filter(subscriber="notifications.fanout").update(
        status=EventDelivery.Status.PENDING, locked_until=None, next_attempt_at=timezone.now())


def test_the_same_event_delivered_twice_makes_one_notification_and_one_sms(sims, templates, relay):
    user = register()
    relay()
    _redeliver_fanout()  # the outbox delivers at least once: a lease expired, another worker ran it
    relay()

    assert Notification.objects.filter(recipient=user, channel=Channel.SMS).count() == 1
    assert Notification.objects.filter(recipient=user, channel=Channel.IN_APP).count() == 1
    assert len(sims.sms()) == 1
    assert sims.get("/sms")["requests"] == 1


def test_a_notification_already_sent_is_not_sent_again_by_a_repeated_task(sims, templates, relay):
    from chinhquyenso.notifications.services import notification_send

    user = register()
    relay()
    sms = Notification.objects.get(recipient=user, channel=Channel.SMS)
    assert sms.status == Status.SENT

    assert notification_send(notification_id=sms.pk) == "skipped"
    assert sims.get("/sms")["requests"] == 1


def test_with_sms_switched_off_no_sms_is_sent_but_the_inbox_still_gets_it(sims, templates, relay):
    user = register()
    notification_preferences_set(user=user, values={Channel.SMS: False, Channel.ZALO: False})
    relay()

    assert not Notification.objects.filter(recipient=user, channel__in=[Channel.SMS, Channel.ZALO]).exists()
    assert Notification.objects.filter(recipient=user, channel=Channel.IN_APP).exists()
    assert sims.sms() == [] and sims.zalo()["messages"] == []


def test_gateway_errors_are_retried_with_backoff_then_failed_after_max_attempts(sims, templates, relay, settings):
    from chinhquyenso.notifications.services import notifications_enqueue_due

    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    sims.post("/sms/sim/faults", {"fail_next": 10, "http_status": 503, "code": 99})
    user = register()
    relay()

    sms = Notification.objects.get(recipient=user, channel=Channel.SMS)
    assert (sms.status, sms.attempts) == (Status.QUEUED, 1)
    assert "[99]" in sms.error and sms.next_attempt_at > timezone.now()
    assert notifications_enqueue_due() == 0  # not due yet: backoff

    for _ in range(2):  # time passes; the sweep finds the row due and the send runs again
        assert notifications_enqueue_due(now=timezone.now() + dt.timedelta(hours=2)) == 1

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (Status.FAILED, 3)
    assert "Hệ thống đang bận" in sms.error
    assert sims.get("/sms")["requests"] == 3 and sims.sms() == []


def test_a_refusal_that_retrying_cannot_fix_fails_at_once(sims, templates, relay):
    user = register(phone="02343822222")  # a Huế landline: valid, but it cannot receive SMS
    relay()

    sms = Notification.objects.get(recipient=user, channel=Channel.SMS)
    assert (sms.status, sms.attempts) == (Status.FAILED, 1)
    assert "[108]" in sms.error
    assert sims.get("/sms")["requests"] == 1


def test_on_a_backend_with_delayed_jobs_a_retry_is_enqueued_to_run_after_the_backoff(sims, templates, settings,
                                                                                      django_capture_on_commit_callbacks):
    from django_tasks import default_task_backend

    from chinhquyenso.notifications.services import notification_send

    sims.post("/sms/sim/faults", {"fail_next": 1})
    user = register()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend",
                                  "QUEUES": ["default", "outbox", "notifications"]}}
    with django_capture_on_commit_callbacks(execute=True):
        outbox_deliver_due()
    sms = Notification.objects.get(recipient=user, channel=Channel.SMS)
    [first] = [r for r in default_task_backend.results if r.args == [sms.pk]]
    assert first.task.run_after is None  # the first send goes at once

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_send(notification_id=sms.pk) == "retry"
    retry = default_task_backend.results[-1]
    sms.refresh_from_db()
    assert retry.task.run_after == sms.next_attempt_at > timezone.now()


def test_failure_logs_mask_the_phone_number(sims, templates, relay, caplog):
    sims.post("/sms/sim/faults", {"fail_next": 1})
    register(phone="0912345678")
    with caplog.at_level("WARNING", logger="chinhquyenso.notifications"):
        relay()
    text = caplog.text
    assert "091****678" in text and "0912345678" not in text and "84912345678" not in text


def test_a_delivery_report_that_arrives_before_the_sent_mark_is_not_overwritten(db):
    from chinhquyenso.notifications.services import notification_delivery_report

    user = register()
    n = Notification.objects.create(recipient=user, channel=Channel.SMS, body="x", address="0912345678")
    notification_delivery_report(channel=Channel.SMS, delivered=True, client_message_id=str(n.public_id))
    n.refresh_from_db()
    assert n.status == Status.DELIVERED
    assert notification_delivery_report(channel=Channel.SMS, delivered=True,
                                        client_message_id=str(uuid.uuid4())) is None
