"""Reactions to other apps' events (delivered by the outbox, at least once: idempotent)."""

from __future__ import annotations

from chinhquyenso.core.events import subscribe


@subscribe("payments.invoice_paid", name="delivery.dispatch_on_postage_paid")
def dispatch_on_postage_paid(event) -> None:
    """The postage is paid: send the parcel order to the postal operator."""
    if event.payload.get("kind") != "postage":
        return
    from chinhquyenso.delivery.services import shipment_dispatch_for_paid_invoice

    shipment_dispatch_for_paid_invoice(invoice_id=event.payload["invoice_id"])
