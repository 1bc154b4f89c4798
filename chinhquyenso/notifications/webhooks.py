"""Delivery-report webhooks from the SMS gateway and from Zalo, with their signature checks.

SMS gateway: headers ``X-Sms-Timestamp`` (Unix seconds) and ``X-Sms-Signature: sha256=<hex>``,
the HMAC-SHA256 of ``"<timestamp>.<raw body>"`` with ``SMS_WEBHOOK_SECRET``; reports older than
five minutes are refused (a captured request cannot be replayed later).

Zalo: header ``X-ZEvent-Signature: mac=<hex>``, the SHA-256 of
``app_id + raw body + timestamp + OA secret key`` (Zalo's own scheme; ``timestamp`` is the one in
the body). Event ``user_received_message`` carries ``message.msg_id`` and ``message.tracking_id``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chinhquyenso.core.middleware import nul_checked_by_view
from chinhquyenso.core.parsing import parse_int
from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.services import notification_delivery_report

log = logging.getLogger(__name__)

SMS_MAX_SKEW_SECONDS = 300
# 31/12/9999, the last instant datetime can hold: a later "delivery_time" is junk, not a date.
MAX_TIMESTAMP_MS = 253_402_300_799_999


def sms_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def zalo_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + str(timestamp).encode() + oa_secret_key.encode())
    return f"mac={digest.hexdigest()}"


def sms_signature_valid(request: HttpRequest, *, now: float | None = None) -> bool:
    secret = settings.SMS_WEBHOOK_SECRET
    timestamp = request.headers.get("X-Sms-Timestamp", "")
    given = request.headers.get("X-Sms-Signature", "")
    if not secret or not timestamp or not given:
        return False
    try:
        skew = abs((now or time.time()) - int(timestamp))
    except ValueError:
        return False
    if skew > SMS_MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(given, sms_signature(secret, timestamp, request.body))


@nul_checked_by_view  # signed: the view reads its raw body
@csrf_exempt
@require_POST
def sms_delivery_report(request: HttpRequest):
    if not sms_signature_valid(request):
        log.warning("SMS delivery report with a bad or missing signature refused")
        return HttpResponseForbidden("invalid signature")
    try:
        data = json.loads(request.body)
        status = str(data["status"]).upper()
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("invalid body")
    notification = notification_delivery_report(
        channel=Channel.SMS, delivered=status == "DELIVERED",
        client_message_id=str(data.get("client_message_id") or ""),
        provider_message_id=str(data.get("message_id") or ""),
        at=parse_datetime(str(data.get("done_at") or "")),
        error=f"[{data.get('error_code', '')}] {status}" if status != "DELIVERED" else "",
    )
    # 200 even for an unknown message: the gateway would otherwise retry a report we cannot use.
    return JsonResponse({"ok": True, "matched": notification is not None})


@nul_checked_by_view  # signed: the view reads its raw body
@csrf_exempt
@require_POST
def zalo_event(request: HttpRequest):
    try:
        data = json.loads(request.body)
        timestamp = str(data.get("timestamp", ""))
        app_id = str(data.get("app_id", ""))
    except (ValueError, AttributeError):
        return HttpResponseBadRequest("invalid body")
    secret = settings.ZALO_OA_SECRET_KEY
    given = request.headers.get("X-ZEvent-Signature", "")
    expected = zalo_signature(settings.ZALO_APP_ID, request.body, timestamp, secret)
    if not secret or app_id != settings.ZALO_APP_ID or not hmac.compare_digest(given, expected):
        log.warning("Zalo event with a bad or missing signature refused")
        return HttpResponseForbidden("invalid signature")
    if data.get("event_name") != "user_received_message":
        return JsonResponse({"ok": True, "ignored": data.get("event_name")})
    message = data.get("message") or {}
    at = None
    delivered_ms = parse_int(str(message.get("delivery_time", "")), min_value=0, max_value=MAX_TIMESTAMP_MS)
    if delivered_ms is not None:
        at = datetime.fromtimestamp(delivered_ms / 1000, tz=UTC)
    notification = notification_delivery_report(
        channel=Channel.ZALO, delivered=True, client_message_id=str(message.get("tracking_id") or ""),
        provider_message_id=str(message.get("msg_id") or ""), at=at,
    )
    return JsonResponse({"ok": True, "matched": notification is not None})
