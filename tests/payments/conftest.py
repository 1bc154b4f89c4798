"""Helpers for the payments tests: invoices, signed VNPAY callbacks, a bank account, the simulators."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from urllib.parse import quote_plus

import pytest
import requests

from chinhquyenso.payments.models import BankAccount
from chinhquyenso.payments.services import invoice_create
from tests import factories

TMN = "TESTTMN1"
SECRET = "test-hash-secret-for-vnpay-0001"
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def vnpay_settings(settings):
    settings.VNPAY_TMN_CODE = TMN
    settings.VNPAY_HASH_SECRET = SECRET
    settings.VNPAY_PAY_URL = "http://127.0.0.1:9/vnpay/paymentv2/vpcpay.html"
    settings.VNPAY_API_URL = "http://127.0.0.1:9/vnpay/merchant_webapi/api/transaction"
    settings.SITE_URL = "http://testserver"
    # force_login() has no client IP; django-axes then logs "unknown" into an inet column, which
    # PostgreSQL refuses. Login throttling is tested in tests/accounts, not here.
    settings.AXES_ENABLED = False
    return settings


@pytest.fixture
def desk(locality):
    """The district one-stop desk (receives fees) and its unit."""
    return factories.agency("000.09.14.H57")


@pytest.fixture
def commune_desk(locality):
    return factories.agency("001.29.14.H57")  # Quảng Thọ


@pytest.fixture
def make_invoice(desk, citizen):
    def make(*, amount=50_000, payer=citizen, agency=None, kind="charge", key=None, **extra):
        agency = agency or desk
        return invoice_create(
            subject_type=extra.pop("subject_type", "dossiers.dossier"),
            subject_id=extra.pop("subject_id", str(next(_keys))),
            kind=kind, amount=amount, unit=extra.pop("unit", agency.unit), agency=agency, payer=payer,
            payer_name=extra.pop("payer_name", ""), description=extra.pop("description", "Lệ phí cấp giấy phép"),
            idempotency_key=key or f"test:{next(_keys)}", **extra,
        )

    return make


@pytest.fixture
def invoice(make_invoice):
    return make_invoice()


@pytest.fixture
def bank_account(desk):
    return BankAccount.objects.create(agency=desk, bank_bin="970415", bank_name="VietinBank",
                                      account_number="113000000477", account_name="BO PHAN TIEP NHAN")


@pytest.fixture
def officer(make_staff):
    return make_staff("reception_officer", factories.DISTRICT)


def encode(value: str) -> str:
    return quote_plus(value, safe="").replace("~", "%7E")


def sign_params(params: dict, secret: str = SECRET) -> dict:
    """Sign like VNPAY does (written here again, independently of the provider module)."""
    data = "&".join(f"{encode(k)}={encode(str(v))}" for k, v in sorted(params.items()) if str(v) != "")
    return {**params, "vnp_SecureHash": hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()}


def ipn_params(payment, *, response_code="00", status="00", amount=None, tmn=TMN, **extra) -> dict:
    params = {
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14000001", "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Thanh toan", "vnp_PayDate": "20260105101500", "vnp_ResponseCode": response_code,
        "vnp_TmnCode": tmn, "vnp_TransactionNo": "14000001", "vnp_TransactionStatus": status,
        "vnp_TxnRef": payment.provider_ref, **extra,
    }
    return sign_params(params)


@pytest.fixture
def gateway(monkeypatch, settings):
    """The VNPAY simulator over real HTTP on a free port; the platform pointed at it."""
    from chinhquyenso.simulators import server

    monkeypatch.setenv("VNPAY_TMN_CODE", TMN)
    monkeypatch.setenv("VNPAY_HASH_SECRET", SECRET)
    with server.running(mounts={"/vnpay": server.MOUNTS["/vnpay"]}) as base:
        settings.VNPAY_PAY_URL = f"{base}/vnpay/paymentv2/vpcpay.html"
        settings.VNPAY_API_URL = f"{base}/vnpay/merchant_webapi/api/transaction"
        yield f"{base}/vnpay"


def set_gateway_mode(gateway, mode, ipn_url=""):
    requests.post(f"{gateway}/merchants/{TMN}", json={"ipn_mode": mode, "ipn_url": ipn_url}, timeout=5)


def choose_at_gateway(url: str, outcome: str) -> requests.Response:
    """Open the simulator's payment page and press pay / fail / cancel."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    token = page.text.split("name='token' value='")[1].split("'")[0]
    confirm = url.split("vpcpay.html")[0] + "confirm"
    return requests.post(confirm, data={"token": token, "outcome": outcome}, allow_redirects=False, timeout=20)
