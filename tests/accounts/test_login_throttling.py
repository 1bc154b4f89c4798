"""Login throttling with django-axes: a username+IP pair is locked after 5 wrong passwords."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests import factories
from tests.accounts.conftest import page_text

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
PASSWORD = "mat-khau-dai-123"


@pytest.fixture
def lan(locality):
    return factories.make_citizen(username="lan", password=PASSWORD)


def _attempt(client, password, username="lan", ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_on_this_ip_with_the_vietnamese_page(client, lan):
    for _ in range(4):
        response = _attempt(client, "sai-mat-khau")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in page_text(response)

    locked = _attempt(client, "sai-mat-khau")

    assert locked.status_code == 429
    assert "Tạm khoá đăng nhập" in page_text(locked)
    assert "quá nhiều lần" in page_text(locked)


def test_correct_password_is_refused_while_locked_and_accepted_after_the_cool_off(client, lan, settings):
    for _ in range(5):
        _attempt(client, "sai-mat-khau")

    refused = _attempt(client, PASSWORD)

    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    # Cool-off passes: age the recorded failures beyond AXES_COOLOFF_TIME (hours).
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))

    accepted = _attempt(client, PASSWORD)

    assert accepted.status_code == 302 and int(client.session["_auth_user_id"]) == lan.pk


def test_lock_is_per_username_and_ip(client, lan, locality):
    factories.make_citizen(username="binh", password=PASSWORD)
    for _ in range(5):
        _attempt(client, "sai-mat-khau")

    assert _attempt(client, PASSWORD, ip="198.51.100.9").status_code == 302  # same user, another IP
    client.post("/tai-khoan/dang-xuat/")
    assert _attempt(client, PASSWORD, username="binh").status_code == 302  # same IP, another user


def test_successful_login_resets_the_failure_count(client, lan):
    for _ in range(4):
        _attempt(client, "sai-mat-khau")
    assert _attempt(client, PASSWORD).status_code == 302
    client.post("/tai-khoan/dang-xuat/")

    for _ in range(4):
        assert _attempt(client, "sai-mat-khau").status_code == 200  # counting from zero again

    assert _attempt(client, PASSWORD).status_code == 302


def test_behind_a_reverse_proxy_each_client_is_throttled_on_its_own_address(client, lan, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # nginx in front: REMOTE_ADDR is nginx for everybody
    for _ in range(5):
        client.post(LOGIN, {"username": "lan", "password": "sai"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="203.0.113.7")

    other_citizen = client.post(LOGIN, {"username": "lan", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                                HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert other_citizen.status_code == 302
    client.post("/tai-khoan/dang-xuat/")
    # The attacker cannot escape by forging an address: only the entry nginx appended counts.
    forged = client.post(LOGIN, {"username": "lan", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                         HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    assert forged.status_code == 429


@pytest.mark.parametrize(("count", "remote", "forwarded", "expected"), [
    (0, "203.0.113.7", "1.2.3.4", "203.0.113.7"),          # no proxy configured: header ignored
    (1, "127.0.0.1", "203.0.113.7", "203.0.113.7"),
    (1, "127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # left part written by the client
    (2, "10.0.0.2", "203.0.113.7, 10.0.0.1", "203.0.113.7"),  # load balancer + nginx
    (2, "10.0.0.2", "203.0.113.7", "10.0.0.2"),             # fewer hops than configured
    (1, "127.0.0.1", "<script>", "127.0.0.1"),              # not an address: never stored as one
    (0, "", "", None),                                      # a request without a peer (force_login)
])
def test_client_ip_counts_trusted_proxies_from_the_right(rf, settings, count, remote, forwarded, expected):
    from chinhquyenso.core.ratelimit import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
