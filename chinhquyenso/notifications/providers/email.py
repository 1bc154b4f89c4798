"""E-mail through Django's mail backend (SMTP in production; no delivery receipt, so it stays "sent")."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.providers.base import OutgoingMessage, ProviderError, SendResult


class DjangoEmailProvider:
    channel = Channel.EMAIL

    def send(self, message: OutgoingMessage) -> SendResult:
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
        message_id = f"<{message.client_message_id}@{domain}>"
        email = EmailMessage(
            subject=message.subject, body=message.body, to=[message.address],
            headers={"Message-ID": message_id},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ProviderError("recipient_refused", "máy chủ thư từ chối địa chỉ người nhận", retryable=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError("smtp_error", f"lỗi máy chủ thư: {type(exc).__name__}", retryable=True) from exc
        return SendResult(provider_message_id=message_id)
