"""Builders for tests (keyword arguments, sensible Vietnamese defaults)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.conf import settings

from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.services import citizen_register, role_assign, staff_create
from chinhquyenso.units.models import AdministrativeUnit, Agency
from chinhquyenso.units.services import locality_load

_seq = itertools.count(1)

PROVINCE, DISTRICT, QUANG_THO, QUANG_PHU, SIA = "46", "477", "19894", "19897", "19867"


def load_demo_locality():
    return locality_load(path=settings.LOCALITY_FILE)


def unit(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code)


def agency(code: str) -> Agency:
    return Agency.objects.get(identifier_code=code)


class Units:
    """Handy access to the demo units: ``units.district``, ``units.quang_tho`` …"""

    @property
    def province(self):
        return unit(PROVINCE)

    @property
    def district(self):
        return unit(DISTRICT)

    @property
    def quang_tho(self):
        return unit(QUANG_THO)

    @property
    def quang_phu(self):
        return unit(QUANG_PHU)

    @property
    def sia(self):
        return unit(SIA)


def make_staff(role: str, unit_code: str = DISTRICT, *, username: str | None = None, agency_code=None,
               password: str = "mat-khau-dai-123") -> User:
    user = staff_create(username=username or f"canbo{next(_seq)}", password=password,
                        full_name=f"Cán bộ {role}")
    role_assign(user=user, role=role, unit=unit(unit_code),
                agency=agency(agency_code) if agency_code else None)
    return User.objects.get(pk=user.pk)  # fresh object: no cached role scopes


def make_citizen(*, username: str | None = None, cccd: str | None = None, password: str = "mat-khau-dai-123",
                 **extra) -> User:
    n = next(_seq)
    return citizen_register(
        username=username or f"congdan{n}",
        password=password,
        full_name=extra.pop("full_name", "Nguyễn Văn An"),
        cccd=cccd or f"046090{n:06d}",
        date_of_birth=extra.pop("date_of_birth", dt.date(1990, 1, 15)),
        gender=extra.pop("gender", "male"),
        address_unit=extra.pop("address_unit", None) or unit(QUANG_THO),
        **extra,
    )
