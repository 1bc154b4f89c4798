"""Reads of the payments app: gatekeeper reads, officers' lists, reconciliation and dashboards.

Staff lists start from ``unit_scope_q`` (a path filter in SQL, no per-row checks); lists use keyset
pagination on the primary key, so the 100th page costs what the first does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from chinhquyenso.core.db import reporting_db
from chinhquyenso.core.errors import NotFound
from chinhquyenso.payments import policies
from chinhquyenso.payments.models import (
    CASHLESS_METHODS,
    ONLINE_METHODS,
    BankAccount,
    Invoice,
    InvoiceStatus,
    LineStatus,
    Method,
    Payment,
    PaymentStatus,
    Receipt,
    Refund,
    RefundStatus,
    StatementImport,
    StatementLine,
)
from chinhquyenso.units.selectors import unit_scope_q

# Directive target: at least half of the dossiers with a fee are paid without cash (rising yearly).
CASHLESS_TARGET_PERCENT = 50


def invoice_get_for_user(*, invoice_id: int, user) -> Invoice:
    """The invoice if the user is its payer or staff of its unit; ``NotFound`` otherwise (ids reveal nothing)."""
    invoice = (Invoice.objects.select_related("unit", "agency", "payer").filter(pk=invoice_id).first())
    if invoice is None or not policies.can_view_invoice(user, invoice):
        raise NotFound()
    return invoice


def invoices_for_subject(*, subject_type: str, subject_id: str):
    """All invoices of one subject (the dossier page shows them)."""
    return (Invoice.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
            .select_related("receipt").order_by("created_at"))


def invoice_list_for_payer(*, user, limit: int = 50):
    return (Invoice.objects.filter(payer_id=user.pk).select_related("agency")
            .only("id", "reference", "kind", "description", "amount", "status", "created_at", "agency__name")
            .order_by("-id")[:limit])


def invoice_count_open_for_payer(*, user) -> int:
    return Invoice.objects.filter(payer_id=user.pk, status=InvoiceStatus.OPEN).count()


def invoice_list_unpaid(*, user, after_id: int | None = None, limit: int = 50, search: str = ""):
    """Open invoices in the officer's units, newest first (keyset on id)."""
    qs = (Invoice.objects.filter(unit_scope_q(user), status=InvoiceStatus.OPEN)
          .select_related("unit", "agency")
          .only("id", "reference", "kind", "description", "subject_label", "payer_name", "amount", "created_at",
                "unit__full_name", "agency__name"))
    if search:
        term = search.strip()
        qs = qs.filter(Q(reference__iexact=term.upper()) | Q(payer_name__icontains=term)
                       | Q(subject_label__icontains=term))
    if after_id:
        qs = qs.filter(pk__lt=after_id)
    return list(qs.order_by("-id")[:limit])


def invoice_count_unpaid(*, user) -> int:
    return Invoice.objects.filter(unit_scope_q(user), status=InvoiceStatus.OPEN).count()


def invoice_latest_payments(*, invoice: Invoice):
    return list(invoice.payments.select_related("recorded_by").order_by("-created_at")[:20])


def payment_by_txn_ref(txn_ref: str) -> Payment | None:
    return Payment.objects.select_related("invoice").filter(provider_ref=txn_ref, method=Method.VNPAY).first()


def receipt_by_token(token: str) -> Receipt | None:
    return Receipt.objects.select_related("agency", "invoice").filter(lookup_token=token).first()


def bank_account_for_agency(agency) -> BankAccount | None:
    return BankAccount.objects.filter(agency=agency, is_active=True).first()


def bank_accounts_for_user(*, user):
    return (BankAccount.objects.filter(unit_scope_q(user, field="agency__unit", roles=policies.STATEMENT_ROLES),
                                       is_active=True).select_related("agency"))


def statement_imports_for_user(*, user, limit: int = 20):
    return list(StatementImport.objects.filter(
        unit_scope_q(user, field="bank_account__agency__unit", roles=policies.STATEMENT_ROLES))
        .select_related("bank_account", "imported_by").order_by("-id")[:limit])


def statement_lines_open(*, user, limit: int = 200):
    """Lines waiting for an officer (ambiguous or unmatched), oldest first."""
    return list(StatementLine.objects.filter(
        unit_scope_q(user, field="bank_account__agency__unit", roles=policies.STATEMENT_ROLES),
        status__in=(LineStatus.AMBIGUOUS, LineStatus.UNMATCHED))
        .select_related("bank_account").order_by("booked_on", "id")[:limit])


def statement_lines_of_import(*, statement: StatementImport):
    return list(statement.lines.select_related("invoice").order_by("id"))


def statement_get_for_user(*, statement_id: int, user) -> StatementImport:
    statement = StatementImport.objects.select_related("bank_account__agency__unit").filter(pk=statement_id).first()
    if statement is None or not policies.can_manage_statements(user, statement.bank_account):
        raise NotFound()
    return statement


def candidate_invoices(*, line: StatementLine):
    return list(Invoice.objects.filter(pk__in=line.candidates or []).select_related("agency"))


# --- reconciliation -----------------------------------------------------------------------------------

@dataclass
class Difference:
    kind: str
    label: str
    amount: int
    invoice_id: int | None = None
    reference: str = ""
    detail: str = ""


@dataclass
class ReconciliationRow:
    provider: str
    label: str
    expected_count: int = 0
    expected_total: int = 0
    received_count: int = 0
    received_total: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.expected_total == self.received_total and not self.differences


def _day_bounds(day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + timedelta(days=1)


def reconciliation_daily(*, user, day: dt.date) -> list[ReconciliationRow]:
    """Per provider, for one day: what we credited (expected) against what the provider confirms
    (received), and every difference to look at. Bounded number of queries whatever the volume."""
    start, end = _day_bounds(day)
    scope = unit_scope_q(user, field="invoice__unit", roles=policies.RECONCILIATION_ROLES)
    rows = []

    # VNPAY: our successes vs the gateway's own status (IPN or querydr answer stored on the order).
    vnpay_row = ReconciliationRow(Method.VNPAY, Method.VNPAY.label)
    orders = (Payment.objects.filter(scope, method=Method.VNPAY, created_at__gte=start, created_at__lt=end)
              .select_related("invoice").only("id", "status", "amount", "gateway_status", "gateway_amount",
                                              "duplicate", "provider_ref", "invoice__id", "invoice__reference"))
    for p in orders:
        ours_ok = p.status == PaymentStatus.SUCCEEDED
        theirs_ok = p.gateway_status == "00"
        if ours_ok:
            vnpay_row.expected_count += 1
            vnpay_row.expected_total += p.amount
        if theirs_ok:
            vnpay_row.received_count += 1
            vnpay_row.received_total += p.gateway_amount or 0
        if ours_ok and not theirs_ok:
            vnpay_row.differences.append(Difference("not_confirmed", "Ghi nhận thành công nhưng cổng chưa xác nhận",
                                                    p.amount, p.invoice_id, p.invoice.reference, p.provider_ref))
        elif theirs_ok and not ours_ok:
            vnpay_row.differences.append(Difference("not_credited", "Cổng báo thành công nhưng chưa ghi nhận",
                                                    p.gateway_amount or 0, p.invoice_id, p.invoice.reference,
                                                    p.provider_ref))
        elif ours_ok and p.gateway_amount not in (None, p.amount):
            vnpay_row.differences.append(Difference("amount", "Số tiền khác nhau", p.amount, p.invoice_id,
                                                    p.invoice.reference, p.provider_ref))
        if ours_ok and p.duplicate:
            vnpay_row.differences.append(Difference("duplicate", "Nộp trùng, cần hoàn tiền", p.amount, p.invoice_id,
                                                    p.invoice.reference, p.provider_ref))
    rows.append(vnpay_row)

    # VietQR: credited transfers vs the credit lines the bank statement shows for the day.
    qr_row = ReconciliationRow(Method.VIETQR, Method.VIETQR.label)
    line_scope = unit_scope_q(user, field="bank_account__agency__unit", roles=policies.RECONCILIATION_ROLES)
    lines = (StatementLine.objects.filter(line_scope, booked_on=day)
             .select_related("invoice").only("id", "status", "amount", "description", "invoice__reference",
                                             "invoice__id"))
    dup_line_ids = set(Payment.objects.filter(statement_line__booked_on=day, duplicate=True)
                       .values_list("statement_line_id", flat=True))
    for line in lines:
        qr_row.received_count += 1
        qr_row.received_total += line.amount
        if line.status in (LineStatus.MATCHED, LineStatus.MANUAL):
            qr_row.expected_count += 1
            qr_row.expected_total += line.amount
            if line.id in dup_line_ids:
                qr_row.differences.append(Difference("duplicate", "Nộp trùng, cần hoàn tiền", line.amount,
                                                     line.invoice_id, line.invoice.reference, line.description))
        elif line.status in (LineStatus.AMBIGUOUS, LineStatus.UNMATCHED):
            qr_row.differences.append(Difference(line.status, line.get_status_display(), line.amount, None, "",
                                                 line.description))
        else:  # ignored: not a fee payment, not expected either
            qr_row.received_count -= 1
            qr_row.received_total -= line.amount
    rows.append(qr_row)

    # Cash and POS at the desk: what each officer recorded (the cashier counts it against the till).
    desk = (Payment.objects.filter(scope, method__in=(Method.CASH, Method.POS), status=PaymentStatus.SUCCEEDED,
                                   completed_at__gte=start, completed_at__lt=end)
            .values("method").annotate(n=Count("id"), total=Sum("amount")))
    by_method = {d["method"]: d for d in desk}
    refunds = (Refund.objects.filter(unit_scope_q(user, field="invoice__unit", roles=policies.RECONCILIATION_ROLES),
                                     created_at__gte=start, created_at__lt=end)
               .exclude(status=RefundStatus.REFUSED)
               .values("method").annotate(total=Sum("amount")))
    refunded = {r["method"]: r["total"] for r in refunds}
    for method in (Method.CASH, Method.POS):
        d = by_method.get(method, {"n": 0, "total": 0})
        row = ReconciliationRow(method, method.label, d["n"], d["total"] or 0, d["n"], d["total"] or 0)
        if refunded.get(method):
            row.differences.append(Difference("refund", "Đã hoàn trong ngày", refunded[method]))
        rows.append(row)
    return rows


@dataclass
class ShareRow:
    unit_id: int | None
    unit_name: str
    paid: int
    cashless: int
    online: int

    @property
    def cashless_percent(self) -> float | None:
        return round(100 * self.cashless / self.paid, 1) if self.paid else None

    @property
    def online_percent(self) -> float | None:
        return round(100 * self.online / self.paid, 1) if self.paid else None

    @property
    def meets_target(self) -> bool:
        return self.cashless_percent is not None and self.cashless_percent >= CASHLESS_TARGET_PERCENT


def cashless_share(*, user, date_from: dt.date, date_to: dt.date) -> tuple[list[ShareRow], ShareRow]:
    """Share of paid fees and charges paid without cash, per unit, for dashboards (one grouped query).

    Counted per subject (a dossier with a fee and a charge counts once) over invoices paid in the
    period; postage is left out. "Cashless" is VNPAY, VietQR or a card on the POS; "online" is the
    first two.
    """
    start, _ = _day_bounds(date_from)
    _, end = _day_bounds(date_to)
    base = (Invoice.objects.using(reporting_db())
            .filter(unit_scope_q(user, roles=policies.RECONCILIATION_ROLES), paid_at__gte=start, paid_at__lt=end,
                    kind__in=("fee", "charge"))
            .exclude(status=InvoiceStatus.CANCELLED))
    grouped = (base.values("unit_id", "unit__full_name")
               .annotate(paid=Count("subject_id", distinct=True),
                         cashless=Count("subject_id", distinct=True, filter=Q(paid_method__in=CASHLESS_METHODS)),
                         online=Count("subject_id", distinct=True, filter=Q(paid_method__in=ONLINE_METHODS)))
               .order_by("unit__full_name"))
    rows = [ShareRow(g["unit_id"], g["unit__full_name"], g["paid"], g["cashless"], g["online"]) for g in grouped]
    total = ShareRow(None, "Tổng", sum(r.paid for r in rows), sum(r.cashless for r in rows),
                     sum(r.online for r in rows))
    return rows, total
