"""Pages of the delivery app and the operator's tracking webhook."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chinhquyenso.accounts.roles import STAFF_ROLES
from chinhquyenso.accounts.selectors import user_has_role
from chinhquyenso.core import context
from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.core.middleware import nul_checked_by_view
from chinhquyenso.core.parsing import parse_id
from chinhquyenso.delivery import policies, selectors, services
from chinhquyenso.delivery.models import ShipmentStatus
from chinhquyenso.delivery.providers.postal import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_verify


def _shipment_or_404(request, shipment_id: int):
    try:
        return selectors.shipment_get_for_user(shipment_id=shipment_id, user=request.user)
    except NotFound:
        raise Http404 from None


@nul_checked_by_view  # the signature is checked on the raw body; a forged one is audited
@csrf_exempt  # server to server; authenticated by the HMAC signature instead
@require_POST
def webhook(request):
    body = request.body
    ip = context.current().ip or request.META.get("REMOTE_ADDR", "")
    if not webhook_verify(secret=settings.POSTAL_WEBHOOK_SECRET, timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                          signature=request.headers.get(SIGNATURE_HEADER, ""), body=body):
        services.webhook_rejected(reason="invalid_signature", ip=ip, body=body)
        return JsonResponse({"code": "invalid_signature", "message": "Invalid signature"}, status=401)
    try:
        data = json.loads(body)
        occurred_at = parse_datetime(str(data.get("occurred_at", ""))) or dt.datetime.now(dt.UTC)
        shipment, applied = services.shipment_track_update(
            tracking_code=str(data["tracking_code"]), status=str(data["status"]), event_id=str(data["event_id"]),
            occurred_at=occurred_at, location=str(data.get("location", "")), note=str(data.get("note", "")),
        )
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"code": "bad_request", "message": "Malformed tracking update"}, status=400)
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse({"code": "ok", "applied": applied, "status": shipment.status})


@login_required
def shipment_detail(request, shipment_id: int):
    shipment = _shipment_or_404(request, shipment_id)
    return render(request, "delivery/shipment_detail.html", {
        "shipment": shipment, "events": list(shipment.events.order_by("occurred_at", "id")),
        "can_manage": policies.can_manage_shipment(request.user, shipment),
        "can_dispatch": shipment.status == ShipmentStatus.CREATED and not shipment.tracking_code,
    })


@login_required
@require_POST
def shipment_dispatch(request, shipment_id: int):
    shipment = _shipment_or_404(request, shipment_id)
    try:
        services.shipment_dispatch(shipment=shipment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi yêu cầu tới bưu điện."))
    return redirect("delivery:shipment", shipment_id=shipment.pk)


@login_required
@require_POST
def shipment_cancel(request, shipment_id: int):
    shipment = _shipment_or_404(request, shipment_id)
    try:
        services.shipment_cancel(shipment=shipment, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("delivery:shipment", shipment_id=shipment.pk)


@login_required
def officer_list(request):
    if not user_has_role(request.user, STAFF_ROLES):
        raise DjangoPermissionDenied
    status = request.GET.get("trang-thai", "")
    after = request.GET.get("sau")
    rows = selectors.shipment_list_for_officer(user=request.user, status=status if status in ShipmentStatus.values
                                               else "", after_id=parse_id(after))
    return render(request, "delivery/officer_list.html", {"shipments": rows, "status": status,
                                                          "statuses": ShipmentStatus.choices,
                                                          "next_after": rows[-1].pk if len(rows) == 50 else None})


@login_required
def mine(request):
    return render(request, "delivery/mine.html", {"shipments": selectors.shipments_for_citizen(user=request.user)})
