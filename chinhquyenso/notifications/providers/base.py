"""The provider interface: one outgoing message in, a provider message id (or a ProviderError) out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import phonenumbers


@dataclass(frozen=True)
class OutgoingMessage:
    client_message_id: str  # our Notification.public_id: lets the provider de-duplicate and report back
    address: str  # phone number or e-mail address
    subject: str
    body: str
    provider_data: dict = field(default_factory=dict)  # e.g. ZNS template_id and template_data


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    raw: dict = field(default_factory=dict)


class ProviderError(Exception):
    """A provider refused or could not take the message.

    ``retryable`` says whether trying again later may help (timeouts, 5xx, "busy") or not
    (bad phone number, unknown template, wrong credentials: retrying only spends quota).
    """

    def __init__(self, code: str, message: str, *, retryable: bool):
        super().__init__(f"[{code}] {message}")
        self.code = str(code)
        self.message = message
        self.retryable = retryable


class Provider(Protocol):
    channel: str

    def send(self, message: OutgoingMessage) -> SendResult: ...


def phone_international(number: str) -> str:
    """``0912345678`` / ``+84912345678`` → ``84912345678`` (the format SMS gateways and ZNS take)."""
    try:
        parsed = phonenumbers.parse(number, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ProviderError("invalid_phone", "số điện thoại không hợp lệ", retryable=False) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ProviderError("invalid_phone", "số điện thoại không hợp lệ", retryable=False)
    return f"{parsed.country_code}{parsed.national_number}"
