"""A NUL character in a path or query string is refused with 400 before any view runs:
PostgreSQL text cannot hold it, so a view filtering on the raw value would fail with a 500."""

from __future__ import annotations

import pytest

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
    assert response.json() == {"code": "nul_character", "message": "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL).",
                               "field": None}


def test_nul_in_a_form_is_left_to_the_form(client):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "cong\x00dan", "password": "x"})
    assert response.status_code == 200  # the login form shows its own error


def test_ordinary_requests_pass(client):
    assert client.get("/thu-tuc/?q=khai+sinh").status_code == 200
    assert client.post("/tai-khoan/dang-nhap/", {"username": "congdan", "password": "sai"}).status_code == 200
