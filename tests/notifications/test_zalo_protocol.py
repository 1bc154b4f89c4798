"""Our ZNS requests match Zalo's "send template message" API field by field."""

from __future__ import annotations

import json

import pytest
import requests

from chinhquyenso.notifications.constants import Channel, Status
from chinhquyenso.notifications.models import Notification
from chinhquyenso.notifications.providers import OutgoingMessage, ProviderError
from chinhquyenso.notifications.providers.zalo import ZnsProvider
from tests.notifications.conftest import register


def test_the_zns_request_has_exactly_zalos_fields_headers_and_formats(sims, templates, relay, settings):
    user = register(phone="0912345678", full_name="Lê Thị Thu Hà")
    relay()

    zalo = Notification.objects.get(recipient=user, channel=Channel.ZALO)
    [request] = sims.zalo()["requests"]
    assert request["headers"] == {"access_token": settings.ZALO_ACCESS_TOKEN, "content_type": "application/json"}
    body = json.loads(request["body"])
    assert set(body) == {"phone", "template_id", "template_data", "tracking_id"}
    assert body["phone"] == "84912345678"  # 84xxxxxxxxx, no "+" and no leading 0
    assert body["template_id"] == "401001"
    assert body["template_data"] == {"customer_name": "Lê Thị Thu Hà", "portal_name": "Chính quyền số"}
    assert body["tracking_id"] == str(zalo.public_id)
    # The response's data.msg_id is what we keep as the provider message id.
    [message] = sims.zalo()["messages"]
    assert (zalo.status, zalo.provider_message_id) == (Status.SENT, message["msg_id"])


def test_the_simulator_answers_like_zalo_with_quota_in_the_success_response(sims, settings):
    response = requests.post(settings.ZALO_ZNS_URL, headers={"access_token": settings.ZALO_ACCESS_TOKEN},
                             json={"phone": "84912345678", "template_id": "401001",
                                   "template_data": {"customer_name": "An", "portal_name": "UBND"},
                                   "tracking_id": "t-1"}, timeout=5)
    data = response.json()
    assert response.status_code == 200 and data["error"] == 0 and data["message"] == "Success"
    assert set(data["data"]) >= {"msg_id", "sent_time", "quota"}
    assert set(data["data"]["quota"]) == {"dailyQuota", "remainingQuota"}


@pytest.mark.parametrize(("change", "error"), [
    ({"token": "wrong"}, -124),
    ({"phone": "0912"}, -108),
    ({"template_id": "999999"}, -109),
    ({"template_data": {}}, -111),
    ({"template_data": {"customer_name": "x" * 31, "portal_name": "UBND"}}, -112),
    ({"template_data": {"customer_name": "An"}}, -112),
])
def test_the_zalo_simulator_refuses_what_zalo_refuses(sims, settings, change, error):
    body = {"phone": change.get("phone", "84912345678"), "template_id": change.get("template_id", "401001"),
            "template_data": change.get("template_data", {"customer_name": "An", "portal_name": "UBND"}),
            "tracking_id": "t-1"}
    response = requests.post(settings.ZALO_ZNS_URL, json=body, timeout=5,
                             headers={"access_token": change.get("token", settings.ZALO_ACCESS_TOKEN)})
    assert response.status_code == 200 and response.json()["error"] == error


@pytest.mark.parametrize(("error", "retryable"), [(-100, True), (-118, False), (-124, False)])
def test_zns_errors_are_classified_retryable_or_final(sims, settings, error, retryable):
    if error == -100:
        sims.post("/zalo/sim/faults", {"fail_next": 1})
    elif error == -118:
        sims.post("/zalo/sim/faults", {"no_account": ["84912345678"]})
    provider = ZnsProvider(access_token="wrong" if error == -124 else None)
    message = OutgoingMessage(client_message_id="t-2", address="0912345678", subject="", body="",
                              provider_data={"template_id": "401001",
                                             "template_data": {"customer_name": "An", "portal_name": "UBND"}})
    with pytest.raises(ProviderError) as caught:
        provider.send(message)
    assert caught.value.code == str(error) and caught.value.retryable is retryable
