"""A NUL character in a path, query string, form field or JSON body is refused with 400 before any
view runs: PostgreSQL text and jsonb cannot hold it, so a view filtering on or storing the raw value
would fail with a 500. Uploaded files' contents and signed webhooks are left alone."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/phan-anh/?q=a%00b", "/ho-so/tra-cuu/?ma=%00", "/phan-anh/PA26%00/",
                                 "/thu-tuc/?q=%00"])
def test_nul_in_path_or_query_is_a_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "errors/400.html" in [t.name for t in response.templates]


def test_nul_in_the_api_is_a_400_with_code_and_message(client):
    response = client.get("/api/v1/units/?parent=%00")
    assert response.status_code == 400
    assert response.json() == NUL_REFUSED


NUL_REFUSED = {"code": "nul_character", "message": "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL).", "field": None}


def test_nul_in_a_form_field_is_a_400_page(client):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "cong\x00dan", "password": "x"})
    assert response.status_code == 400
    assert "errors/400.html" in [t.name for t in response.templates]


def test_nul_in_a_form_field_name_is_a_400(client):
    assert client.post("/tai-khoan/dang-nhap/", {"username": "congdan", "x\x00": "1"}).status_code == 400


def test_nul_in_a_multipart_field_is_a_400_but_not_in_a_files_contents(client):
    def upload():
        return SimpleUploadedFile("du-lieu.bin", b"\x00\x01binary\x00", content_type="application/octet-stream")

    refused = client.post("/tai-khoan/dang-nhap/", {"username": "cong\x00dan", "password": "x", "tep": upload()})
    assert refused.status_code == 400
    accepted = client.post("/tai-khoan/dang-nhap/", {"username": "congdan", "password": "sai", "tep": upload()})
    assert accepted.status_code == 200


@pytest.mark.parametrize("body", [b'{"a": "x\\u0000"}', b'{"a": "\\\\\\u0000"}', b'{"a\\u0000": 1}',
                                  b'{"a": "x\x00"}'])
def test_nul_in_a_json_body_is_a_400_with_code_and_message(client, citizen, body):
    client.force_login(citizen)
    response = client.post("/api/v1/eforms/forms/khong-co/validate", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == NUL_REFUSED


def test_an_escaped_backslash_before_u0000_is_ordinary_text(client, citizen):
    """``"\\\\u0000"`` is a backslash followed by the text u0000, not a NUL."""
    client.force_login(citizen)
    response = client.post("/api/v1/eforms/forms/khong-co/validate", data=b'{"a": "\\\\u0000"}',
                           content_type="application/json")
    assert response.status_code == 422  # reached the API: the body is not the schema's shape


def test_a_multipart_body_where_the_api_reads_json_is_a_400_in_vietnamese(client, citizen):
    client.force_login(citizen)
    response = client.post("/api/v1/eforms/forms/khong-co/validate", data={"a": "1"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_body"


def test_ordinary_requests_pass(client):
    assert client.get("/thu-tuc/?q=khai+sinh").status_code == 200
    assert client.post("/tai-khoan/dang-nhap/", {"username": "congdan", "password": "sai"}).status_code == 200
