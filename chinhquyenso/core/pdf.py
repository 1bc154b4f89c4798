"""Official documents as PDF: an HTML template rendered by WeasyPrint.

Every printable slip, receipt or decision extends ``templates/pdf/base_official.html``, which lays out
the page the way Decree 30/2020/NĐ-CP (Annex I) lays out an administrative document: A4, margins
20–25 mm top and bottom, 30–35 mm left, 15–20 mm right; the issuing body on the left; the national
motto ("Quốc hiệu" and "Tiêu ngữ") on the right; place and date in italics; the title in bold capitals.
The font is ``settings.OFFICIAL_DOCUMENT_FONT`` (Liberation Serif from fonts-liberation2 by default,
metric-compatible with Times New Roman, which the decree prescribes).

Usage::

    from chinhquyenso.core.pdf import qr_svg_data_uri, render_pdf

    pdf_bytes = render_pdf("payments/receipt_pdf.html", {"receipt": receipt,
                                                         "qr": qr_svg_data_uri(lookup_url)})

Blocks of the base template: ``issuer_parent`` (the body above the issuer, capitals), ``issuer`` (bold
capitals), ``doc_number`` (Số: …), ``place_date`` (Quảng Điền, ngày … tháng … năm …), ``title``,
``subtitle``, ``content``, ``signature`` and ``footer``; ``extra_css`` adds styles.

Rendering never fetches anything from the network or the file system: only ``data:`` URIs (QR codes,
embedded images) are loaded, so a template cannot be turned into a server-side request forgery.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

# WeasyPrint reports every rendering step at INFO; one receipt would add ten lines to the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    """Render a Django template to PDF bytes (PDF 1.7, fonts embedded)."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango, which the web pages never need
    from weasyprint.urls import URLFetcher

    ctx = {"font_family": settings.OFFICIAL_DOCUMENT_FONT, **(context or {})}
    html = render_to_string(template_name, ctx)
    # Only data: URIs may be loaded: no file, no network (no server-side request forgery).
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher, base_url="data:,").write_pdf()


def qr_svg(text: str, *, box_size: int = 10, border: int = 2) -> bytes:
    """A QR code as SVG bytes (``qrcode``'s path image: one ``<path>``, scales without blur)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=border,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_png(text: str, *, box_size: int = 8, border: int = 2) -> bytes:
    import qrcode

    image = qrcode.make(text, box_size=box_size, border=border, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg_data_uri(text: str, **kwargs) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text, **kwargs)).decode()


def vietnamese_date_line(place: str, when: dt.date | dt.datetime | None = None) -> str:
    """"Quảng Điền, ngày 05 tháng 3 năm 2026" (Decree 30/2020 Annex I: day < 10 and month < 3 padded)."""
    when = when or timezone.localdate()
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when).date()
    day = f"{when.day:02d}"
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"{place}, ngày {day} tháng {month} năm {when.year}"
