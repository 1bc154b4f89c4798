"""Channels, statuses and names used across the notifications app (one place, no magic strings)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

QUEUE_NAME = "notifications"
SUBSCRIBER_NAME = "notifications.fanout"
# Event payload key naming the users to notify (a list of user ids); see docs/notifications.md.
PAYLOAD_RECIPIENTS = "notify_user_ids"
# Optional payload key: a site-relative link shown with the in-app notification.
PAYLOAD_LINK = "notify_url"
# Name of the per-app data file of default templates.
TEMPLATES_FILE = "notification_templates.json"


class Channel(models.TextChoices):
    IN_APP = "in_app", _("Trên hệ thống")
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


# Channels a person may switch off. The in-app inbox is the record of what we told them: always on.
OPTIONAL_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.ZALO)
# Channels that leave the building and so go through a provider and the task queue.
EXTERNAL_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.ZALO})


class Status(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    DELIVERED = "delivered", _("Đã đến người nhận")
    FAILED = "failed", _("Gửi không thành công")


class Language(models.TextChoices):
    VI = "vi", _("Tiếng Việt")
    EN = "en", _("Tiếng Anh")
