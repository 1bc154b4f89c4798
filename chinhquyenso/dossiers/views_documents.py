"""Printable documents: slips as PDF and the tracking register as XLSX (thin views)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import NotFound
from chinhquyenso.dossiers import documents, exports, policies, selectors
from chinhquyenso.dossiers.models import SlipTemplate
from chinhquyenso.units.models import AdministrativeUnit

# Slips a citizen may print for their own dossier; the control slip is internal.
CITIZEN_SLIPS = {SlipTemplate.Kind.RECEIPT, SlipTemplate.Kind.SUPPLEMENT, SlipTemplate.Kind.REFUSAL,
                 SlipTemplate.Kind.APOLOGY}
PRINTABLE = CITIZEN_SLIPS | {SlipTemplate.Kind.CONTROL}


@login_required
def slip(request, dossier_id: int, kind: str):
    if kind not in PRINTABLE:
        raise Http404
    try:
        dossier = selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    if kind not in CITIZEN_SLIPS and not policies.is_staff_of_dossier(request.user, dossier):
        raise PermissionDenied
    try:
        pdf = documents.slip_pdf(dossier, kind)
    except documents.SlipNotApplicable as exc:
        raise Http404 from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{dossier.code}.pdf"'
    return response


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or today.replace(day=1).isoformat())
        end = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError as exc:
        raise Http404 from exc
    if end < start or (end - start).days > 370:
        raise Http404
    return start, end


@login_required
def register_xlsx(request, unit_code: str):
    unit = AdministrativeUnit.objects.filter(code=unit_code).first()
    if unit is None or not policies.can_read_registers(request.user, unit):
        raise Http404
    start, end = _period(request)
    masked = not policies.can_read_full_register(request.user, unit)
    content = exports.register_xlsx(unit=unit, start=start, end=end, mask_addresses=masked)
    audit_record(action="dossier.register_export", actor=request.user, unit=unit, object_type="dossiers.register",
                 object_id=unit.code, after={"from": start, "to": end, "addresses_masked": masked})
    response = HttpResponse(content, content_type=exports.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-ho-so-{unit.code}-{start}-{end}.xlsx"'
    return response
