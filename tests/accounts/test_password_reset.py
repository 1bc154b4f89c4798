"""Password reset by e-mail: the whole flow, in Vietnamese, link usable once."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests import factories
from tests.accounts.conftest import page_text

pytestmark = pytest.mark.django_db


def test_password_reset_flow_sends_a_vietnamese_email_whose_link_works_once(client, locality):
    user = factories.make_citizen(username="hoa", email="hoa@example.vn", password="mat-khau-cu-123")

    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "hoa@example.vn"})

    assert response.status_code == 302 and response["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hoa@example.vn"]
    assert message.subject == "Đặt lại mật khẩu — Chính quyền số"
    assert "Xin chào" in message.body and "đặt mật khẩu mới" in message.body
    link = re.search(r"http://testserver(/tai-khoan/dat-lai-mat-khau/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)  # Django swaps the token for a session marker
    assert "Đặt mật khẩu mới" in page_text(form_page)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"})
    assert done.status_code == 302 and done["Location"] == "/tai-khoan/dat-lai-mat-khau/xong/"

    user.refresh_from_db()
    assert user.check_password("Mat-khau-moi-2026")
    login = client.post("/tai-khoan/dang-nhap/", {"username": "hoa@example.vn", "password": "Mat-khau-moi-2026"})
    assert login.status_code == 302
    client.post("/tai-khoan/dang-xuat/")

    again = client.get(link, follow=True)
    assert "không hợp lệ hoặc đã được dùng" in page_text(again)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, db):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "khong-co@example.vn"})

    assert response["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"  # reveals nothing
    assert mail.outbox == []


def test_password_reset_requests_are_rate_limited_per_ip(client, settings, db):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 3
    for _ in range(3):
        assert client.post("/tai-khoan/quen-mat-khau/", {"email": "a@example.vn"}).status_code == 302

    limited = client.post("/tai-khoan/quen-mat-khau/", {"email": "a@example.vn"})

    assert limited.status_code == 429
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in page_text(limited)
    other_ip = client.post("/tai-khoan/quen-mat-khau/", {"email": "a@example.vn"}, REMOTE_ADDR="198.51.100.1")
    assert other_ip.status_code == 302
