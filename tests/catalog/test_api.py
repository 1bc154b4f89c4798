"""The public catalogue API under /api/v1/catalog/."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalog"


def test_search_by_name_without_accents(shared_catalog, client):
    data = client.get(f"{BASE}/procedures", {"q": "dang ky khai sinh"}).json()
    assert data["items"][0]["code"] == "1.001193"
    assert data["total"] == 3 and data["page"] == 1
    first = data["items"][0]
    assert first["processing_days"] == 0 and first["day_kind"] == "working"
    assert first["url"] == "/thu-tuc/1.001193/"


def test_filters_and_pagination(shared_catalog, client):
    data = client.get(f"{BASE}/procedures", {"level": "commune", "online_level": "online", "page_size": 5,
                                            "page": 2}).json()
    assert data["page"] == 2 and len(data["items"]) == 5 and data["num_pages"] == data["total"] // 5 + (
        data["total"] % 5 > 0)
    assert all(item["online_level"] in ("full", "partial") and "commune" in item["levels"] for item in data["items"])


def test_invalid_filter_is_a_400_with_code_message_field(shared_catalog, client):
    response = client.get(f"{BASE}/procedures", {"level": "hamlet"})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_level", "message": "Cấp thực hiện không hợp lệ.", "field": "level"}


def test_detail_by_code(shared_catalog, client):
    data = client.get(f"{BASE}/procedures/2.000815").json()
    assert data["code"] == "2.000815" and data["online_level"] == "partial"
    rule = data["terms_in_force"]["fee_rules"][0]
    assert rule["kind"] == "tiered" and rule["tiers"][0] == {"from": 1, "to": 2, "amount_vnd": 2000}
    assert [d["form_label"] for d in data["required_documents"]] == ["Xuất trình (không nộp)", "Bản sao"]
    assert data["eform"]["published"] is False
    assert len(data["agencies"]) == 11 and data["agencies"][0]["identifier_code"].endswith(".H57")


def test_unknown_code_is_a_404_with_the_error_shape(shared_catalog, client):
    response = client.get(f"{BASE}/procedures/9.999999")
    assert response.status_code == 404
    assert response.json()["code"] == "procedure_not_found" and response.json()["field"] == "code"


def test_fee_quote(shared_catalog, client):
    data = client.get(f"{BASE}/procedures/2.000815/fee-quote", {"quantity": 5}).json()
    assert data["total_vnd"] == 7000 and data["complete"] is True
    exempt = client.get(f"{BASE}/procedures/1.004873/fee-quote", {"exemptions": "poor_household"}).json()
    assert exempt["total_vnd"] == 0 and exempt["lines"][0]["exempted_by"] == "poor_household"
    unknown = client.get(f"{BASE}/procedures/1.004873/fee-quote").json()
    assert unknown["complete"] is False and unknown["lines"][0]["unknown"] is True
    late = client.get(f"{BASE}/procedures/1.001193/fee-quote", {"include": ["ban_sao"], "quantity": 3}).json()
    assert late["total_vnd"] == 24000


def test_fee_quote_refuses_a_zero_quantity(shared_catalog, client):
    response = client.get(f"{BASE}/procedures/2.000815/fee-quote", {"quantity": 0})
    assert response.status_code == 400 and response.json()["field"] == "quantity"


def test_fields_and_stats(shared_catalog, client):
    fields = client.get(f"{BASE}/fields").json()
    assert {"code": "ho-tich", "name": "Hộ tịch", "active_count": 11} in fields
    stats = client.get(f"{BASE}/stats").json()
    assert stats["by_online_level"] == {"full": 4, "partial": 15, "none": 18}
    assert stats["eform_coverage"]["online_total"] == 19


def test_openapi_documents_the_catalogue(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/catalog/procedures", "/api/v1/catalog/procedures/{code}",
                 "/api/v1/catalog/procedures/{code}/fee-quote", "/api/v1/catalog/fields", "/api/v1/catalog/stats"):
        assert path in schema["paths"]
    assert schema["paths"]["/api/v1/catalog/procedures"]["get"]["summary"] == "Tìm thủ tục hành chính"


def test_search_api_query_count_is_bounded(shared_catalog, client, django_assert_max_num_queries):
    client.get(f"{BASE}/procedures", {"q": "warm up the search index"})
    with django_assert_max_num_queries(4):
        client.get(f"{BASE}/procedures", {"q": "dang ky", "page_size": 50})
