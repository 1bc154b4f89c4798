"""Fixtures for the accounts tests: a real OpenID Connect provider on localhost."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import oidc_provider_mock
import pytest
import requests

OIDC_BACKEND = "chinhquyenso.accounts.oidc.CitizenOIDCBackend"


@pytest.fixture(scope="session")
def oidc_server():
    """oidc-provider-mock (authorization code, RS256, discovery, JWKS) on a free localhost port."""
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc(settings, oidc_server):
    """OIDC switched on against the local provider, endpoints from discovery."""
    settings.OIDC_ISSUER = oidc_server
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "chinhquyenso-test"
    settings.OIDC_RP_CLIENT_SECRET = "bi-mat-thu-nghiem"
    settings.OIDC_RP_SCOPES = "openid profile email phone"
    for name in ("OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT",
                 "OIDC_OP_JWKS_ENDPOINT"):
        setattr(settings, name, "")
    if OIDC_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    return Provider(oidc_server)


@dataclass
class Provider:
    base: str

    def set_claims(self, sub: str, **claims) -> None:
        """Claims the provider will release for ``sub`` (its login form only asks for the subject)."""
        requests.put(f"{self.base}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def login(self, client, sub: str, *, start: str = "/oidc/authenticate/", deny: bool = False):
        """Walk the authorization-code flow like a browser: our app → provider form → our callback.

        Returns the callback response (the redirect after login, or to the login page)."""
        start_response = client.get(start)
        assert start_response.status_code == 302, start_response
        authorize_url = start_response["Location"]
        assert authorize_url.startswith(self.base), authorize_url
        form = requests.get(authorize_url, timeout=5)
        assert form.status_code == 200 and 'name="sub"' in form.text
        data = {"action": "deny"} if deny else {"sub": sub}
        answer = requests.post(authorize_url, data=data, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return client.get(callback_path(answer.headers["Location"]))


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    assert parts.netloc == "testserver", location  # the provider sends the browser back to us
    return f"{parts.path}?{parts.query}"


def page_text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
