"""Login through OpenID Connect: VNeID or a provincial single sign-on (authorization-code flow).

``/oidc/authenticate/`` sends the visitor to the provider; the provider returns to
``/oidc/callback/``; mozilla-django-oidc checks state, nonce and PKCE, exchanges the code, checks
the ID token signature (JWKS), and hands the claims to ``CitizenOIDCBackend``, which finds the account:

1. the account already linked to the provider's subject (``sub``): a citizen, or staff an
   administrator has linked;
2. else, when the provider vouches for the CCCD claim (``OIDC_CCCD_TRUSTED``), the citizen
   profile with that CCCD, which is then linked;
3. else a new citizen account (no password, identity verified by the provider).

Staff accounts are never created or linked automatically: a person who proves a CCCD gets a
citizen's rights, not an officer's.

Endpoints given in settings are used as they are; the missing ones come from the provider's
discovery document ``{OIDC_ISSUER}/.well-known/openid-configuration``, fetched on first use and
cached, never at import time (the provider may be down when the web process starts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from chinhquyenso.accounts.models import CitizenProfile, Gender, User
from chinhquyenso.accounts.services import citizen_oidc_register, user_oidc_link, user_oidc_login_record
from chinhquyenso.accounts.validators import normalize_phone, validate_cccd
from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.masking import mask_cccd, mask_email, mask_phone
from chinhquyenso.core.text import fold

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600
# discovery key → the settings name that overrides it
ENDPOINT_SETTINGS = {
    "authorization_endpoint": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "OIDC_OP_TOKEN_ENDPOINT",
    "userinfo_endpoint": "OIDC_OP_USER_ENDPOINT",
    "jwks_uri": "OIDC_OP_JWKS_ENDPOINT",
}
# Claims about the token itself, not about the person.
_PROTOCOL_CLAIMS = {"iss", "aud", "exp", "iat", "nbf", "nonce", "auth_time", "at_hash", "c_hash", "azp", "jti",
                    "acr", "amr", "sid"}


class OIDCProviderError(Exception):
    """The identity provider cannot be reached or describes itself wrongly."""


# --- Discovery ------------------------------------------------------------------------------------


def provider_metadata() -> dict:
    """The provider's discovery document (cached for an hour, shared by all web processes)."""
    issuer = settings.OIDC_ISSUER
    key = "oidc:metadata:" + hashlib.sha256(issuer.encode()).hexdigest()[:32]
    metadata = cache.get(key)
    if metadata is not None:
        return metadata
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise OIDCProviderError(f"discovery document {url} unavailable: {exc}") from exc
    missing = [name for name in (*ENDPOINT_SETTINGS, "issuer") if not metadata.get(name)]
    if missing:
        raise OIDCProviderError(f"discovery document {url} lacks {', '.join(missing)}")
    cache.set(key, metadata, DISCOVERY_CACHE_SECONDS)
    return metadata


def _discovery_needed() -> bool:
    return not all(getattr(settings, name, "") for name in ENDPOINT_SETTINGS.values())


def endpoint(name: str) -> str:
    """An endpoint URL: from settings when configured, else from discovery."""
    return getattr(settings, ENDPOINT_SETTINGS[name], "") or provider_metadata()[name]


def expected_issuer() -> str:
    """The ``iss`` the ID token must carry: the discovered issuer when we use discovery (it is
    what the provider signs), else ``OIDC_ISSUER``."""
    return provider_metadata()["issuer"].rstrip("/") if _discovery_needed() else settings.OIDC_ISSUER


# --- Claims → profile fields ------------------------------------------------------------------------


def _skip(field: str, shown: str) -> None:
    logger.warning("OIDC: bỏ qua thông tin %s không hợp lệ từ nhà cung cấp định danh (%s)", field, shown)


def _claim_str(claims: dict, name: str) -> str:
    value = claims.get(name)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


def claim_birthdate(claims: dict) -> dt.date | None:
    """OIDC ``birthdate`` is ``YYYY-MM-DD``; some Vietnamese providers send ``dd/mm/yyyy``."""
    raw = _claim_str(claims, "birthdate")
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            value = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if dt.date(1900, 1, 1) <= value <= timezone.localdate():
            return value
    _skip("birthdate", "***")
    return None


def claim_gender(claims: dict) -> str:
    raw = fold(_claim_str(claims, "gender"))
    if not raw:
        return ""
    if raw in {"male", "nam", "m"}:
        return Gender.MALE
    if raw in {"female", "nu", "f"}:
        return Gender.FEMALE
    return ""  # "other" and the like: the profile only knows male/female, leave it empty


def claim_full_name(claims: dict) -> str:
    name = _claim_str(claims, "name")
    if not name:  # Vietnamese order: family, middle, given
        parts = [_claim_str(claims, key) for key in ("family_name", "middle_name", "given_name")]
        name = " ".join(p for p in parts if p)
    return " ".join(name.split())[:150]


def claim_phone(claims: dict) -> str:
    raw = _claim_str(claims, "phone_number")
    if not raw:
        return ""
    try:
        return normalize_phone(raw)
    except ValidationError:
        _skip("phone_number", mask_phone(raw))
        return ""


def claim_email(claims: dict) -> str:
    raw = _claim_str(claims, "email")
    if not raw:
        return ""
    if claims.get("email_verified") is False:  # the provider says it did not check it
        _skip("email (chưa xác minh)", mask_email(raw))
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        _skip("email", mask_email(raw))
        return ""
    return raw.lower()


def claim_cccd(claims: dict, *, date_of_birth: dt.date | None, gender: str) -> str | None:
    """The CCCD claim, checked against the birth date and gender from the same claims."""
    raw = _claim_str(claims, settings.OIDC_CLAIM_CCCD)
    if not raw:
        return None
    try:
        return validate_cccd(raw, date_of_birth=date_of_birth, gender=gender or None)
    except ValidationError:
        _skip(settings.OIDC_CLAIM_CCCD, mask_cccd(raw))
        return None


def claim_address_line(claims: dict) -> str:
    address = claims.get("address")
    if isinstance(address, dict):
        formatted = address.get("formatted")
        if isinstance(formatted, str):
            return " ".join(formatted.split())[:255]
    return ""


# --- Backend ----------------------------------------------------------------------------------------


class OIDCRefused(SuspiciousOperation):
    """A login the provider accepted but we will not: the message is shown to the person."""

    def __init__(self, log_message: str, user_message: str):
        super().__init__(log_message)
        self.user_message = user_message


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    """Maps the provider's person to an account (see the module docstring)."""

    def authenticate(self, request, **kwargs):
        # Django asks every backend about every login; answer only the OIDC callback, which passes
        # the nonce (a password login never reaches the provider).
        if request is None or not settings.OIDC_ENABLED or "nonce" not in kwargs:
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = endpoint("token_endpoint")
        self.OIDC_OP_USER_ENDPOINT = endpoint("userinfo_endpoint")
        if not self.OIDC_RP_IDP_SIGN_KEY:
            self.OIDC_OP_JWKS_ENDPOINT = endpoint("jwks_uri")
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        """OIDC Core §10.1.1 lets a provider with a single signing key omit ``kid`` from the token
        header (oidc-provider-mock does); mozilla-django-oidc would fail with a KeyError."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, verify=settings.OIDC_VERIFY_SSL,
                                timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"
                and k.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO]
        if len(keys) != 1:
            raise SuspiciousOperation("ID token has no kid and the JWKS does not hold exactly one signing key")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        """mozilla-django-oidc checks signature, expiry and nonce; we add issuer and audience
        (OpenID Connect Core §3.1.3.7), so a token minted for another client is refused."""
        payload = super().verify_token(token, **kwargs)
        if str(payload.get("iss", "")).rstrip("/") != expected_issuer():
            raise SuspiciousOperation("ID token issuer does not match the configured provider")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience does not include this client")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        try:
            return self._find_user(access_token, id_token, payload)
        except OIDCRefused as exc:
            # mozilla-django-oidc logs a SuspiciousOperation from here and returns None; the
            # callback view shows this message to the person.
            self.request.oidc_refusal = exc.user_message
            raise

    def _find_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not userinfo.get("sub") or userinfo.get("sub") != payload.get("sub"):
            # OIDC Core §5.3.2: the userinfo subject must be the ID token's subject.
            raise SuspiciousOperation("userinfo subject differs from the ID token subject")
        claims = {**{k: v for k, v in payload.items() if k not in _PROTOCOL_CLAIMS}, **userinfo}
        subject = str(claims["sub"])
        provider = settings.OIDC_PROVIDER_NAME

        user = User.objects.filter(oidc_subject=subject).first()
        via = "subject"
        if user is None:
            user, via = self._link_or_create(subject, claims)
        if not self.user_can_authenticate(user):
            raise OIDCRefused("inactive account", _("Tài khoản này đã bị khoá."))
        user_oidc_login_record(user=user, provider=provider, via=via)
        return user

    def _link_or_create(self, subject: str, claims: dict) -> tuple[User, str]:
        provider = settings.OIDC_PROVIDER_NAME
        trusted = settings.OIDC_CCCD_TRUSTED
        date_of_birth, gender = claim_birthdate(claims), claim_gender(claims)
        cccd = claim_cccd(claims, date_of_birth=date_of_birth, gender=gender) if trusted else None
        if cccd:
            profile = CitizenProfile.objects.select_related("user").filter(cccd=cccd).first()
            if profile is not None:
                return self._link(profile.user, subject, provider), "cccd"
        fields = {
            "cccd": cccd, "date_of_birth": date_of_birth, "gender": gender,
            "phone": claim_phone(claims), "email": claim_email(claims), "address_line": claim_address_line(claims),
        }
        # A phone or e-mail already used by another account is not this person's to take: skip it.
        if fields["phone"] and User.objects.filter(phone=fields["phone"]).exists():
            _skip("phone_number (đã có tài khoản dùng)", mask_phone(fields["phone"]))
            fields["phone"] = ""
        if fields["email"] and User.objects.filter(email__iexact=fields["email"]).exists():
            _skip("email (đã có tài khoản dùng)", mask_email(fields["email"]))
            fields["email"] = ""
        username = cccd if cccd and not User.objects.filter(username__iexact=cccd).exists() else (
            "oidc-" + hashlib.sha256(f"{settings.OIDC_ISSUER}|{subject}".encode()).hexdigest()[:20])
        full_name = claim_full_name(claims) or _("Công dân")
        try:
            user = citizen_oidc_register(subject=subject, provider=provider, username=username,
                                         full_name=full_name, identity_verified=trusted, **fields)
        except DomainError as exc:  # a race with another registration: the person can simply retry
            raise OIDCRefused(f"citizen_oidc_register refused: {exc.code}",
                              _("Chưa tạo được tài khoản. Vui lòng thử đăng nhập lại.")) from exc
        return user, "created"

    def _link(self, user: User, subject: str, provider: str) -> User:
        if user.kind == User.Kind.STAFF or user.is_staff or user.is_superuser:
            raise OIDCRefused(
                "CCCD matches a staff account that is not linked",
                _("Tài khoản cán bộ chỉ đăng nhập bằng %(name)s sau khi quản trị viên liên kết.")
                % {"name": provider},
            )
        try:
            return user_oidc_link(user=user, subject=subject, provider=provider, via="cccd", identity_verified=True)
        except DomainError as exc:
            raise OIDCRefused(
                f"CCCD link refused: {exc.code}",
                _("Số CCCD này đã gắn với một tài khoản định danh khác. Hãy liên hệ bộ phận một cửa."),
            ) from exc


# --- Views --------------------------------------------------------------------------------------------


def _oidc_enabled_or_404():
    if not settings.OIDC_ENABLED:
        raise Http404


class OIDCAuthenticateView(OIDCAuthenticationRequestView):
    """Start the login at the provider (404 while OIDC is not configured)."""

    def get(self, request):
        _oidc_enabled_or_404()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("authorization_endpoint")
        except OIDCProviderError:
            logger.exception("OIDC: không lấy được cấu hình của nhà cung cấp định danh")
            messages.error(request, _("Hệ thống %(name)s đang không truy cập được. Vui lòng thử lại sau.")
                           % {"name": settings.OIDC_PROVIDER_NAME})
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's return. Any failure (bad state, provider error, refused account) ends on the
    login page with a Vietnamese message — never a 500."""

    @property
    def failure_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE)

    def get(self, request):
        _oidc_enabled_or_404()
        try:
            return super().get(request)
        except (SuspiciousOperation, OIDCProviderError, requests.RequestException) as exc:
            logger.warning("OIDC: đăng nhập thất bại: %s", exc)
        return self.login_failure()

    def login_failure(self):
        name = settings.OIDC_PROVIDER_NAME
        if getattr(self.request, "oidc_refusal", None):
            text = self.request.oidc_refusal
        elif self.request.GET.get("error") == "access_denied":
            text = _("Bạn đã huỷ đăng nhập bằng %(name)s.") % {"name": name}
        else:
            text = _("Không đăng nhập được bằng %(name)s. Vui lòng thử lại.") % {"name": name}
        messages.error(self.request, text)
        return super().login_failure()
