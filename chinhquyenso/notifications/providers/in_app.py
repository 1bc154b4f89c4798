"""In-app notifications need no carrier: the row is the message and the inbox shows it."""

from __future__ import annotations

from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.providers.base import OutgoingMessage, SendResult


class InAppProvider:
    channel = Channel.IN_APP

    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult(provider_message_id=message.client_message_id)
