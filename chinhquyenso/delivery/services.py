"""Writes of the delivery app: postage quotes, shipments, dispatch to the operator, tracking updates."""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.events import event_record
from chinhquyenso.delivery import policies
from chinhquyenso.delivery.models import (
    FINAL_STATUSES,
    STATUS_ORDER,
    Direction,
    PostageTable,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    Zone,
)
from chinhquyenso.delivery.providers.postal import Party, PostalError, PostalProvider

log = logging.getLogger(__name__)

MAX_WEIGHT_G = 30_000  # public-service parcels: 30 kg


# --- postage ---------------------------------------------------------------------------------------------

def postage_zone(origin, destination) -> str:
    """Same district (or, in a two-tier province, the same commune) → local; same province → province."""
    step = origin.steplen
    if origin.path[:step] != destination.path[:step]:
        return Zone.NATIONAL
    if origin.depth >= 2 and destination.depth >= 2 and origin.path[:2 * step] == destination.path[:2 * step]:
        return Zone.LOCAL
    return Zone.PROVINCE


def postage_amount(*, bands: Iterable[tuple[int, int]], extra_per_500g: int, weight_g: int) -> int:
    """Pure calculator: ``bands`` are (up to grams, amount) of one zone. Beyond the heaviest band each
    started 500 g adds ``extra_per_500g``."""
    ordered = sorted(bands)
    if not ordered:
        raise DomainError("postage_zone_missing", _("Bảng cước chưa có mức cho vùng này."))
    if weight_g <= 0:
        raise DomainError("invalid_weight", _("Khối lượng phải lớn hơn 0."), "weight_g")
    for up_to, amount in ordered:
        if weight_g <= up_to:
            return amount
    heaviest, amount = ordered[-1]
    return amount + math.ceil((weight_g - heaviest) / 500) * extra_per_500g


def postage_table_in_force(on: dt.date | None = None) -> PostageTable:
    on = on or timezone.localdate()
    table = PostageTable.objects.filter(is_active=True, valid_from__lte=on).order_by("-valid_from").first()
    if table is None:
        raise DomainError("no_postage_table", _("Chưa có bảng cước bưu chính áp dụng."))
    return table


@dataclass(frozen=True)
class PostageQuote:
    zone: str
    weight_g: int
    amount: int
    table: PostageTable


def postage_quote(*, origin, destination, weight_g: int, on: dt.date | None = None) -> PostageQuote:
    if weight_g > MAX_WEIGHT_G:
        raise DomainError("too_heavy", _("Bưu gửi không được nặng quá 30 kg."), "weight_g")
    table = postage_table_in_force(on)
    zone = postage_zone(origin, destination)
    bands = list(table.rates.filter(zone=zone).values_list("up_to_g", "amount"))
    amount = postage_amount(bands=bands, extra_per_500g=int((table.extra_per_500g or {}).get(zone, 0)),
                            weight_g=weight_g)
    return PostageQuote(zone=zone, weight_g=weight_g, amount=amount, table=table)


# --- shipments ---------------------------------------------------------------------------------------------

def _new_order_code() -> str:
    return "BC" + secrets.token_hex(5).upper()


def _payload(shipment: Shipment, **extra) -> dict:
    return {"shipment_id": shipment.pk, "subject_type": shipment.subject_type, "subject_id": shipment.subject_id,
            "direction": shipment.direction, "status": shipment.status, "tracking_code": shipment.tracking_code,
            **extra}


@transaction.atomic
def shipment_create(
    *,
    subject_type: str,
    subject_id: str,
    unit,
    agency,
    direction: str,
    contact_name: str,
    contact_phone: str,
    address_line: str,
    address_unit,
    weight_g: int,
    idempotency_key: str,
    actor=None,
    citizen=None,
    subject_label: str = "",
    charge_postage: bool = True,
) -> Shipment:
    """Register a pickup or a return; with ``charge_postage`` the citizen gets a postage invoice, and
    the parcel is sent to the operator when it is paid (``delivery.subscribers``)."""
    existing = Shipment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if direction not in Direction.values:
        raise DomainError("invalid_direction", _("Chiều gửi không hợp lệ."), "direction")
    if not contact_name.strip() or not contact_phone.strip() or not address_line.strip():
        raise DomainError("address_required", _("Vui lòng nhập đủ họ tên, điện thoại và địa chỉ."), "address_line")
    quote = postage_quote(origin=agency.unit, destination=address_unit, weight_g=weight_g)
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                subject_type=subject_type, subject_id=str(subject_id), subject_label=subject_label[:255], unit=unit,
                agency=agency, direction=direction, idempotency_key=idempotency_key, order_code=_new_order_code(),
                citizen=citizen, contact_name=contact_name.strip()[:150], contact_phone=contact_phone.strip()[:20],
                address_line=address_line.strip()[:255], address_unit=address_unit, weight_g=weight_g,
                zone=quote.zone, postage=quote.amount, postage_table=quote.table,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        existing = Shipment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
    ShipmentEvent.objects.create(shipment=shipment, status=ShipmentStatus.CREATED, occurred_at=shipment.created_at,
                                 note=_("Đăng ký dịch vụ bưu chính công ích"))
    if charge_postage and quote.amount > 0:
        from chinhquyenso.payments.services import invoice_create

        invoice = invoice_create(
            subject_type=subject_type, subject_id=str(subject_id), kind="postage", amount=quote.amount, unit=unit,
            agency=agency, payer=citizen, payer_name=contact_name, subject_label=subject_label,
            description=f"Cước bưu chính ({shipment.get_direction_display().lower()})",
            lines=[{"code": "postage", "label": f"Cước {Zone(quote.zone).label.lower()}, {weight_g} g",
                    "quantity": 1, "amount_vnd": quote.amount}],
            idempotency_key=f"shipment:{shipment.order_code}:postage", actor=actor,
        )
        shipment.invoice_id = invoice.pk
        shipment.save(update_fields=["invoice_id"])
    audit_record(action="delivery.shipment.create", actor=actor, obj=shipment, unit=unit,
                 after={"direction": direction, "postage": quote.amount, "zone": quote.zone, "weight_g": weight_g})
    event_record(event_type="delivery.shipment_created", aggregate=shipment, unit=unit, actor=actor,
                 payload=_payload(shipment, postage=quote.amount, invoice_id=shipment.invoice_id))
    return shipment


def _callback_url() -> str:
    return settings.SITE_URL + reverse("delivery:webhook")


def shipment_dispatch(*, shipment: Shipment, actor=None, provider: PostalProvider | None = None) -> Shipment:
    """Send the order to the postal operator. No HTTP call inside a transaction: the operator treats
    our order code as an idempotency key, so two concurrent dispatches get the same parcel and the
    second one only finds the tracking code already saved."""
    if actor is not None and not policies.can_manage_shipment(actor, shipment):
        raise PermissionDenied()
    provider = provider or PostalProvider.from_settings()
    current = Shipment.objects.select_related("agency__unit", "address_unit").get(pk=shipment.pk)
    if current.tracking_code:
        return current
    if current.status != ShipmentStatus.CREATED:
        raise Conflict("shipment_not_created", _("Bưu gửi này không còn chờ gửi."))
    agency = current.agency
    office = Party(name=agency.name, phone=agency.phone, address=agency.address or agency.unit.full_name,
                   unit_code=agency.unit.code)
    citizen = Party(name=current.contact_name, phone=current.contact_phone,
                    address=f"{current.address_line}, {current.address_unit.full_name}",
                    unit_code=current.address_unit.code)
    sender, receiver = (citizen, office) if current.direction == Direction.PICKUP else (office, citizen)
    try:
        result = provider.create_order(
            order_code=current.order_code, service="pickup" if current.direction == Direction.PICKUP else "delivery",
            sender=sender, receiver=receiver, weight_g=current.weight_g,
            note=current.subject_label or current.subject_id, callback_url=_callback_url(),
        )
    except PostalError as exc:
        log.warning("postal order %s failed: %s", current.order_code, exc)
        raise DomainError("postal_unavailable", _("Chưa gửi được yêu cầu tới bưu điện; hệ thống sẽ thử lại."),
                          status=503) from exc
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if locked.tracking_code:
            return locked
        locked.tracking_code = result.tracking_code
        locked.status = ShipmentStatus.ACCEPTED
        locked.dispatched_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["tracking_code", "status", "dispatched_at", "version"])
        accepted_note = _("Bưu điện đã nhận yêu cầu, số hiệu %(code)s") % {"code": result.tracking_code}
        ShipmentEvent.objects.create(shipment=locked, status=ShipmentStatus.ACCEPTED,
                                     occurred_at=locked.dispatched_at, note=accepted_note)
        audit_record(action="delivery.shipment.dispatch", actor=actor, obj=locked, unit=locked.unit,
                     after={"tracking_code": result.tracking_code})
        event_record(event_type="delivery.shipment_accepted", aggregate=locked, unit=locked.unit, actor=actor,
                     payload=_payload(locked))
    return locked


def shipment_dispatch_for_paid_invoice(*, invoice_id: int) -> Shipment | None:
    shipment = Shipment.objects.filter(invoice_id=invoice_id).first()
    if shipment is None or shipment.tracking_code:
        return shipment
    return shipment_dispatch(shipment=shipment)


@transaction.atomic
def shipment_track_update(*, tracking_code: str, status: str, event_id: str, occurred_at: dt.datetime,
                          location: str = "", note: str = "") -> tuple[Shipment, bool]:
    """Apply one tracking update from the operator. Returns (shipment, applied).

    A redelivered update (same ``event_id``) changes nothing; an update older than the current state
    (webhooks may arrive out of order) is recorded in the timeline but does not move the status back.
    """
    if status not in ShipmentStatus.values or status == ShipmentStatus.CREATED:
        raise DomainError("invalid_status", _("Trạng thái bưu gửi không hợp lệ."), "status")
    shipment = Shipment.objects.select_for_update().filter(tracking_code=tracking_code).first()
    if shipment is None:
        raise DomainError("unknown_parcel", _("Không có bưu gửi với mã vận đơn này."), "tracking_code", status=404)
    if ShipmentEvent.objects.filter(provider_event_id=event_id).exists():
        return shipment, False
    ShipmentEvent.objects.create(shipment=shipment, status=status, occurred_at=occurred_at, location=location[:150],
                                 note=note[:255], provider_event_id=event_id[:64])
    moves_forward = (shipment.status not in FINAL_STATUSES
                     and STATUS_ORDER.get(status, 0) > STATUS_ORDER.get(shipment.status, 0))
    if not moves_forward:
        return shipment, False
    before = {"status": shipment.status}
    shipment.status = status
    if status == ShipmentStatus.DELIVERED:
        shipment.delivered_at = occurred_at
    shipment.version += 1
    shipment.save(update_fields=["status", "delivered_at", "version"])
    audit_record(action=f"delivery.shipment.{status}", obj=shipment, unit=shipment.unit, before=before,
                 after={"status": status, "event_id": event_id, "location": location})
    event_record(event_type=f"delivery.shipment_{status}", aggregate=shipment, unit=shipment.unit,
                 payload=_payload(shipment, occurred_at=occurred_at.isoformat(), location=location))
    return shipment, True


@transaction.atomic
def shipment_cancel(*, shipment: Shipment, actor, reason: str) -> Shipment:
    if not policies.can_manage_shipment(actor, shipment):
        raise PermissionDenied()
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if locked.status != ShipmentStatus.CREATED:
        raise Conflict("shipment_dispatched", _("Bưu gửi đã chuyển cho bưu điện, không hủy được tại đây."))
    if not reason.strip():
        raise DomainError("reason_required", _("Vui lòng nhập lý do."), "reason")
    if "\x00" in reason:  # PostgreSQL text cannot hold NUL: refused here, not a DataError (500)
        raise DomainError("reason_invalid", _("Lý do chứa ký tự không hợp lệ."), "reason")
    locked.status = ShipmentStatus.CANCELLED
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    ShipmentEvent.objects.create(shipment=locked, status=ShipmentStatus.CANCELLED, occurred_at=timezone.now(),
                                 note=reason.strip()[:255])
    audit_record(action="delivery.shipment.cancel", actor=actor, obj=locked, unit=locked.unit,
                 after={"reason": reason.strip()})
    event_record(event_type="delivery.shipment_cancelled", aggregate=locked, unit=locked.unit, actor=actor,
                 payload=_payload(locked, reason=reason.strip()))
    return locked


def webhook_rejected(*, reason: str, ip: str, body: bytes) -> None:
    logging.getLogger("chinhquyenso.security").warning("postal webhook rejected (%s) from %s", reason, ip)
    with transaction.atomic():
        audit_record(action="delivery.webhook_rejected", object_type="delivery.shipment", object_id="",
                     after={"reason": reason, "ip": ip, "body_start": body[:200].decode("utf-8", "replace")})
