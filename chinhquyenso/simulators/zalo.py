"""A Zalo Notification Service (ZNS) simulator: "send template message" and the delivery webhook.

``POST /message/template`` with header ``access_token`` and JSON
``{"phone", "template_id", "template_data", "tracking_id"}``, answered like the Zalo Business
OpenAPI: HTTP 200 with ``{"error": 0, "message": "Success", "data": {"msg_id", "sent_time",
"sending_mode", "quota": {"dailyQuota", "remainingQuota"}}}`` or a negative ``error`` (-124 access
token invalid, -108 phone invalid, -109 template id invalid, -111 template data empty, -112
template data invalid, -118 Zalo account not existed, -100 unknown error).

Approved templates are the ``zalo`` entries of every ``<app>/notification_templates.json`` (as if
Zalo had approved what we registered): their parameter names, and maximum lengths from
``zns_param_max`` (30 characters when not given). More can be registered with
``POST /sim/templates`` ``{"template_id": "…", "params": {"name": max_length}}``.

After accepting a message the simulator posts the ``user_received_message`` event to the OA's
webhook (``ZALO_SIM_WEBHOOK_URL``, else ``SITE_URL`` + ``/thong-bao/webhook/zalo/``), signed with
``X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret key)``.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

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
PHONE = re.compile(r"^(84|0)[35789]\d{8}$")
DEFAULT_PARAM_MAX = 30
ERRORS = {
    -100: "Unknown error",
    -108: "Phone number invalid",
    -109: "Template ID invalid",
    -111: "Template data empty",
    -112: "Template data invalid",
    -118: "Zalo account not existed",
    -124: "Access token invalid",
}


def approved_templates_from_data_files() -> dict[str, dict[str, int]]:
    root = Path(__file__).resolve().parent.parent
    approved: dict[str, dict[str, int]] = {}
    for path in sorted(root.glob("*/notification_templates.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8")).get("notification_templates", [])
        except (ValueError, AttributeError):
            continue
        for entry in entries:
            if entry.get("channel") == "zalo" and entry.get("provider_template_id"):
                limits = entry.get("zns_param_max") or {}
                approved[str(entry["provider_template_id"])] = {
                    name: int(limits.get(name, DEFAULT_PARAM_MAX)) for name in entry.get("provider_params") or {}
                }
    return approved


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()).hexdigest()


class ZnsSimulator(RoutedApp):
    def __init__(self, base_url: str, *, access_token: str | None, delay: float | None, daily_quota: int = 500):
        self.base_url = base_url
        self._access_token, self._delay, self.daily_quota = access_token, delay, daily_quota
        self.lock = threading.Lock()
        self.reset()
        self.url_map = Map([
            Rule("/", endpoint="page", methods=["GET"]),
            Rule("/message/template", endpoint="send", methods=["POST"]),
            Rule("/api/messages", endpoint="messages", methods=["GET"]),
            Rule("/sim/templates", endpoint="templates", methods=["GET", "POST"]),
            Rule("/sim/faults", endpoint="faults", methods=["POST"]),
            Rule("/sim/reset", endpoint="reset", methods=["POST"]),
        ])

    @property
    def access_token(self) -> str:
        return self._access_token or setting("ZALO_ACCESS_TOKEN", "sim-zalo-token")

    @property
    def webhook_url(self) -> str:
        return setting("ZALO_SIM_WEBHOOK_URL", "") or f"{setting('SITE_URL', 'http://127.0.0.1:8000')}/thong-bao/webhook/zalo/"

    def reset(self) -> None:
        self.messages: list[dict] = []
        self.requests: list[dict] = []  # every request body as received, for protocol checks
        self.templates = approved_templates_from_data_files()
        self.remaining = self.daily_quota
        self.fail_next = 0
        self.no_account: set[str] = set()

    def not_found(self, request: Request) -> Response:
        return json_response({"error": -106, "message": "Method unsupported"}, 404)

    @staticmethod
    def _error(code: int) -> Response:
        # Zalo answers errors with HTTP 200 and a negative "error" in the body.
        return json_response({"error": code, "message": ERRORS[code]})

    def on_send(self, request: Request) -> Response:
        raw = request.get_data()
        with self.lock:
            self.requests.append({"headers": {"access_token": request.headers.get("access_token", ""),
                                              "content_type": request.headers.get("Content-Type", "")},
                                  "body": raw.decode("utf-8", "replace")})
            del self.requests[:-1000]
            if self.fail_next > 0:
                self.fail_next -= 1
                return self._error(-100)
        if request.headers.get("access_token", "") != self.access_token:
            return self._error(-124)
        try:
            data = json.loads(raw or b"")
            phone = str(data.get("phone", ""))
            template_id = str(data.get("template_id", ""))
            template_data = data.get("template_data")
            tracking_id = str(data.get("tracking_id", ""))
        except (ValueError, AttributeError):
            return self._error(-112)
        if not PHONE.match(phone):
            return self._error(-108)
        params = self.templates.get(template_id)
        if params is None:
            return self._error(-109)
        if not template_data:
            return self._error(-111)
        if not isinstance(template_data, dict) or set(template_data) != set(params) or any(
            not isinstance(v, str | int | float) or len(str(v)) > params[k] for k, v in template_data.items()
        ):
            return self._error(-112)
        international = "84" + phone[1:] if phone.startswith("0") else phone
        if international in self.no_account:
            return self._error(-118)
        now_ms = int(time.time() * 1000)
        with self.lock:
            self.remaining -= 1
            record = {
                "msg_id": uuid.uuid4().hex,
                "phone": international,
                "template_id": template_id,
                "template_data": template_data,
                "tracking_id": tracking_id,
                "sent_time": str(now_ms),
                "received_at": datetime.now(ICT).isoformat(timespec="seconds"),
                "status": "SENT",
                "callback": None,
            }
            self.messages.append(record)
            del self.messages[:-1000]
            remaining = self.remaining
        self._report(record)
        return json_response({"error": 0, "message": "Success", "data": {
            "msg_id": record["msg_id"], "sent_time": record["sent_time"], "sending_mode": "1",
            "quota": {"dailyQuota": str(self.daily_quota), "remainingQuota": str(remaining)},
        }})

    def _report(self, record: dict) -> None:
        app_id = setting("ZALO_APP_ID", "sim-zalo-app")
        oa_secret = setting("ZALO_OA_SECRET_KEY", "sim-zalo-oa-secret")
        timestamp = str(int(time.time() * 1000))
        body = json.dumps({
            "app_id": app_id,
            "event_name": "user_received_message",
            "sender": {"id": "sim-oa"},
            "recipient": {"id": hashlib.sha256(record["phone"].encode()).hexdigest()[:18]},
            "message": {"msg_id": record["msg_id"], "delivery_time": timestamp, "tracking_id": record["tracking_id"]},
            "timestamp": timestamp,
        }).encode()
        record["status"] = "DELIVERED"
        post_with_retries(self.webhook_url, body,
                          lambda payload: {"X-ZEvent-Signature": signature(app_id, payload, timestamp, oa_secret)},
                          record=record, delay=dlr_delay(self._delay))

    def on_messages(self, request: Request) -> Response:
        with self.lock:
            items = [{k: v for k, v in m.items() if not k.startswith("_")} for m in reversed(self.messages)]
            raw = list(self.requests)
        return json_response({"messages": items, "requests": raw})

    def on_templates(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                data = json.loads(request.get_data() or b"{}")
                self.templates[str(data["template_id"])] = {k: int(v) for k, v in data["params"].items()}
            except (ValueError, KeyError, TypeError, AttributeError):
                return self._error(-112)
        return json_response({"templates": self.templates})

    def on_faults(self, request: Request) -> Response:
        try:
            data = json.loads(request.get_data() or b"{}")
        except ValueError:
            return self._error(-112)
        with self.lock:
            self.fail_next = int(data.get("fail_next", self.fail_next))
            self.no_account |= {str(p) for p in data.get("no_account", [])}
        return json_response({"ok": True})

    def on_reset(self, request: Request) -> Response:
        with self.lock:
            self.reset()
        return json_response({"ok": True})

    def on_page(self, request: Request) -> Response:
        from chinhquyenso.core.masking import mask_phone

        with self.lock:
            rows = list(reversed(self.messages))
        body_rows = "".join(
            "<tr>"
            f"<td>{html.escape(m['received_at'])}</td><td>{html.escape(mask_phone('0' + m['phone'][2:]))}</td>"
            f"<td><code>{html.escape(m['template_id'])}</code></td>"
            f"<td><code>{html.escape(json.dumps(m['template_data'], ensure_ascii=False))}</code></td>"
            f"<td><code>{html.escape(m['msg_id'])}</code></td><td>{html.escape(m['status'])}</td>"
            f"<td>{html.escape(json.dumps(m['callback'], ensure_ascii=False)) if m['callback'] else '—'}</td>"
            "</tr>"
            for m in rows
        )
        table = (
            f"<p>Tin ZNS mà hệ thống đã gửi, mới nhất ở trên. Hạn mức còn lại hôm nay: {self.remaining}/"
            f"{self.daily_quota}. JSON: <a href='{html.escape(self.base_url)}/api/messages'>/api/messages</a>.</p>"
            "<table><caption>Tin đã nhận</caption><thead><tr><th scope='col'>Thời điểm</th>"
            "<th scope='col'>Số điện thoại</th><th scope='col'>Mã mẫu</th><th scope='col'>Tham số</th>"
            "<th scope='col'>msg_id</th><th scope='col'>Trạng thái</th><th scope='col'>Webhook</th></tr></thead>"
            f"<tbody>{body_rows or '<tr><td colspan=7>Chưa có tin nào.</td></tr>'}</tbody></table>"
        )
        return html_page("Zalo Notification Service (giả lập)", table)


def create_app(base_url: str, *, access_token: str | None = None, delay: float | None = None):
    return ZnsSimulator(base_url, access_token=access_token, delay=delay)
