"""An OpenID Connect provider for the demo and tests, standing in for VNeID or a provincial SSO.

It is ``oidc-provider-mock`` (authorization-code flow, RS256 ID tokens, discovery, JWKS,
userinfo): its login page asks for a subject and claims, so a tester can log in as any citizen.
"""

from __future__ import annotations

import oidc_provider_mock


def create_app(base_url: str):
    return oidc_provider_mock.app(require_client_registration=False, require_nonce=False)
