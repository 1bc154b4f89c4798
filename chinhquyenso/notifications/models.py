"""Notification templates (versioned configuration), the notifications we sent, and preferences."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.notifications.constants import Channel, Language, Status


class NotificationTemplate(models.Model):
    """What we say, per event type, channel and language; a new wording is a new version.

    ``subject`` and ``body`` are Django template text rendered with ``recipient``, ``payload``,
    ``event`` and ``site`` (see docs/notifications.md). A Zalo ZNS message is a template that Zalo
    approved beforehand: we send only its id and parameters (``provider_template_id`` and
    ``provider_params``, each parameter again template text); ``body`` is what we keep on record.
    """

    event_type = models.CharField(_("loại sự kiện"), max_length=100)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=5, choices=Language.choices, default=Language.VI)
    category = models.CharField(_("nhóm thông báo"), max_length=50, blank=True,
                                help_text=_("Để trống: lấy phần đầu của loại sự kiện (vd. “accounts”)."))
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    provider_template_id = models.CharField(_("mã mẫu tại nhà cung cấp (ZNS)"), max_length=50, blank=True)
    provider_params = models.JSONField(_("tham số mẫu tại nhà cung cấp"), default=dict, blank=True)
    effective_from = models.DateTimeField(_("áp dụng từ"), default=timezone.now)
    active = models.BooleanField(_("đang dùng"), default=True)
    origin = models.CharField(_("nguồn"), max_length=100, blank=True,
                              help_text=_("Tệp dữ liệu đã nạp mẫu này; để trống nếu tạo trong trang quản trị."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["event_type", "channel", "language", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["event_type", "channel", "language", "effective_from"],
                                    name="uniq_notification_template_version"),
        ]
        # The fan-out looks templates up by event type on every event: keep it one index probe.
        indexes = [models.Index(fields=["event_type", "active", "effective_from"], name="notif_tpl_lookup_idx")]

    def __str__(self):
        return f"{self.event_type} · {self.get_channel_display()} · {self.language}"

    @property
    def effective_category(self) -> str:
        return self.category or self.event_type.split(".", 1)[0]


class Notification(models.Model):
    """One message to one person on one channel; also its own delivery log (status, attempts, ids)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                                 help_text=_("Gửi kèm cho nhà cung cấp (client message id / tracking_id)."))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("người nhận"))
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    event = models.ForeignKey("core.DomainEvent", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="notifications", verbose_name=_("sự kiện"))
    template = models.ForeignKey(NotificationTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="notifications", verbose_name=_("mẫu (phiên bản)"))
    category = models.CharField(_("nhóm thông báo"), max_length=50, blank=True)
    address = models.CharField(_("địa chỉ nhận"), max_length=255, blank=True,
                               help_text=_("Số điện thoại hoặc thư điện tử tại thời điểm gửi."))
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    link = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    provider_data = models.JSONField(_("dữ liệu gửi nhà cung cấp"), default=dict, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider_message_id = models.CharField(_("mã tin tại nhà cung cấp"), max_length=100, blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    next_attempt_at = models.DateTimeField(_("lần gửi tới"), default=timezone.now)
    # A worker that dies mid-send leaves its lease; once it expires the sweep may send again.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("đến người nhận lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-id"]
        constraints = [
            # The outbox delivers at least once: the same event never yields two messages.
            models.UniqueConstraint(fields=["event", "recipient", "channel"], name="uniq_notification_per_event"),
        ]
        indexes = [
            # The inbox: newest first for one person on one channel (keyset on id).
            models.Index(fields=["recipient", "channel", "-id"], name="notif_inbox_idx"),
            # The unread badge on every page: a partial index holding only unread in-app rows.
            models.Index(fields=["recipient"], condition=Q(channel=Channel.IN_APP, read_at__isnull=True),
                         name="notif_unread_idx"),
            # The retry sweep reads only queued rows.
            models.Index(fields=["next_attempt_at"], condition=Q(status=Status.QUEUED), name="notif_due_idx"),
            models.Index(fields=["provider_message_id"], name="notif_provider_id_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient_id}: {self.subject or self.body[:40]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Whether a person wants a channel; an empty category is the channel-wide switch."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences", verbose_name=_("người dùng"))
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("nhóm thông báo"), max_length=50, blank=True)
    enabled = models.BooleanField(_("nhận"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tuỳ chọn nhận thông báo")
        verbose_name_plural = _("tuỳ chọn nhận thông báo")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel", "category"], name="uniq_notification_preference"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.channel}/{self.category or '*'}: {'on' if self.enabled else 'off'}"
