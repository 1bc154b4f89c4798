"""Reads of the delivery app."""

from __future__ import annotations

from chinhquyenso.core.errors import NotFound
from chinhquyenso.delivery import policies
from chinhquyenso.delivery.models import Shipment, ShipmentEvent
from chinhquyenso.units.selectors import unit_scope_q


def shipment_get_for_user(*, shipment_id: int, user) -> Shipment:
    shipment = Shipment.objects.select_related("agency", "address_unit", "unit").filter(pk=shipment_id).first()
    if shipment is None or not policies.can_view_shipment(user, shipment):
        raise NotFound()
    return shipment


def shipments_for_subject(*, subject_type: str, subject_id: str):
    return list(Shipment.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("created_at"))


def shipment_timeline(*, subject_type: str, subject_id: str) -> list[ShipmentEvent]:
    """Every tracking event of a subject's parcels, oldest first (the dossier timeline shows them)."""
    return list(ShipmentEvent.objects.filter(shipment__subject_type=subject_type,
                                             shipment__subject_id=str(subject_id))
                .select_related("shipment").order_by("occurred_at", "id"))


def shipment_list_for_officer(*, user, after_id: int | None = None, limit: int = 50, status: str = ""):
    qs = (Shipment.objects.filter(unit_scope_q(user)).select_related("address_unit")
          .only("id", "order_code", "tracking_code", "direction", "status", "contact_name", "subject_label",
                "postage", "created_at", "address_unit__full_name"))
    if status:
        qs = qs.filter(status=status)
    if after_id:
        qs = qs.filter(pk__lt=after_id)
    return list(qs.order_by("-id")[:limit])


def shipments_for_citizen(*, user, limit: int = 50):
    return list(Shipment.objects.filter(citizen_id=user.pk).order_by("-id")[:limit])
