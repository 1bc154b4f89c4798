"""IPN calls racing each other and the citizen's return: the invoice is credited exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from chinhquyenso.core.models import DomainEvent
from chinhquyenso.payments.models import InvoiceStatus, Payment, PaymentStatus, Receipt, ReceiptCounter
from chinhquyenso.payments.services import vnpay_ipn_process, vnpay_payment_start
from tests.payments.conftest import ipn_params

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_concurrent_ipns_and_return_credit_once(invoice, citizen):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    payment, _ = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://testserver/r/",
                                     ip_addr="127.0.0.1")
    params = ipn_params(payment)
    workers = 8
    barrier = threading.Barrier(workers + 2)
    replies, returns, errors = [], [], []

    def ipn():
        try:
            barrier.wait()
            replies.append(vnpay_ipn_process(params=params)["RspCode"])
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    def citizen_returns():
        try:
            client = Client()
            client.force_login(citizen)
            barrier.wait()
            returns.append(client.get("/thanh-toan/vnpay/tra-ve/", params).status_code)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ipn) for _ in range(workers)]
    threads += [threading.Thread(target=citizen_returns) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(replies) == ["00"] + ["02"] * (workers - 1)
    assert returns == [200, 200]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Receipt.objects.count() == 1 and ReceiptCounter.objects.get().last_number == 1
    assert DomainEvent.objects.filter(event_type="payments.invoice_paid").count() == 1
