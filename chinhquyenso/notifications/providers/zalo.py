"""Zalo Notification Service (ZNS): "send template message" of the Zalo Business OpenAPI.

``POST https://business.openapi.zalo.me/message/template`` with header ``access_token`` and body
``{"phone": "84…", "template_id": "…", "template_data": {…}, "tracking_id": "…"}``. Zalo answers
HTTP 200 with ``{"error": 0, "message": "Success", "data": {"msg_id", "sent_time", "quota"}}`` or a
negative ``error`` code (-108 phone invalid, -109 template id invalid, -124 access token invalid …).
Delivery arrives as the ``user_received_message`` webhook event (see ``webhooks.py``).
"""

from __future__ import annotations

import requests
from django.conf import settings

from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.providers.base import (
    OutgoingMessage,
    ProviderError,
    SendResult,
    phone_international,
)

TIMEOUT = (5, 15)
# -100 "Unknown error, please try again later"; everything else is a refusal that will not change.
RETRYABLE_ERRORS = {-100}


class ZnsProvider:
    channel = Channel.ZALO

    def __init__(self, *, url: str | None = None, access_token: str | None = None,
                 session: requests.Session | None = None):
        self.url = url or settings.ZALO_ZNS_URL
        self.access_token = access_token or settings.ZALO_ACCESS_TOKEN
        self.session = session or requests.Session()

    def build_request(self, message: OutgoingMessage) -> dict:
        template_id = message.provider_data.get("template_id")
        if not template_id:
            raise ProviderError("no_template", "mẫu thông báo chưa có mã mẫu ZNS", retryable=False)
        return {
            "phone": phone_international(message.address),
            "template_id": str(template_id),
            "template_data": dict(message.provider_data.get("template_data") or {}),
            "tracking_id": message.client_message_id,
        }

    def send(self, message: OutgoingMessage) -> SendResult:
        body = self.build_request(message)
        try:
            response = self.session.post(self.url, json=body, timeout=TIMEOUT,
                                         headers={"access_token": self.access_token})
        except requests.RequestException as exc:
            raise ProviderError("network", f"không kết nối được Zalo ({type(exc).__name__})", retryable=True) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(f"http_{response.status_code}", "Zalo tạm thời không nhận yêu cầu", retryable=True)
        try:
            data = response.json()
            error = int(data.get("error"))
        except (ValueError, TypeError, AttributeError):
            raise ProviderError(f"http_{response.status_code}", "Zalo trả về dữ liệu không đọc được",
                                retryable=response.status_code != 400) from None
        if error == 0 and (data.get("data") or {}).get("msg_id"):
            return SendResult(provider_message_id=str(data["data"]["msg_id"]), raw=data)
        raise ProviderError(str(error), str(data.get("message", "")), retryable=error in RETRYABLE_ERRORS)
