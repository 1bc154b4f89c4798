"""Shared-kernel records: the audit chain, domain events with their outbox deliveries, stored files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Nhật ký kiểm tra chỉ được ghi thêm, không được sửa.")

    def delete(self):
        raise PermissionError("Nhật ký kiểm tra chỉ được ghi thêm, không được xoá.")


class AuditEvent(models.Model):
    """One state change, append-only and hash-chained (``hash = sha256(prev_hash + fields)``).

    The actor and unit are kept as plain ids plus labels, not foreign keys, so nothing can ever
    cascade into (or ``SET NULL``) a row of the chain.
    """

    seq = models.BigIntegerField(_("số thứ tự"), unique=True)
    occurred_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("mã người thực hiện"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    unit_id = models.BigIntegerField(_("mã đơn vị"), null=True, blank=True)
    # Materialised path of the unit, so an auditor's subtree filter is a prefix match on an index.
    unit_path = models.CharField(_("đường dẫn đơn vị"), max_length=255, blank=True, db_index=True)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký kiểm tra")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Nhật ký kiểm tra chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Nhật ký kiểm tra chỉ được ghi thêm, không được xoá.")


class AuditChainHead(models.Model):
    """The single row that serialises appends: its lock orders writers, its values expose truncation."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


class DomainEvent(models.Model):
    """Something that happened, recorded in the same transaction as the change it describes."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("loại sự kiện"), max_length=100, db_index=True)
    aggregate_type = models.CharField(max_length=100, blank=True)
    aggregate_id = models.CharField(max_length=64, blank=True)
    unit_path = models.CharField(max_length=255, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sự kiện nghiệp vụ")
        verbose_name_plural = _("sự kiện nghiệp vụ")
        ordering = ["-id"]
        indexes = [models.Index(fields=["aggregate_type", "aggregate_id"], name="event_aggregate_idx")]

    def __str__(self):
        return f"{self.event_type} {self.aggregate_type}:{self.aggregate_id}"


class EventDelivery(models.Model):
    """The outbox: one row per (event, subscriber); the relay claims due rows with a lease."""

    class Status(models.TextChoices):
        PENDING = "pending", _("chờ gửi")
        DELIVERED = "delivered", _("đã gửi")
        DEAD = "dead", _("thất bại (hết lượt thử)")

    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(_("bên nhận"), max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker that dies mid-delivery leaves its lease behind; once it expires the row is due again.
    locked_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt chuyển sự kiện")
        verbose_name_plural = _("hộp thư đi (outbox)")
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="uniq_event_subscriber")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.event} → {self.subscriber} ({self.status})"


class StoredFile(models.Model):
    """A file whose content was checked: type detected by libmagic, never trusted by name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("mục đích"), max_length=50, db_index=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    storage_key = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    mime_type = models.CharField(_("kiểu nội dung"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tệp lưu trữ")
        verbose_name_plural = _("tệp lưu trữ")

    def __str__(self):
        return self.original_name

    def open(self):
        from django.core.files.storage import default_storage

        return default_storage.open(self.storage_key, "rb")


class PeriodicRun(models.Model):
    """When a periodic job last ran (core.schedule); its row lock keeps a job to one run per period."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} @ {self.last_run_at}"


class WebhookEndpoint(models.Model):
    """An outside system (a provincial or the national portal) that receives our domain events.

    Deliveries go through the outbox (one row per event and endpoint), so they are retried with
    backoff and survive a crashed worker; each POST is signed with HMAC-SHA256 over the body.
    """

    name = models.CharField(_("tên hệ thống nhận"), max_length=200)
    url = models.URLField(_("địa chỉ nhận (URL)"), max_length=500)
    secret = models.CharField(_("khóa bí mật ký HMAC"), max_length=200)
    event_types = models.JSONField(_("loại sự kiện"), default=list,
                                   help_text=_('Ví dụ ["dossier.*", "payments.invoice_paid"]; ["*"] là tất cả.'))
    unit_path = models.CharField(_("chỉ sự kiện của đơn vị (đường dẫn)"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("điểm nhận webhook")
        verbose_name_plural = _("điểm nhận webhook")

    def __str__(self):
        return self.name

    def wants(self, event_type: str, unit_path: str) -> bool:
        if self.unit_path and not unit_path.startswith(self.unit_path):
            return False
        from chinhquyenso.core.events import pattern_matches

        return any(pattern_matches(pattern, event_type) for pattern in self.event_types or [])
