"""Refunds of VNPAY payments go back through the gateway's refund API (over HTTP to the simulator):
full and partial, refused by the gateway (the reservation is released), and no answer (the amount
stays reserved until finance settles it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
import requests

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.models import AuditEvent
from chinhquyenso.payments.models import InvoiceStatus, Payment, PaymentStatus, RefundStatus
from chinhquyenso.payments.providers import vnpay
from chinhquyenso.payments.services import (
    payment_record_desk,
    refund_create,
    refund_settle,
    vnpay_payment_start,
    vnpay_pending_check,
)
from tests.payments.conftest import SECRET, TMN, choose_at_gateway, set_gateway_mode


def _paid_through_the_gateway(gateway, invoice, citizen):
    """Pay at the simulator; the IPN is skipped and querydr credits the order (no live server)."""
    set_gateway_mode(gateway, "skip")
    payment, url = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://127.0.0.1:1/r/",
                                       ip_addr="127.0.0.1")
    choose_at_gateway(url, "success")
    payment.refresh_from_db()
    vnpay_pending_check(now=payment.expires_at + dt.timedelta(minutes=1))
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and invoice.status == InvoiceStatus.PAID
    return payment


@pytest.mark.django_db
def test_a_full_refund_goes_back_through_the_gateway(gateway, invoice, citizen, officer):
    payment = _paid_through_the_gateway(gateway, invoice, citizen)
    refund = refund_create(invoice=invoice, amount=50_000, reason="Hồ sơ bị từ chối", method="vnpay", actor=officer)
    invoice.refresh_from_db()
    assert refund.status == RefundStatus.DONE and refund.external_ref == payment.provider_txn_no
    assert invoice.status == InvoiceStatus.REFUNDED and invoice.amount_refunded == 50_000
    assert "đã hoàn 50,000 đ" in requests.get(f"{gateway}/", timeout=5).text
    assert AuditEvent.objects.filter(action="payments.refund.gateway", object_id=str(refund.pk)).exists()


@pytest.mark.django_db
def test_partial_refunds_then_the_gateway_refuses_more_than_was_paid(gateway, invoice, citizen, officer):
    _paid_through_the_gateway(gateway, invoice, citizen)
    first = refund_create(invoice=invoice, amount=20_000, reason="Miễn một phần", method="vnpay", actor=officer)
    assert first.status == RefundStatus.DONE
    with pytest.raises(DomainError) as exc:  # our own check, before the gateway is asked
        refund_create(invoice=invoice, amount=30_001, reason="Hoàn tiếp", method="vnpay", actor=officer)
    assert exc.value.code == "refund_exceeds_paid"
    rest = refund_create(invoice=invoice, amount=30_000, reason="Hủy hồ sơ", method="vnpay", actor=officer)
    invoice.refresh_from_db()
    assert rest.status == RefundStatus.DONE and invoice.status == InvoiceStatus.REFUNDED


@pytest.mark.django_db
def test_a_refusal_by_the_gateway_releases_the_reserved_amount(gateway, invoice, citizen, officer):
    payment = _paid_through_the_gateway(gateway, invoice, citizen)
    # The gateway does not know this order (another merchant's reference): it answers 91.
    Payment.objects.filter(pk=payment.pk).update(provider_ref="KHONGCO123")
    refund = refund_create(invoice=invoice, amount=50_000, reason="Hoàn", method="vnpay", actor=officer)
    invoice.refresh_from_db()
    assert refund.status == RefundStatus.REFUSED and "(91)" in refund.gateway_message
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_refunded == 0 and invoice.refundable == 50_000


@pytest.mark.django_db
def test_no_answer_keeps_the_amount_reserved_until_finance_settles_it(gateway, invoice, citizen, officer,
                                                                      settings):
    _paid_through_the_gateway(gateway, invoice, citizen)
    settings.VNPAY_API_URL = "http://127.0.0.1:9/unreachable"
    settings.VNPAY_TIMEOUT = 1
    refund = refund_create(invoice=invoice, amount=50_000, reason="Hoàn", method="vnpay", actor=officer)
    invoice.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED and invoice.amount_refunded == 50_000
    with pytest.raises(DomainError):  # nothing left to refund while the first one is unknown
        refund_create(invoice=invoice, amount=1, reason="Hoàn lại lần nữa", method="cash", actor=officer)
    settled = refund_settle(refund=refund, done=False, actor=officer, note="Không có trên trang quản trị VNPAY")
    invoice.refresh_from_db()
    assert settled.status == RefundStatus.REFUSED and invoice.status == InvoiceStatus.PAID
    assert invoice.amount_refunded == 0
    with pytest.raises(DomainError) as exc:
        refund_settle(refund=settled, done=True, actor=officer)
    assert exc.value.code == "refund_not_pending"


@pytest.mark.django_db
def test_refund_by_vnpay_of_a_cash_payment_is_refused(invoice, officer):
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    with pytest.raises(DomainError) as exc:
        refund_create(invoice=invoice, amount=10_000, reason="Hoàn", method="vnpay", actor=officer)
    assert exc.value.code == "refund_method_mismatch"
    invoice.refresh_from_db()
    assert invoice.amount_refunded == 0


def test_the_refund_request_signs_its_thirteen_fields_in_order_and_checks_the_answer():
    """A request as VNPAY documents it, signed independently here, and a tampered answer refused."""
    sent = {}

    class Session:
        def post(self, url, json, timeout):
            sent.update(json)
            fields = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                      "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                      "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo")
            body = {"vnp_ResponseId": "r1", "vnp_Command": "refund", "vnp_ResponseCode": "00", "vnp_Message": "ok",
                    "vnp_TmnCode": TMN, "vnp_TxnRef": json["vnp_TxnRef"], "vnp_Amount": json["vnp_Amount"],
                    "vnp_BankCode": "NCB", "vnp_PayDate": "20261126100000", "vnp_TransactionNo": "14000001",
                    "vnp_TransactionType": "03", "vnp_TransactionStatus": "05", "vnp_OrderInfo": "x"}
            data = "|".join(body[f] for f in fields)
            body["vnp_SecureHash"] = hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
            if Session.tamper:
                body["vnp_Amount"] = "1"
            return type("R", (), {"raise_for_status": lambda self: None, "json": lambda self: body})()

    config = vnpay.VnpayConfig(tmn_code=TMN, hash_secret=SECRET, pay_url="", api_url="http://x/")
    Session.tamper = False
    paid_on = dt.datetime(2026, 11, 26, 9, 0, tzinfo=vnpay.GMT7)
    result = vnpay.refund(config, txn_ref="ABC123", amount_vnd=20_000, full=False, transaction_date=paid_on,
                          transaction_no="14000001", create_by="tiếp nhận", reason="Miễn phí",
                          now=dt.datetime(2026, 11, 27, 8, 0, tzinfo=vnpay.GMT7), session=Session())
    assert result.accepted and result.transaction_no == "14000001"
    order = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
             "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
             "vnp_IpAddr", "vnp_OrderInfo")
    data = "|".join(str(sent[f]) for f in order)
    assert sent["vnp_SecureHash"] == hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    assert (sent["vnp_Command"], sent["vnp_TransactionType"], sent["vnp_Amount"]) == ("refund", "03", "2000000")
    assert (sent["vnp_TransactionDate"], sent["vnp_CreateDate"]) == ("20261126090000", "20261127080000")
    assert sent["vnp_CreateBy"] == "tiep nhan" and json.dumps(sent).isascii()
    Session.tamper = True
    with pytest.raises(vnpay.GatewayError):
        vnpay.refund(config, txn_ref="ABC123", amount_vnd=20_000, full=False,
                     transaction_date=dt.datetime(2026, 11, 26, 9, 0, tzinfo=vnpay.GMT7), create_by="x",
                     session=Session())


@pytest.mark.django_db
def test_the_officer_refunds_on_the_invoice_page_and_sees_what_the_gateway_said(gateway, client, invoice, citizen,
                                                                                officer, settings):
    payment = _paid_through_the_gateway(gateway, invoice, citizen)
    client.force_login(officer)
    url = f"/thanh-toan/hoa-don/{invoice.pk}/hoan-tien/"
    page = client.post(url, {"amount": "20000", "method": "vnpay", "reason": "Miễn một phần"}, follow=True)
    body = page.content.decode()
    assert f"Đã hoàn tiền qua cổng VNPAY (mã giao dịch {payment.provider_txn_no})" in body
    assert 'data-testid="refund-done"' in body
    settings.VNPAY_API_URL = "http://127.0.0.1:9/unreachable"
    settings.VNPAY_TIMEOUT = 1
    page = client.post(url, {"amount": "10000", "method": "vnpay", "reason": "Hoàn thêm"}, follow=True)
    body = page.content.decode()
    assert "cổng VNPAY chưa trả lời" in body and 'data-testid="refund-requested"' in body
    api = client.post(f"/api/v1/payments/invoices/{invoice.pk}/refunds",
                      {"amount": 5000, "reason": "Qua API", "method": "vnpay"}, content_type="application/json")
    assert api.status_code == 200 and api.json()["status"] == "requested"
    assert api.json()["invoice"]["amount_refunded"] == 35_000


@pytest.mark.django_db
def test_finance_settles_an_unanswered_refund_in_the_admin(gateway, client, invoice, citizen, officer, settings):
    from chinhquyenso.accounts.models import User

    _paid_through_the_gateway(gateway, invoice, citizen)
    settings.VNPAY_API_URL = "http://127.0.0.1:9/unreachable"
    settings.VNPAY_TIMEOUT = 1
    refund = refund_create(invoice=invoice, amount=50_000, reason="Hoàn", method="vnpay", actor=officer)
    admin = User.objects.create_superuser("quantri-tt", "qt@example.vn", "mat-khau-dai-123")
    client.force_login(admin)
    listing = client.get("/quan-tri/payments/refund/?status__exact=requested")
    assert listing.status_code == 200 and "settle_done" in listing.content.decode()
    client.post("/quan-tri/payments/refund/", {"action": "settle_done", "_selected_action": [refund.pk]})
    refund.refresh_from_db()
    invoice.refresh_from_db()
    assert refund.status == RefundStatus.DONE and invoice.status == InvoiceStatus.REFUNDED
    assert AuditEvent.objects.filter(action="payments.refund.settle", object_id=str(refund.pk)).exists()
