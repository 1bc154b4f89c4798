"""Security settings: deploy checks in production, secrets required, Argon2, sessions, logout."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from chinhquyenso import settings as project_settings
from chinhquyenso.conf import get_secret_key
from tests import factories

REPO = Path(__file__).resolve().parents[2]


def _manage(tmp_path, *args, **env):
    """``chinhquyenso manage …`` in a fresh process with only the given environment."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
            "CHINHQUYENSO_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return subprocess.run([sys.executable, "-m", "chinhquyenso", "manage", *args], cwd=REPO,
                          env={**base, **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_deploy_check_reports_nothing_in_production(tmp_path):
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING",
        CHINHQUYENSO_ENV="production", SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="dichvucong.quangdien.gov.vn", SITE_URL="https://dichvucong.quangdien.gov.vn",
        # OIDC on: the provider is not contacted at start-up (discovery is lazy), so this passes offline.
        OIDC_ISSUER="https://sso.example.gov.vn", OIDC_CLIENT_SECRET=secrets.token_urlsafe(32),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _manage(tmp_path, "check", CHINHQUYENSO_ENV="production", ALLOWED_HOSTS="dichvucong.quangdien.gov.vn")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY must be set" in result.stderr


def test_secret_key_reader_refuses_production_without_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)

    with pytest.raises(ImproperlyConfigured):
        get_secret_key(production=True, var=tmp_path)
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    (tmp_path / "key").write_text("k" * 60 + "\n")
    assert get_secret_key(production=True, var=tmp_path) == "k" * 60


def test_new_passwords_are_hashed_with_argon2(settings, locality):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the tests' fast hasher off

    user = factories.make_citizen(password="Mat-khau-dai-2026")

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Mat-khau-dai-2026")


def test_session_cookie_is_httponly_and_ends_with_the_browser(client, locality):
    factories.make_citizen(username="lan", password="mat-khau-dai-123")

    client.post("/tai-khoan/dang-nhap/", {"username": "lan", "password": "mat-khau-dai-123"})

    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie


def test_logout_is_post_only(client, citizen):
    client.force_login(citizen)

    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    assert "_auth_user_id" in client.session

    assert client.post("/tai-khoan/dang-xuat/").status_code == 302
    assert "_auth_user_id" not in client.session
