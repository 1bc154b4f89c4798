import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from chinhquyenso.core import events
from chinhquyenso.core.events import event_record, outbox_deliver_due, subscribe
from chinhquyenso.core.models import DomainEvent, EventDelivery

received: list[str] = []
effects: set[str] = set()
failures = {"left": 0}


@subscribe("test.outbox.*", name="tests.recorder")
def _recorder(event):
    received.append(str(event.event_id))
    if failures["left"] > 0:
        failures["left"] -= 1
        raise ConnectionError("subscriber temporarily down")
    effects.add(str(event.event_id))  # idempotent effect keyed by event_id


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    # Only this module's subscriber: other apps' subscribers (notifications on "*") are not under test.
    monkeypatch.setattr(events, "_subscribers", {"tests.recorder": events._subscribers["tests.recorder"]})
    received.clear()
    effects.clear()
    failures["left"] = 0


def _later(delta: dt.timedelta):
    """Pretend time has passed, by moving due rows and leases into the past."""
    EventDelivery.objects.update(next_attempt_at=timezone.now() - delta)
    EventDelivery.objects.exclude(locked_until=None).update(locked_until=timezone.now() - dt.timedelta(seconds=1))


@pytest.mark.django_db
def test_an_event_is_recorded_with_one_delivery_per_matching_subscriber_and_delivered():
    event = event_record(event_type="test.outbox.created", aggregate_type="t", aggregate_id="1", payload={"x": 1})
    assert list(event.deliveries.values_list("subscriber", flat=True)) == ["tests.recorder"]
    assert outbox_deliver_due() == 1
    assert effects == {str(event.event_id)}
    delivery = event.deliveries.get()
    assert delivery.status == EventDelivery.Status.DELIVERED and delivery.attempts == 1


@pytest.mark.django_db
def test_events_of_a_rolled_back_transaction_are_never_delivered():
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(event_type="test.outbox.created")
        raise RuntimeError
    assert DomainEvent.objects.count() == 0
    assert outbox_deliver_due() == 0


@pytest.mark.django_db
def test_a_worker_that_crashed_mid_delivery_is_replaced_after_its_lease_expires():
    event = event_record(event_type="test.outbox.created")
    # Worker A claims the row and dies before finishing (no mark, lease stays).
    claimed = events._claim(limit=10, lease=dt.timedelta(minutes=2))
    assert [d.event_id for d in claimed] == [event.pk]
    assert outbox_deliver_due() == 0, "a leased row is not delivered twice while the lease holds"
    _later(dt.timedelta(seconds=1))
    assert outbox_deliver_due() == 1
    assert effects == {str(event.event_id)}
    assert event.deliveries.get().status == EventDelivery.Status.DELIVERED


@pytest.mark.django_db
def test_a_failing_subscriber_is_retried_with_backoff_then_succeeds():
    event = event_record(event_type="test.outbox.created")
    failures["left"] = 2
    assert outbox_deliver_due() == 0
    delivery = event.deliveries.get()
    assert delivery.status == EventDelivery.Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now(), "backoff schedules the retry in the future"
    assert "temporarily down" in delivery.last_error
    assert outbox_deliver_due() == 0, "not due yet"
    _later(dt.timedelta(seconds=1))
    assert outbox_deliver_due() == 0
    _later(dt.timedelta(seconds=1))
    assert outbox_deliver_due() == 1
    assert len(received) == 3 and effects == {str(event.event_id)}


@pytest.mark.django_db
def test_a_delivery_that_keeps_failing_goes_dead_and_can_be_retried(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    event = event_record(event_type="test.outbox.created")
    failures["left"] = 10
    outbox_deliver_due()
    _later(dt.timedelta(seconds=1))
    outbox_deliver_due()
    delivery = event.deliveries.get()
    assert delivery.status == EventDelivery.Status.DEAD
    _later(dt.timedelta(seconds=1))
    assert outbox_deliver_due() == 0, "dead rows are not retried automatically"
    failures["left"] = 0
    assert events.outbox_retry_dead(delivery_ids=[delivery.pk]) == 1
    assert outbox_deliver_due() == 1


@pytest.mark.django_db
def test_delivering_the_same_event_twice_has_one_effect():
    event = event_record(event_type="test.outbox.created")
    outbox_deliver_due()
    # Simulate an at-least-once redelivery (e.g. crash after the effect, before the mark).
    EventDelivery.objects.update(status=EventDelivery.Status.PENDING)
    _later(dt.timedelta(seconds=1))
    outbox_deliver_due()
    assert received == [str(event.event_id)] * 2
    assert effects == {str(event.event_id)}


@pytest.mark.django_db
def test_events_nobody_subscribed_to_are_stored_without_deliveries():
    event = event_record(event_type="test.nobody.listens")
    assert event.deliveries.count() == 0


def test_backoff_grows_and_is_capped():
    assert events.backoff(1).total_seconds() < events.backoff(4).total_seconds()
    assert events.backoff(50).total_seconds() <= 3600 * 1.2
