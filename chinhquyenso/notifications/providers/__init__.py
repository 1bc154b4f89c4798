"""Channel providers. ``provider_for(channel)`` gives the configured implementation.

Each external provider speaks a real protocol over HTTP; the simulators in
``chinhquyenso.simulators`` speak the same protocol on localhost for the demo and the tests.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.providers.base import OutgoingMessage, Provider, ProviderError, SendResult

__all__ = ["OutgoingMessage", "Provider", "ProviderError", "SendResult", "provider_for"]

_SMS = {"http": "chinhquyenso.notifications.providers.sms.HttpSmsProvider"}
_DEFAULTS = {
    Channel.EMAIL: "chinhquyenso.notifications.providers.email.DjangoEmailProvider",
    Channel.ZALO: "chinhquyenso.notifications.providers.zalo.ZnsProvider",
    Channel.IN_APP: "chinhquyenso.notifications.providers.in_app.InAppProvider",
}


def provider_for(channel: str) -> Provider:
    path = _SMS.get(settings.SMS_PROVIDER, settings.SMS_PROVIDER) if channel == Channel.SMS else _DEFAULTS.get(channel)
    if not path:
        raise ImproperlyConfigured(f"no provider for channel {channel!r}")
    try:
        return import_string(path)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_PROVIDER {settings.SMS_PROVIDER!r} is not a provider class") from exc
