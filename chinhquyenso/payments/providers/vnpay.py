"""VNPAY payment gateway, PAY API version 2.1.0 (facts and sources: shared/reference/vn-egov-facts.md §7).

Flow: we redirect the citizen to ``VNPAY_PAY_URL`` with a signed query string; VNPAY sends the
citizen back to ``vnp_ReturnUrl`` (display only) and calls our IPN URL server to server (the only
place an order is updated). When the IPN never comes, ``querydr`` asks the gateway.

Signing (2.1.0): sort the parameters by key, drop empty values, URL-encode each value the way PHP's
``urlencode`` does (space → ``+``, everything but ``A–Z a–z 0–9 - _ .`` percent-encoded), join
``key=value`` with ``&`` and take the hex HMAC-SHA512 with the hash secret. ``vnp_SecureHashType``
is not sent and not signed. The query and refund API signs a ``|``-joined list of fields instead.

This module is pure protocol: no database. ``payments.services`` decides what a result means.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import requests
from django.conf import settings

from chinhquyenso.core.parsing import is_ascii_digits

VERSION = "2.1.0"
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
HASH_FIELDS_EXCLUDED = ("vnp_SecureHash", "vnp_SecureHashType")


class Rsp:
    """IPN reply codes (``{"RspCode", "Message"}``)."""

    CONFIRMED = ("00", "Confirm Success")
    ORDER_NOT_FOUND = ("01", "Order not found")
    ALREADY_CONFIRMED = ("02", "Order already confirmed")
    INVALID_AMOUNT = ("04", "Invalid amount")
    INVALID_SIGNATURE = ("97", "Invalid signature")
    UNKNOWN_ERROR = ("99", "Unknown error")


# vnp_ResponseCode of a payment (shown to the citizen in Vietnamese).
RESPONSE_MESSAGES = {
    "00": "Giao dịch thành công.",
    "07": "Trừ tiền thành công nhưng giao dịch bị nghi ngờ, đang được kiểm tra.",
    "09": "Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking.",
    "10": "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần.",
    "11": "Đã hết thời gian chờ thanh toán.",
    "12": "Thẻ/tài khoản bị khóa.",
    "13": "Nhập sai mật khẩu xác thực giao dịch (OTP).",
    "24": "Bạn đã hủy giao dịch.",
    "51": "Tài khoản không đủ số dư.",
    "65": "Tài khoản đã vượt hạn mức giao dịch trong ngày.",
    "75": "Ngân hàng thanh toán đang bảo trì.",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định.",
    "99": "Lỗi không xác định.",
}


def response_message(code: str) -> str:
    return RESPONSE_MESSAGES.get(code, RESPONSE_MESSAGES["99"])


@dataclass(frozen=True)
class VnpayConfig:
    tmn_code: str
    hash_secret: str
    pay_url: str
    api_url: str
    timeout: int = 15

    @classmethod
    def from_settings(cls) -> VnpayConfig:
        return cls(tmn_code=settings.VNPAY_TMN_CODE, hash_secret=settings.VNPAY_HASH_SECRET,
                   pay_url=settings.VNPAY_PAY_URL, api_url=settings.VNPAY_API_URL, timeout=settings.VNPAY_TIMEOUT)

    @property
    def enabled(self) -> bool:
        return bool(self.tmn_code and self.hash_secret)


# --- signing ------------------------------------------------------------------------------------

def encode_value(value: str) -> str:
    """PHP ``urlencode`` / Java ``URLEncoder``: space as ``+``; ``~`` encoded too (Python keeps it)."""
    return quote_plus(str(value), safe="").replace("~", "%7E")


def canonical_query(params: dict[str, object]) -> str:
    """The string that is signed, and the query string that is sent: sorted, non-empty, encoded."""
    items = sorted((k, str(v)) for k, v in params.items()
                   if k not in HASH_FIELDS_EXCLUDED and v is not None and str(v) != "")
    return "&".join(f"{encode_value(k)}={encode_value(v)}" for k, v in items)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode("utf-8"), hashlib.sha512).hexdigest()


def sign(params: dict[str, object], secret: str) -> str:
    return hmac_sha512(secret, canonical_query(params))


def verify(params: dict[str, str], secret: str) -> bool:
    """True when ``vnp_SecureHash`` is the HMAC of the other parameters (constant-time compare)."""
    received = (params.get("vnp_SecureHash") or "").lower()
    if not received or not secret:
        return False
    return hmac.compare_digest(received, sign(params, secret))


# --- payment URL ---------------------------------------------------------------------------------

def vnp_datetime(value: dt.datetime) -> str:
    """``yyyyMMddHHmmss`` in GMT+7, as the gateway wants every date."""
    return value.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def parse_vnp_datetime(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=GMT7)
    except (TypeError, ValueError):
        return None


_ORDER_INFO_UNSAFE = re.compile(r"[^A-Za-z0-9 .,:_-]+")


def strip_accents(text: str) -> str:
    """"Lệ phí Đăng ký" → "Le phi Dang ky" (keeps the case, unlike ``core.text.fold``)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def order_info_text(text: str) -> str:
    """VNPAY asks for order information without diacritics or special characters."""
    cleaned = _ORDER_INFO_UNSAFE.sub(" ", strip_accents(text))
    return " ".join(cleaned.split())[:255] or "Thanh toan"


def new_txn_ref() -> str:
    """vnp_TxnRef: unique (we keep it unique for ever, not only within the day), 16 alphanumerics."""
    return secrets.token_hex(8).upper()


def payment_url(
    config: VnpayConfig,
    *,
    txn_ref: str,
    amount_vnd: int,
    order_info: str,
    return_url: str,
    ip_addr: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
    locale: str = "vn",
    bank_code: str = "",
    order_type: str = "other",
) -> str:
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": config.tmn_code,
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_BankCode": bank_code,
        "vnp_CreateDate": vnp_datetime(created_at),
        "vnp_CurrCode": "VND",
        "vnp_IpAddr": ip_addr or "127.0.0.1",
        "vnp_Locale": locale,
        "vnp_OrderInfo": order_info_text(order_info),
        "vnp_OrderType": order_type,
        "vnp_ReturnUrl": return_url,
        "vnp_TxnRef": txn_ref,
        "vnp_ExpireDate": vnp_datetime(expires_at),
    }
    query = canonical_query(params)
    return f"{config.pay_url}?{query}&vnp_SecureHash={hmac_sha512(config.hash_secret, query)}"


@dataclass(frozen=True)
class GatewayResult:
    """What a return URL or an IPN says (after the signature was checked)."""

    txn_ref: str
    tmn_code: str
    amount_vnd: int | None  # None when vnp_Amount is not a whole number of hundredths
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    pay_date: dt.datetime | None

    @property
    def succeeded(self) -> bool:
        return self.response_code == "00" and self.transaction_status == "00"

    @classmethod
    def from_params(cls, params: dict[str, str]) -> GatewayResult:
        raw_amount = params.get("vnp_Amount", "")
        amount = int(raw_amount) // 100 if is_ascii_digits(raw_amount) and int(raw_amount) % 100 == 0 else None
        return cls(
            txn_ref=params.get("vnp_TxnRef", ""),
            tmn_code=params.get("vnp_TmnCode", ""),
            amount_vnd=amount,
            response_code=params.get("vnp_ResponseCode", ""),
            transaction_status=params.get("vnp_TransactionStatus", params.get("vnp_ResponseCode", "")),
            transaction_no=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            pay_date=parse_vnp_datetime(params.get("vnp_PayDate", "")),
        )


def ipn_reply(rsp: tuple[str, str]) -> dict[str, str]:
    return {"RspCode": rsp[0], "Message": rsp[1]}


# --- query (querydr) -----------------------------------------------------------------------------

QUERYDR_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                          "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
QUERYDR_RESPONSE_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                           "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                           "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                           "vnp_PromotionAmount")


def pipe_hash(secret: str, body: dict, fields: tuple[str, ...]) -> str:
    return hmac_sha512(secret, "|".join("" if body.get(f) is None else str(body.get(f)) for f in fields))


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot trust."""


def _api_call(config: VnpayConfig, body: dict, request_fields: tuple[str, ...], response_fields: tuple[str, ...],
              session: requests.Session | None) -> dict:
    """Sign ``body`` over ``request_fields``, POST it to the transaction API, and return the answer
    once its checksum over ``response_fields`` holds; ``GatewayError`` otherwise."""
    command = body.get("vnp_Command")
    body["vnp_SecureHash"] = pipe_hash(config.hash_secret, body, request_fields)
    try:
        response = (session or requests).post(config.api_url, json=body, timeout=config.timeout)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise GatewayError(f"{command} failed: {exc}") from exc
    if not isinstance(data, dict):
        raise GatewayError(f"{command} answered something that is not a JSON object")
    expected = pipe_hash(config.hash_secret, data, response_fields)
    if not hmac.compare_digest(str(data.get("vnp_SecureHash", "")).lower(), expected):
        raise GatewayError(f"{command} answer has an invalid checksum")
    return data


@dataclass(frozen=True)
class QueryResult:
    response_code: str  # of the query itself: 00 found, 91 not found, 94 duplicate request, 97 checksum, 99
    transaction_status: str  # of the payment: 00 success, 01 not finished, 02 error, ...
    amount_vnd: int | None
    transaction_no: str
    bank_code: str
    pay_date: dt.datetime | None
    raw: dict

    @property
    def found(self) -> bool:
        return self.response_code == "00"

    @property
    def succeeded(self) -> bool:
        return self.found and self.transaction_status == "00"


def querydr(config: VnpayConfig, *, txn_ref: str, transaction_date: dt.datetime, ip_addr: str = "127.0.0.1",
            now: dt.datetime | None = None, session: requests.Session | None = None) -> QueryResult:
    now = now or dt.datetime.now(tz=GMT7)
    body = {
        "vnp_RequestId": secrets.token_hex(16),
        "vnp_Version": VERSION,
        "vnp_Command": "querydr",
        "vnp_TmnCode": config.tmn_code,
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": f"Truy van giao dich {txn_ref}",
        "vnp_TransactionDate": vnp_datetime(transaction_date),
        "vnp_CreateDate": vnp_datetime(now),
        "vnp_IpAddr": ip_addr,
    }
    data = _api_call(config, body, QUERYDR_REQUEST_FIELDS, QUERYDR_RESPONSE_FIELDS, session)
    raw_amount = str(data.get("vnp_Amount") or "")
    return QueryResult(
        response_code=str(data.get("vnp_ResponseCode", "")),
        transaction_status=str(data.get("vnp_TransactionStatus", "")),
        amount_vnd=int(raw_amount) // 100 if is_ascii_digits(raw_amount) else None,
        transaction_no=str(data.get("vnp_TransactionNo", "")),
        bank_code=str(data.get("vnp_BankCode", "")),
        pay_date=parse_vnp_datetime(str(data.get("vnp_PayDate", ""))),
        raw=data,
    )


# --- refund ----------------------------------------------------------------------------------------
# Same endpoint as querydr, ``vnp_Command=refund``; ``vnp_TransactionType`` 02 = full, 03 = partial.
# The request signs 13 fields in this order; the answer signs the querydr answer's fields without
# the promotion pair.

REFUND_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType",
                         "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy",
                         "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
REFUND_RESPONSE_FIELDS = QUERYDR_RESPONSE_FIELDS[:-2]
FULL_REFUND, PARTIAL_REFUND = "02", "03"

# vnp_ResponseCode of a refund request, for the officer.
REFUND_MESSAGES = {
    "00": "Cổng VNPAY đã nhận yêu cầu hoàn tiền.",
    "02": "Mã website (TmnCode) không hợp lệ.",
    "03": "Dữ liệu gửi sang không đúng định dạng.",
    "91": "Cổng VNPAY không tìm thấy giao dịch gốc.",
    "94": "Yêu cầu hoàn tiền bị trùng, đang được xử lý.",
    "95": "Giao dịch gốc không thành công nên không thể hoàn tiền.",
    "97": "Sai chữ ký (checksum).",
    "99": "Lỗi không xác định.",
}


@dataclass(frozen=True)
class RefundResult:
    response_code: str
    message: str
    transaction_no: str
    transaction_status: str
    raw: dict

    @property
    def accepted(self) -> bool:
        return self.response_code == "00"


def refund(config: VnpayConfig, *, txn_ref: str, amount_vnd: int, full: bool, transaction_date: dt.datetime,
           transaction_no: str = "", create_by: str, reason: str = "", ip_addr: str = "127.0.0.1",
           now: dt.datetime | None = None, session: requests.Session | None = None) -> RefundResult:
    """Ask the gateway to give ``amount_vnd`` of order ``txn_ref`` back to the card or account that
    paid. ``GatewayError`` when there is no trustworthy answer (the outcome is then unknown)."""
    now = now or dt.datetime.now(tz=GMT7)
    body = {
        "vnp_RequestId": secrets.token_hex(16),
        "vnp_Version": VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": config.tmn_code,
        "vnp_TransactionType": FULL_REFUND if full else PARTIAL_REFUND,
        "vnp_TxnRef": txn_ref,
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_TransactionNo": transaction_no or "",
        "vnp_TransactionDate": vnp_datetime(transaction_date),
        "vnp_CreateBy": strip_accents(create_by)[:50] or "system",
        "vnp_CreateDate": vnp_datetime(now),
        "vnp_IpAddr": ip_addr,
        "vnp_OrderInfo": order_info_text(f"Hoan tien {txn_ref} {reason}")[:255],
    }
    data = _api_call(config, body, REFUND_REQUEST_FIELDS, REFUND_RESPONSE_FIELDS, session)
    if str(data.get("vnp_TxnRef", "")) != txn_ref or str(data.get("vnp_Command", "")) != "refund":
        raise GatewayError("refund answer is about another order or command")
    code = str(data.get("vnp_ResponseCode", ""))
    return RefundResult(response_code=code, message=REFUND_MESSAGES.get(code, REFUND_MESSAGES["99"]),
                        transaction_no=str(data.get("vnp_TransactionNo", "")),
                        transaction_status=str(data.get("vnp_TransactionStatus", "")), raw=data)
