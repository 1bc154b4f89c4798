"""Delivery API (/api/v1/delivery/): postage quotes and shipment tracking."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from chinhquyenso.core.errors import NotFound
from chinhquyenso.delivery import selectors, services
from chinhquyenso.units.models import AdministrativeUnit, Agency

router = Router(tags=["Bưu chính công ích"])


class QuoteOut(Schema):
    zone: str
    weight_g: int
    amount: int
    table: str


class EventOut(Schema):
    status: str
    occurred_at: dt.datetime
    location: str
    note: str


class ShipmentOut(Schema):
    id: int
    order_code: str
    tracking_code: str
    direction: str
    status: str
    postage: int
    invoice_id: int | None
    events: list[EventOut]


@router.get("/quote", response=QuoteOut, auth=None, summary="Tính cước bưu chính công ích")
def quote(request, agency: str, unit: str, weight_g: int):
    """Postage from the agency (QCVN 102 code) to a commune (GSO code) for ``weight_g`` grams."""
    origin = Agency.objects.select_related("unit").filter(identifier_code=agency).first()
    destination = AdministrativeUnit.objects.filter(code=unit).first()
    if origin is None or destination is None:
        raise NotFound("unit_not_found", "Không tìm thấy cơ quan hoặc đơn vị hành chính.", "unit")
    q = services.postage_quote(origin=origin.unit, destination=destination, weight_g=weight_g)
    return QuoteOut(zone=q.zone, weight_g=q.weight_g, amount=q.amount, table=str(q.table))


@router.get("/shipments/{shipment_id}", response=ShipmentOut, summary="Theo dõi bưu gửi")
def get_shipment(request, shipment_id: int):
    s = selectors.shipment_get_for_user(shipment_id=shipment_id, user=request.user)
    return ShipmentOut(id=s.pk, order_code=s.order_code, tracking_code=s.tracking_code, direction=s.direction,
                       status=s.status, postage=s.postage, invoice_id=s.invoice_id,
                       events=[EventOut(status=e.status, occurred_at=e.occurred_at, location=e.location, note=e.note)
                               for e in s.events.order_by("occurred_at", "id")])
