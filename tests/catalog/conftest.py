"""Catalogue test helpers: the demo catalogue, administrators at each level, a procedure builder."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction

from chinhquyenso.accounts.roles import Role
from chinhquyenso.catalog import eforms_bridge
from chinhquyenso.catalog.models import Procedure
from chinhquyenso.catalog.services import procedure_create
from tests import factories

_seq = itertools.count(1)
EFFECTIVE = "2025-07-01"


@pytest.fixture
def catalog(locality):
    """The 37-procedure demo catalogue of Quảng Điền."""
    from chinhquyenso.catalog.demo import load

    load(log=lambda _msg: None)
    return Procedure.objects.all()


@pytest.fixture(scope="module")
def _module_catalog(django_db_setup, django_db_blocker):
    """The demo locality and catalogue loaded once per module inside a transaction that is rolled
    back at the end; each test still runs in its own savepoint (``db``)."""
    from chinhquyenso.catalog.demo import load

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            factories.load_demo_locality()
            load(log=lambda _msg: None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def shared_catalog(_module_catalog, db):
    """Read-mostly tests: the demo catalogue without reloading it for every test."""
    return Procedure.objects.all()


@pytest.fixture
def district_admin(locality):
    return factories.make_staff(Role.ADMINISTRATOR, factories.DISTRICT)


@pytest.fixture
def commune_admin(locality):
    return factories.make_staff(Role.ADMINISTRATOR, factories.QUANG_THO)


@pytest.fixture
def specialist(locality):
    return factories.make_staff(Role.SPECIALIST, factories.DISTRICT)


def record(**overrides) -> dict:
    """A valid procedure record (the import/export schema) with sensible defaults."""
    n = next(_seq)
    data = {
        "code": f"9.{n:06d}",
        "name": f"Thủ tục thử nghiệm số {n}",
        "field": {"code": "thu-nghiem", "name": "Thử nghiệm"},
        "unit": factories.DISTRICT,
        "levels": ["commune"],
        "online_level": "partial",
        "channels": ["online", "desk"],
        "agency_text": "UBND cấp xã",
        "confirmed": True,
        "required_documents": [{"name": "Tờ khai theo mẫu", "form": "original", "count": 1}],
        "result_documents": [{"name": "Giấy xác nhận"}],
        "legal_basis": [{"title": "Nghị định 123/2015/NĐ-CP"}],
        "terms": [{"effective_from": EFFECTIVE, "processing_days": 3, "day_kind": "working",
                   "fee_rules": [{"code": "le_phi", "label": "Lệ phí", "kind": "fixed", "amount_vnd": 10000}]}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_procedure(locality):
    def make(**overrides) -> Procedure:
        return procedure_create(actor=None, record=record(**overrides))

    return make


@pytest.fixture
def published_forms(monkeypatch):
    """Pretend the e-form engine has published forms for the given procedures."""
    ids: set[int] = set()
    monkeypatch.setattr(eforms_bridge, "procedures_with_published_form_ids", lambda: set(ids))
    def fake_url(name, procedure):
        if name == "dossiers:start":  # the real one-stop wizard
            from django.urls import reverse

            return reverse(name, args=[procedure.pk])
        return f"/bieu-mau/{procedure.pk}/dien/" if name == "eforms:fill" else f"/bieu-mau/quan-tri/{procedure.pk}/"

    monkeypatch.setattr(eforms_bridge, "eform_url", fake_url)
    return ids


def days_ago(n: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=n)
