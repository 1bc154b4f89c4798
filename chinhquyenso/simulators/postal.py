"""A postal-operator simulator (bưu chính công ích) speaking the protocol of
``chinhquyenso.delivery.providers.postal``.

- ``POST /api/orders`` (Bearer ``POSTAL_API_KEY``) accepts a pickup or delivery order; the same
  ``order_code`` again returns the same parcel.
- ``GET /api/orders/<tracking_code>`` answers the parcel's status and events.
- ``GET /`` lists parcels with buttons that move one a step on (accepted → picked_up → in_transit →
  out_for_delivery → delivered) or send it back (returned); each move calls the order's
  ``callback_url`` with a signed webhook. ``POST /parcels/<code>/advance`` and ``…/return`` do the
  same for tests (JSON answer when asked for JSON).
- With ``POSTAL_SIM_AUTO_SECONDS`` > 0 a timer moves every parcel a step that often.
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
import time
import uuid
from dataclasses import dataclass, field

import requests
from werkzeug.exceptions import NotFound, Unauthorized
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from chinhquyenso.simulators._common import RoutedApp

DEFAULT_API_KEY = "sim-postal-key"
DEFAULT_WEBHOOK_SECRET = "sim-postal-webhook-secret"
STEPS = ["accepted", "picked_up", "in_transit", "out_for_delivery", "delivered"]
LABELS = {"accepted": "Đã nhận yêu cầu", "picked_up": "Đã nhận bưu gửi", "in_transit": "Đang vận chuyển",
          "out_for_delivery": "Đang phát", "delivered": "Đã phát thành công", "returned": "Chuyển hoàn"}
LOCATIONS = {"picked_up": "Bưu cục Quảng Điền", "in_transit": "Trung tâm khai thác Huế",
             "out_for_delivery": "Bưu cục phát", "delivered": "Địa chỉ người nhận", "returned": "Bưu cục Quảng Điền"}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass
class Parcel:
    tracking_code: str
    order: dict
    status: str = "accepted"
    events: list[dict] = field(default_factory=list)
    webhook_log: list[int] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.status in ("delivered", "returned")


class PostOffice(RoutedApp):
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.api_key = os.environ.get("POSTAL_API_KEY") or DEFAULT_API_KEY
        self.secret = os.environ.get("POSTAL_WEBHOOK_SECRET") or DEFAULT_WEBHOOK_SECRET
        self.parcels: dict[str, Parcel] = {}
        self.by_order: dict[str, str] = {}
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()
        self.url_map = Map([
            Rule("/", endpoint="index"),
            Rule("/api/orders", endpoint="create", methods=["POST"]),
            Rule("/api/orders/<code>", endpoint="show", methods=["GET"]),
            Rule("/parcels/<code>/advance", endpoint="advance", methods=["POST"]),
            Rule("/parcels/<code>/return", endpoint="send_back", methods=["POST"]),
        ])
        interval = float(os.environ.get("POSTAL_SIM_AUTO_SECONDS", "0") or 0)
        if interval > 0:
            threading.Thread(target=self._auto, args=(interval,), daemon=True).start()

    def _auto(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            for parcel in list(self.parcels.values()):
                if not parcel.final:
                    self.move(parcel, None)

    def _authorised(self, request: Request) -> None:
        if not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {self.api_key}"):
            raise Unauthorized()

    def move(self, parcel: Parcel, target: str | None) -> dict:
        with self.lock:
            if parcel.final:
                return parcel.events[-1]
            if target is None:
                target = STEPS[STEPS.index(parcel.status) + 1]
            parcel.status = target
            event = {"event_id": uuid.uuid4().hex, "tracking_code": parcel.tracking_code,
                     "order_code": parcel.order["order_code"], "status": target,
                     "occurred_at": dt.datetime.now(dt.UTC).isoformat(), "location": LOCATIONS.get(target, ""),
                     "note": LABELS[target]}
            parcel.events.append(event)
        self.notify(parcel, event)
        return event

    def notify(self, parcel: Parcel, event: dict) -> None:
        url = parcel.order.get("callback_url")
        if not url:
            return
        body = json.dumps(event).encode()
        timestamp = str(int(time.time()))
        try:
            response = requests.post(url, data=body, timeout=10, headers={
                "Content-Type": "application/json", "X-Postal-Timestamp": timestamp,
                "X-Postal-Signature": sign(self.secret, timestamp, body)})
            parcel.webhook_log.append(response.status_code)
        except requests.RequestException:
            parcel.webhook_log.append(0)

    def _json(self, data, status: int = 200) -> Response:
        return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")

    def _parcel(self, code: str) -> Parcel:
        parcel = self.parcels.get(code)
        if parcel is None:
            raise NotFound()
        return parcel

    def on_create(self, request: Request) -> Response:
        self._authorised(request)
        order = request.get_json(silent=True) or {}
        if not order.get("order_code") or order.get("service") not in ("pickup", "delivery"):
            return self._json({"error": "order_code and service (pickup|delivery) are required"}, 400)
        with self.lock:
            code = self.by_order.get(order["order_code"])
            if code is None:
                code = f"CA{next(self.numbers):09d}VN"
                first = {"status": "accepted", "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
                         "note": LABELS["accepted"]}
                self.parcels[code] = Parcel(code, order, events=[first])
                self.by_order[order["order_code"]] = code
        return self._json({"tracking_code": code, "status": self.parcels[code].status}, 201)

    def on_show(self, request: Request, code: str) -> Response:
        self._authorised(request)
        parcel = self._parcel(code)
        return self._json({"tracking_code": code, "order_code": parcel.order["order_code"], "status": parcel.status,
                           "events": parcel.events})

    def _moved(self, request: Request, event: dict) -> Response:
        if "application/json" in request.headers.get("Accept", ""):
            return self._json(event)
        return redirect("../../", code=303)

    def on_advance(self, request: Request, code: str) -> Response:
        return self._moved(request, self.move(self._parcel(code), None))

    def on_send_back(self, request: Request, code: str) -> Response:
        return self._moved(request, self.move(self._parcel(code), "returned"))

    def on_index(self, request: Request) -> Response:
        rows = []
        for p in list(self.parcels.values())[-100:]:
            buttons = "" if p.final else (
                f"<form method='post' action='parcels/{p.tracking_code}/advance' style='display:inline'>"
                f"<button data-testid='advance-{p.tracking_code}'>Bước tiếp</button></form> "
                f"<form method='post' action='parcels/{p.tracking_code}/return' style='display:inline'>"
                "<button>Chuyển hoàn</button></form>")
            rows.append(f"<tr><td><code>{html.escape(p.tracking_code)}</code></td>"
                        f"<td>{html.escape(p.order.get('service', ''))}</td>"
                        f"<td>{html.escape(p.order.get('receiver', {}).get('name', ''))}</td>"
                        f"<td>{html.escape(LABELS[p.status])}</td><td>{buttons}</td></tr>")
        table = ("<table border='1' cellpadding='4'><caption>Bưu gửi</caption><tr><th>Số hiệu</th><th>Dịch vụ</th>"
                 f"<th>Người nhận</th><th>Trạng thái</th><th></th></tr>{''.join(rows)}</table>")
        doc = ("<!doctype html><html lang='vi'><meta charset='utf-8'><title>Bưu chính (giả lập)</title>"
               "<h1>Bưu chính công ích — giả lập</h1>" + table + "</html>")
        return Response(doc, mimetype="text/html")



def create_app(base_url: str) -> PostOffice:
    return PostOffice(base_url)
