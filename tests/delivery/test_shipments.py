"""Shipments: postage invoice, dispatch when paid, signed tracking webhooks, timeline and events."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
import requests

from chinhquyenso.core.events import outbox_deliver_due
from chinhquyenso.core.models import AuditEvent, DomainEvent
from chinhquyenso.delivery.models import Shipment, ShipmentStatus
from chinhquyenso.delivery.providers.postal import webhook_signature
from chinhquyenso.delivery.selectors import shipment_timeline
from chinhquyenso.delivery.services import shipment_dispatch, shipment_track_update
from chinhquyenso.payments.models import Invoice
from chinhquyenso.payments.services import payment_record_desk
from chinhquyenso.simulators import server
from tests import factories


def _post_webhook(client, payload: dict, *, secret="test-postal-secret", timestamp=None):
    body = json.dumps(payload).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return client.post("/buu-chinh/webhook/", body, content_type="application/json",
                       HTTP_X_POSTAL_TIMESTAMP=ts, HTTP_X_POSTAL_SIGNATURE=webhook_signature(secret, ts, body))


def _event(shipment, status, n=1):
    return {"event_id": f"ev-{shipment.pk}-{status}-{n}", "tracking_code": shipment.tracking_code,
            "order_code": shipment.order_code, "status": status, "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            "location": "Bưu cục Quảng Điền", "note": ""}


@pytest.fixture
def dispatched(make_shipment):
    shipment = make_shipment(charge_postage=False)
    Shipment.objects.filter(pk=shipment.pk).update(tracking_code="CA000000001VN", status=ShipmentStatus.ACCEPTED)
    shipment.refresh_from_db()
    return shipment


@pytest.mark.django_db
def test_a_return_shipment_charges_postage_once(make_shipment, citizen):
    shipment = make_shipment(idempotency_key="dossier:9:return")
    again = make_shipment(idempotency_key="dossier:9:return")
    assert shipment.pk == again.pk
    invoice = Invoice.objects.get(pk=shipment.invoice_id)
    assert (invoice.kind, invoice.amount, invoice.payer) == ("postage", 22_000, citizen)
    assert invoice.subject_type == "dossiers.dossier" and invoice.subject_id == shipment.subject_id
    assert DomainEvent.objects.filter(event_type="delivery.shipment_created").count() == 1


@pytest.mark.django_db
def test_bad_signature_is_rejected_and_logged(client, dispatched, caplog):
    with caplog.at_level(logging.WARNING, logger="chinhquyenso.security"):
        response = _post_webhook(client, _event(dispatched, "delivered"), secret="wrong")
    assert response.status_code == 401
    dispatched.refresh_from_db()
    assert dispatched.status == ShipmentStatus.ACCEPTED
    assert AuditEvent.objects.filter(action="delivery.webhook_rejected").exists()
    assert "postal webhook rejected" in caplog.text


@pytest.mark.django_db
def test_an_old_timestamp_is_a_replay_and_is_rejected(client, dispatched):
    response = _post_webhook(client, _event(dispatched, "delivered"), timestamp=int(time.time()) - 3600)
    assert response.status_code == 401


@pytest.mark.django_db
def test_missing_signature_is_rejected(client, dispatched):
    response = client.post("/buu-chinh/webhook/", json.dumps(_event(dispatched, "delivered")),
                           content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_signed_updates_move_the_parcel_and_emit_events(client, dispatched):
    for status in ("picked_up", "in_transit", "out_for_delivery", "delivered"):
        assert _post_webhook(client, _event(dispatched, status)).json()["applied"] is True
    dispatched.refresh_from_db()
    assert dispatched.status == ShipmentStatus.DELIVERED and dispatched.delivered_at is not None
    delivered = DomainEvent.objects.get(event_type="delivery.shipment_delivered")
    assert delivered.payload["subject_id"] == dispatched.subject_id and delivered.payload["direction"] == "return"
    timeline = shipment_timeline(subject_type="dossiers.dossier", subject_id=dispatched.subject_id)
    assert [e.status for e in timeline][-4:] == ["picked_up", "in_transit", "out_for_delivery", "delivered"]


@pytest.mark.django_db
def test_repeated_and_out_of_order_updates_do_not_move_backwards(client, dispatched):
    _post_webhook(client, _event(dispatched, "out_for_delivery"))
    assert _post_webhook(client, _event(dispatched, "out_for_delivery")).json()["applied"] is False  # same event
    assert _post_webhook(client, _event(dispatched, "in_transit")).json()["applied"] is False  # late arrival
    dispatched.refresh_from_db()
    assert dispatched.status == ShipmentStatus.OUT_FOR_DELIVERY
    assert DomainEvent.objects.filter(event_type="delivery.shipment_out_for_delivery").count() == 1


@pytest.mark.django_db
def test_unknown_parcel_and_bad_status_are_client_errors(client, dispatched):
    bad = {**_event(dispatched, "delivered"), "tracking_code": "NOPE"}
    assert _post_webhook(client, bad).status_code == 404
    assert _post_webhook(client, {**_event(dispatched, "teleported")}).status_code == 400
    assert _post_webhook(client, {"hello": 1}).status_code == 400


@pytest.fixture
def post_office(monkeypatch, settings):
    monkeypatch.setenv("POSTAL_API_KEY", "test-postal-key")
    monkeypatch.setenv("POSTAL_WEBHOOK_SECRET", "test-postal-secret")
    with server.running(mounts={"/postal": server.MOUNTS["/postal"]}) as base:
        settings.POSTAL_API_URL = f"{base}/postal/api"
        yield f"{base}/postal"


def test_paid_postage_dispatches_and_the_simulator_delivers_through_the_webhook(post_office, live_server,
                                                                                  make_shipment, make_staff,
                                                                                  settings):
    settings.SITE_URL = live_server.url
    shipment = make_shipment()
    officer = make_staff("reception_officer", factories.DISTRICT)
    invoice = Invoice.objects.get(pk=shipment.invoice_id)
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    outbox_deliver_due()  # delivery.dispatch_on_postage_paid runs
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.ACCEPTED and shipment.tracking_code.startswith("CA")
    # Dispatching again is a no-op (our order code is the operator's idempotency key).
    assert shipment_dispatch(shipment=shipment).tracking_code == shipment.tracking_code
    for _ in range(4):
        requests.post(f"{post_office}/parcels/{shipment.tracking_code}/advance",
                      headers={"Accept": "application/json"}, timeout=10)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert DomainEvent.objects.filter(event_type="delivery.shipment_delivered",
                                      aggregate_id=str(shipment.pk)).exists()
    tracked = requests.get(f"{post_office}/api/orders/{shipment.tracking_code}",
                           headers={"Authorization": "Bearer test-postal-key"}, timeout=5).json()
    assert tracked["status"] == "delivered"


@pytest.mark.django_db
def test_operator_refuses_a_wrong_api_key(post_office, make_shipment, settings):
    settings.POSTAL_API_KEY = "wrong"
    shipment = make_shipment(charge_postage=False)
    from chinhquyenso.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        shipment_dispatch(shipment=shipment)
    assert exc.value.code == "postal_unavailable"


@pytest.mark.django_db
def test_track_update_service_is_idempotent(dispatched):
    when = dt.datetime(2026, 1, 6, tzinfo=dt.UTC)
    _s, applied = shipment_track_update(tracking_code=dispatched.tracking_code, status="picked_up", event_id="e1",
                                        occurred_at=when)
    _s, again = shipment_track_update(tracking_code=dispatched.tracking_code, status="picked_up", event_id="e1",
                                      occurred_at=when)
    assert applied and not again


@pytest.mark.django_db
def test_tracking_page_for_the_citizen_and_staff_only(client, dispatched, citizen):
    client.force_login(citizen)
    page = client.get(f"/buu-chinh/van-don/{dispatched.pk}/")
    assert page.status_code == 200 and "CA000000001VN" in page.content.decode()
    client.force_login(factories.make_citizen())
    assert client.get(f"/buu-chinh/van-don/{dispatched.pk}/").status_code == 404


@pytest.mark.django_db
def test_quote_api(client, postage):
    response = client.get("/api/v1/delivery/quote", {"agency": "000.09.14.H57", "unit": "19894", "weight_g": 800})
    assert response.status_code == 200 and response.json()["amount"] == 26_000


@pytest.mark.django_db
def test_officer_list_is_scoped_and_bounded(client, make_shipment, make_staff, django_assert_max_num_queries):
    from chinhquyenso.delivery.selectors import shipment_list_for_officer

    for _ in range(4):
        make_shipment(charge_postage=False)
    officer = make_staff("reception_officer", factories.DISTRICT)
    with django_assert_max_num_queries(2):
        assert len(shipment_list_for_officer(user=officer)) == 4
    assert shipment_list_for_officer(user=make_staff("reception_officer", factories.QUANG_PHU)) == []
    client.force_login(officer)
    with django_assert_max_num_queries(15):
        assert client.get("/buu-chinh/can-bo/").status_code == 200


def test_a_cancel_reason_with_a_nul_character_is_refused_with_a_message(make_shipment, make_staff):
    """PostgreSQL text cannot hold NUL: the service refuses it instead of failing in the database."""
    from chinhquyenso.accounts.roles import Role
    from chinhquyenso.core.errors import DomainError
    from chinhquyenso.delivery.services import shipment_cancel

    shipment = make_shipment()
    officer = make_staff(Role.RECEPTION_OFFICER, "477")
    with pytest.raises(DomainError) as exc:
        shipment_cancel(shipment=shipment, actor=officer, reason="Công dân đổi ý\x00")
    assert exc.value.code == "reason_invalid" and exc.value.field == "reason"
    assert shipment_cancel(shipment=shipment, actor=officer, reason="Công dân đổi ý").status == "cancelled"
