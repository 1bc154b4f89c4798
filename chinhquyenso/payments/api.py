"""Payments API (/api/v1/payments/): invoices, online payment start, VietQR payload, desk payments, refunds.

The VNPAY IPN is not here: it keeps the gateway's own protocol at ``/thanh-toan/vnpay/ipn/``.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Router, Schema

from chinhquyenso.core.errors import DomainError
from chinhquyenso.payments import selectors, services
from chinhquyenso.payments.models import Invoice
from chinhquyenso.payments.providers.vietqr import purpose_text
from chinhquyenso.payments.views import _client_ip, vietqr_payload_for

router = Router(tags=["Thanh toán phí, lệ phí"])


class InvoiceOut(Schema):
    id: int
    reference: str
    subject_type: str
    subject_id: str
    kind: str
    description: str
    amount: int
    amount_refunded: int
    status: str
    paid_method: str
    paid_at: dt.datetime | None
    created_at: dt.datetime
    receipt_url: str | None = None
    page_url: str


class PaymentUrlOut(Schema):
    payment_url: str
    txn_ref: str


class VietQROut(Schema):
    payload: str
    bank_bin: str
    bank_name: str
    account_number: str
    account_name: str
    amount: int
    purpose: str


class DeskPaymentIn(Schema):
    method: str
    amount: int
    pos_ref: str = ""


class RefundIn(Schema):
    amount: int
    reason: str
    method: str
    external_ref: str = ""


class RefundOut(Schema):
    id: int
    amount: int
    status: str  # done | requested (sent to the gateway, no answer yet) | refused (by the gateway)
    gateway_message: str
    invoice: InvoiceOut


def _out(invoice: Invoice) -> InvoiceOut:
    has_receipt = invoice.paid_at is not None and hasattr(invoice, "receipt")
    return InvoiceOut(
        id=invoice.pk, reference=invoice.reference, subject_type=invoice.subject_type, subject_id=invoice.subject_id,
        kind=invoice.kind, description=invoice.description, amount=invoice.amount,
        amount_refunded=invoice.amount_refunded, status=invoice.status, paid_method=invoice.paid_method,
        paid_at=invoice.paid_at, created_at=invoice.created_at,
        receipt_url=reverse("payments:receipt_pdf", args=[invoice.pk]) if has_receipt else None,
        page_url=reverse("payments:invoice", args=[invoice.pk]),
    )


@router.get("/invoices", response=list[InvoiceOut], summary="Khoản thu chưa thanh toán (cán bộ) / của tôi")
def list_invoices(request, after: int | None = None):
    """Staff: open invoices of their units (keyset: pass the last id as ``after``). Others: their own."""
    from chinhquyenso.accounts.selectors import is_staff_user

    if is_staff_user(request.user):
        return [_out(i) for i in selectors.invoice_list_unpaid(user=request.user, after_id=after)]
    return [_out(i) for i in selectors.invoice_list_for_payer(user=request.user)]


@router.get("/invoices/{invoice_id}", response=InvoiceOut, summary="Một khoản thu")
def get_invoice(request, invoice_id: int):
    return _out(selectors.invoice_get_for_user(invoice_id=invoice_id, user=request.user))


@router.post("/invoices/{invoice_id}/vnpay", response=PaymentUrlOut, summary="Bắt đầu thanh toán qua VNPAY")
def start_vnpay(request, invoice_id: int):
    invoice = selectors.invoice_get_for_user(invoice_id=invoice_id, user=request.user)
    payment, url = services.vnpay_payment_start(
        invoice=invoice, actor=request.user, ip_addr=_client_ip(request),
        return_url=request.build_absolute_uri(reverse("payments:vnpay_return")),
    )
    return PaymentUrlOut(payment_url=url, txn_ref=payment.provider_ref)


@router.get("/invoices/{invoice_id}/vietqr", response=VietQROut, summary="Nội dung mã VietQR để chuyển khoản")
def get_vietqr(request, invoice_id: int):
    invoice = selectors.invoice_get_for_user(invoice_id=invoice_id, user=request.user)
    if not invoice.is_payable:
        raise DomainError("invoice_not_open", "Khoản thu này không còn chờ thanh toán.", status=409)
    payload, account = vietqr_payload_for(invoice)
    if payload is None:
        raise DomainError("no_bank_account", "Cơ quan thu chưa khai báo tài khoản nhận chuyển khoản.", status=409)
    return VietQROut(payload=payload, bank_bin=account.bank_bin, bank_name=account.bank_name,
                     account_number=account.account_number, account_name=account.account_name,
                     amount=invoice.amount, purpose=purpose_text(f"{invoice.reference} nop phi"))


@router.post("/invoices/{invoice_id}/desk-payments", response=InvoiceOut, summary="Thu tại quầy (tiền mặt, POS)")
def desk_payment(request, invoice_id: int, body: DeskPaymentIn):
    invoice = selectors.invoice_get_for_user(invoice_id=invoice_id, user=request.user)
    services.payment_record_desk(invoice=invoice, method=body.method, amount=body.amount, actor=request.user,
                                 pos_ref=body.pos_ref)
    return _out(Invoice.objects.get(pk=invoice.pk))


@router.post("/invoices/{invoice_id}/refunds", response=RefundOut, summary="Ghi nhận hoàn tiền")
def create_refund(request, invoice_id: int, body: RefundIn):
    invoice = selectors.invoice_get_for_user(invoice_id=invoice_id, user=request.user)
    refund = services.refund_create(invoice=invoice, actor=request.user, amount=body.amount, reason=body.reason,
                                    method=body.method, external_ref=body.external_ref)
    return RefundOut(id=refund.pk, amount=refund.amount, status=refund.status, gateway_message=refund.gateway_message,
                     invoice=_out(Invoice.objects.get(pk=invoice.pk)))
