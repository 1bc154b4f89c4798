"""Delivery-report webhooks: only correctly signed, fresh reports change anything."""

from __future__ import annotations

import json
import time

import pytest

from chinhquyenso.notifications.constants import Channel, Status
from chinhquyenso.notifications.models import Notification
from chinhquyenso.notifications.webhooks import sms_signature, zalo_signature
from tests.notifications.conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_sms():
    user = register()
    return Notification.objects.create(recipient=user, channel=Channel.SMS, body="x", address="0912345678",
                                       status=Status.SENT, provider_message_id="SMS1")


def _sms_post(client, body: dict, *, secret: str, timestamp: int | None = None):
    raw = json.dumps(body).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return client.post("/thong-bao/webhook/sms/", data=raw, content_type="application/json",
                       headers={"X-Sms-Timestamp": ts, "X-Sms-Signature": sms_signature(secret, ts, raw)})


def _report(n, status="DELIVERED"):
    return {"message_id": n.provider_message_id, "client_message_id": str(n.public_id), "phone": "84912345678",
            "status": status, "error_code": 0, "done_at": "2026-03-02T08:15:00+07:00"}


def test_a_signed_sms_delivery_report_marks_the_message_delivered(client, settings, sent_sms):
    response = _sms_post(client, _report(sent_sms), secret=settings.SMS_WEBHOOK_SECRET)
    assert response.status_code == 200 and response.json()["matched"] is True
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.DELIVERED
    assert sent_sms.delivered_at.isoformat() == "2026-03-02T01:15:00+00:00"


@pytest.mark.parametrize("case", ["wrong_secret", "stale", "unsigned", "tampered"])
def test_a_badly_signed_sms_report_is_refused_and_changes_nothing(client, settings, sent_sms, case):
    body = _report(sent_sms)
    if case == "wrong_secret":
        response = _sms_post(client, body, secret="not-the-secret")
    elif case == "stale":  # a captured report replayed ten minutes later
        response = _sms_post(client, body, secret=settings.SMS_WEBHOOK_SECRET, timestamp=int(time.time()) - 600)
    elif case == "unsigned":
        response = client.post("/thong-bao/webhook/sms/", data=body, content_type="application/json")
    else:
        raw = json.dumps(body).encode()
        ts = str(int(time.time()))
        response = client.post("/thong-bao/webhook/sms/", data=raw.replace(b"DELIVERED", b"FAILED"),
                               content_type="application/json",
                               headers={"X-Sms-Timestamp": ts,
                                        "X-Sms-Signature": sms_signature(settings.SMS_WEBHOOK_SECRET, ts, raw)})
    assert response.status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.SENT and sent_sms.delivered_at is None


def test_without_a_configured_secret_every_report_is_refused(client, settings, sent_sms):
    settings.SMS_WEBHOOK_SECRET = ""
    assert _sms_post(client, _report(sent_sms), secret="").status_code == 403


def test_an_undeliverable_report_marks_the_message_failed_with_the_reason(client, settings, sent_sms):
    body = {**_report(sent_sms, "FAILED"), "error_code": 6}
    assert _sms_post(client, body, secret=settings.SMS_WEBHOOK_SECRET).status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.FAILED and "[6] FAILED" in sent_sms.error


def test_a_report_for_an_unknown_message_is_acknowledged_but_ignored(client, settings, sent_sms):
    body = {**_report(sent_sms), "client_message_id": "", "message_id": "SMS-UNKNOWN"}
    response = _sms_post(client, body, secret=settings.SMS_WEBHOOK_SECRET)
    assert response.status_code == 200 and response.json()["matched"] is False


def test_a_delivered_message_stays_delivered_when_a_late_failure_report_arrives(client, settings, sent_sms):
    _sms_post(client, _report(sent_sms), secret=settings.SMS_WEBHOOK_SECRET)
    _sms_post(client, _report(sent_sms, "FAILED"), secret=settings.SMS_WEBHOOK_SECRET)
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.DELIVERED


def _zalo_event(n, app_id):
    ts = str(int(time.time() * 1000))
    return {"app_id": app_id, "event_name": "user_received_message", "sender": {"id": "oa"},
            "recipient": {"id": "u"}, "message": {"msg_id": "z1", "delivery_time": ts,
                                                   "tracking_id": str(n.public_id)}, "timestamp": ts}


@pytest.fixture
def sent_zalo():
    user = register()
    return Notification.objects.create(recipient=user, channel=Channel.ZALO, body="x", address="0912345678",
                                       status=Status.SENT, provider_message_id="z1")


def test_a_zalo_event_with_zalos_mac_marks_the_message_delivered(client, settings, sent_zalo):
    body = json.dumps(_zalo_event(sent_zalo, settings.ZALO_APP_ID)).encode()
    ts = json.loads(body)["timestamp"]
    mac = zalo_signature(settings.ZALO_APP_ID, body, ts, settings.ZALO_OA_SECRET_KEY)
    response = client.post("/thong-bao/webhook/zalo/", data=body, content_type="application/json",
                           headers={"X-ZEvent-Signature": mac})
    assert response.status_code == 200
    sent_zalo.refresh_from_db()
    assert sent_zalo.status == Status.DELIVERED


@pytest.mark.parametrize("case", ["bad_mac", "other_app"])
def test_a_zalo_event_with_a_bad_mac_or_another_app_is_refused(client, settings, sent_zalo, case):
    app_id = settings.ZALO_APP_ID if case == "bad_mac" else "another-app"
    body = json.dumps(_zalo_event(sent_zalo, app_id)).encode()
    ts = json.loads(body)["timestamp"]
    secret = "wrong" if case == "bad_mac" else settings.ZALO_OA_SECRET_KEY
    response = client.post("/thong-bao/webhook/zalo/", data=body, content_type="application/json",
                           headers={"X-ZEvent-Signature": zalo_signature(app_id, body, ts, secret)})
    assert response.status_code == 403
    sent_zalo.refresh_from_db()
    assert sent_zalo.status == Status.SENT


def test_webhooks_accept_only_post(client):
    assert client.get("/thong-bao/webhook/sms/").status_code == 405
