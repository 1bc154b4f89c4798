"""Domain events and the transactional outbox.

A service calls ``event_record`` inside its transaction; the event and one ``EventDelivery``
per subscriber commit (or roll back) with the change itself, so no message is lost or invented.
The relay (``outbox_deliver_due``, run in a loop by ``chinhquyenso worker``) claims due
deliveries with a lease, calls the subscriber and marks the row delivered. A worker that dies
mid-delivery leaves a lease that expires, and another worker delivers the row again: delivery is
*at least once*, so subscribers must be idempotent (the event's ``event_id`` is the natural key).
"""

from __future__ import annotations

import importlib
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chinhquyenso.core.models import DomainEvent, EventDelivery
from chinhquyenso.core.text import without_nul

log = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    pattern: str  # an event type, "prefix.*" or "*"
    handler: Handler

    def matches(self, event_type: str) -> bool:
        return pattern_matches(self.pattern, event_type)


def pattern_matches(pattern: str, event_type: str) -> bool:
    """``*`` matches everything, ``dossier.*`` every dossier event, otherwise the exact type."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern


_subscribers: dict[str, Subscriber] = {}


def subscribe(pattern: str, *, name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for events matching ``pattern``; ``name`` is stable (stored in rows)."""

    def decorator(handler: Handler) -> Handler:
        _subscribers[name] = Subscriber(name=name, pattern=pattern, handler=handler)
        return handler

    return decorator


def subscribers_for(event_type: str) -> list[Subscriber]:
    return [s for s in _subscribers.values() if s.matches(event_type)]


def autodiscover_subscribers() -> None:
    """Import ``<app>.subscribers`` for every installed app of ours, as admin autodiscovery does."""
    for config in apps.get_app_configs():
        if not config.name.startswith("chinhquyenso."):
            continue
        try:
            importlib.import_module(f"{config.name}.subscribers")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.subscribers":
                raise


def event_record(
    *,
    event_type: str,
    aggregate=None,
    aggregate_type: str = "",
    aggregate_id: str = "",
    unit=None,
    actor=None,
    payload: dict | None = None,
) -> DomainEvent:
    """Record an event and its outbox rows. Must run inside the caller's transaction."""
    if aggregate is not None:
        aggregate_type = f"{aggregate._meta.app_label}.{aggregate._meta.model_name}"
        aggregate_id = str(aggregate.pk)
    event = DomainEvent.objects.create(
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        unit_path=getattr(unit, "path", "") or "",
        actor_id=getattr(actor, "pk", None),
        payload=without_nul(payload or {}),  # PostgreSQL's jsonb refuses NUL
    )
    from chinhquyenso.core import webhooks

    names = [s.name for s in subscribers_for(event_type)]
    names += webhooks.subscriber_names_for(event_type, event.unit_path)
    EventDelivery.objects.bulk_create([EventDelivery(event=event, subscriber=name) for name in names])
    return event


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter: ~10 s, 20 s, 40 s … capped at one hour."""
    base = min(3600, 10 * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not crypto


def _claim(limit: int, lease: timedelta) -> list[EventDelivery]:
    now = timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    due = EventDelivery.objects.filter(free, status=EventDelivery.Status.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    if not ids:
        return []
    token = uuid.uuid4()
    # One conditional UPDATE is atomic on every backend: two relays never claim the same row.
    EventDelivery.objects.filter(free, id__in=ids, status=EventDelivery.Status.PENDING).update(
        locked_until=now + lease, claim_token=token
    )
    return list(EventDelivery.objects.filter(claim_token=token).select_related("event"))


def _handler_for(name: str) -> tuple[Handler, bool]:
    """The handler and whether it runs inside a transaction with the "delivered" mark.

    In-process subscribers do: their writes and the mark commit together. Webhooks do not: an HTTP
    call must never hold a database transaction (on SQLite that would block every writer)."""
    from chinhquyenso.core import webhooks

    if name.startswith(webhooks.PREFIX):
        return (lambda event: webhooks.deliver(name, event)), False
    subscriber = _subscribers.get(name)
    if subscriber is None:
        raise LookupError(f"no subscriber named {name!r} is registered")
    return subscriber.handler, True


def _mark_delivered(delivery: EventDelivery) -> None:
    EventDelivery.objects.filter(id=delivery.id, claim_token=delivery.claim_token).update(
        status=EventDelivery.Status.DELIVERED,
        delivered_at=timezone.now(),
        attempts=delivery.attempts + 1,
        locked_until=None,
        last_error="",
    )


def _deliver_one(delivery: EventDelivery) -> bool:
    try:
        handler, transactional = _handler_for(delivery.subscriber)
        if transactional:
            with transaction.atomic():
                handler(delivery.event)
                _mark_delivered(delivery)
        else:
            handler(delivery.event)
            _mark_delivered(delivery)
        return True
    except Exception as exc:
        attempts = delivery.attempts + 1
        dead = attempts >= settings.OUTBOX_MAX_ATTEMPTS
        log.warning("outbox delivery %s to %s failed (attempt %s): %s",
                    delivery.event.event_id, delivery.subscriber, attempts, exc)
        EventDelivery.objects.filter(id=delivery.id, claim_token=delivery.claim_token).update(
            status=EventDelivery.Status.DEAD if dead else EventDelivery.Status.PENDING,
            attempts=attempts,
            next_attempt_at=timezone.now() + backoff(attempts),
            locked_until=None,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return False


def outbox_deliver_due(*, limit: int = 100) -> int:
    """Deliver up to ``limit`` due rows; returns how many succeeded."""
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    return sum(_deliver_one(d) for d in _claim(limit, lease))


def outbox_retry_dead(*, delivery_ids: list[int]) -> int:
    """Give dead deliveries a fresh start (admin action after fixing the cause)."""
    return EventDelivery.objects.filter(id__in=delivery_ids, status=EventDelivery.Status.DEAD).update(
        status=EventDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
