"""VNPAY 2.1.0 signing: public test vectors and a hand-checked request."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from chinhquyenso.payments.providers import vnpay
from chinhquyenso.payments.providers.vnpay import GMT7, VnpayConfig

# A return URL and its hash from the public test suite of the `vnpay` npm library
# (lehuygiang28/vnpay, test/verify-return-url.test.ts): secret "test_secret".
PUBLIC_RETURN = {
    "vnp_Amount": "1000000", "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14422574", "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Thanh toan don hang 2024-05-21T02:17:31.249Z", "vnp_PayDate": "20240521091806",
    "vnp_ResponseCode": "00", "vnp_TmnCode": "TEST_TMN_CODE", "vnp_TransactionNo": "14422574",
    "vnp_TransactionStatus": "00", "vnp_TxnRef": "1716257871703",
}
PUBLIC_HASH = ("649982421beb422556a1374713c74e58e716ecbd05007c0c0e1f7effdfaf361dbf146889ca446139afe11b9954c4d5c486e"
               "99e3b86fcfab6957f29eb0be72895")
PUBLIC_HASH_FAILED = ("503194f6d93b57b357b2d1d09742565e67e86d771352c5dca4fc8d39df3d392c6b3809add9405f97cfb9631f445e36c8"
                      "0656cfbf47eac67d97fa165865c13e1b")


def test_public_vector_of_a_successful_return_verifies():
    assert vnpay.sign(PUBLIC_RETURN, "test_secret") == PUBLIC_HASH
    assert vnpay.verify({**PUBLIC_RETURN, "vnp_SecureHash": PUBLIC_HASH}, "test_secret")


def test_public_vector_of_a_failed_return_verifies_and_is_not_a_success():
    params = {**PUBLIC_RETURN, "vnp_ResponseCode": "99", "vnp_SecureHash": PUBLIC_HASH_FAILED}
    assert vnpay.verify(params, "test_secret")
    assert not vnpay.GatewayResult.from_params(params).succeeded


def test_changing_any_parameter_breaks_the_signature():
    params = {**PUBLIC_RETURN, "vnp_ResponseCode": "99", "vnp_SecureHash": PUBLIC_HASH}
    assert not vnpay.verify(params, "test_secret")
    assert not vnpay.verify({**PUBLIC_RETURN, "vnp_Amount": "100000000", "vnp_SecureHash": PUBLIC_HASH}, "test_secret")
    assert not vnpay.verify({**PUBLIC_RETURN, "vnp_SecureHash": PUBLIC_HASH}, "another_secret")
    assert not vnpay.verify(dict(PUBLIC_RETURN), "test_secret")  # no hash at all


def test_hash_type_parameter_is_neither_sent_nor_signed():
    params = {**PUBLIC_RETURN, "vnp_SecureHashType": "HmacSHA512", "vnp_SecureHash": PUBLIC_HASH}
    assert vnpay.verify(params, "test_secret")


def test_payment_url_matches_a_hand_built_request():
    config = VnpayConfig(tmn_code="ABCD1234", hash_secret="SECRETKEY", pay_url="https://pay.example/vpcpay.html",
                         api_url="")
    created = dt.datetime(2026, 1, 5, 10, 0, 0, tzinfo=GMT7)
    url = vnpay.payment_url(config, txn_ref="T0001", amount_vnd=10_000, order_info="Lệ phí cấp đổi ~ giấy tờ",
                            return_url="https://cqs.example/thanh-toan/vnpay/tra-ve/", ip_addr="10.0.0.1",
                            created_at=created, expires_at=created + dt.timedelta(minutes=15))
    # Written out by hand: keys sorted, empty vnp_BankCode dropped, space → "+", "/" and ":" escaped,
    # "~" dropped by the order-info cleaner, amount × 100, dates in GMT+7.
    expected_query = (
        "vnp_Amount=1000000&vnp_Command=pay&vnp_CreateDate=20260105100000&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20260105101500&vnp_IpAddr=10.0.0.1&vnp_Locale=vn"
        "&vnp_OrderInfo=Le+phi+cap+doi+giay+to&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fcqs.example%2Fthanh-toan%2Fvnpay%2Ftra-ve%2F"
        "&vnp_TmnCode=ABCD1234&vnp_TxnRef=T0001&vnp_Version=2.1.0"
    )
    expected_hash = hmac.new(b"SECRETKEY", expected_query.encode(), hashlib.sha512).hexdigest()
    assert url == f"https://pay.example/vpcpay.html?{expected_query}&vnp_SecureHash={expected_hash}"
    # What the gateway receives (decoded) verifies with the same secret.
    assert vnpay.verify(dict(parse_qsl(urlsplit(url).query)), "SECRETKEY")


def test_encoding_follows_php_urlencode():
    assert vnpay.encode_value("a b~c*d'e") == "a+b%7Ec%2Ad%27e"
    assert vnpay.encode_value("Sài Gòn") == "S%C3%A0i+G%C3%B2n"


def test_order_info_loses_accents_and_special_characters():
    assert vnpay.order_info_text("Thanh toán lệ phí: Đăng ký #12 (hộ)") == "Thanh toan le phi: Dang ky 12 ho"


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(["vnp_A", "vnp_B", "vnp_OrderInfo", "vnp_ReturnUrl", "vnp_Z"]),
                       st.text(max_size=30), min_size=1))
def test_signing_then_verifying_any_parameters_round_trips(params):
    signed = {**params, "vnp_SecureHash": vnpay.sign(params, "k")}
    assert vnpay.verify(signed, "k")
