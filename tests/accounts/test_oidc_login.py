"""OpenID Connect login against a real local provider (oidc-provider-mock): the whole
authorization-code flow through our /oidc/ views, the provider's form and our callback."""

from __future__ import annotations

import datetime as dt
import logging
import time

import jwt
import pytest
import requests

from chinhquyenso.accounts import oidc as oidc_module
from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.services import role_assign
from chinhquyenso.core.models import AuditEvent
from tests import factories
from tests.accounts.conftest import page_text

pytestmark = pytest.mark.django_db

LAN = {"name": "Trần Thị Bích", "cccd": "046190000777", "birthdate": "1990-04-02", "gender": "female",
       "email": "bich@example.vn", "phone_number": "0905123456"}


def _actions(user) -> set[str]:
    return set(AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk))
               .values_list("action", flat=True))


def test_first_login_creates_a_verified_citizen_with_the_cccd_from_the_claims(client, oidc, locality):
    oidc.set_claims("vneid-001", **LAN)

    response = oidc.login(client, "vneid-001")

    assert response.status_code == 302 and response["Location"] == "/trang-cua-toi/"
    user = User.objects.get(oidc_subject="vneid-001")
    assert user.kind == User.Kind.CITIZEN and not user.has_usable_password()
    assert not user.is_staff and not user.role_assignments.exists()
    profile = user.citizen_profile
    assert (profile.cccd, profile.date_of_birth, profile.gender) == ("046190000777", dt.date(1990, 4, 2), "female")
    assert profile.identity_verified and profile.full_name == "Trần Thị Bích"
    assert (user.username, user.email, user.phone) == ("046190000777", "bich@example.vn", "0905123456")
    assert client.get("/cong-dan/").status_code == 200
    assert _actions(user) >= {"accounts.citizen_register", "accounts.oidc_link", "accounts.oidc_login"}


def test_second_login_finds_the_same_account(client, oidc, locality):
    oidc.set_claims("vneid-002", **{**LAN, "cccd": "046190000778", "email": "b2@example.vn",
                                    "phone_number": "0905123457"})
    oidc.login(client, "vneid-002")
    client.post("/tai-khoan/dang-xuat/")
    first = User.objects.get(oidc_subject="vneid-002")

    response = oidc.login(client, "vneid-002")

    assert response.status_code == 302 and response["Location"] == "/trang-cua-toi/"
    assert User.objects.filter(oidc_subject="vneid-002").count() == 1
    assert int(client.session["_auth_user_id"]) == first.pk
    assert AuditEvent.objects.filter(action="accounts.oidc_login", object_id=str(first.pk)).count() == 2


def test_login_links_an_existing_citizen_by_the_cccd_claim(client, oidc, locality):
    existing = factories.make_citizen(cccd="046086000321", date_of_birth=dt.date(1986, 7, 1), gender="male")
    assert not existing.citizen_profile.identity_verified
    oidc.set_claims("vneid-003", name="Nguyễn Văn An", cccd="046086000321", birthdate="1986-07-01", gender="male")

    response = oidc.login(client, "vneid-003")

    assert response["Location"] == "/trang-cua-toi/"
    existing.refresh_from_db()
    assert existing.oidc_subject == "vneid-003"
    assert existing.citizen_profile.identity_verified
    assert int(client.session["_auth_user_id"]) == existing.pk
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1
    link = AuditEvent.objects.get(action="accounts.oidc_link", object_id=str(existing.pk))
    assert link.after["via"] == "cccd"


def test_untrusted_cccd_claim_neither_links_nor_verifies(client, oidc, settings, locality):
    settings.OIDC_CCCD_TRUSTED = False
    existing = factories.make_citizen(cccd="046086000322", date_of_birth=dt.date(1986, 7, 1), gender="male")
    oidc.set_claims("sso-004", name="Người Khác", cccd="046086000322", birthdate="1986-07-01", gender="male")

    oidc.login(client, "sso-004")

    existing.refresh_from_db()
    assert existing.oidc_subject == ""
    newcomer = User.objects.get(oidc_subject="sso-004")
    assert newcomer.citizen_profile.cccd is None and not newcomer.citizen_profile.identity_verified


def test_linked_staff_logs_in_but_a_staff_cccd_match_is_never_linked(client, oidc, locality):
    officer = factories.make_staff("specialist", factories.QUANG_THO)
    officer.oidc_subject = "sso-canbo"
    officer.save(update_fields=["oidc_subject"])
    oidc.set_claims("sso-canbo", name="Cán bộ")

    response = oidc.login(client, "sso-canbo")

    assert response["Location"] == "/trang-cua-toi/"
    assert int(client.session["_auth_user_id"]) == officer.pk
    client.post("/tai-khoan/dang-xuat/")

    # A staff member who also has a citizen profile: proving the CCCD must not open the staff account.
    staffer = factories.make_citizen(cccd="046080000999", date_of_birth=dt.date(1980, 1, 1), gender="male")
    role_assign(user=staffer, role="reception_officer", unit=factories.unit(factories.QUANG_THO))
    oidc.set_claims("vneid-impostor", cccd="046080000999", birthdate="1980-01-01", gender="male")

    response = oidc.login(client, "vneid-impostor")

    assert response["Location"] == "/tai-khoan/dang-nhap/"
    assert "_auth_user_id" not in client.session
    staffer.refresh_from_db()
    assert staffer.oidc_subject == "" and not User.objects.filter(oidc_subject="vneid-impostor").exists()
    assert "quản trị viên liên kết" in page_text(client.get(response["Location"]))


def test_invalid_claims_are_skipped_and_logged_masked(client, oidc, locality, caplog):
    factories.make_citizen(email="taken@example.vn")
    oidc.set_claims("vneid-005", name="Lê Văn Cường", cccd="046190000779", birthdate="31/02/1990",
                    gender="unknown", email="taken@example.vn", phone_number="0123")
    caplog.set_level(logging.WARNING, logger="chinhquyenso.accounts.oidc")

    response = oidc.login(client, "vneid-005")

    assert response["Location"] == "/trang-cua-toi/"
    user = User.objects.get(oidc_subject="vneid-005")
    profile = user.citizen_profile
    assert (user.email, user.phone, profile.gender, profile.date_of_birth) == ("", "", "", None)
    assert profile.cccd == "046190000779"  # valid on its own; nothing to compare it with
    logged = caplog.text
    assert "birthdate" in logged and "phone_number" in logged and "email" in logged
    assert "taken@example.vn" not in logged and "0123" not in logged


def test_cccd_that_contradicts_the_birth_date_is_not_stored(client, oidc, locality):
    oidc.set_claims("vneid-006", name="Phan Văn Dũng", cccd="046095000111", birthdate="1990-05-05", gender="male")

    oidc.login(client, "vneid-006")

    profile = User.objects.get(oidc_subject="vneid-006").citizen_profile
    assert profile.cccd is None and profile.date_of_birth == dt.date(1990, 5, 5)


def test_callback_with_an_unknown_state_is_rejected(client, oidc, locality):
    oidc.set_claims("vneid-007", **{**LAN, "cccd": "046190000780", "email": "", "phone_number": ""})
    client.get("/oidc/authenticate/")  # a genuine login started in this session …

    response = client.get("/oidc/callback/?code=forged-code&state=forged-state")  # … but not this answer

    assert response.status_code == 302 and response["Location"] == "/tai-khoan/dang-nhap/"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(oidc_subject="vneid-007").exists()
    assert "Không đăng nhập được bằng VNeID" in page_text(client.get("/tai-khoan/dang-nhap/"))


def test_callback_replayed_after_use_is_rejected(client, oidc, locality):
    oidc.set_claims("vneid-008", name="Võ Thị Em")
    start = client.get("/oidc/authenticate/")
    answer = requests.post(start["Location"], data={"sub": "vneid-008"}, allow_redirects=False, timeout=5)
    callback = answer.headers["Location"].removeprefix("http://testserver")
    assert client.get(callback)["Location"] == "/trang-cua-toi/"
    client.post("/tai-khoan/dang-xuat/")

    replay = client.get(callback)

    assert replay["Location"] == "/tai-khoan/dang-nhap/" and "_auth_user_id" not in client.session


def test_denied_consent_returns_to_the_login_page_with_a_message(client, oidc, locality):
    response = oidc.login(client, "", deny=True)

    assert response["Location"] == "/tai-khoan/dang-nhap/"
    assert "Bạn đã huỷ đăng nhập bằng VNeID" in page_text(client.get(response["Location"]))


def test_explicit_endpoints_matching_the_provider_paths_work_without_discovery(client, oidc, settings, locality,
                                                                              monkeypatch):
    issuer = settings.OIDC_ISSUER
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    monkeypatch.setattr(oidc_module, "provider_metadata", lambda: pytest.fail("discovery must not be used"))
    oidc.set_claims("vneid-009", name="Đỗ Văn Phúc")

    assert oidc.login(client, "vneid-009")["Location"] == "/trang-cua-toi/"


def test_discovery_is_fetched_lazily_once_and_cached(client, oidc, locality, monkeypatch):
    fetched = []
    real_get = requests.get

    def spy(url, *args, **kwargs):
        if url.endswith("/.well-known/openid-configuration"):
            fetched.append(url)
        return real_get(url, *args, **kwargs)

    monkeypatch.setattr(oidc_module.requests, "get", spy)
    client.get("/tai-khoan/dang-nhap/")
    assert fetched == []  # a page that does not log in through OIDC asks the provider nothing
    oidc.set_claims("vneid-010", name="Hà Thị Giang")

    oidc.login(client, "vneid-010")
    client.post("/tai-khoan/dang-xuat/")
    oidc.login(client, "vneid-010")

    assert len(fetched) == 1


def test_unreachable_provider_gives_a_message_not_a_500(client, oidc, settings, locality):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens

    response = client.get("/oidc/authenticate/")

    assert response.status_code == 302 and response["Location"] == "/tai-khoan/dang-nhap/"
    assert "đang không truy cập được" in page_text(client.get(response["Location"]))


def test_code_issued_to_another_client_is_refused(client, oidc, locality):
    oidc.set_claims("vneid-011", name="Bùi Văn Hải")
    start = client.get("/oidc/authenticate/")
    # The provider issues the code to a different client id than the one we will check against.
    foreign = start["Location"].replace("client_id=chinhquyenso-test", "client_id=another-app")
    answer = requests.post(foreign, data={"sub": "vneid-011"}, allow_redirects=False, timeout=5)

    response = client.get(answer.headers["Location"].removeprefix("http://testserver"))

    assert response["Location"] == "/tai-khoan/dang-nhap/"
    assert not User.objects.filter(oidc_subject="vneid-011").exists()


def test_oidc_urls_answer_404_while_oidc_is_off(client, settings, db):
    settings.OIDC_ENABLED = False

    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_password_login_never_calls_the_provider(client, oidc, locality, monkeypatch):
    factories.make_citizen(username="matkhau", password="mat-khau-dai-123")
    monkeypatch.setattr(oidc_module, "provider_metadata", lambda: pytest.fail("no OIDC on a password login"))

    response = client.post("/tai-khoan/dang-nhap/", {"username": "matkhau", "password": "mat-khau-dai-123"})

    assert response.status_code == 302


@pytest.mark.parametrize(("iss", "aud", "accepted"), [
    ("https://sso.example.vn", "chinhquyenso", True),
    ("https://sso.example.vn", ["other", "chinhquyenso"], True),
    ("https://sso.example.vn", "another-app", False),
    ("https://evil.example.com", "chinhquyenso", False),
])
def test_id_token_issuer_and_audience_are_checked(settings, iss, aud, accepted):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.core.exceptions import SuspiciousOperation

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_ENABLED, settings.OIDC_ISSUER = True, "https://sso.example.vn"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = settings.OIDC_OP_TOKEN_ENDPOINT = "https://sso.example.vn/x"
    settings.OIDC_OP_USER_ENDPOINT = settings.OIDC_OP_JWKS_ENDPOINT = "https://sso.example.vn/x"
    settings.OIDC_RP_CLIENT_ID = "chinhquyenso"
    settings.OIDC_RP_IDP_SIGN_KEY = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    token = jwt.encode({"iss": iss, "aud": aud, "sub": "s", "nonce": "n", "exp": time.time() + 60}, key,
                       algorithm="RS256")
    backend = oidc_module.CitizenOIDCBackend()

    if accepted:
        assert backend.verify_token(token, nonce="n")["sub"] == "s"
    else:
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(token, nonce="n")


def test_demo_setup_logs_in_through_the_simulators_server(client, oidc, settings, locality):
    """The demo points OIDC_ISSUER at {SIMULATORS_URL}/oidc: the provider is mounted under a prefix."""
    from chinhquyenso.simulators.server import MOUNTS, running

    with running(mounts={"/oidc": MOUNTS["/oidc"]}) as base:
        settings.OIDC_ISSUER = f"{base}/oidc"
        provider = type(oidc)(settings.OIDC_ISSUER)
        provider.set_claims("vneid-demo", name="Nguyễn Thị Lan", cccd="046186000123", birthdate="1986-05-12",
                            gender="female")

        response = provider.login(client, "vneid-demo")

    assert response["Location"] == "/trang-cua-toi/"
    assert User.objects.get(oidc_subject="vneid-demo").citizen_profile.cccd == "046186000123"


def test_cccd_already_linked_to_another_subject_is_not_taken_over(client, oidc, locality):
    owner = factories.make_citizen(cccd="046086000555", date_of_birth=dt.date(1986, 3, 3), gender="male")
    owner.oidc_subject = "vneid-owner"
    owner.save(update_fields=["oidc_subject"])
    oidc.set_claims("vneid-other", cccd="046086000555", birthdate="1986-03-03", gender="male")

    response = oidc.login(client, "vneid-other")

    assert response["Location"] == "/tai-khoan/dang-nhap/" and "_auth_user_id" not in client.session
    owner.refresh_from_db()
    assert owner.oidc_subject == "vneid-owner"
    assert "đã gắn với một tài khoản định danh khác" in page_text(client.get(response["Location"]))


def test_locked_account_cannot_log_in_through_the_provider(client, oidc, locality):
    user = factories.make_citizen()
    user.oidc_subject, user.is_active = "vneid-locked", False
    user.save(update_fields=["oidc_subject", "is_active"])
    oidc.set_claims("vneid-locked", name="Khoá")

    response = oidc.login(client, "vneid-locked")

    assert response["Location"] == "/tai-khoan/dang-nhap/" and "_auth_user_id" not in client.session
    assert "đã bị khoá" in page_text(client.get(response["Location"]))
    assert not AuditEvent.objects.filter(action="accounts.oidc_login").exists()
