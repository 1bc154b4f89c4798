"""A brandname-SMS gateway simulator speaking the protocol of ``notifications.providers.sms``.

``POST /api/send`` (header ``X-Api-Key``; JSON ``phone, brandname, content, client_message_id,
unicode, callback_url``) is checked the way a Vietnamese gateway checks it: key, registered
brandname, a Vietnamese mobile number, content length in segments (GSM-7: 160, or 153 a part
when split; UCS-2: 70 / 67; at most four parts), accented text only with ``unicode`` on, and
``client_message_id`` unique (a repeat answers code 124 with the first message id). Accepted
messages are kept in memory, listed at ``/`` (Vietnamese HTML) and ``/api/messages`` (JSON), and a
signed delivery report is POSTed to ``callback_url`` shortly after, retried on failure.

Test hooks: ``POST /sim/faults`` (``{"fail_next": n, "http_status": 503, "code": 99}`` refuses the
next n requests; ``{"dlr_failed_next": n}`` reports the next n messages undeliverable) and
``POST /sim/reset``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import math
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import phonenumbers
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from chinhquyenso.simulators._common import (
    RoutedApp,
    dlr_delay,
    html_page,
    json_response,
    post_with_retries,
    setting,
)

ICT = timezone(timedelta(hours=7))
MAX_PARTS = 4
# GSM 03.38 basic character set, and the extension table (each extension character costs two).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")
MAX_CLIENT_ID = 64

ERRORS = {
    99: "Hệ thống đang bận, vui lòng thử lại sau",
    101: "API key không đúng",
    103: "Vượt quá tốc độ gửi cho phép",
    104: "Brandname chưa được đăng ký cho tài khoản",
    108: "Số điện thoại không đúng định dạng hoặc không phải số di động Việt Nam",
    110: "Dữ liệu yêu cầu không hợp lệ",
    113: "Nội dung vượt quá độ dài cho phép",
    114: "Nội dung có ký tự ngoài bảng mã GSM (có dấu) khi không bật unicode",
    124: "Trùng client_message_id",
}


def segments(content: str, *, unicode: bool) -> tuple[int, int]:
    """(parts, limit): how many SMS parts the content takes, and the maximum length allowed."""
    if unicode:
        length = len(content.encode("utf-16-be")) // 2
        single, multi = 70, 67
    else:
        length = sum(2 if c in GSM_EXTENSION else 1 for c in content)
        single, multi = 160, 153
    parts = 1 if length <= single else math.ceil(length / multi)
    return parts, (single if parts == 1 else multi * MAX_PARTS)


def is_gsm7(content: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in content)


def is_vn_mobile(phone: str) -> bool:
    national = phone.startswith("0") and len(phone) == 10
    international = phone.startswith("84") and len(phone) == 11
    if not phone.isdigit() or not (national or international):
        return False
    try:
        parsed = phonenumbers.parse(phone if phone.startswith("0") else f"+{phone}", "VN")
    except phonenumbers.NumberParseException:
        return False
    return parsed.country_code == 84 and phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def display_phone(phone: str) -> str:
    """Masked, in the national form people read: ``84912345678`` → ``091****678``."""
    from chinhquyenso.core.masking import mask_phone

    return mask_phone("0" + phone[2:] if phone.startswith("84") else phone)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class SmsGateway(RoutedApp):
    def __init__(self, base_url: str, *, api_key: str | None, brandnames: list[str] | None, secret: str | None,
                 delay: float | None):
        self.base_url = base_url
        self._api_key, self._brandnames, self._secret, self._delay = api_key, brandnames, secret, delay
        self.lock = threading.Lock()
        self.reset()
        self.url_map = Map([
            Rule("/", endpoint="page", methods=["GET"]),
            Rule("/api/send", endpoint="send", methods=["POST"]),
            Rule("/api/messages", endpoint="messages", methods=["GET"]),
            Rule("/sim/faults", endpoint="faults", methods=["POST"]),
            Rule("/sim/reset", endpoint="reset", methods=["POST"]),
        ])

    # Configuration is read when used, so tests can change settings after the server started.
    @property
    def api_key(self) -> str:
        return self._api_key or setting("SMS_API_KEY", "sim-sms-key")

    @property
    def brandnames(self) -> list[str]:
        return self._brandnames or [setting("SMS_BRANDNAME", "CHINHQUYENSO")]

    @property
    def secret(self) -> str:
        return self._secret or setting("SMS_WEBHOOK_SECRET", "sim-sms-webhook-secret")

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.messages: list[dict] = []
            self.by_client_id: dict[str, dict] = {}
            self.requests = 0
            self.fail_next = 0
            self.fault = {"http_status": 503, "code": 99}
            self.dlr_failed_next = 0

    def not_found(self, request: Request) -> Response:
        return json_response({"code": 404, "message": "Không tìm thấy"}, 404)

    @staticmethod
    def _error(code: int, status: int, **extra) -> Response:
        return json_response({"code": code, "message": ERRORS[code], **extra}, status)

    def on_send(self, request: Request) -> Response:
        with self.lock:
            self.requests += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                code = int(self.fault.get("code", 99))
                return json_response({"code": code, "message": ERRORS.get(code, "Lỗi hệ thống")},
                                     int(self.fault.get("http_status", 503)))
        if not hmac.compare_digest(request.headers.get("X-Api-Key", ""), self.api_key):
            return self._error(101, 401)
        try:
            data = json.loads(request.get_data() or b"")
            phone = str(data["phone"]).strip()
            brandname = str(data["brandname"])
            content = str(data["content"])
            client_id = str(data["client_message_id"])
            unicode = bool(data.get("unicode", False))
            callback_url = str(data.get("callback_url") or setting("SMS_SIM_CALLBACK_URL", ""))
        except (ValueError, KeyError, TypeError):
            return self._error(110, 400)
        if not content.strip() or not client_id or len(client_id) > MAX_CLIENT_ID:
            return self._error(110, 400)
        if brandname not in self.brandnames:
            return self._error(104, 400)
        if not is_vn_mobile(phone):
            return self._error(108, 400)
        if not unicode and not is_gsm7(content):
            return self._error(114, 400)
        parts, limit = segments(content, unicode=unicode)
        if parts > MAX_PARTS:
            return self._error(113, 400, max_length=limit)
        with self.lock:
            previous = self.by_client_id.get(client_id)
            if previous is not None:
                return self._error(124, 409, message_id=previous["message_id"])
            failed = self.dlr_failed_next > 0
            self.dlr_failed_next -= 1 if failed else 0
            record = {
                "message_id": f"SMS{uuid.uuid4().hex[:16].upper()}",
                "client_message_id": client_id,
                "phone": phone,
                "brandname": brandname,
                "content": content,
                "unicode": unicode,
                "segments": parts,
                "received_at": datetime.now(ICT).isoformat(timespec="seconds"),
                "status": "ACCEPTED",
                "callback_url": callback_url,
                "callback": None,
                "_dlr_status": "FAILED" if failed else "DELIVERED",
            }
            self.messages.append(record)
            self.by_client_id[client_id] = record
            del self.messages[:-1000]
        if callback_url:
            self._report(record)
        return json_response({"code": 0, "message": "Thành công", "message_id": record["message_id"],
                              "client_message_id": client_id, "segments": parts})

    def _report(self, record: dict) -> None:
        status = record["_dlr_status"]
        record["status"] = status
        body = json.dumps({
            "message_id": record["message_id"],
            "client_message_id": record["client_message_id"],
            "phone": record["phone"],
            "status": status,
            "error_code": 0 if status == "DELIVERED" else 6,  # 6: subscriber unreachable
            "done_at": datetime.now(ICT).isoformat(timespec="seconds"),
        }, ensure_ascii=False).encode()

        def headers(payload: bytes) -> dict:
            timestamp = str(int(time.time()))
            return {"X-Sms-Timestamp": timestamp, "X-Sms-Signature": sign(self.secret, timestamp, payload)}

        post_with_retries(record["callback_url"], body, headers, record=record, delay=dlr_delay(self._delay))

    @staticmethod
    def _public(record: dict) -> dict:
        return {k: v for k, v in record.items() if not k.startswith("_")}

    def on_messages(self, request: Request) -> Response:
        with self.lock:
            items = [self._public(m) for m in reversed(self.messages)]
            count = self.requests
        return json_response({"messages": items, "requests": count})

    def on_faults(self, request: Request) -> Response:
        try:
            data = json.loads(request.get_data() or b"{}")
        except ValueError:
            return self._error(110, 400)
        with self.lock:
            self.fail_next = int(data.get("fail_next", self.fail_next))
            self.fault = {"http_status": int(data.get("http_status", 503)), "code": int(data.get("code", 99))}
            self.dlr_failed_next = int(data.get("dlr_failed_next", self.dlr_failed_next))
        return json_response({"ok": True})

    def on_reset(self, request: Request) -> Response:
        self.reset()
        return json_response({"ok": True})

    def on_page(self, request: Request) -> Response:
        with self.lock:
            rows = list(reversed(self.messages))
        body_rows = "".join(
            "<tr>"
            f"<td>{html.escape(m['received_at'])}</td><td>{html.escape(display_phone(m['phone']))}</td>"
            f"<td>{html.escape(m['brandname'])}</td><td>{html.escape(m['content'])}</td><td>{m['segments']}</td>"
            f"<td><code>{html.escape(m['message_id'])}</code></td>"
            f"<td class='{'ok' if m['status'] == 'DELIVERED' else 'err'}'>{html.escape(m['status'])}</td>"
            f"<td>{html.escape(json.dumps(m['callback'], ensure_ascii=False)) if m['callback'] else '—'}</td>"
            "</tr>"
            for m in rows
        )
        table = (
            "<p>Tin nhắn thương hiệu (brandname) mà hệ thống đã gửi qua tổng đài giả lập, mới nhất ở trên. "
            f"Dữ liệu dạng JSON: <a href='{html.escape(self.base_url)}/api/messages'>/api/messages</a>.</p>"
            "<table><caption>Tin đã nhận</caption><thead><tr><th scope='col'>Thời điểm</th>"
            "<th scope='col'>Số điện thoại</th><th scope='col'>Brandname</th><th scope='col'>Nội dung</th>"
            "<th scope='col'>Số phần</th><th scope='col'>Mã tin</th><th scope='col'>Trạng thái</th>"
            "<th scope='col'>Báo cáo chuyển phát (DLR)</th></tr></thead>"
            f"<tbody>{body_rows or '<tr><td colspan=8>Chưa có tin nhắn nào.</td></tr>'}</tbody></table>"
        )
        return html_page("Tổng đài SMS brandname (giả lập)", table)


def create_app(base_url: str, *, api_key: str | None = None, brandnames: list[str] | None = None,
               secret: str | None = None, delay: float | None = None):
    return SmsGateway(base_url, api_key=api_key, brandnames=brandnames, secret=secret, delay=delay)
