"""One demo account per role, in the demo locality (Quảng Điền district)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.services import citizen_register, organisation_register, role_assign, staff_create
from chinhquyenso.units.models import AdministrativeUnit, Agency

DEMO_PASSWORD = "ChinhQuyenSo@2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit_code: str | None = None
    agency_code: str | None = None


STAFF = [
    DemoAccount("tiepnhan", "Trần Văn Nam", Role.RECEPTION_OFFICER, "477", "000.09.14.H57"),
    DemoAccount("chuyenvien", "Lê Thị Hoa", Role.SPECIALIST, "477", "000.05.14.H57"),
    DemoAccount("truongphong", "Phạm Văn Hùng", Role.DEPARTMENT_HEAD, "477", "000.05.14.H57"),
    DemoAccount("lanhdao", "Hoàng Minh Tuấn", Role.UNIT_LEADER, "477", "000.00.14.H57"),
    DemoAccount("vanthu", "Nguyễn Thị Mai", Role.CLERK, "477", "000.01.14.H57"),
    DemoAccount("baocao", "Đặng Văn Long", Role.REPORTER, "477", "000.02.14.H57"),
    DemoAccount("thanhtra", "Võ Thị Thu", Role.AUDITOR, "477", "000.00.14.H57"),
    DemoAccount("quantri", "Quản trị hệ thống", Role.ADMINISTRATOR, "46", None),
    DemoAccount("canbo.quangtho", "Hồ Văn Bình", Role.RECEPTION_OFFICER, "19894", "001.29.14.H57"),
    # The rest of the commune's one-stop flow (docs/dossiers.md): the justice-civil status officer of
    # the commune People's Committee processes, the commune chairman approves.
    DemoAccount("chuyenvien.quangtho", "Trần Thị Thu Hà", Role.SPECIALIST, "19894", "000.29.14.H57"),
    DemoAccount("lanhdao.quangtho", "Nguyễn Văn Quang", Role.UNIT_LEADER, "19894", "000.29.14.H57"),
    DemoAccount("canbo.quangphu", "Lê Văn Phú", Role.SPECIALIST, "19897", "000.30.14.H57"),
]
CITIZEN = DemoAccount("congdan", "Nguyễn Thị Lan", Role.CITIZEN)
ORGANISATION = DemoAccount("doanhnghiep", "Trương Công Định", Role.ORGANISATION_REP)


def demo_accounts() -> list[DemoAccount]:
    return [CITIZEN, ORGANISATION, *STAFF]


@transaction.atomic
def _ensure_staff(account: DemoAccount) -> None:
    user = User.objects.filter(username=account.username).first()
    if user is None:
        user = staff_create(username=account.username, password=DEMO_PASSWORD, full_name=account.full_name,
                            email=f"{account.username}@quangdien.demo")
    unit = AdministrativeUnit.objects.get(code=account.unit_code)
    agency = Agency.objects.filter(identifier_code=account.agency_code).first() if account.agency_code else None
    role_assign(user=user, role=account.role, unit=unit, agency=agency)
    if account.role == Role.ADMINISTRATOR and not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])


def load(*, log) -> None:
    quang_tho = AdministrativeUnit.objects.get(code="19894")
    if not User.objects.filter(username=CITIZEN.username).exists():
        citizen_register(
            username=CITIZEN.username, password=DEMO_PASSWORD, full_name=CITIZEN.full_name,
            cccd="046186000123", date_of_birth=dt.date(1986, 5, 12), gender="female", phone="0912345678",
            email="congdan@quangdien.demo", address_line="Thôn Phú Lễ", address_unit=quang_tho,
            identity_verified=True,
        )
    if not User.objects.filter(username=ORGANISATION.username).exists():
        rep = citizen_register(
            username=ORGANISATION.username, password=DEMO_PASSWORD, full_name=ORGANISATION.full_name,
            cccd="046079000456", date_of_birth=dt.date(1979, 3, 2), gender="male", phone="0935123456",
            email="doanhnghiep@quangdien.demo",
        )
        organisation_register(user=rep, name="Công ty TNHH Nông sản Quảng Điền", tax_code="3301234568",
                              address_line="Thị trấn Sịa", address_unit=AdministrativeUnit.objects.get(code="19867"))
        rep.kind = User.Kind.ORGANISATION
        rep.save(update_fields=["kind"])
    for account in STAFF:
        _ensure_staff(account)
    log(f"Tài khoản mẫu: {len(demo_accounts())} tài khoản.")
