"""The header's language switch: Vietnamese by default, English on request, remembered."""

from __future__ import annotations

from django.conf import settings

from chinhquyenso.accounts.demo import DEMO_PASSWORD
from chinhquyenso.accounts.models import User

COOKIE = settings.LANGUAGE_COOKIE_NAME


def switch(client, code, next_url="/"):
    return client.post("/i18n/setlang/", {"language": code, "next": next_url})


def test_english_switch_changes_the_shell_to_english_and_back(client, demo):
    response = switch(client, "en", "/tai-khoan/dang-nhap/")
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "en"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"]

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Skip to main content" in html
    assert "public service portal" in html
    assert 'value="vi" lang="vi"' in html  # the way back, labelled in its own language

    switch(client, "vi")
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


def test_browser_language_does_not_change_the_default(client, demo):
    html = client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="vi">' in html


def test_unknown_language_or_foreign_next_address_is_ignored(client, demo):
    response = switch(client, "fr", "https://example.com/")
    assert response["Location"] == "/"
    assert COOKIE not in response.cookies
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_language_switch_only_accepts_post(client, demo):
    assert client.get("/i18n/setlang/?language=en").status_code == 405


def test_logged_in_choice_is_saved_on_the_account_and_applied_at_next_login(client, login_as):
    login_as("congdan")
    switch(client, "en", "/cong-dan/")
    assert User.objects.get(username="congdan").language == "en"
    assert "Citizen home" in client.get("/cong-dan/").content.decode()

    client.post("/tai-khoan/dang-xuat/")
    client.cookies.pop(COOKIE)  # another browser: no language cookie
    response = client.post("/tai-khoan/dang-nhap/", {"username": "congdan", "password": DEMO_PASSWORD})
    assert response.cookies[COOKIE].value == "en"
    html = client.get("/cong-dan/").content.decode()
    assert '<html lang="en">' in html
    assert "Hello, Nguyễn Thị Lan." in html


def test_account_without_a_choice_keeps_the_language_picked_before_login(client, login_as):
    switch(client, "en")
    response = login_as("chuyenvien")  # the account has the default, Vietnamese: not a choice
    assert '<html lang="en">' in response.content.decode()


def test_account_choice_wins_over_the_browser_cookie_at_login(client, login_as):
    User.objects.filter(username="chuyenvien").update(language="en")
    switch(client, "vi")
    response = login_as("chuyenvien")
    assert '<html lang="en">' in response.content.decode()


def test_choosing_vietnamese_again_is_saved_on_the_account(client, login_as):
    User.objects.filter(username="congdan").update(language="en")
    login_as("congdan")
    switch(client, "vi")
    assert User.objects.get(username="congdan").language == "vi"


def test_admin_titles_are_translated(client, login_as):
    switch(client, "en")
    html = login_as("quantri").content.decode()
    assert "Digital Government administration" in html
    assert "Units, users and catalogues" in html


def test_role_labels_in_the_workspace_are_translated(client, login_as):
    switch(client, "en")
    html = login_as("tiepnhan").content.decode()
    assert "Reception officer (one-stop desk)" in html
    assert "Applications to receive" in html
