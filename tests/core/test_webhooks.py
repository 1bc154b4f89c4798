"""Outgoing webhooks: signed POSTs to a real local receiver, retried through the outbox."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from chinhquyenso.core import webhooks
from chinhquyenso.core.events import event_record, outbox_deliver_due
from chinhquyenso.core.models import EventDelivery, WebhookEndpoint


class Receiver:
    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(autouse=True)
def _no_inprocess_subscribers(monkeypatch):
    from chinhquyenso.core import events

    monkeypatch.setattr(events, "_subscribers", {})


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.mark.django_db
def test_events_reach_the_endpoint_signed_and_without_internal_fields(receiver):
    WebhookEndpoint.objects.create(name="Cổng tỉnh", url=receiver.url, secret="bi-mat", event_types=["dossier.*"])
    event = event_record(event_type="dossier.submitted", aggregate_type="dossiers.dossier", aggregate_id="7",
                         payload={"code": "000.00.14.H57-261116-0001", "notify_user_ids": [3]})
    event_record(event_type="feedback.created", aggregate_type="x", aggregate_id="1")  # not subscribed
    assert outbox_deliver_due() == 1
    (headers, body), = receiver.requests
    assert headers["X-CQS-Signature"] == webhooks.sign("bi-mat", headers["X-CQS-Timestamp"], body)
    assert headers["X-CQS-Delivery"] == str(event.event_id)
    data = json.loads(body)
    assert data["event_type"] == "dossier.submitted" and data["payload"] == {"code": "000.00.14.H57-261116-0001"}


@pytest.mark.django_db
def test_a_failing_endpoint_is_retried_until_it_answers(receiver):
    WebhookEndpoint.objects.create(name="Cổng", url=receiver.url, secret="s", event_types=["*"])
    receiver.fail_next = 1
    event_record(event_type="dossier.received", aggregate_type="d", aggregate_id="1")
    assert outbox_deliver_due() == 0
    delivery = EventDelivery.objects.get()
    assert delivery.status == "pending" and "503" in delivery.last_error
    EventDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert outbox_deliver_due() == 1
    assert len(receiver.requests) == 2
    assert receiver.requests[0][0]["X-CQS-Delivery"] == receiver.requests[1][0]["X-CQS-Delivery"]


@pytest.mark.django_db
def test_an_endpoint_limited_to_a_unit_gets_only_that_units_events(receiver, locality, units):
    WebhookEndpoint.objects.create(name="Xã", url=receiver.url, secret="s", event_types=["*"],
                                   unit_path=units.quang_tho.path)
    event_record(event_type="dossier.received", unit=units.quang_phu)
    event_record(event_type="dossier.received", unit=units.quang_tho)
    assert outbox_deliver_due() == 1 and len(receiver.requests) == 1
