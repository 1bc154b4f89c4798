"""How other apps' events reach the dossier — always through the dossier services."""

from __future__ import annotations

from chinhquyenso.core.events import subscribe

SUBJECT = "dossiers.dossier"


@subscribe("payments.invoice_paid", name="dossiers.fee_paid")
def on_invoice_paid(event) -> None:
    payload = event.payload
    if payload.get("subject_type") != SUBJECT:
        return
    from chinhquyenso.dossiers.services import dossier_mark_fee_paid

    dossier_mark_fee_paid(dossier_id=int(payload["subject_id"]), amount=int(payload.get("amount") or 0),
                          method=payload.get("method", ""))


@subscribe("delivery.shipment_delivered", name="dossiers.result_delivered")
def on_shipment_delivered(event) -> None:
    payload = event.payload
    if payload.get("subject_type") != SUBJECT or payload.get("direction") != "return":
        return
    from chinhquyenso.dossiers.services import dossier_result_delivered_by_post

    dossier_result_delivered_by_post(dossier_id=int(payload["subject_id"]), shipment_id=payload.get("shipment_id"))


@subscribe("dossier.submitted", name="dossiers.fee_invoice")
def on_submitted(event) -> None:
    """Every dossier with a fee gets its invoice, whatever the channel (web pages create it at once;
    this also covers the API and the desk). Idempotent through the invoice's key."""
    from chinhquyenso.dossiers.models import Dossier
    from chinhquyenso.dossiers.services import dossier_invoice_ensure

    dossier = Dossier.objects.select_related("procedure", "unit", "receiving_agency", "applicant").filter(
        pk=event.aggregate_id).first()
    if dossier is not None:
        dossier_invoice_ensure(dossier=dossier)


@subscribe("dossier.approve", name="dossiers.postal_return")
def on_approved(event) -> None:
    """The applicant chose to receive the result by post: register the return shipment."""
    from chinhquyenso.dossiers.models import Dossier
    from chinhquyenso.dossiers.services import dossier_return_shipment_ensure

    dossier = Dossier.objects.select_related("procedure", "unit", "receiving_agency", "applicant").filter(
        pk=event.aggregate_id).first()
    if dossier is not None:
        dossier_return_shipment_ensure(dossier=dossier)
