"""IPN handling: checks in the protocol's order, reply codes, idempotency, logging of tampering."""

from __future__ import annotations

import logging

import pytest

from chinhquyenso.core.models import AuditEvent, DomainEvent
from chinhquyenso.payments.models import InvoiceStatus, Payment, PaymentStatus, Receipt
from chinhquyenso.payments.services import vnpay_ipn_process, vnpay_payment_start
from tests.payments.conftest import ipn_params, sign_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(invoice, citizen):
    payment, _url = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://testserver/r/",
                                        ip_addr="127.0.0.1")
    return payment


def test_successful_ipn_marks_the_invoice_paid_issues_a_receipt_and_emits_the_event(order):
    reply = vnpay_ipn_process(params=ipn_params(order))
    assert reply == {"RspCode": "00", "Message": "Confirm Success"}
    order.refresh_from_db()
    invoice = order.invoice
    invoice.refresh_from_db()
    assert order.status == PaymentStatus.SUCCEEDED and order.provider_txn_no == "14000001"
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_method == "vnpay" and invoice.paid_channel == "online"
    assert Receipt.objects.get(invoice=invoice).number == 1
    event = DomainEvent.objects.get(event_type="payments.invoice_paid")
    assert event.payload["invoice_id"] == invoice.pk
    assert event.payload["subject_type"] == "dossiers.dossier" and event.payload["subject_id"] == invoice.subject_id
    assert event.payload["amount"] == invoice.amount
    assert event.payload["method"] == "vnpay" and event.payload["channel"] == "online"


def test_duplicate_ipn_is_credited_once_and_answered_already_confirmed(order):
    params = ipn_params(order)
    assert vnpay_ipn_process(params=params)["RspCode"] == "00"
    assert vnpay_ipn_process(params=params) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert Receipt.objects.count() == 1
    assert DomainEvent.objects.filter(event_type="payments.invoice_paid").count() == 1


def test_tampered_amount_without_a_new_signature_is_rejected_as_invalid_signature_and_logged(order, caplog):
    params = ipn_params(order)
    params["vnp_Amount"] = "100"  # attacker pays 1 đ
    with caplog.at_level(logging.WARNING, logger="chinhquyenso.security"):
        assert vnpay_ipn_process(params=params, ip="203.0.113.9")["RspCode"] == "97"
    order.refresh_from_db()
    assert order.status == PaymentStatus.PENDING
    assert "invalid_signature" in caplog.text
    audit = AuditEvent.objects.get(action="payments.vnpay.ipn_rejected")
    assert audit.after["reason"] == "invalid_signature" and audit.after["ip"] == "203.0.113.9"


def test_signed_ipn_with_a_different_amount_is_rejected_with_04_and_logged(order, caplog):
    with caplog.at_level(logging.WARNING, logger="chinhquyenso.security"):
        reply = vnpay_ipn_process(params=ipn_params(order, amount=order.amount - 1000))
    assert reply == {"RspCode": "04", "Message": "Invalid amount"}
    order.refresh_from_db()
    assert order.status == PaymentStatus.PENDING
    assert AuditEvent.objects.filter(action="payments.vnpay.ipn_rejected", after__reason="amount_mismatch").exists()
    assert "amount_mismatch" in caplog.text


def test_forged_signature_is_rejected(order):
    params = ipn_params(order)
    params["vnp_SecureHash"] = "0" * 128
    assert vnpay_ipn_process(params=params)["RspCode"] == "97"


def test_unknown_order_is_answered_01(order):
    params = ipn_params(order)
    params.pop("vnp_SecureHash")
    params["vnp_TxnRef"] = "NOSUCHORDER"
    assert vnpay_ipn_process(params=sign_params(params))["RspCode"] == "01"


def test_checksum_is_checked_before_the_order(order):
    params = ipn_params(order)
    params["vnp_TxnRef"] = "NOSUCHORDER"  # unknown order *and* bad signature: the signature answers
    assert vnpay_ipn_process(params=params)["RspCode"] == "97"


def test_other_merchant_code_is_refused(order):
    assert vnpay_ipn_process(params=ipn_params(order, tmn="OTHER001"))["RspCode"] == "01"
    assert AuditEvent.objects.filter(after__reason="merchant_mismatch").exists()


def test_failed_payment_is_confirmed_and_leaves_the_invoice_open(order):
    assert vnpay_ipn_process(params=ipn_params(order, response_code="51", status="02"))["RspCode"] == "00"
    order.refresh_from_db()
    assert order.status == PaymentStatus.FAILED and order.response_code == "51"
    assert order.invoice.status == InvoiceStatus.OPEN
    assert not Receipt.objects.exists()


def test_second_successful_order_on_a_paid_invoice_is_kept_as_a_duplicate_to_refund(invoice, citizen):
    first, _ = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://t/r/", ip_addr="1.1.1.1")
    second, _ = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://t/r/", ip_addr="1.1.1.1")
    assert vnpay_ipn_process(params=ipn_params(first))["RspCode"] == "00"
    assert vnpay_ipn_process(params=ipn_params(second))["RspCode"] == "00"
    second.refresh_from_db()
    assert second.status == PaymentStatus.SUCCEEDED and second.duplicate
    assert Receipt.objects.count() == 1
    assert DomainEvent.objects.filter(event_type="payments.payment_duplicate").count() == 1


def test_unexpected_error_answers_99(order, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("chinhquyenso.payments.services._payment_succeed", boom)
    assert vnpay_ipn_process(params=ipn_params(order))["RspCode"] == "99"
    order.refresh_from_db()
    assert order.status == PaymentStatus.PENDING  # rolled back: VNPAY will retry


def test_ipn_endpoint_answers_json(client, order):
    response = client.get("/thanh-toan/vnpay/ipn/", ipn_params(order))
    assert response.status_code == 200
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert Payment.objects.get(pk=order.pk).status == PaymentStatus.SUCCEEDED


def test_return_page_is_display_only(client, order, citizen):
    client.force_login(citizen)
    response = client.get("/thanh-toan/vnpay/tra-ve/", ipn_params(order))
    assert response.status_code == 200
    assert "Giao dịch thành công" in response.content.decode()
    order.refresh_from_db()
    assert order.status == PaymentStatus.PENDING  # only the IPN credits


def test_return_page_with_a_bad_signature_says_so(client, order, citizen):
    client.force_login(citizen)
    params = ipn_params(order)
    params["vnp_ResponseCode"] = "00"
    params["vnp_Amount"] = "1"
    response = client.get("/thanh-toan/vnpay/tra-ve/", params)
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()
