"""End to end over HTTP with the VNPAY simulator: redirect, pay/fail/cancel, real signed IPN, querydr."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from chinhquyenso.payments.models import InvoiceStatus, Payment, PaymentStatus, Receipt
from chinhquyenso.payments.services import vnpay_payment_start, vnpay_pending_check
from tests.payments.conftest import choose_at_gateway as _choose
from tests.payments.conftest import set_gateway_mode as _set_mode


def test_simulator_shows_the_order_and_refuses_a_tampered_url(gateway, invoice, citizen):
    _payment, url = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://127.0.0.1:1/r/",
                                        ip_addr="127.0.0.1")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "50.000 VND" in page.text
    tampered = url.replace("vnp_Amount=5000000", "vnp_Amount=100")
    assert requests.get(tampered, timeout=10).status_code == 400


def test_paying_sends_a_signed_ipn_that_credits_the_invoice(gateway, live_server, invoice, citizen):
    _set_mode(gateway, "send")
    payment, url = vnpay_payment_start(invoice=invoice, actor=citizen,
                                       return_url=f"{live_server.url}/thanh-toan/vnpay/tra-ve/", ip_addr="127.0.0.1")
    response = _choose(url, "success")
    assert response.status_code == 302
    back = response.headers["Location"]
    assert back.startswith(f"{live_server.url}/thanh-toan/vnpay/tra-ve/?")
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and invoice.status == InvoiceStatus.PAID
    params = dict(parse_qsl(urlsplit(back).query))
    assert params["vnp_ResponseCode"] == "00" and params["vnp_TxnRef"] == payment.provider_ref
    assert requests.get(back, timeout=10).status_code == 200  # the return page verifies the signature


def test_an_ipn_sent_twice_is_credited_once(gateway, live_server, invoice, citizen):
    _set_mode(gateway, "twice")
    payment, url = vnpay_payment_start(invoice=invoice, actor=citizen,
                                       return_url=f"{live_server.url}/thanh-toan/vnpay/tra-ve/", ip_addr="127.0.0.1")
    _choose(url, "success")
    log = requests.get(f"{gateway}/", timeout=5).text
    assert '"RspCode": "00"' in log or "RspCode" in log
    assert Receipt.objects.filter(invoice=invoice).count() == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(("outcome", "code"), [("fail", "51"), ("cancel", "24")])
def test_failed_or_cancelled_payment_leaves_the_invoice_open(gateway, live_server, invoice, citizen, outcome, code):
    _set_mode(gateway, "send")
    payment, url = vnpay_payment_start(invoice=invoice, actor=citizen,
                                       return_url=f"{live_server.url}/thanh-toan/vnpay/tra-ve/", ip_addr="127.0.0.1")
    _choose(url, outcome)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.response_code == code
    assert invoice.status == InvoiceStatus.OPEN


@pytest.mark.django_db
def test_when_the_ipn_never_comes_querydr_finds_the_success(gateway, invoice, citizen):
    _set_mode(gateway, "skip")
    payment, url = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://127.0.0.1:1/r/",
                                       ip_addr="127.0.0.1")
    _choose(url, "success")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert vnpay_pending_check(now=payment.created_at + dt.timedelta(minutes=1)) == {
        "checked": 0, "succeeded": 0, "failed": 0, "expired": 0, "unreachable": 0}  # window still open
    counts = vnpay_pending_check(now=payment.expires_at + dt.timedelta(minutes=1))
    assert counts["succeeded"] == 1
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.gateway_status == "00"
    assert invoice.status == InvoiceStatus.PAID and Receipt.objects.filter(invoice=invoice).exists()


@pytest.mark.django_db
def test_an_order_the_citizen_abandoned_is_expired_after_the_query(gateway, invoice, citizen):
    payment, _url = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://127.0.0.1:1/r/",
                                        ip_addr="127.0.0.1")
    counts = vnpay_pending_check(now=payment.expires_at + dt.timedelta(minutes=1))
    assert counts["expired"] == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED and payment.gateway_status == "91"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN


@pytest.mark.django_db
def test_gateway_unreachable_leaves_the_order_for_the_next_run(invoice, citizen, settings):
    settings.VNPAY_API_URL = "http://127.0.0.1:9/unreachable"
    settings.VNPAY_TIMEOUT = 1
    payment, _ = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://t/r/", ip_addr="127.0.0.1")
    assert vnpay_pending_check(now=payment.expires_at + dt.timedelta(minutes=1))["unreachable"] == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_platform_and_simulator_demo_defaults_agree():
    # settings.py defaults (outside production) must match the simulator's, or the demo cannot pay.
    from pathlib import Path

    import chinhquyenso.settings as project_settings
    from chinhquyenso.simulators import vnpay as sim

    source = Path(project_settings.__file__).read_text(encoding="utf-8")
    assert f'"{sim.DEFAULT_TMN_CODE}"' in source and f'"{sim.DEFAULT_HASH_SECRET}"' in source
