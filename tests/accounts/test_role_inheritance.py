"""Roles apply to a unit's subtree, through the policies other apps build on."""

from __future__ import annotations

import datetime as dt

import pytest
import rules
from django.utils import timezone

from chinhquyenso.accounts.models import CitizenProfile, User
from chinhquyenso.accounts.policies import has_role_in_unit_of, is_staff_in_unit
from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.services import role_assign
from chinhquyenso.units.selectors import unit_scope_q, visible_units
from tests import factories

pytestmark = pytest.mark.django_db

can_process = has_role_in_unit_of(Role.SPECIALIST, Role.RECEPTION_OFFICER)


class Record:
    """Any object that belongs to a unit (a dossier, a feedback, a report …)."""

    def __init__(self, unit):
        self.unit = unit


def test_commune_officer_sees_own_commune_but_not_the_neighbouring_one(units):
    officer = factories.make_staff(Role.RECEPTION_OFFICER, factories.QUANG_THO)

    assert can_process(officer, Record(units.quang_tho))
    assert not can_process(officer, Record(units.quang_phu))
    assert not can_process(officer, Record(units.district))  # nor upwards
    assert not can_process(officer, units.quang_phu)  # the unit itself as the object


def test_district_officer_sees_every_commune_below(units):
    officer = factories.make_staff(Role.SPECIALIST, factories.DISTRICT)

    assert can_process(officer, Record(units.quang_tho))
    assert can_process(officer, Record(units.quang_phu))
    assert can_process(officer, Record(units.district))
    assert not can_process(officer, Record(units.province))


def test_role_must_match_not_just_the_unit(units):
    clerk = factories.make_staff(Role.CLERK, factories.DISTRICT)

    assert not can_process(clerk, Record(units.quang_tho))
    assert is_staff_in_unit(clerk, Record(units.quang_tho))


@pytest.mark.parametrize(("valid_from", "valid_until", "granted"), [
    (None, -1, False),   # ended yesterday
    (None, 0, True),     # ends today: still valid today
    (1, None, False),    # starts tomorrow
    (-30, 30, True),
])
def test_assignment_validity_window(units, valid_from, valid_until, granted):
    today = timezone.localdate()
    user = factories.make_staff(Role.CLERK, factories.DISTRICT)  # some other role, to be staff at all
    role_assign(user=user, role=Role.SPECIALIST, unit=units.quang_tho,
                valid_from=today + dt.timedelta(days=valid_from) if valid_from is not None else None,
                valid_until=today + dt.timedelta(days=valid_until) if valid_until is not None else None)
    user = User.objects.get(pk=user.pk)

    assert can_process(user, Record(units.quang_tho)) is granted


def test_expired_assignment_grants_nothing_anywhere(units):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    user = factories.make_staff(Role.SPECIALIST, factories.QUANG_THO)
    assignment = user.role_assignments.get()
    assignment.valid_until = yesterday
    assignment.save(update_fields=["valid_until"])
    user = User.objects.get(pk=user.pk)

    assert not can_process(user, Record(units.quang_tho))
    assert not is_staff_in_unit(user, Record(units.quang_tho))
    assert not visible_units(user).exists()
    assert not rules.has_perm("units.view_unit", user, units.quang_tho)


def test_deactivated_user_keeps_no_role(units):
    user = factories.make_staff(Role.SPECIALIST, factories.DISTRICT)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert not can_process(User.objects.get(pk=user.pk), Record(units.quang_tho))


def test_unit_scope_filter_follows_the_same_inheritance(units, django_assert_max_num_queries):
    tho = factories.make_citizen(address_unit=units.quang_tho)
    phu = factories.make_citizen(address_unit=units.quang_phu)
    commune_officer = factories.make_staff(Role.SPECIALIST, factories.QUANG_THO)
    district_officer = factories.make_staff(Role.SPECIALIST, factories.DISTRICT)

    def seen(user):
        with django_assert_max_num_queries(2):  # role scopes, then one filtered query
            return set(CitizenProfile.objects.filter(unit_scope_q(user, field="address_unit"))
                       .values_list("user_id", flat=True))

    assert seen(commune_officer) == {tho.pk}
    assert seen(district_officer) == {tho.pk, phu.pk}


def test_citizens_hold_no_unit_role(units, citizen):
    assert not can_process(citizen, Record(units.quang_tho))
    assert not is_staff_in_unit(citizen, Record(units.quang_tho))
