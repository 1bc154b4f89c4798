"""Error pages: Vietnamese, and the 500 page renders with the database down."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation

from chinhquyenso.portal import views


def _broken(request):
    raise OperationalError("database is down")


urlpatterns = [path("hong/", _broken)]
handler500 = "chinhquyenso.portal.views.error_500"


def test_unknown_page_gets_the_vietnamese_404_page(client, demo):
    response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html
    assert '<html lang="vi">' in html
    assert "Huyện Quảng Điền" in html  # the full shell, not a bare page


def test_500_page_renders_without_touching_the_database(rf):
    # No db fixture: pytest-django refuses any database access here, and the cursor is broken too.
    def refuse(*args, **kwargs):
        raise OperationalError("database is down")

    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse):
        with translation.override("vi"):
            response = views.error_500(rf.get("/"))
        with translation.override("en"):
            english = views.error_500(rf.get("/")).content.decode()
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="vi">' in html
    assert "Hệ thống đang gặp sự cố" in html
    assert "Dữ liệu bạn đã lưu không bị mất" in html
    assert "{%" not in html
    assert "Something went wrong" in english


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_failure_shows_the_vietnamese_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/hong/")
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()


def test_400_page_is_vietnamese(rf, demo):
    response = views.error_400(rf.get("/"))
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_form_sent_without_a_security_token_gets_the_vietnamese_session_expired_page(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/tai-khoan/dang-nhap/", {"username": "congdan", "password": "x"})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()


@pytest.mark.parametrize("code", ["400", "403", "404"])
def test_error_pages_extend_the_shell_and_500_does_not(code):
    from django.conf import settings

    base = settings.BASE_DIR / "templates" / "errors"
    assert '{% extends "base.html" %}' in (base / f"{code}.html").read_text()
    assert "extends" not in (base / "500.html").read_text()
