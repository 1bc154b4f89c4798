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
from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.events import event_record
from chinhquyenso.core.masking import mask_cccd


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
