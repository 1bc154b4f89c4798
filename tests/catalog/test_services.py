"""Writes to the catalogue: validation, versioned terms, permissions, audit and events."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from chinhquyenso.accounts.roles import Role
from chinhquyenso.catalog.models import Procedure, ProcedureStatus, ProcedureTerms
from chinhquyenso.catalog.selectors import procedure_search, terms_in_force
from chinhquyenso.catalog.services import (
    procedure_create,
    procedure_reactivate,
    procedure_retire,
    procedure_terms_add,
    procedure_update,
    required_document_template_attach,
)
from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.models import AuditEvent, DomainEvent
from tests import factories
from tests.catalog.conftest import record

pytestmark = pytest.mark.django_db


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Tờ khai"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_terms_in_force_is_the_latest_version_not_after_the_day(make_procedure):
    p = make_procedure(terms=[
        {"effective_from": "2024-01-01", "processing_days": 5},
        {"effective_from": "2025-07-01", "processing_days": 3},
        {"effective_from": "2099-01-01", "processing_days": 1},
    ])
    assert terms_in_force(p, on=dt.date(2023, 1, 1)) is None
    assert terms_in_force(p, on=dt.date(2025, 6, 30)).processing_days == 5
    assert terms_in_force(p, on=dt.date(2025, 7, 1)).processing_days == 3
    assert terms_in_force(p).processing_days == 3
    assert terms_in_force(p, on=dt.date(2099, 1, 1)).processing_days == 1


def test_a_version_in_force_cannot_be_edited_only_superseded(make_procedure):
    p = make_procedure()
    with pytest.raises(Conflict) as exc:
        procedure_terms_add(actor=None, procedure=p, terms={"effective_from": "2025-07-01", "processing_days": 9})
    assert exc.value.field == "effective_from"
    assert ProcedureTerms.objects.get(procedure=p).processing_days == 3
    procedure_terms_add(actor=None, procedure=p, terms={"effective_from": "2026-01-01", "processing_days": 9})
    assert list(p.terms.order_by("effective_from").values_list("processing_days", flat=True)) == [3, 9]


def test_a_future_version_can_be_corrected(make_procedure):
    p = make_procedure()
    procedure_terms_add(actor=None, procedure=p, terms={"effective_from": "2099-01-01", "processing_days": 9})
    procedure_terms_add(actor=None, procedure=p, terms={"effective_from": "2099-01-01", "processing_days": 7,
                                                        "fee_rules": []})
    future = p.terms.get(effective_from=dt.date(2099, 1, 1))
    assert future.processing_days == 7 and future.fee_rules.count() == 0


def test_adding_the_same_figures_again_is_refused(make_procedure):
    p = make_procedure()
    same = {"effective_from": "2026-01-01", "processing_days": 3, "day_kind": "working",
            "fee_rules": [{"code": "le_phi", "label": "Lệ phí", "kind": "fixed", "amount_vnd": 10000}]}
    with pytest.raises(DomainError) as exc:
        procedure_terms_add(actor=None, procedure=p, terms=same)
    assert exc.value.code == "terms_unchanged"


def test_update_refreshes_the_search_key_and_is_audited(make_procedure, district_admin):
    p = make_procedure()
    procedure_update(actor=district_admin, procedure=p, changes={"name": "Đăng ký nuôi con nuôi trong nước"})
    assert procedure_search(q="nuoi con nuoi").items[0].pk == p.pk
    audit = AuditEvent.objects.filter(action="catalog.procedure_update", object_id=str(p.pk)).get()
    assert audit.actor_id == district_admin.pk and audit.after["changed"] == ["name"]
    assert DomainEvent.objects.filter(event_type="catalog.procedure_updated", aggregate_id=str(p.pk)).exists()


def test_an_update_that_changes_nothing_writes_nothing(make_procedure):
    p = make_procedure()
    before = AuditEvent.objects.count()
    procedure_update(actor=None, procedure=p, changes={"name": p.name})
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("overrides,field", [
    ({"online_level": "full", "channels": ["desk"]}, "channels"),
    ({"online_level": "none", "channels": ["online", "desk"]}, "channels"),
    ({"levels": []}, "levels"),
    ({"agencies": ["999.99.99.H99"]}, "agencies"),
    ({"unit": factories.QUANG_THO}, "unit"),
    ({"code": "khai sinh!"}, "code"),
    ({"name": ""}, "name"),
    ({"terms": []}, "terms"),
    ({"terms": [{"effective_from": "2025-07-01", "processing_days": 3, "fee_rules": [
        {"code": "x", "label": "Bậc", "kind": "tiered", "tier_mode": "graduated",
         "tiers": [{"from": 2, "to": None, "amount_vnd": 1}]}]}]}, "tiers"),
])
def test_invalid_procedures_are_refused_with_the_field(locality, overrides, field):
    with pytest.raises(DomainError) as exc:
        procedure_create(actor=None, record=record(**overrides))
    assert exc.value.field == field
    assert exc.value.message[0].isupper()
    assert not Procedure.objects.exists()


def test_codes_are_unique(make_procedure):
    p = make_procedure()
    with pytest.raises(Conflict):
        procedure_create(actor=None, record=record(code=p.code))


def test_retire_needs_a_reason_and_hides_the_procedure(make_procedure, district_admin):
    p = make_procedure()
    with pytest.raises(DomainError):
        procedure_retire(actor=district_admin, procedure=p, reason=" ")
    procedure_retire(actor=district_admin, procedure=p, reason="QĐ 12/QĐ-UBND bãi bỏ")
    p.refresh_from_db()
    assert p.status == ProcedureStatus.RETIRED and p.retired_at is not None
    assert procedure_search(q=p.name).total == 0
    with pytest.raises(Conflict):
        procedure_retire(actor=district_admin, procedure=p, reason="lần nữa")
    procedure_reactivate(actor=district_admin, procedure=p)
    assert procedure_search(q=p.name).total == 1
    assert AuditEvent.objects.filter(action="catalog.procedure_retire").exists()


def test_district_and_province_administrators_manage_the_district_catalogue(make_procedure, district_admin):
    province_admin = factories.make_staff(Role.ADMINISTRATOR, factories.PROVINCE)
    p = make_procedure()
    procedure_update(actor=district_admin, procedure=p, changes={"note": "Sửa bởi huyện"})
    procedure_update(actor=province_admin, procedure=p, changes={"note": "Sửa bởi tỉnh"})
    assert Procedure.objects.get(pk=p.pk).note == "Sửa bởi tỉnh"


@pytest.mark.parametrize("role,unit", [
    (Role.ADMINISTRATOR, factories.QUANG_THO),  # a commune administrator: the catalogue is district config
    (Role.SPECIALIST, factories.DISTRICT),
    (Role.UNIT_LEADER, factories.DISTRICT),
])
def test_others_cannot_change_the_catalogue(make_procedure, role, unit):
    p = make_procedure()
    user = factories.make_staff(role, unit)
    with pytest.raises(PermissionDenied):
        procedure_update(actor=user, procedure=p, changes={"note": "không được"})
    with pytest.raises(PermissionDenied):
        procedure_retire(actor=user, procedure=p, reason="không được")
    with pytest.raises(PermissionDenied):
        procedure_create(actor=user, record=record())


def test_citizens_cannot_change_the_catalogue(make_procedure, citizen):
    with pytest.raises(PermissionDenied):
        procedure_update(actor=citizen, procedure=make_procedure(), changes={"note": "x"})


def test_a_template_is_checked_stored_and_kept_when_the_document_is_edited(make_procedure, district_admin):
    p = make_procedure()
    doc = p.required_documents.get()
    required_document_template_attach(actor=district_admin, document=doc, content=xlsx_bytes(),
                                      name="To khai.xlsx")
    doc.refresh_from_db()
    assert doc.template.mime_type.endswith("spreadsheetml.sheet")
    procedure_update(actor=district_admin, procedure=p, changes={"required_documents": [
        {"id": doc.pk, "name": "Tờ khai (mẫu mới)", "form": "original", "count": 2}]})
    doc.refresh_from_db()
    assert doc.name == "Tờ khai (mẫu mới)" and doc.count == 2 and doc.template is not None


def test_a_template_that_is_not_a_document_is_refused(make_procedure, district_admin):
    doc = make_procedure().required_documents.get()
    with pytest.raises(DomainError) as exc:
        required_document_template_attach(actor=district_admin, document=doc, content=b"MZ\x90\x00binary",
                                          name="mau.pdf")
    assert exc.value.code == "file_type_not_allowed"
