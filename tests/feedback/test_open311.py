"""Open311 GeoReport v2, checked field by field against the specification, in JSON and XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings
from django.utils import timezone

from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Feedback, Open311ApiKey
from tests.feedback.conftest import QUANG_THO_POINT

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


@pytest.fixture
def api_key(locality):
    _key, full = services.open311_key_create(name="Ứng dụng Huế-S")
    return full


@pytest.fixture
def published(submit, coordinator, photo_upload):
    feedback = submit(now=timezone.now(), photos=[photo_upload])
    return services.feedback_route(feedback=feedback, actor=coordinator, publish=True)


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def test_service_list_json_and_xml(client, road_category, waste_category):
    data = as_json(client.get(f"{BASE}/services.json"))
    assert [s["service_code"] for s in data] == ["giao-thong", "rac-thai"]
    road = data[0]
    assert list(road) == SERVICE_FIELDS
    assert road["metadata"] is False and road["type"] == "realtime" and road["group"] == "ha-tang"
    assert data[1]["metadata"] is True
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services_xml = root.findall("service")
    assert [c.tag for c in services_xml[0]] == SERVICE_FIELDS
    assert services_xml[0].findtext("service_name") == "Hạ tầng giao thông"
    assert services_xml[1].findtext("metadata") == "true"


def test_service_definition_json_and_xml(client, waste_category):
    data = as_json(client.get(f"{BASE}/services/rac-thai.json"))
    assert data["service_code"] == "rac-thai"
    attribute = data["attributes"][0]
    assert list(attribute) == ["variable", "code", "datatype", "required", "datatype_description", "order",
                               "description", "values"]
    assert attribute["datatype"] == "singlevaluelist" and attribute["required"] is True
    assert attribute["values"] == [{"key": "nho", "name": "Nhỏ"}, {"key": "lon", "name": "Lớn"}]
    root = xml(client.get(f"{BASE}/services/rac-thai.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "rac-thai"
    values = root.find("attributes/attribute/values")
    assert [v.findtext("key") for v in values.findall("value")] == ["nho", "lon"]


def test_unknown_service_code_is_a_404_in_the_spec_error_format(client, road_category):
    data = as_json(client.get(f"{BASE}/services/khong-co.json"))
    assert data == [{"code": 404, "description": "service_code 'khong-co' not found"}]
    root = xml(client.get(f"{BASE}/services/khong-co.xml"))
    assert root.tag == "errors" and root.find("error").findtext("code") == "404"


def test_post_request_needs_an_api_key(client, road_category):
    body = {"service_code": "giao-thong", "lat": QUANG_THO_POINT[0], "long": QUANG_THO_POINT[1]}
    response = client.post(f"{BASE}/requests.json", body)
    assert response.status_code == 403 and as_json(response)[0]["code"] == 403
    response = client.post(f"{BASE}/requests.xml", {**body, "api_key": "cqs_deadbeef_wrong"})
    assert response.status_code == 403 and xml(response).find("error/code").text == "403"
    assert not Feedback.objects.exists()


def test_revoked_key_is_refused(client, road_category, api_key):
    services.open311_key_revoke(key=Open311ApiKey.objects.get())
    response = client.post(f"{BASE}/requests.json", {"api_key": api_key, "service_code": "giao-thong",
                                                      "lat": "16.5", "long": "107.5"})
    assert response.status_code == 403


def test_key_is_stored_hashed(api_key):
    row = Open311ApiKey.objects.get()
    assert api_key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64


def test_post_request_creates_a_routed_report(client, road_category, api_key):
    response = client.post(f"{BASE}/requests.json", {
        "api_key": api_key, "service_code": "giao-thong", "lat": QUANG_THO_POINT[0], "long": QUANG_THO_POINT[1],
        "description": "Ổ gà lớn trước chợ", "email": "nguoidan@example.com", "first_name": "An",
        "last_name": "Nguyễn", "phone": "0912345678", "device_id": "abc", "account_id": "u-1",
        "media_url": "https://example.com/o-ga.jpg"})
    assert response.status_code == 200
    (row,) = as_json(response)
    assert list(row) == ["service_request_id", "service_notice", "account_id"]
    assert "token" not in row
    feedback = Feedback.objects.get(code=row["service_request_id"])
    assert feedback.unit.code == "19894" and feedback.channel == "open311"
    assert feedback.contact_email == "nguoidan@example.com" and feedback.contact_phone == "0912345678"
    assert row["service_notice"] == road_category.service_notice and row["account_id"] == "u-1"


def test_post_request_xml_and_required_attribute(client, waste_category, api_key):
    body = {"api_key": api_key, "service_code": "rac-thai", "address_string": "Thôn Phú Lễ, xã Quảng Thọ",
            "description": "Rác tồn đọng"}
    response = client.post(f"{BASE}/requests.xml", body)
    assert response.status_code == 400 and "muc_do" in xml(response).findtext("error/description")
    response = client.post(f"{BASE}/requests.xml", {**body, "attribute[muc_do]": "lon"})
    root = xml(response)
    assert root.tag == "service_requests"
    code = root.find("request").findtext("service_request_id")
    feedback = Feedback.objects.get(code=code)
    assert feedback.unit.code == "19894"  # found from the commune named in address_string
    assert feedback.attributes == {"muc_do": "lon"}


def test_missing_location_and_bad_service_code_give_spec_errors(client, road_category, api_key):
    response = client.post(f"{BASE}/requests.json", {"api_key": api_key, "service_code": "giao-thong"})
    assert response.status_code == 400 and as_json(response)[0]["code"] == 400
    response = client.post(f"{BASE}/requests.json", {"api_key": api_key, "service_code": "xyz", "lat": "16.5",
                                                      "long": "107.5"})
    assert response.status_code == 404 and "service_code" in as_json(response)[0]["description"]
    response = client.post(f"{BASE}/requests.json", {"api_key": api_key, "lat": "16.5", "long": "107.5"})
    assert response.status_code == 400 and "service_code" in as_json(response)[0]["description"]


def test_get_requests_fields_json(client, published, settings):
    data = as_json(client.get(f"{BASE}/requests.json"))
    (row,) = data
    assert list(row) == REQUEST_FIELDS
    assert row["service_request_id"] == published.code
    assert row["status"] == "open"
    assert row["service_code"] == "giao-thong" and row["service_name"] == "Hạ tầng giao thông"
    assert row["description"] == published.public_description
    assert row["agency_responsible"] == "Phòng Kinh tế - Hạ tầng"
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(row[key]), row[key]
    assert row["requested_datetime"].endswith("+07:00")
    assert row["address"] == "Xã Quảng Thọ" and row["address_id"] is None and row["zipcode"] is None
    assert row["lat"] == pytest.approx(QUANG_THO_POINT[0]) and row["long"] == pytest.approx(QUANG_THO_POINT[1])
    assert row["media_url"].startswith(settings.SITE_URL) and row["media_url"].endswith("/public/")
    assert client.get(row["media_url"].replace(settings.SITE_URL, "")).status_code == 200


def test_get_requests_fields_xml(client, published):
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [c.tag for c in request] == REQUEST_FIELDS
    assert request.findtext("status") == "open" and request.findtext("address_id") == ""
    assert W3C.match(request.findtext("requested_datetime"))


def test_closed_request_has_updated_datetime_as_closing_time(client, published, handler):
    answered = services.feedback_answer(feedback=services.feedback_accept(feedback=published, actor=handler),
                                        actor=handler, text="Đã vá, liên hệ 0912345678.")
    (row,) = as_json(client.get(f"{BASE}/requests/{answered.code}.json"))
    assert row["status"] == "closed" and row["expected_datetime"] is None
    assert "0912345678" not in row["status_notes"]
    assert row["updated_datetime"] == timezone.localtime(answered.answered_at).isoformat(timespec="seconds")


def test_get_requests_filters(client, published, submit, coordinator, waste_category):
    other = services.feedback_route(feedback=submit(category=waste_category, attributes={"muc_do": "nho"},
                                                    now=timezone.now()), actor=coordinator)
    codes = lambda r: {x["service_request_id"] for x in as_json(r)}  # noqa: E731
    assert codes(client.get(f"{BASE}/requests.json", {"service_code": "rac-thai"})) == {other.code}
    assert codes(client.get(f"{BASE}/requests.json", {"status": "closed"})) == set()
    assert codes(client.get(f"{BASE}/requests.json", {"status": "open,closed"})) == {other.code, published.code}
    assert codes(client.get(f"{BASE}/requests.json",
                            {"service_request_id": f"{published.code},NOPE", "status": "closed"})) == {published.code}
    old = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00+07:00"}
    assert codes(client.get(f"{BASE}/requests.json", old)) == set()


def test_date_window_over_90_days_or_without_zone_is_an_error(client, published):
    response = client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00Z",
                                                   "end_date": "2026-06-01T00:00:00Z"})
    assert response.status_code == 400 and "90 days" in as_json(response)[0]["description"]
    response = client.get(f"{BASE}/requests.xml", {"start_date": "2026-01-01T00:00:00"})
    assert response.status_code == 400 and xml(response).tag == "errors"
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


def test_unpublished_request_shows_no_text_and_is_not_listed(client, submit):
    feedback = submit(now=timezone.now(), description="Gọi tôi 0912345678")
    assert as_json(client.get(f"{BASE}/requests.json")) == []
    (row,) = as_json(client.get(f"{BASE}/requests/{feedback.code}.json"))
    assert row["description"] is None and row["lat"] is None and row["status"] == "open"
    assert client.get(f"{BASE}/requests/PA00-NOPE.json").status_code == 404


def test_token_lookup(client, published):
    (row,) = as_json(client.get(f"{BASE}/tokens/{published.token}.json"))
    assert row == {"service_request_id": published.code, "token": str(published.token)}
    assert client.get(f"{BASE}/tokens/12345.xml").status_code == 404


@override_settings(OPEN311_RATE_LIMIT_PER_MINUTE=2)
def test_rate_limit_per_key(client, road_category, api_key):
    body = {"api_key": api_key, "service_code": "giao-thong", "lat": "16.53866", "long": "107.52508",
            "description": "Ổ gà"}
    statuses = [client.post(f"{BASE}/requests.json", body).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@override_settings(OPEN311_JURISDICTION_ID="quangdien.thuathienhue.gov.vn")
def test_unknown_jurisdiction_is_404(client, road_category):
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "hanoi.gov.vn"})
    assert response.status_code == 404
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "quangdien.thuathienhue.gov.vn"}).status_code == 200


def test_discovery(client):
    data = as_json(client.get(f"{BASE}/discovery.json"))
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert xml(client.get(f"{BASE}/discovery.xml")).find("endpoints/endpoint/formats/format").text == "text/xml"


def test_get_requests_query_count_is_bounded(client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(f"{BASE}/requests.json")
