"""The postal operator's API (VNPost-like public-service parcels), and the webhook signature.

The protocol (the simulator in ``chinhquyenso/simulators/postal.py`` speaks it; an adapter for a real
operator implements the same ``PostalProvider`` methods):

- ``POST {POSTAL_API_URL}/orders`` with ``Authorization: Bearer <POSTAL_API_KEY>`` and JSON
  ``{order_code, service: "pickup"|"delivery", sender{name, phone, address, unit_code},
  receiver{…}, weight_g, note, callback_url}`` → ``201 {tracking_code, status: "accepted"}``.
  ``order_code`` is our idempotency key: sending it again returns the same parcel.
- ``GET {POSTAL_API_URL}/orders/<tracking_code>`` → ``{tracking_code, order_code, status, events[]}``.
- Tracking webhook to ``callback_url``: JSON ``{event_id, tracking_code, order_code, status,
  occurred_at (ISO 8601), location, note}`` with headers ``X-Postal-Timestamp`` (Unix seconds) and
  ``X-Postal-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with POSTAL_WEBHOOK_SECRET>``.
  We refuse a bad signature and a timestamp more than 5 minutes away (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import requests
from django.conf import settings

SIGNATURE_HEADER = "X-Postal-Signature"
TIMESTAMP_HEADER = "X-Postal-Timestamp"
MAX_SKEW_SECONDS = 300


class PostalError(Exception):
    """The operator could not be reached or refused the order."""


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook_verify(*, secret: str, timestamp: str, signature: str, body: bytes, now: float | None = None) -> bool:
    if not secret or not timestamp or not signature:
        return False
    try:
        skew = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    if skew > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(signature, webhook_signature(secret, timestamp, body))


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str
    unit_code: str

    def as_dict(self) -> dict:
        return {"name": self.name, "phone": self.phone, "address": self.address, "unit_code": self.unit_code}


@dataclass(frozen=True)
class OrderResult:
    tracking_code: str
    status: str


class PostalProvider:
    """HTTP client of the operator's order API."""

    def __init__(self, *, api_url: str, api_key: str, timeout: int = 15, session: requests.Session | None = None):
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls) -> PostalProvider:
        return cls(api_url=settings.POSTAL_API_URL, api_key=settings.POSTAL_API_KEY, timeout=settings.POSTAL_TIMEOUT)

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}

    def create_order(self, *, order_code: str, service: str, sender: Party, receiver: Party, weight_g: int,
                     note: str, callback_url: str) -> OrderResult:
        body = {"order_code": order_code, "service": service, "sender": sender.as_dict(),
                "receiver": receiver.as_dict(), "weight_g": weight_g, "note": note[:200],
                "callback_url": callback_url}
        try:
            response = self.session.post(f"{self.api_url}/orders", json=body, headers=self._headers(),
                                         timeout=self.timeout)
        except requests.RequestException as exc:
            raise PostalError(f"postal API unreachable: {exc}") from exc
        if response.status_code not in (200, 201):
            raise PostalError(f"postal API refused the order: HTTP {response.status_code} {response.text[:200]}")
        data = response.json()
        return OrderResult(tracking_code=str(data["tracking_code"]), status=str(data.get("status", "accepted")))

    def track(self, tracking_code: str) -> dict:
        try:
            response = self.session.get(f"{self.api_url}/orders/{tracking_code}", headers=self._headers(),
                                        timeout=self.timeout)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise PostalError(f"postal tracking failed: {exc}") from exc
        return response.json()
