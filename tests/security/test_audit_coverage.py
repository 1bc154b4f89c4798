"""Every state change is audited: a sample of services across the apps, each asserting the
``AuditEvent`` it writes (action, object, actor, unit), and the hash chain staying intact after all
of them (``core.audit.audit_verify``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max

pytestmark = pytest.mark.django_db


def user(username: str):
    from chinhquyenso.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def audit(world):
    """``audit.new()``: the audit events written since the fixture; ``audit.one(action)`` the only one."""
    from chinhquyenso.core.models import AuditEvent

    start = AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0

    class Audit:
        @staticmethod
        def new():
            return list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))

        @staticmethod
        def one(action: str):
            found = [e for e in Audit.new() if e.action == action]
            assert len(found) == 1, f"{action}: {[e.action for e in Audit.new()]}"
            return found[0]

    return Audit


def assert_event(event, *, obj, actor, unit=None) -> None:
    assert (event.object_type, event.object_id) == (f"{obj._meta.app_label}.{obj._meta.model_name}", str(obj.pk))
    assert event.actor_id == actor.pk and event.actor_label == actor.get_username()
    if unit is not None:
        assert event.unit_id == unit.pk and event.unit_path == unit.path


def assert_chain_intact() -> None:
    from chinhquyenso.core.audit import audit_verify

    problems = list(audit_verify())
    assert not problems, problems


def test_dossier_receive_is_audited(world, audit):
    from chinhquyenso.dossiers.models import Dossier
    from chinhquyenso.dossiers.services import dossier_receive, dossier_submit_online
    from chinhquyenso.units.models import AdministrativeUnit
    from tests.eforms.conftest import birth_data
    from tests.security.conftest import _documents_for

    citizen, desk = user("congdan"), user("canbo.quangtho")
    quang_tho = AdministrativeUnit.objects.get(code="19894")
    procedure = Dossier.objects.get(pk=world["dossier_qt"]).procedure
    dossier = dossier_submit_online(procedure=procedure, unit=quang_tho, applicant=citizen, form_data=birth_data(),
                                    documents=_documents_for(procedure, owner=citizen))
    received = dossier_receive(dossier=dossier, actor=desk, expected_version=dossier.version)
    event = audit.one("dossier.receive")
    assert_event(event, obj=received, actor=desk, unit=quang_tho)
    assert audit.one("dossier.submit").actor_id == citizen.pk
    assert_chain_intact()


def test_feedback_answer_is_audited(world, audit):
    from chinhquyenso.feedback.models import Feedback
    from chinhquyenso.feedback.services import feedback_accept, feedback_answer, feedback_route

    report = Feedback.objects.get(code=world["feedback_qt_code"])
    report = feedback_route(feedback=report, actor=user("canbo.quangtho"), publish=False)
    handler = user("ubnd.quangtho")
    report = feedback_accept(feedback=report, actor=handler)
    answered = feedback_answer(feedback=report, actor=handler, text="Đã thu gom rác, lắp biển cấm đổ rác.")
    event = audit.one("feedback.answer")
    assert_event(event, obj=answered, actor=handler, unit=answered.unit)
    assert event.after and event.after.get("status") == answered.status
    assert [e.action for e in audit.new()] == ["feedback.route", "feedback.accept", "feedback.answer"]
    assert_chain_intact()


def test_invoice_paid_at_the_desk_is_audited(world, audit):
    from chinhquyenso.payments.models import Invoice
    from chinhquyenso.payments.services import payment_record_desk

    officer = user("tiepnhan")
    invoice = Invoice.objects.get(pk=world["invoice_district_open"])
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    event = audit.one("payments.invoice.paid")
    assert_event(event, obj=invoice, actor=officer, unit=invoice.unit)
    assert_chain_intact()


def test_role_assignment_is_audited(world, audit):
    from chinhquyenso.accounts.services import role_assign, staff_create
    from chinhquyenso.units.models import AdministrativeUnit

    admin = user("quantri")
    sia = AdministrativeUnit.objects.get(code="19867")
    officer = staff_create(username="canbo.sia.moi", password="mat-khau-dai-123", full_name="Phan Văn Sịa",
                           actor=admin)
    assignment = role_assign(user=officer, role="reception_officer", unit=sia, actor=admin)
    event = audit.one("accounts.role_assign")
    assert_event(event, obj=assignment, actor=admin, unit=sia)
    assert event.after["role"] == "reception_officer" and event.after["user"] == officer.pk
    assert audit.one("accounts.staff_create").actor_id == admin.pk
    assert_chain_intact()


def test_calendar_override_is_audited(world, audit):
    from chinhquyenso.calendar.models import OverrideKind
    from chinhquyenso.calendar.services import calendar_override_create
    from chinhquyenso.units.models import AdministrativeUnit

    admin = user("quantri")
    province = AdministrativeUnit.objects.get(code="46")
    override = calendar_override_create(
        actor=admin, date=dt.date(2026, 12, 24), kind=OverrideKind.DAY_OFF, unit=province,
        name="Nghỉ bù theo thông báo của UBND tỉnh", legal_basis="Thông báo số 99/TB-UBND")
    event = audit.one("calendar.override.create")
    assert_event(event, obj=override, actor=admin, unit=province)
    assert_chain_intact()


def test_procedure_published_in_the_catalogue_is_audited(world, audit):
    from chinhquyenso.catalog.services import procedure_create
    from tests.catalog.conftest import record

    admin = user("quantri")
    procedure = procedure_create(actor=admin, record=record(code="9.999001", name="Thủ tục kiểm thử kiểm toán"))
    event = audit.one("catalog.procedure_create")
    assert_event(event, obj=procedure, actor=admin, unit=procedure.unit)
    assert_chain_intact()


def test_procedure_retired_and_reactivated_is_audited(world, audit):
    from chinhquyenso.catalog.models import Procedure
    from chinhquyenso.catalog.services import procedure_reactivate, procedure_retire

    admin = user("quantri")
    procedure = Procedure.objects.get(pk=world["procedure_district"])
    procedure_retire(actor=admin, procedure=procedure, reason="Bãi bỏ theo Nghị định mới")
    procedure_reactivate(actor=admin, procedure=Procedure.objects.get(pk=procedure.pk))
    assert_event(audit.one("catalog.procedure_retire"), obj=procedure, actor=admin, unit=procedure.unit)
    assert_event(audit.one("catalog.procedure_reactivate"), obj=procedure, actor=admin, unit=procedure.unit)
    assert_chain_intact()


def test_form_version_publish_is_audited(world, audit):
    from chinhquyenso.eforms.models import FormDefinition
    from chinhquyenso.eforms.services import form_version_draft_for, form_version_publish, form_version_save_spec

    admin = user("quantri")
    definition = FormDefinition.objects.get(pk=world["form_definition_qt"])
    draft = form_version_draft_for(definition=definition, actor=admin)
    title = draft.spec.get("title")
    spec = {**draft.spec, "title": {**title, "vi": title["vi"] + " (sửa đổi)"} if isinstance(title, dict)
            else f"{title} (sửa đổi)"}
    draft = form_version_save_spec(version=draft, spec=spec, actor=admin)
    published = form_version_publish(version=draft, actor=admin, change_note="Sửa tiêu đề")
    event = audit.one("eforms.form_version_publish")
    assert_event(event, obj=published, actor=admin)
    assert_chain_intact()


def test_every_domain_event_of_the_world_has_an_audit_event_for_its_object(world):
    """The outbox and the audit trail tell the same story: an object that raised a domain event
    (something left the building) has at least one audit event of its own."""
    from chinhquyenso.core.models import AuditEvent, DomainEvent

    audited = set(AuditEvent.objects.values_list("object_type", "object_id"))
    events = DomainEvent.objects.exclude(aggregate_type="").values_list("event_type", "aggregate_type", "aggregate_id")
    missing = sorted({(t, a) for t, a, i in events if (a, i) not in audited})
    assert not missing, f"domain events without an audit event for their object: {missing}"
    assert_chain_intact()


def test_a_change_made_through_the_web_records_who_from_where(world, audit, client_as):
    """The request context (client address, browser) reaches the audit event of a web action."""
    client = client_as("congdan", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 (Android 14) Zalo")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.security.conftest import PDF

    response = client.post("/kho-du-lieu/", {"title": "Bằng tốt nghiệp THPT",
                                              "file": SimpleUploadedFile("bang.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    event = audit.one("digitization.personal_document_add")
    assert event.actor_id == user("congdan").pk
    assert (event.ip, event.user_agent) == ("203.0.113.7", "Mozilla/5.0 (Android 14) Zalo")
    assert_chain_intact()
