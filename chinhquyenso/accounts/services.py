"""Use cases for accounts: registering citizens and organisations, staff, assigning roles."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import CitizenProfile, Organisation, OrganisationMember, RoleAssignment, User
from chinhquyenso.accounts.roles import STAFF_ROLES
from chinhquyenso.accounts.validators import normalize_phone, validate_cccd, validate_tax_code
from chinhquyenso.core.audit import audit_record, snapshot
from chinhquyenso.core.errors import Conflict, DomainError
from chinhquyenso.core.events import event_record
from chinhquyenso.core.masking import mask_cccd, mask_email, mask_phone, mask_text


def _as_domain_error(exc: ValidationError, field: str) -> DomainError:
    code = getattr(exc, "code", None) or "invalid"
    return DomainError(code, " ".join(exc.messages), field)


@transaction.atomic
def citizen_register(
    *,
    username: str,
    password: str | None,
    full_name: str,
    cccd: str | None = None,
    date_of_birth: dt.date | None = None,
    gender: str = "",
    phone: str = "",
    email: str = "",
    address_line: str = "",
    address_unit=None,
    identity_verified: bool = False,
    actor=None,
) -> User:
    """Create a citizen account with its profile. Validates CCCD against birth year and gender."""
    try:
        cccd = validate_cccd(cccd, date_of_birth=date_of_birth, gender=gender) if cccd else None
    except ValidationError as exc:
        raise _as_domain_error(exc, "cccd") from exc
    try:
        phone = normalize_phone(phone) if phone else ""
    except ValidationError as exc:
        raise _as_domain_error(exc, "phone") from exc
    if cccd and CitizenProfile.objects.filter(cccd=cccd).exists():
        raise DomainError("cccd_taken", _("Số CCCD này đã có tài khoản."), "cccd")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username_taken", _("Tên đăng nhập đã được dùng."), "username")
    if email and User.objects.filter(email__iexact=email).exists():
        raise DomainError("email_taken", _("Địa chỉ thư điện tử đã được dùng."), "email")
    if phone and User.objects.filter(phone=phone).exists():
        raise DomainError("phone_taken", _("Số điện thoại đã được dùng."), "phone")
    try:
        user = User.objects.create_user(
            username=username, password=password, email=email, full_name=full_name, phone=phone,
            kind=User.Kind.CITIZEN,
        )
    except IntegrityError as exc:  # a concurrent registration won the race
        raise DomainError("account_exists", _("Tài khoản đã tồn tại."), "username") from exc
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    profile = CitizenProfile.objects.create(
        user=user, full_name=full_name, cccd=cccd, date_of_birth=date_of_birth, gender=gender, phone=phone,
        email=email, address_line=address_line, address_unit=address_unit, identity_verified=identity_verified,
    )
    audit_record(action="accounts.citizen_register", actor=actor or user, obj=user, unit=address_unit,
                 after={"username": username, "cccd": mask_cccd(cccd), "verified": identity_verified})
    event_record(event_type="accounts.citizen_registered", aggregate=user, actor=actor or user,
                 payload={"profile_id": profile.pk})
    return user


@transaction.atomic
def organisation_register(*, user: User, name: str, tax_code: str, address_line: str = "", address_unit=None,
                          is_representative: bool = True, position: str = "") -> Organisation:
    try:
        tax_code = validate_tax_code(tax_code)
    except ValidationError as exc:
        raise _as_domain_error(exc, "tax_code") from exc
    organisation, created = Organisation.objects.get_or_create(
        tax_code=tax_code, defaults={"name": name, "address_line": address_line, "address_unit": address_unit}
    )
    OrganisationMember.objects.get_or_create(
        organisation=organisation, user=user,
        defaults={"is_representative": is_representative, "position": position},
    )
    if user.kind == User.Kind.CITIZEN and not hasattr(user, "citizen_profile"):
        user.kind = User.Kind.ORGANISATION
        user.save(update_fields=["kind"])
    audit_record(action="accounts.organisation_register", actor=user, obj=organisation,
                 after={"tax_code": tax_code, "created": created})
    return organisation


@transaction.atomic
def staff_create(*, username: str, password: str | None, full_name: str, email: str = "", phone: str = "",
                 actor=None) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username_taken", _("Tên đăng nhập đã được dùng."), "username")
    user = User.objects.create_user(username=username, password=password, email=email, full_name=full_name,
                                    phone=phone, kind=User.Kind.STAFF, is_staff=False)
    audit_record(action="accounts.staff_create", actor=actor, obj=user, after={"username": username})
    return user


@transaction.atomic
def role_assign(*, user: User, role: str, unit, agency=None, valid_from=None, valid_until=None,
                actor=None) -> RoleAssignment:
    """Give ``user`` a staff role in ``unit`` (and so its subtree). Idempotent."""
    if role not in STAFF_ROLES:
        raise DomainError("role_not_assignable", _("Vai trò này không gán theo đơn vị."), "role")
    if agency is not None and not agency.unit.path.startswith(unit.path):
        raise DomainError("agency_outside_unit", _("Cơ quan công tác không thuộc đơn vị được gán."), "agency")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, unit=unit,
        defaults={"agency": agency, "valid_from": valid_from, "valid_until": valid_until},
    )
    if user.kind != User.Kind.STAFF:
        user.kind = User.Kind.STAFF
        user.save(update_fields=["kind"])
    if created:
        audit_record(action="accounts.role_assign", actor=actor, obj=assignment, unit=unit,
                     after=snapshot(assignment, ["user", "role", "unit", "agency", "valid_from", "valid_until"]))
        event_record(event_type="accounts.role_assigned", aggregate=assignment, unit=unit, actor=actor,
                     payload={"user_id": user.pk, "role": role})
    user.__dict__.pop("_role_scopes", None)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor=None) -> None:
    before = snapshot(assignment, ["user", "role", "unit", "agency"])
    unit = assignment.unit
    audit_record(action="accounts.role_revoke", actor=actor, obj=assignment, unit=unit, before=before)
    assignment.delete()


# --- OpenID Connect (VNeID, provincial SSO) ---------------------------------------------------


@transaction.atomic
def user_oidc_link(*, user: User, subject: str, provider: str, via: str, identity_verified: bool = False,
                   actor=None) -> User:
    """Tie ``user`` to the provider's subject so later logins find it directly.

    ``via`` says how the match was made ("cccd", "created", "admin"). A subject belongs to one
    account and an account to one subject: a second, different subject is refused.
    """
    if user.oidc_subject == subject:
        return user
    if user.oidc_subject:
        raise Conflict("oidc_already_linked", _("Tài khoản đã liên kết với một định danh điện tử khác."))
    if User.objects.filter(oidc_subject=subject).exclude(pk=user.pk).exists():
        raise Conflict("oidc_subject_taken", _("Định danh điện tử này đã liên kết với tài khoản khác."))
    user.oidc_subject = subject
    user.save(update_fields=["oidc_subject"])
    profile = CitizenProfile.objects.filter(user=user).first()
    if identity_verified and profile is not None and not profile.identity_verified:
        profile.identity_verified = True
        profile.save(update_fields=["identity_verified", "updated_at"])
    # The subject may be a personal number (some providers use the CCCD): keep it masked here.
    after = {"oidc_subject": mask_text(subject), "provider": provider, "via": via,
             "identity_verified": bool(profile and profile.identity_verified)}
    audit_record(action="accounts.oidc_link", actor=actor or user, obj=user,
                 unit=profile.address_unit if profile else None, before={"oidc_subject": ""}, after=after)
    event_record(event_type="accounts.oidc_linked", aggregate=user, actor=actor or user,
                 payload={"provider": provider, "via": via})
    return user


@transaction.atomic
def citizen_oidc_register(*, subject: str, provider: str, username: str, full_name: str,
                          identity_verified: bool, **profile) -> User:
    """A citizen account created at the first login through the identity provider: no password
    (they log in through the provider, or set one by e-mail later), linked to ``subject``."""
    user = citizen_register(username=username, password=None, full_name=full_name,
                            identity_verified=identity_verified, **profile)
    return user_oidc_link(user=user, subject=subject, provider=provider, via="created",
                          identity_verified=identity_verified)


def user_oidc_login_record(*, user: User, provider: str, via: str) -> None:
    """Audit one login through the identity provider (``via``: subject, cccd or created)."""
    audit_record(action="accounts.oidc_login", actor=user, obj=user, after={"provider": provider, "via": via})


# --- Contact details ------------------------------------------------------------------------------


@transaction.atomic
def user_contact_update(*, user: User, phone: str, email: str, address_line: str | None = None,
                        address_unit=None, actor=None) -> list[str]:
    """Change the phone, e-mail and (for citizens) address of an account. Returns the changed
    fields; audits them masked (personal data, Decree 13/2023) and records an event."""
    from django.contrib.auth.base_user import BaseUserManager
    from django.core.validators import validate_email

    try:
        phone = normalize_phone(phone) if phone else ""
    except ValidationError as exc:
        raise _as_domain_error(exc, "phone") from exc
    email = BaseUserManager.normalize_email((email or "").strip())
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError("email_invalid", _("Địa chỉ thư điện tử không hợp lệ."), "email") from exc
    others = User.objects.exclude(pk=user.pk)
    if phone and others.filter(phone=phone).exists():
        raise DomainError("phone_taken", _("Số điện thoại đã được dùng."), "phone")
    if email and others.filter(email__iexact=email).exists():
        raise DomainError("email_taken", _("Địa chỉ thư điện tử đã được dùng."), "email")
    profile = CitizenProfile.objects.select_related("address_unit").filter(user=user).first()
    if address_unit is not None and address_unit.level != "commune":
        raise DomainError("address_unit_not_commune", _("Hãy chọn một xã, phường, thị trấn."), "address_unit")

    changed: dict[str, tuple[str, str]] = {}  # field → (before, after), masked
    if user.phone != phone:
        changed["phone"] = (mask_phone(user.phone), mask_phone(phone))
        user.phone = phone
    if user.email != email:
        changed["email"] = (mask_email(user.email), mask_email(email))
        user.email = email
    if profile is not None:
        profile.phone, profile.email = phone, email
        if address_line is not None and profile.address_line != address_line.strip():
            changed["address_line"] = ("***" if profile.address_line else "", "***" if address_line.strip() else "")
            profile.address_line = address_line.strip()
        if address_unit is not None and profile.address_unit_id != address_unit.pk:
            changed["address_unit"] = (str(profile.address_unit_id or ""), str(address_unit.pk))
            profile.address_unit = address_unit
    if not changed:
        return []
    try:
        user.save(update_fields=["phone", "email"])
    except IntegrityError as exc:  # a concurrent update took the phone or e-mail
        raise DomainError("contact_taken", _("Số điện thoại hoặc thư điện tử vừa được tài khoản khác dùng."),
                          "phone") from exc
    if profile is not None:
        profile.save()
    unit = profile.address_unit if profile is not None else None
    audit_record(action="accounts.contact_update", actor=actor or user, obj=user, unit=unit,
                 before={k: v[0] for k, v in changed.items()}, after={k: v[1] for k, v in changed.items()})
    event_record(event_type="accounts.contact_updated", aggregate=user, unit=unit, actor=actor or user,
                 payload={"fields": sorted(changed)})
    return sorted(changed)


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """Remember the interface language the user chose; applied again at each login."""
    from django.conf import settings

    if language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError("language_unsupported", _("Ngôn ngữ này chưa được hỗ trợ."), "language")
    if user.language == language:
        return
    before = {"language": user.language}
    user.language = language
    user.save(update_fields=["language"])
    audit_record(action="accounts.user_language_set", actor=user, obj=user, before=before,
                 after={"language": language})
