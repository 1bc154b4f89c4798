"""A VNPAY gateway simulator speaking PAY API 2.1.0 over HTTP (for the demo and the tests).

- ``GET /paymentv2/vpcpay.html?…&vnp_SecureHash=…`` checks the merchant and the signature, and shows
  the order with three buttons: pay (00), fail (51, insufficient funds) and cancel (24).
- The choice redirects the browser to ``vnp_ReturnUrl`` with signed result parameters and calls the
  merchant's IPN URL server to server (a real signed GET, as VNPAY does).
- ``POST /merchant_webapi/api/transaction`` answers ``querydr`` and ``refund`` with a signed JSON
  body. A refund needs a successful order and at most what is left to refund (a full refund,
  type 02, exactly that); a request id seen before answers 94.
- ``GET|POST /merchants/<tmn_code>`` shows or sets a merchant's IPN URL and IPN mode: ``send``
  (default), ``twice`` (a duplicate IPN), ``skip`` (the IPN never arrives: querydr must find it).

Merchants come from the environment, like the platform reads them: ``VNPAY_TMN_CODE`` and
``VNPAY_HASH_SECRET`` (with the same demo defaults), ``VNPAY_SIM_IPN_URL`` (default: the origin of the
return URL + ``/thanh-toan/vnpay/ipn/``). Signing is written here independently of the platform's
provider module, so a bug on one side shows up as a rejected signature on the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import itertools
import json
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode, urlsplit
from zoneinfo import ZoneInfo

import requests
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from chinhquyenso.simulators._common import RoutedApp

DEFAULT_TMN_CODE = "CQSDEMO1"
DEFAULT_HASH_SECRET = "sim-vnpay-hash-secret-0123456789"
DEFAULT_IPN_PATH = "/thanh-toan/vnpay/ipn/"
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")

OUTCOMES = {  # button → (vnp_ResponseCode, vnp_TransactionStatus)
    "success": ("00", "00"),
    "fail": ("51", "02"),
    "cancel": ("24", "02"),
}


def _enc(value: str) -> str:
    # PHP urlencode: only A-Z a-z 0-9 - _ . stay as they are, space becomes "+".
    return quote_plus(value, safe="").replace("~", "%7E")


def _sign(params: dict[str, str], secret: str) -> str:
    data = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items())
                    if v != "" and k not in ("vnp_SecureHash", "vnp_SecureHashType"))
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


QUERYDR_FIELDS = ["vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                  "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo"]
REFUND_FIELDS = ["vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
                 "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
                 "vnp_IpAddr", "vnp_OrderInfo"]


def _pipe(secret: str, values: list) -> str:
    return hmac.new(secret.encode(), "|".join("" if v is None else str(v) for v in values).encode(),
                    hashlib.sha512).hexdigest()


@dataclass
class Merchant:
    tmn_code: str
    secret: str
    ipn_url: str = ""
    ipn_mode: str = "send"


@dataclass
class Txn:
    params: dict[str, str]
    merchant: Merchant
    status: str = "01"  # 01 not finished, 00 success, 02 failed
    response_code: str = ""
    transaction_no: str = ""
    pay_date: str = ""
    ipn_log: list[dict] = field(default_factory=list)
    refunded: int = 0  # in the gateway's unit (VND × 100)
    refunds: list[dict] = field(default_factory=list)

    @property
    def txn_ref(self) -> str:
        return self.params["vnp_TxnRef"]


class Gateway(RoutedApp):
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.lock = threading.Lock()
        code = os.environ.get("VNPAY_TMN_CODE") or DEFAULT_TMN_CODE
        secret = os.environ.get("VNPAY_HASH_SECRET") or DEFAULT_HASH_SECRET
        self.merchants = {code: Merchant(code, secret, os.environ.get("VNPAY_SIM_IPN_URL", ""))}
        self.txns: dict[tuple[str, str], Txn] = {}
        self.numbers = itertools.count(14_000_001)
        self.request_ids: set[str] = set()
        self.url_map = Map([
            Rule("/", endpoint="index"),
            Rule("/paymentv2/vpcpay.html", endpoint="pay_page"),
            Rule("/paymentv2/confirm", endpoint="confirm", methods=["POST"]),
            Rule("/merchant_webapi/api/transaction", endpoint="api", methods=["POST"]),
            Rule("/merchants/<tmn_code>", endpoint="merchant", methods=["GET", "POST"]),
        ])

    # --- pages ---------------------------------------------------------------------------------

    def page(self, title: str, body: str, status: int = 200) -> Response:
        doc = (f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
               "<meta name='viewport' content='width=device-width, initial-scale=1'>"
               f"<title>{html.escape(title)}</title>"
               "<style>body{font-family:sans-serif;max-width:34rem;margin:1rem auto;padding:0 1rem;color:#222}"
               "h1{color:#005baa;font-size:1.4rem}button{font-size:1rem;padding:.7rem 1rem;margin:.3rem 0;width:100%;"
               "border-radius:.4rem;border:1px solid #005baa;background:#fff;cursor:pointer}"
               "button.ok{background:#005baa;color:#fff}dt{font-weight:bold}dd{margin:0 0 .6rem}"
               ".note{background:#fff7e0;padding:.5rem;border-radius:.3rem;font-size:.9rem}</style></head>"
               f"<body><p class='note'>Cổng thanh toán VNPAY <strong>giả lập</strong> — không có giao dịch thật.</p>"
               f"<h1>{html.escape(title)}</h1>{body}</body></html>")
        return Response(doc, status=status, mimetype="text/html")

    def on_index(self, request: Request) -> Response:
        rows = "".join(f"<li><code>{html.escape(t.txn_ref)}</code> {int(t.params['vnp_Amount']) // 100:,} đ — "
                       f"{html.escape(t.status)} {html.escape(t.response_code)} · IPN: "
                       f"{html.escape(json.dumps(t.ipn_log[-1:], ensure_ascii=False))}"
                       f"{f' · đã hoàn {t.refunded // 100:,} đ' if t.refunded else ''}</li>"
                       for t in list(self.txns.values())[-50:])
        return self.page("Giao dịch (giả lập VNPAY)", f"<ul>{rows or '<li>Chưa có giao dịch.</li>'}</ul>")

    def on_pay_page(self, request: Request) -> Response:
        params = request.args.to_dict()
        merchant = self.merchants.get(params.get("vnp_TmnCode", ""))
        if merchant is None:
            return self.page("Lỗi", "<p>Website chưa được phê duyệt (mã 02: sai vnp_TmnCode).</p>", 400)
        expected = _sign(params, merchant.secret)
        if not hmac.compare_digest(params.get("vnp_SecureHash", "").lower(), expected):
            return self.page("Lỗi", "<p>Sai chữ ký (mã 70).</p>", 400)
        missing = [k for k in ("vnp_Amount", "vnp_TxnRef", "vnp_ReturnUrl", "vnp_OrderInfo", "vnp_CreateDate")
                   if not params.get(k)]
        if missing or params.get("vnp_Version") != "2.1.0" or params.get("vnp_Command") != "pay":
            return self.page("Lỗi", f"<p>Tham số không hợp lệ: {html.escape(', '.join(missing) or 'version')}.</p>",
                             400)
        key = (merchant.tmn_code, params["vnp_TxnRef"])
        with self.lock:
            txn = self.txns.get(key)
            if txn is not None and txn.status != "01":
                return self.page("Lỗi", "<p>Giao dịch đã được xử lý (trùng vnp_TxnRef).</p>", 400)
            self.txns[key] = txn or Txn(params=params, merchant=merchant)
        amount = int(params["vnp_Amount"]) // 100
        token = html.escape(f"{merchant.tmn_code}:{params['vnp_TxnRef']}")
        body = (
            "<dl>"
            f"<dt>Đơn hàng</dt><dd data-testid='sim-order'>{html.escape(params['vnp_TxnRef'])}</dd>"
            f"<dt>Nội dung</dt><dd>{html.escape(params['vnp_OrderInfo'])}</dd>"
            f"<dt>Số tiền</dt><dd data-testid='sim-amount'>{amount:,} VND</dd></dl>".replace(",", ".")
            + "<form method='post' action='confirm'>"
            f"<input type='hidden' name='token' value='{token}'>"
            "<button class='ok' name='outcome' value='success' data-testid='sim-success'>"
            "Thanh toán thành công</button>"
            "<button name='outcome' value='fail' data-testid='sim-fail'>"
            "Thất bại: tài khoản không đủ số dư (51)</button>"
            "<button name='outcome' value='cancel' data-testid='sim-cancel'>Hủy giao dịch (24)</button>"
            "</form>"
        )
        return self.page("Thanh toán qua VNPAY", body)

    def _result_params(self, txn: Txn) -> dict[str, str]:
        p = txn.params
        result = {
            "vnp_Amount": p["vnp_Amount"], "vnp_BankCode": p.get("vnp_BankCode") or "NCB",
            "vnp_BankTranNo": f"VNP{txn.transaction_no}" if txn.status == "00" else "",
            "vnp_CardType": "ATM", "vnp_OrderInfo": p["vnp_OrderInfo"], "vnp_PayDate": txn.pay_date,
            "vnp_ResponseCode": txn.response_code, "vnp_TmnCode": txn.merchant.tmn_code,
            "vnp_TransactionNo": txn.transaction_no if txn.status == "00" else "0",
            "vnp_TransactionStatus": txn.status, "vnp_TxnRef": p["vnp_TxnRef"],
        }
        result = {k: v for k, v in result.items() if v != ""}
        result["vnp_SecureHash"] = _sign(result, txn.merchant.secret)
        return result

    def _ipn_url(self, txn: Txn) -> str:
        if txn.merchant.ipn_url:
            return txn.merchant.ipn_url
        parts = urlsplit(txn.params["vnp_ReturnUrl"])
        return f"{parts.scheme}://{parts.netloc}{DEFAULT_IPN_PATH}"

    def send_ipn(self, txn: Txn) -> dict:
        params = self._result_params(txn)
        try:
            response = requests.get(self._ipn_url(txn), params=params, timeout=10)
            reply = response.json()
        except (requests.RequestException, ValueError) as exc:
            reply = {"error": str(exc)}
        txn.ipn_log.append(reply)
        return reply

    def on_confirm(self, request: Request) -> Response:
        tmn_code, _, txn_ref = request.form.get("token", "").partition(":")
        outcome = request.form.get("outcome", "")
        with self.lock:
            txn = self.txns.get((tmn_code, txn_ref))
            if txn is None or outcome not in OUTCOMES:
                raise NotFound()
            if txn.status == "01":
                txn.response_code, txn.status = OUTCOMES[outcome]
                txn.transaction_no = str(next(self.numbers))
                txn.pay_date = dt.datetime.now(tz=GMT7).strftime("%Y%m%d%H%M%S")
        mode = txn.merchant.ipn_mode
        if mode in ("send", "twice"):
            self.send_ipn(txn)
        if mode == "twice":
            self.send_ipn(txn)
        return redirect(f"{txn.params['vnp_ReturnUrl']}?{urlencode(self._result_params(txn))}", code=302)

    def on_api(self, request: Request) -> Response:
        """``querydr`` and ``refund``, each checked against its own signed field list."""
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return Response(json.dumps({"vnp_ResponseCode": "03", "vnp_Message": "Invalid format"}),
                            status=400, mimetype="application/json")
        command = body.get("vnp_Command")
        merchant = self.merchants.get(body.get("vnp_TmnCode", ""))
        fields = REFUND_FIELDS if command == "refund" else QUERYDR_FIELDS
        if merchant is None:
            return self._api_reply(None, body, "02", "Merchant is not valid", None)
        if not hmac.compare_digest(str(body.get("vnp_SecureHash", "")).lower(),
                                   _pipe(merchant.secret, [body.get(f) for f in fields])):
            return self._api_reply(merchant, body, "97", "Invalid checksum", None)
        if command not in ("querydr", "refund"):
            return self._api_reply(merchant, body, "99", "Unsupported command", None)
        txn = self.txns.get((merchant.tmn_code, str(body.get("vnp_TxnRef", ""))))
        if txn is None:
            return self._api_reply(merchant, body, "91", "Transaction not found", None)
        if command == "querydr":
            return self._api_reply(merchant, body, "00", "QueryDR Success", txn)
        return self._refund(merchant, body, txn)

    def _refund(self, merchant, body, txn) -> Response:
        with self.lock:
            request_id = str(body.get("vnp_RequestId", ""))
            if request_id in self.request_ids:
                return self._api_reply(merchant, body, "94", "Duplicate request", txn)
            self.request_ids.add(request_id)
            if txn.status != "00":
                return self._api_reply(merchant, body, "95", "Transaction was not successful", txn)
            amount = str(body.get("vnp_Amount", ""))
            paid = int(txn.params["vnp_Amount"])
            if not amount.isdigit() or not 0 < int(amount) <= paid - txn.refunded:
                return self._api_reply(merchant, body, "03", "Refund amount is not valid", txn)
            if body.get("vnp_TransactionType") == "02" and int(amount) != paid - txn.refunded:
                return self._api_reply(merchant, body, "03", "A full refund must return the whole amount", txn)
            txn.refunded += int(amount)
            txn.refunds.append({"amount": int(amount) // 100, "by": body.get("vnp_CreateBy", "")})
        return self._api_reply(merchant, body, "00", "Refund success", txn)

    def _api_reply(self, merchant, body, code, message, txn) -> Response:
        refund = body.get("vnp_Command") == "refund"
        reply = {
            "vnp_ResponseId": os.urandom(8).hex(), "vnp_Command": "refund" if refund else "querydr",
            "vnp_ResponseCode": code, "vnp_Message": message, "vnp_TmnCode": body.get("vnp_TmnCode", ""),
            "vnp_TxnRef": body.get("vnp_TxnRef", ""),
            "vnp_Amount": (body.get("vnp_Amount", "") if refund else txn.params["vnp_Amount"] if txn else ""),
            "vnp_BankCode": "NCB" if txn else "",
            "vnp_PayDate": txn.pay_date if txn else "", "vnp_TransactionNo": txn.transaction_no if txn else "",
            "vnp_TransactionType": (body.get("vnp_TransactionType", "") if refund else "01" if txn else ""),
            # 05: VNPAY is processing the refund (it reaches the card in some working days).
            "vnp_TransactionStatus": ("05" if code == "00" else "") if refund else (txn.status if txn else ""),
            "vnp_OrderInfo": (body.get("vnp_OrderInfo", "") if refund
                              else txn.params["vnp_OrderInfo"] if txn else ""),
        }
        if not refund:
            reply.update({"vnp_PromotionCode": "", "vnp_PromotionAmount": ""})
        if merchant is not None:
            reply["vnp_SecureHash"] = _pipe(merchant.secret, list(reply.values()))
        return Response(json.dumps(reply), mimetype="application/json")

    def on_merchant(self, request: Request, tmn_code: str) -> Response:
        merchant = self.merchants.get(tmn_code)
        if merchant is None:
            raise NotFound()
        if request.method == "POST":
            data = request.get_json(silent=True) or request.form.to_dict()
            if "ipn_url" in data:
                merchant.ipn_url = data["ipn_url"]
            if data.get("ipn_mode") in ("send", "twice", "skip"):
                merchant.ipn_mode = data["ipn_mode"]
        return Response(json.dumps({"tmn_code": merchant.tmn_code, "ipn_url": merchant.ipn_url,
                                    "ipn_mode": merchant.ipn_mode}), mimetype="application/json")



def create_app(base_url: str) -> Gateway:
    return Gateway(base_url)
