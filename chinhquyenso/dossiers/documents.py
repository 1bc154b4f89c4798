"""Printable documents of a dossier: slips (Circular 01/2018 forms) and the result document.

Each slip's form number, title and template come from ``SlipTemplate`` in force on the slip's date
(versioned configuration); the defaults below apply until an administrator records the texts in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.pdf import qr_svg_data_uri, render_pdf, vietnamese_date_line
from chinhquyenso.dossiers.models import Dossier, SlipTemplate

K = SlipTemplate.Kind


@dataclass(frozen=True)
class SlipDefault:
    form_number: str
    title: str
    legal_basis: str
    template_name: str
    confirmed: bool


# Circular 01/2018/TT-VPCP: Mẫu số 01 (receipt) and 02 (supplement) are confirmed; the others' 2018
# numbers are not (reference/vn-egov-facts.md §1), so they carry no number until an administrator sets it.
DEFAULTS: dict[str, SlipDefault] = {
    K.RECEIPT: SlipDefault("Mẫu số 01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Thông tư 01/2018/TT-VPCP",
                           "dossiers/pdf/receipt.html", True),
    K.SUPPLEMENT: SlipDefault("Mẫu số 02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Thông tư 01/2018/TT-VPCP",
                              "dossiers/pdf/supplement.html", True),
    K.REFUSAL: SlipDefault("", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ", "Thông tư 01/2018/TT-VPCP",
                           "dossiers/pdf/refusal.html", False),
    K.APOLOGY: SlipDefault("", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Thông tư 01/2018/TT-VPCP",
                           "dossiers/pdf/apology.html", False),
    K.CONTROL: SlipDefault("", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Thông tư 01/2018/TT-VPCP",
                           "dossiers/pdf/control.html", False),
    K.RESULT_COVER: SlipDefault("", "Kết quả giải quyết thủ tục hành chính", "",
                                "dossiers/pdf/result.html", False),
}


def slip_template_in_force(kind: str, on: dt.date | None = None) -> SlipDefault:
    on = on or timezone.localdate()
    row = SlipTemplate.objects.filter(kind=kind, effective_from__lte=on).order_by("-effective_from").first()
    if row is None:
        return DEFAULTS[kind]
    return SlipDefault(row.form_number, row.title, row.legal_basis, row.template_name, row.confirmed)


def _context(dossier: Dossier, kind: str, on: dt.date | None = None, **extra) -> dict:
    from django.conf import settings

    from chinhquyenso.dossiers.services import code_agency_for

    slip = slip_template_in_force(kind, on)
    issuer = code_agency_for(dossier.unit)
    lookup_url = f"{settings.SITE_URL}/ho-so/tra-cuu/?ma={dossier.code}"
    return {
        "slip": slip, "dossier": dossier, "issuer": issuer, "receiving_agency": dossier.receiving_agency,
        "place_date": vietnamese_date_line(dossier.unit.name, on or timezone.localdate()),
        "qr": qr_svg_data_uri(lookup_url), "lookup_url": lookup_url,
        "documents": list(dossier.documents.all()), **extra,
    }


class SlipNotApplicable(Exception):
    """The dossier has no such slip (no supplement request, not refused, no apology…)."""


def _kind_context(dossier: Dossier, kind: str) -> dict:
    from chinhquyenso.calendar.services import add_working_days
    from chinhquyenso.dossiers.models import Status

    if kind == K.RECEIPT:
        due = dossier.due_date
        provisional = due is None
        if provisional and dossier.processing_days:
            due = add_working_days(dossier.submitted_at, dossier.processing_days, dossier.unit)
        return {"appointment": due, "appointment_provisional": provisional,
                "sequence": dossier.code.rsplit("-", 1)[-1], "received_at": dossier.received_at or dossier.submitted_at}
    if kind == K.SUPPLEMENT:
        request = dossier.supplement_requests.order_by("-requested_at").select_related("requested_by").first()
        if request is None:
            raise SlipNotApplicable(kind)
        return {"request": request}
    if kind == K.REFUSAL:
        if dossier.status not in (Status.REFUSED, Status.REJECTED):
            raise SlipNotApplicable(kind)
        event = dossier.timeline.filter(action__in=["refuse", "reject"]).order_by("-at").first()
        return {"reason": event.note if event else "", "refused_at": event.at if event else dossier.finished_at}
    if kind == K.APOLOGY:
        apology = dossier.apologies.order_by("-issued_at").select_related("responsible_agency", "issued_by").first()
        if apology is None:
            raise SlipNotApplicable(kind)
        return {"apology": apology}
    if kind == K.CONTROL:
        steps = dossier.steps.select_related("agency", "holder", "handed_over_by").order_by("started_at", "id")
        return {"steps": list(steps)}
    return {}


def slip_pdf(dossier: Dossier, kind: str, **extra) -> bytes:
    context = _context(dossier, kind, **_kind_context(dossier, kind), **extra)
    return render_pdf(context["slip"].template_name, context)


def result_document_render(*, dossier: Dossier, approver):
    """The result document issued on approval, stored as a file (signed later by the e-signature
    capability). Returns the ``StoredFile``."""
    pdf = slip_pdf(dossier, K.RESULT_COVER, approver=approver, approved_on=timezone.localdate())
    return stored_file_create(content=pdf, name=f"ket-qua-{dossier.code}.pdf", purpose="document",
                              uploaded_by=approver)
