"""Pages of the payments app (thin: services write, selectors read, policies decide).

The invoice page ``/thanh-toan/hoa-don/<id>/`` works for any subject: the dossier pages link to it.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chinhquyenso.accounts.selectors import user_has_role
from chinhquyenso.core import context
from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.core.parsing import is_ascii_digits, parse_id
from chinhquyenso.core.pdf import qr_png, qr_svg
from chinhquyenso.payments import forms, policies, selectors, services
from chinhquyenso.payments.models import Invoice, InvoiceStatus, LineStatus, RefundStatus, StatementLine
from chinhquyenso.payments.providers import vietqr, vnpay


def _invoice_or_404(request, invoice_id: int) -> Invoice:
    try:
        return selectors.invoice_get_for_user(invoice_id=invoice_id, user=request.user)
    except NotFound:
        raise Http404 from None


def _client_ip(request) -> str:
    return context.current().ip or request.META.get("REMOTE_ADDR", "") or "127.0.0.1"


def _show_error(request, form, exc: DomainError) -> None:
    if form is not None and exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        messages.error(request, exc.message)


def vietqr_payload_for(invoice: Invoice) -> tuple[str, object] | tuple[None, None]:
    account = selectors.bank_account_for_agency(invoice.agency)
    if account is None:
        return None, None
    payload = vietqr.build(bank_bin=account.bank_bin, account=account.account_number, amount=invoice.amount,
                           purpose=vietqr.purpose_text(f"{invoice.reference} nop phi"))
    return payload, account


def _invoice_context(request, invoice: Invoice, **extra) -> dict:
    user = request.user
    receipt = getattr(invoice, "receipt", None) if invoice.status != InvoiceStatus.OPEN else None
    staff_desk = policies.can_take_desk_payment(user, invoice)
    staff_refund = policies.can_refund(user, invoice)
    ctx = {
        "invoice": invoice,
        "receipt": receipt,
        "payments": selectors.invoice_latest_payments(invoice=invoice),
        "refunds": list(invoice.refunds.order_by("-created_at")),
        "can_pay": invoice.is_payable and policies.can_pay_online(user, invoice),
        "vnpay_enabled": vnpay.VnpayConfig.from_settings().enabled,
        "has_vietqr": selectors.bank_account_for_agency(invoice.agency) is not None,
        "can_desk": staff_desk and invoice.status == InvoiceStatus.OPEN,
        "can_refund": staff_refund and invoice.refundable > 0,
        "can_cancel": policies.can_cancel_invoice(user, invoice) and invoice.status == InvoiceStatus.OPEN,
        "desk_form": forms.DeskPaymentForm(initial={"amount": invoice.amount}),
        "refund_form": forms.RefundForm(initial={"amount": invoice.refundable, "method": invoice.paid_method}),
        "cancel_form": forms.CancelForm(),
    }
    ctx.update(extra)
    return ctx


@login_required
def mine(request):
    return render(request, "payments/mine.html", {"invoices": selectors.invoice_list_for_payer(user=request.user)})


@login_required
def invoice_detail(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    return render(request, "payments/invoice_detail.html", _invoice_context(request, invoice))


@login_required
@never_cache
def invoice_status(request, invoice_id: int):
    """The status box, polled by the page while a payment is being confirmed."""
    invoice = _invoice_or_404(request, invoice_id)
    return render(request, "payments/partials/status.html", {"invoice": invoice,
                                                            "receipt": getattr(invoice, "receipt", None),
                                                            "polling": invoice.status == InvoiceStatus.OPEN})


@login_required
@require_POST
def invoice_pay_vnpay(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    return_url = request.build_absolute_uri(reverse("payments:vnpay_return"))
    try:
        _payment, url = services.vnpay_payment_start(
            invoice=invoice, actor=request.user, return_url=return_url, ip_addr=_client_ip(request),
            locale="en" if (get_language() or "vi").startswith("en") else "vn",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("payments:invoice", invoice_id=invoice.pk)
    return redirect(url)


@login_required
def invoice_vietqr(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    if not invoice.is_payable:
        return redirect("payments:invoice", invoice_id=invoice.pk)
    payload, account = vietqr_payload_for(invoice)
    if payload is None:
        messages.error(request, _("Cơ quan thu chưa khai báo tài khoản nhận chuyển khoản."))
        return redirect("payments:invoice", invoice_id=invoice.pk)
    svg = base64.b64encode(qr_svg(payload, box_size=8)).decode()
    return render(request, "payments/vietqr.html", {"invoice": invoice, "account": account, "payload": payload,
                                                    "qr_svg_b64": svg})


@login_required
def invoice_vietqr_png(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    payload, _account = vietqr_payload_for(invoice) if invoice.is_payable else (None, None)
    if payload is None:
        raise Http404
    response = HttpResponse(qr_png(payload), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="vietqr-{invoice.reference}.png"'
    return response


@login_required
def receipt_download(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    receipt = getattr(invoice, "receipt", None)
    if receipt is None:
        raise Http404
    data = services.receipt_pdf(receipt=receipt)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bien-lai-{receipt.number_display}.pdf"'
    return response


def receipt_lookup(request, token: str):
    """Public check that a printed receipt is genuine (the QR code on it leads here)."""
    receipt = selectors.receipt_by_token(token)
    if receipt is None:
        raise Http404
    return render(request, "payments/receipt_lookup.html", {"receipt": receipt,
                                                            "payer": mask_person_name(receipt.payer_name)})


def mask_person_name(name: str) -> str:
    """"Nguyễn Thị Lan" → "Nguyễn T. L.": enough to recognise one's own receipt, not to learn a name."""
    words = name.split()
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:])]) if words else ""


@require_GET
@never_cache
def vnpay_return(request):
    """Where VNPAY sends the citizen back. Display only: the IPN updates the order."""
    params = request.GET.dict()
    config = vnpay.VnpayConfig.from_settings()
    valid = vnpay.verify(params, config.hash_secret)
    result = vnpay.GatewayResult.from_params(params) if valid else None
    payment = selectors.payment_by_txn_ref(result.txn_ref) if result else None
    if not valid:
        services.security_log.warning("VNPAY return with an invalid signature from %s", _client_ip(request))
    invoice = payment.invoice if payment else None
    visible = invoice is not None and policies.can_view_invoice(request.user, invoice)
    return render(request, "payments/vnpay_return.html", {
        "valid": valid, "result": result, "invoice": invoice if visible else None,
        "message": vnpay.response_message(result.response_code) if result else "",
    }, status=200 if valid else 400)


@require_GET
@never_cache
def vnpay_ipn(request):
    """Server-to-server notification from VNPAY (GET with the signed parameters)."""
    reply = services.vnpay_ipn_process(params=request.GET.dict(), ip=_client_ip(request))
    return JsonResponse(reply)


# --- officers ------------------------------------------------------------------------------------------

def _require_staff(request, roles) -> None:
    if not user_has_role(request.user, roles):
        raise DjangoPermissionDenied


@login_required
def unpaid(request):
    _require_staff(request, policies.DESK_ROLES | policies.RECONCILIATION_ROLES)
    after = request.GET.get("sau")
    search = request.GET.get("q", "").strip()
    invoices = selectors.invoice_list_unpaid(user=request.user, after_id=parse_id(after),
                                             search=search)
    return render(request, "payments/unpaid.html", {"invoices": invoices, "q": search,
                                                    "next_after": invoices[-1].pk if len(invoices) == 50 else None})


@login_required
@require_POST
def desk_payment(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    form = forms.DeskPaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record_desk(invoice=invoice, method=form.cleaned_data["method"],
                                         amount=form.cleaned_data["amount"], actor=request.user,
                                         pos_ref=form.cleaned_data["pos_ref"])
        except DomainError as exc:
            _show_error(request, form, exc)
        else:
            messages.success(request, _("Đã thu tiền và cấp biên lai điện tử."))
            return redirect("payments:invoice", invoice_id=invoice.pk)
    invoice.refresh_from_db()
    return render(request, "payments/invoice_detail.html", _invoice_context(request, invoice, desk_form=form),
                  status=400)


def _refund_message(request, refund) -> None:
    if refund.status == RefundStatus.DONE:
        messages.success(request, _("Đã hoàn tiền qua cổng VNPAY (mã giao dịch %(no)s).") % {"no": refund.external_ref}
                         if refund.method == "vnpay" and refund.gateway_message else _("Đã ghi nhận hoàn tiền."))
    elif refund.status == RefundStatus.REFUSED:
        messages.error(request, _("Cổng VNPAY từ chối hoàn tiền: %(why)s. Số tiền chưa được hoàn.")
                       % {"why": refund.gateway_message})
    else:
        messages.warning(request, _("Đã gửi yêu cầu hoàn tiền nhưng cổng VNPAY chưa trả lời. Khoản hoàn được giữ ở "
                                    "trạng thái chờ xác nhận; bộ phận tài chính kiểm tra trên trang quản trị VNPAY "
                                    "rồi xác nhận, không gửi lại."))


@login_required
@require_POST
def refund(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    form = forms.RefundForm(request.POST)
    if form.is_valid():
        try:
            refund = services.refund_create(invoice=invoice, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _show_error(request, form, exc)
        else:
            _refund_message(request, refund)
            return redirect("payments:invoice", invoice_id=invoice.pk)
    invoice.refresh_from_db()
    return render(request, "payments/invoice_detail.html", _invoice_context(request, invoice, refund_form=form),
                  status=400)


@login_required
@require_POST
def cancel(request, invoice_id: int):
    invoice = _invoice_or_404(request, invoice_id)
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_cancel(invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã hủy khoản thu."))
    return redirect("payments:invoice", invoice_id=invoice.pk)


@login_required
def statements(request):
    _require_staff(request, policies.STATEMENT_ROLES)
    accounts = selectors.bank_accounts_for_user(user=request.user)
    form = forms.StatementUploadForm(request.POST or None, request.FILES or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = services.statement_import(bank_account=form.cleaned_data["bank_account"],
                                                  content=upload.read(), name=upload.name, actor=request.user)
        except DomainError as exc:
            _show_error(request, form, exc)
        else:
            messages.success(request, _("Đã nhập %(new)s dòng mới, khớp tự động %(matched)s dòng.")
                             % {"new": statement.lines_new, "matched": statement.lines_matched})
            return redirect("payments:statement", statement_id=statement.pk)
    return render(request, "payments/statements.html", {
        "form": form, "imports": selectors.statement_imports_for_user(user=request.user),
        "open_lines": _lines_with_candidates(selectors.statement_lines_open(user=request.user)),
    }, status=400 if form.errors else 200)


def _lines_with_candidates(lines: list[StatementLine]) -> list[tuple[StatementLine, list[Invoice]]]:
    ids = {i for line in lines for i in (line.candidates or [])}
    invoices = Invoice.objects.in_bulk(list(ids))
    return [(line, [invoices[i] for i in (line.candidates or []) if i in invoices]) for line in lines]


@login_required
def statement_detail(request, statement_id: int):
    try:
        statement = selectors.statement_get_for_user(statement_id=statement_id, user=request.user)
    except NotFound:
        raise Http404 from None
    lines = selectors.statement_lines_of_import(statement=statement)
    matched = [line for line in lines if line.status in (LineStatus.MATCHED, LineStatus.MANUAL)]
    pending = [line for line in lines if line.status in (LineStatus.AMBIGUOUS, LineStatus.UNMATCHED)]
    others = [line for line in lines if line.status == LineStatus.IGNORED]
    return render(request, "payments/statement_detail.html", {
        "statement": statement, "matched": matched, "pending": _lines_with_candidates(pending), "ignored": others,
    })


@login_required
@require_POST
def statement_line_resolve(request, line_id: int):
    line = StatementLine.objects.select_related("bank_account__agency__unit").filter(pk=line_id).first()
    if line is None or not policies.can_manage_statements(request.user, line.bank_account):
        raise Http404
    form = forms.LineResolveForm(request.POST)
    if form.is_valid():
        invoice = None
        wanted = form.cleaned_data["invoice"].strip()
        if wanted:  # a candidate's id from the list, or a payment reference typed by the officer
            invoice = (Invoice.objects.filter(pk=parse_id(wanted)).first() if is_ascii_digits(wanted)
                       else Invoice.objects.filter(reference=wanted.upper()).first())
            if invoice is None:
                messages.error(request, _("Không tìm thấy khoản thu có mã này."))
                return redirect("payments:statement", statement_id=line.statement_id)
        try:
            services.statement_line_resolve(line=line, actor=request.user, invoice=invoice,
                                            ignore=form.cleaned_data["ignore"], note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã xử lý dòng sao kê."))
    return redirect("payments:statement", statement_id=line.statement_id)


@login_required
def reconciliation(request):
    _require_staff(request, policies.RECONCILIATION_ROLES)
    day_form = forms.DayForm(request.GET or None)
    day = day_form.day()
    if request.method == "POST" and request.POST.get("action") == "query_vnpay":
        from chinhquyenso.units.selectors import unit_scope_q

        checked = services.vnpay_reconcile_day(day=day, actor=request.user,
                                               units_q=unit_scope_q(request.user, field="invoice__unit",
                                                                    roles=policies.RECONCILIATION_ROLES))
        messages.success(request, _("Đã đối chiếu %(n)s giao dịch với cổng VNPAY.") % {"n": checked})
        return redirect(f"{reverse('payments:reconciliation')}?ngay={day.isoformat()}")
    period_form = forms.PeriodForm(request.GET or None)
    date_from, date_to = period_form.period()
    share_rows, share_total = selectors.cashless_share(user=request.user, date_from=date_from, date_to=date_to)
    return render(request, "payments/reconciliation.html", {
        "day": day, "day_form": day_form, "rows": selectors.reconciliation_daily(user=request.user, day=day),
        "period_form": period_form, "date_from": date_from, "date_to": date_to,
        "share_rows": share_rows, "share_total": share_total, "target": selectors.CASHLESS_TARGET_PERCENT,
        "today": timezone.localdate(),
    })

