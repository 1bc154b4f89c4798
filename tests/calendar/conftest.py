"""Helpers for calendar tests: Vietnamese wall-clock datetimes and a few overrides."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from chinhquyenso.calendar import services
from chinhquyenso.calendar.models import OverrideKind

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


def vn(year, month, day, hour=9, minute=0) -> dt.datetime:
    """An aware datetime on Vietnamese wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def override(*, day, kind=OverrideKind.DAY_OFF, unit=None, name="Nghỉ theo thông báo",
             basis="Thông báo số 01/TB-UBND (thử nghiệm)", actor=None):
    return services.calendar_override_create(actor=actor, date=day, kind=kind, unit=unit, name=name,
                                             legal_basis=basis)


@pytest.fixture
def superuser(db):
    from chinhquyenso.accounts.models import User

    return User.objects.create_superuser(username="quantri", password="mat-khau-dai-123", full_name="Quản trị")


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    # force_login() has no client IP; django-axes would log "unknown" into an inet column, which
    # PostgreSQL refuses. Login throttling is tested in tests/accounts.
    settings.AXES_ENABLED = False
