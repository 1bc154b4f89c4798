"""Shipments, their tracking events, and the postage table (versioned data, not code)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.units.models import AdministrativeUnit, Agency


class Zone(models.TextChoices):
    LOCAL = "local", _("Nội huyện (cùng huyện/xã)")
    PROVINCE = "province", _("Nội tỉnh")
    NATIONAL = "national", _("Liên tỉnh")


class PostageTable(models.Model):
    """A tariff in force from ``valid_from``; a new tariff is a new row, old shipments keep theirs."""

    name = models.CharField(_("tên bảng cước"), max_length=150)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    # Each started 500 g beyond the heaviest band costs this much, per zone: {"local": 3000, ...}.
    extra_per_500g = models.JSONField(_("cước mỗi 500 g tiếp theo"), default=dict)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("bảng cước bưu chính")
        verbose_name_plural = _("bảng cước bưu chính")
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self.name} (từ {self.valid_from:%d/%m/%Y})"


class PostageRate(models.Model):
    table = models.ForeignKey(PostageTable, on_delete=models.CASCADE, related_name="rates")
    zone = models.CharField(_("vùng"), max_length=10, choices=Zone.choices)
    up_to_g = models.PositiveIntegerField(_("đến khối lượng (g)"))
    amount = models.PositiveIntegerField(_("cước (đồng)"))

    class Meta:
        verbose_name = _("mức cước")
        verbose_name_plural = _("mức cước")
        ordering = ["zone", "up_to_g"]
        constraints = [models.UniqueConstraint(fields=["table", "zone", "up_to_g"], name="delivery_rate_uniq")]

    def __str__(self):
        return f"{self.zone} ≤ {self.up_to_g} g: {self.amount} đ"


class Direction(models.TextChoices):
    PICKUP = "pickup", _("Thu gom hồ sơ tại nhà")
    RETURN = "return", _("Trả kết quả tận nhà")


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Đã tạo, chờ gửi bưu điện")
    ACCEPTED = "accepted", _("Bưu điện đã nhận yêu cầu")
    PICKED_UP = "picked_up", _("Đã nhận bưu gửi")
    IN_TRANSIT = "in_transit", _("Đang vận chuyển")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Đang phát")
    DELIVERED = "delivered", _("Đã phát thành công")
    RETURNED = "returned", _("Chuyển hoàn (không phát được)")
    CANCELLED = "cancelled", _("Đã hủy")


# The order parcels move in; an update never moves a shipment backwards (webhooks can arrive out of order).
STATUS_ORDER = {s: i for i, s in enumerate([
    ShipmentStatus.CREATED, ShipmentStatus.ACCEPTED, ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY, ShipmentStatus.DELIVERED])}
STATUS_ORDER[ShipmentStatus.RETURNED] = STATUS_ORDER[ShipmentStatus.DELIVERED]
STATUS_ORDER[ShipmentStatus.CANCELLED] = STATUS_ORDER[ShipmentStatus.DELIVERED]
FINAL_STATUSES = (ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED, ShipmentStatus.CANCELLED)


class Shipment(models.Model):
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(_("nội dung"), max_length=255, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("chiều"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("trạng thái"), max_length=20, choices=ShipmentStatus.choices,
                              default=ShipmentStatus.CREATED)
    idempotency_key = models.CharField(max_length=120, unique=True)
    # Our order code sent to the operator (their idempotency key) and their tracking number.
    order_code = models.CharField(_("mã đơn"), max_length=20, unique=True)
    tracking_code = models.CharField(_("số hiệu bưu gửi"), max_length=40, blank=True, db_index=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="shipments")
    contact_name = models.CharField(_("người nhận/gửi"), max_length=150)
    contact_phone = models.CharField(_("điện thoại"), max_length=20)
    address_line = models.CharField(_("địa chỉ"), max_length=255)
    address_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("xã/phường"))
    weight_g = models.PositiveIntegerField(_("khối lượng (g)"))
    zone = models.CharField(_("vùng"), max_length=10, choices=Zone.choices)
    postage = models.PositiveIntegerField(_("cước (đồng)"))
    postage_table = models.ForeignKey(PostageTable, on_delete=models.PROTECT, related_name="+")
    invoice_id = models.BigIntegerField(_("khoản thu cước"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("bưu gửi")
        verbose_name_plural = _("bưu gửi")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="delivery_subject_idx"),
                   models.Index(fields=["status", "created_at"], name="delivery_status_idx")]

    def __str__(self):
        return f"{self.order_code} · {self.get_direction_display()} · {self.get_status_display()}"


class ShipmentEvent(models.Model):
    """One tracking update (from the webhook, or our own dispatch). ``provider_event_id`` makes a
    redelivered webhook a no-op."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=255, blank=True)
    provider_event_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.status} {self.occurred_at:%d/%m/%Y %H:%M}"
