"""API /api/v1/eforms/: published schemas and validation of a payload."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from chinhquyenso.eforms import builder as ops
from chinhquyenso.eforms import services
from tests.eforms.conftest import birth_data

pytestmark = pytest.mark.django_db


def test_the_published_schema_is_served_by_procedure_code(client, birth_form):
    response = client.get("/api/v1/eforms/forms/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["procedure_code"] == "1.001193" and body["version"] == 1
    assert body["schema"]["$id"].endswith("/api/v1/eforms/forms/1.001193?version=1")
    Draft202012Validator.check_schema(body["schema"])
    assert body["ui_schema"]["fields"]["ho_ten"]["label"] == {"vi": "Họ, chữ đệm và tên", "en": "Full name"}
    Draft202012Validator(body["schema"]).validate(birth_data())


def test_older_versions_stay_available_and_drafts_are_never_served(client, birth_form):
    draft = services.form_version_draft_for(definition=birth_form.definition)
    spec, _ = ops.add_field(draft.spec, section_id="tre", ftype="text", label_vi="Nhóm máu")
    services.form_version_save_spec(version=draft, spec=spec)
    assert client.get("/api/v1/eforms/forms/1.001193?version=2").status_code == 404
    services.form_version_publish(version=draft)
    assert client.get("/api/v1/eforms/forms/1.001193").json()["version"] == 2
    v1 = client.get("/api/v1/eforms/forms/1.001193?version=1").json()
    assert "nhom_mau" not in v1["schema"]["properties"]
    listing = client.get("/api/v1/eforms/forms").json()
    assert [(f["procedure_code"], f["version"]) for f in listing] == [("1.001193", 2)]


def test_an_unknown_procedure_gives_a_structured_404(client, locality):
    response = client.get("/api/v1/eforms/forms/9.999999")
    assert response.status_code == 404
    assert response.json() == {"code": "form_not_found", "field": "procedure_code",
                               "message": "Không tìm thấy biểu mẫu điện tử đã xuất bản của thủ tục này."}


def test_validate_returns_every_error_in_vietnamese(client, birth_form):
    payload = {"data": birth_data(ngay_sinh="12/05/1990", ho_ten_tre=None, ho_ten_cha="X")}
    response = client.post("/api/v1/eforms/forms/1.001193/validate", payload, content_type="application/json")
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    assert [e["field"] for e in body["errors"]] == ["/cccd", "/ho_ten_tre", "/ho_ten_cha"]
    assert body["errors"][0]["message"].startswith("“Số định danh cá nhân (CCCD)”: Số CCCD không khớp")
    ok = client.post("/api/v1/eforms/forms/1.001193/validate", {"data": birth_data()},
                     content_type="application/json").json()
    assert ok == {"procedure_code": "1.001193", "version": 1, "valid": True, "errors": []}


def test_validate_refuses_a_body_that_is_not_an_object(client, birth_form):
    response = client.post("/api/v1/eforms/forms/1.001193/validate", {"data": [1, 2]},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_the_openapi_document_describes_the_eform_endpoints(client, locality):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/eforms/forms/{procedure_code}" in paths
    assert "/api/v1/eforms/forms/{procedure_code}/validate" in paths
