"""Desk payments (cash, POS) and refunds: role-scoped, audited, never more back than was paid."""

from __future__ import annotations

import pytest

from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.models import AuditEvent, DomainEvent
from chinhquyenso.payments.models import InvoiceStatus, Receipt
from chinhquyenso.payments.services import invoice_cancel, invoice_create, payment_record_desk, refund_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_reception_officer_takes_cash_and_the_same_receipt_is_issued(invoice, officer):
    payment = payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_channel == "desk"
    assert payment.recorded_by == officer
    receipt = Receipt.objects.get(invoice=invoice)
    assert receipt.method == "cash" and receipt.amount == invoice.amount
    assert receipt.amount_in_words == "Năm mươi nghìn đồng"
    event = DomainEvent.objects.get(event_type="payments.invoice_paid")
    assert event.payload["channel"] == "desk" and event.payload["method"] == "cash"


def test_pos_payment_needs_the_slip_number(invoice, officer):
    with pytest.raises(DomainError) as exc:
        payment_record_desk(invoice=invoice, method="pos", amount=invoice.amount, actor=officer)
    assert exc.value.field == "pos_ref"
    payment_record_desk(invoice=invoice, method="pos", amount=invoice.amount, actor=officer, pos_ref="000123")


def test_desk_amount_must_equal_the_invoice(invoice, officer):
    with pytest.raises(DomainError) as exc:
        payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount - 1, actor=officer)
    assert exc.value.code == "amount_mismatch"


def test_officer_of_another_commune_cannot_take_the_payment(make_invoice, commune_desk, make_staff):
    invoice = make_invoice(agency=commune_desk)  # Quảng Thọ
    stranger = make_staff("reception_officer", factories.QUANG_PHU)
    with pytest.raises(PermissionDenied):
        payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=stranger)
    district_officer = make_staff("reception_officer", factories.DISTRICT)  # the district covers its communes
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=district_officer)


def test_a_specialist_cannot_take_money(invoice, make_staff):
    with pytest.raises(PermissionDenied):
        payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount,
                            actor=make_staff("specialist", factories.DISTRICT))


def test_paid_invoice_cannot_be_paid_again_at_the_desk(invoice, officer):
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    with pytest.raises(Conflict):
        payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)


def test_refund_cannot_exceed_the_paid_amount(invoice, officer):
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    with pytest.raises(DomainError) as exc:
        refund_create(invoice=invoice, amount=invoice.amount + 1, reason="Thu nhầm", method="cash", actor=officer)
    assert exc.value.code == "refund_exceeds_paid"
    refund_create(invoice=invoice, amount=20_000, reason="Miễn một phần", method="cash", actor=officer)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_REFUNDED and invoice.amount_refunded == 20_000
    with pytest.raises(DomainError):
        refund_create(invoice=invoice, amount=30_001, reason="Hoàn tiếp", method="cash", actor=officer)
    refund_create(invoice=invoice, amount=30_000, reason="Hủy hồ sơ", method="cash", actor=officer)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REFUNDED and invoice.refundable == 0
    with pytest.raises(Conflict):
        refund_create(invoice=invoice, amount=1, reason="Thêm", method="cash", actor=officer)
    events = DomainEvent.objects.filter(event_type="payments.invoice_refunded").order_by("id")
    assert [e.payload["refunded_total"] for e in events] == [20_000, 50_000]
    assert AuditEvent.objects.filter(action="payments.refund.create").count() == 2


def test_refund_needs_a_reason_and_a_paid_invoice(invoice, officer):
    with pytest.raises(Conflict):
        refund_create(invoice=invoice, amount=1, reason="x", method="cash", actor=officer)
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    with pytest.raises(DomainError) as exc:
        refund_create(invoice=invoice, amount=1, reason="  ", method="cash", actor=officer)
    assert exc.value.code == "reason_required"


def test_citizen_cannot_refund_themselves(invoice, officer, citizen):
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    with pytest.raises(PermissionDenied):
        refund_create(invoice=invoice, amount=1, reason="x", method="cash", actor=citizen)


def test_invoice_creation_is_idempotent(desk, citizen):
    fields = dict(subject_type="dossiers.dossier", subject_id="42", kind="charge", amount=10_000, unit=desk.unit,
                  agency=desk, payer=citizen, description="Lệ phí", idempotency_key="dossier:42:charge")
    first = invoice_create(**fields)
    again = invoice_create(**fields)
    assert first.pk == again.pk
    with pytest.raises(DomainError):
        invoice_create(**{**fields, "subject_id": "43"})
    assert DomainEvent.objects.filter(event_type="payments.invoice_created").count() == 1


def test_invoice_amount_must_be_whole_positive_dong(desk, citizen):
    with pytest.raises(DomainError):
        invoice_create(subject_type="x", subject_id="1", kind="fee", amount=0, unit=desk.unit, agency=desk,
                       payer=citizen, description="x", idempotency_key="k0")
    with pytest.raises(DomainError):
        invoice_create(subject_type="x", subject_id="1", kind="fee", amount=10.5, unit=desk.unit, agency=desk,
                       payer=citizen, description="x", idempotency_key="k1")


def test_walk_in_invoice_needs_a_payer_name(desk):
    with pytest.raises(DomainError) as exc:
        invoice_create(subject_type="x", subject_id="1", kind="fee", amount=1000, unit=desk.unit, agency=desk,
                       description="x", idempotency_key="k2")
    assert exc.value.field == "payer_name"
    invoice = invoice_create(subject_type="x", subject_id="1", kind="fee", amount=1000, unit=desk.unit, agency=desk,
                             payer_name="Lê Văn Khách", description="x", idempotency_key="k3")
    assert invoice.payer is None


def test_cancel_an_open_invoice_with_a_reason(invoice, officer):
    invoice_cancel(invoice=invoice, actor=officer, reason="Công dân rút hồ sơ")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert DomainEvent.objects.filter(event_type="payments.invoice_cancelled").exists()


def test_fee_from_the_catalogue_quote(desk, citizen, monkeypatch):
    from chinhquyenso.catalog.fees import FeeRuleSpec, Tier, quote_rules
    from chinhquyenso.payments import services

    rules = [FeeRuleSpec("copy", "Chứng thực bản sao", kind="tiered", tier_mode="graduated",
                         tiers=(Tier(1, 2, 2000), Tier(3, None, 1000)))]
    monkeypatch.setattr(services, "_fee_quote_function",
                        lambda: lambda procedure, **kw: quote_rules(rules, quantity=kw["quantity"]))
    invoice = services.invoice_create_for_procedure(
        procedure=object(), quantity=5, subject_type="dossiers.dossier", subject_id="7", unit=desk.unit, agency=desk,
        payer=citizen, description="Phí chứng thực", idempotency_key="dossier:7:fee", kind="fee")
    assert invoice.amount == 2000 * 2 + 1000 * 3
    assert invoice.lines[0]["label"] == "Chứng thực bản sao" and invoice.lines[0]["amount_vnd"] == 7000
