"""The electronic receipt (biên lai điện tử) as a PDF, on the shared official-document layout."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.core.pdf import qr_svg_data_uri, render_pdf, vietnamese_date_line
from chinhquyenso.payments.models import Receipt


def receipt_lookup_url(receipt: Receipt) -> str:
    """Public address that confirms the receipt is genuine (printed as a QR code on it)."""
    return settings.SITE_URL + reverse("payments:receipt_lookup", args=[receipt.lookup_token])


def _place(unit) -> str:
    # "Huyện Quảng Điền" → "Quảng Điền": the place name of the date line (Decree 30/2020 Annex I).
    return getattr(unit, "name", "") or str(unit)


def render_receipt_pdf(receipt: Receipt) -> bytes:
    invoice = receipt.invoice
    agency = receipt.agency
    parent = agency.parent.name if agency.parent_id else agency.unit.full_name
    lookup = receipt_lookup_url(receipt)
    return render_pdf("payments/receipt_pdf.html", {
        "receipt": receipt,
        "invoice": invoice,
        "agency": agency,
        "issuer_parent": parent,
        "place_date": vietnamese_date_line(_place(agency.unit), receipt.issued_at),
        "issued_at": timezone.localtime(receipt.issued_at),
        "lookup_url": lookup,
        "qr": qr_svg_data_uri(lookup),
    })
