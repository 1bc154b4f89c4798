"""Outgoing webhooks: domain events POSTed to outside systems, signed, retried through the outbox.

Signature (documented for integrators in docs/api.md): header ``X-CQS-Signature: sha256=<hex>`` where
hex = HMAC-SHA256(secret, ``<X-CQS-Timestamp>.<raw body>``). Receivers must check it, reject
timestamps older than 5 minutes, and de-duplicate on ``X-CQS-Delivery`` (delivery is at least once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder

from chinhquyenso.core.models import DomainEvent, WebhookEndpoint

PREFIX = "webhook:"
TIMEOUT_SECONDS = 10
# Payload keys that are routing hints for our own subscribers, never for outside systems.
_INTERNAL_KEYS = {"notify_user_ids"}


_CACHE_KEY = "core:webhooks:active:v1"
CACHE_SECONDS = 30


def active_endpoints() -> list[WebhookEndpoint]:
    """Active endpoints, cached: every recorded event asks, endpoints change a few times a year.
    Saving one in the admin clears the cache; other processes see it within CACHE_SECONDS."""
    return cache.get_or_set(
        _CACHE_KEY,
        lambda: list(WebhookEndpoint.objects.filter(is_active=True).only("id", "event_types", "unit_path")),
        CACHE_SECONDS,
    )


def endpoints_changed() -> None:
    cache.delete(_CACHE_KEY)


def subscriber_names_for(event_type: str, unit_path: str) -> list[str]:
    return [f"{PREFIX}{e.pk}" for e in active_endpoints() if e.wants(event_type, unit_path)]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def body_for(event: DomainEvent) -> bytes:
    data = {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "occurred_at": event.occurred_at.isoformat(),
        "aggregate_type": event.aggregate_type,
        "aggregate_id": event.aggregate_id,
        "payload": {k: v for k, v in (event.payload or {}).items() if k not in _INTERNAL_KEYS},
    }
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


def deliver(subscriber: str, event: DomainEvent) -> None:
    """Send one event to one endpoint; raise on anything but a 2xx so the outbox retries."""
    endpoint = WebhookEndpoint.objects.filter(pk=int(subscriber[len(PREFIX):]), is_active=True).first()
    if endpoint is None:
        return  # endpoint removed or paused: nothing to deliver
    body = body_for(event)
    timestamp = str(int(time.time()))
    response = requests.post(
        endpoint.url, data=body, timeout=TIMEOUT_SECONDS,
        headers={"Content-Type": "application/json; charset=utf-8", "X-CQS-Event": event.event_type,
                 "X-CQS-Delivery": str(event.event_id), "X-CQS-Timestamp": timestamp,
                 "X-CQS-Signature": sign(endpoint.secret, timestamp, body),
                 "User-Agent": "chinhquyenso-webhooks/1"},
    )
    if not 200 <= response.status_code < 300:
        raise ConnectionError(f"webhook {endpoint.name} answered HTTP {response.status_code}")
