"""Brandname SMS over an HTTP JSON API, the way Vietnamese SMS gateways offer it.

Request: ``POST SMS_API_URL`` with header ``X-Api-Key`` and body
``{phone, brandname, content, client_message_id, unicode, callback_url}``; the gateway answers
``{"code": 0, "message_id": …, "segments": n}`` or an error code. The delivery report (DLR) comes
later to ``callback_url``, signed with the shared ``SMS_WEBHOOK_SECRET`` (see ``webhooks.py``).
The full protocol is in docs/notifications.md; ``chinhquyenso.simulators.sms`` speaks it.
"""

from __future__ import annotations

import unicodedata

import requests
from django.conf import settings
from django.urls import reverse

from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.providers.base import (
    OutgoingMessage,
    ProviderError,
    SendResult,
    phone_international,
)

# Gateway codes that mean "try again later"; any other refusal is final.
RETRYABLE_CODES = {"99", "103"}  # system busy, rate limited
DUPLICATE_CODE = "124"  # client_message_id already accepted: it was sent, do not send again
TIMEOUT = (5, 15)  # connect, read (seconds)

_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, case kept: ``Đăng ký`` → ``Dang ky``.

    Brandname messages are usually sent unaccented: GSM-7 fits 160 characters a segment where
    Unicode (UCS-2) fits 70, and carriers charge per segment.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def callback_url() -> str:
    return settings.SMS_CALLBACK_URL or f"{settings.SITE_URL}{reverse('notifications:webhook_sms')}"


class HttpSmsProvider:
    channel = Channel.SMS

    def __init__(self, *, url: str | None = None, api_key: str | None = None, brandname: str | None = None,
                 unicode: bool | None = None, session: requests.Session | None = None):
        self.url = url or settings.SMS_API_URL
        self.api_key = api_key or settings.SMS_API_KEY
        self.brandname = brandname or settings.SMS_BRANDNAME
        self.unicode = settings.SMS_UNICODE if unicode is None else unicode
        self.session = session or requests.Session()

    def build_request(self, message: OutgoingMessage) -> dict:
        return {
            "phone": phone_international(message.address),
            "brandname": self.brandname,
            "content": message.body if self.unicode else unaccent(message.body),
            "client_message_id": message.client_message_id,
            "unicode": self.unicode,
            "callback_url": callback_url(),
        }

    def send(self, message: OutgoingMessage) -> SendResult:
        body = self.build_request(message)
        try:
            response = self.session.post(self.url, json=body, headers={"X-Api-Key": self.api_key}, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise ProviderError("network", f"không kết nối được tổng đài SMS ({type(exc).__name__})",
                                retryable=True) from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        code = str(data.get("code", "")) if isinstance(data, dict) else ""
        if response.status_code == 200 and code == "0" and data.get("message_id"):
            return SendResult(provider_message_id=str(data["message_id"]), raw=data)
        if code == DUPLICATE_CODE and data.get("message_id"):
            return SendResult(provider_message_id=str(data["message_id"]), raw=data)
        text = str(data.get("message", "")) if isinstance(data, dict) else ""
        retryable = response.status_code >= 500 or response.status_code == 429 or code in RETRYABLE_CODES
        raise ProviderError(code or f"http_{response.status_code}",
                            text or f"tổng đài SMS trả về HTTP {response.status_code}", retryable=retryable)
