"""Every write of the payments app: one function per use case, one transaction, audit + event inside.

Lock order, to keep concurrent callbacks from deadlocking: a payment row first, then its invoice,
then the receipt counter. Every path that credits money (VNPAY IPN, querydr, desk, statement) goes
through ``_payment_succeed``, which re-reads the invoice under a row lock: whatever arrives twice or
at the same time is credited once.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import asdict, is_dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from chinhquyenso.core.events import event_record
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.numwords import vnd_in_words
from chinhquyenso.payments import policies
from chinhquyenso.payments.models import (
    BankAccount,
    Channel,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    LineStatus,
    Method,
    Payment,
    PaymentStatus,
    Receipt,
    ReceiptCounter,
    Refund,
    RefundStatus,
    StatementImport,
    StatementLine,
)
from chinhquyenso.payments.providers import vnpay
from chinhquyenso.payments.statements import (
    REFERENCE_ALPHABET,
    REFERENCE_PREFIX,
    line_hashes,
    parse_statement,
    references_in,
)

log = logging.getLogger(__name__)
security_log = logging.getLogger("chinhquyenso.security")

SUBJECT_TYPE_MAX = 60


def _new_reference() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _invoice_payload(invoice: Invoice, **extra) -> dict:
    return {"invoice_id": invoice.pk, "reference": invoice.reference, "subject_type": invoice.subject_type,
            "subject_id": invoice.subject_id, "kind": invoice.kind, "amount": invoice.amount, **extra}


def _snapshot(invoice: Invoice) -> dict:
    return {"status": invoice.status, "amount": invoice.amount, "amount_refunded": invoice.amount_refunded,
            "paid_method": invoice.paid_method, "version": invoice.version}


# --- invoices --------------------------------------------------------------------------------------

@transaction.atomic
def invoice_create(
    *,
    subject_type: str,
    subject_id: str,
    kind: str,
    amount: int,
    unit,
    agency,
    description: str,
    idempotency_key: str,
    payer=None,
    payer_name: str = "",
    subject_label: str = "",
    lines: list[dict] | tuple = (),
    actor=None,
) -> Invoice:
    """Create the invoice for one charge, or return the one already created with this key.

    The key is the caller's natural key (e.g. ``"dossier:123:fee"``): retried requests, double clicks
    and redelivered events never create a second invoice.
    """
    existing = Invoice.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if (existing.subject_type, existing.subject_id, existing.kind) != (subject_type, str(subject_id), kind):
            raise Conflict("idempotency_key_reused", _("Mã chống trùng đã dùng cho một khoản thu khác."))
        return existing
    if kind not in InvoiceKind.values:
        raise DomainError("invalid_kind", _("Loại khoản thu không hợp lệ."), "kind")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DomainError("invalid_amount", _("Số tiền phải là số nguyên đồng lớn hơn 0."), "amount")
    if not subject_type or len(subject_type) > SUBJECT_TYPE_MAX or not str(subject_id):
        raise DomainError("invalid_subject", _("Thiếu đối tượng thu phí."), "subject_id")
    if agency.unit_id != unit.pk and not unit.path.startswith(agency.unit.path):
        raise DomainError("agency_outside_unit", _("Cơ quan thu không thuộc đơn vị này."), "agency")
    payer_name = (payer_name or getattr(payer, "full_name", "") or "").strip()
    if not payer_name:
        raise DomainError("payer_name_required", _("Vui lòng nhập họ tên người nộp."), "payer_name")
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                reference=_new_reference(), idempotency_key=idempotency_key, subject_type=subject_type,
                subject_id=str(subject_id), subject_label=subject_label[:255], unit=unit, agency=agency, payer=payer,
                payer_name=payer_name[:150], kind=kind, description=description[:255], lines=list(lines),
                amount=amount, created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        # Same key created concurrently by another request: that one wins, we return it.
        existing = Invoice.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
    audit_record(action="payments.invoice.create", actor=actor, obj=invoice, unit=unit, after=_snapshot(invoice))
    event_record(event_type="payments.invoice_created", aggregate=invoice, unit=unit, actor=actor,
                 payload=_invoice_payload(invoice))
    return invoice


def _fee_quote_function():
    """``chinhquyenso.catalog.fees.fee_quote`` when the catalogue is installed (it owns fee rules)."""
    try:
        from chinhquyenso.catalog.fees import fee_quote
    except ImportError:  # a deployment without the catalogue charges only explicit amounts
        return None
    return fee_quote


def invoice_create_for_procedure(*, procedure, on: dt.date | None = None, quantity: int = 1,
                                 exemptions=(), include=(), kind: str = InvoiceKind.CHARGE, **fields) -> Invoice:
    """Invoice the fee of a procedure as the catalogue quotes it (no fee logic here)."""
    fee_quote = _fee_quote_function()
    if fee_quote is None:
        raise DomainError("catalog_unavailable", _("Chưa cài đặt danh mục thủ tục để tính phí, lệ phí."))
    quote = fee_quote(procedure, on=on, quantity=quantity, exemptions=exemptions, include=include)
    if not quote.complete:
        raise DomainError("fee_unknown", _("Mức phí, lệ phí của thủ tục chưa được cập nhật đầy đủ; "
                                           "vui lòng nộp tại quầy để được hướng dẫn."))
    if quote.total_vnd <= 0:
        raise DomainError("no_fee", _("Thủ tục này không thu phí, lệ phí."))
    lines = [asdict(line) if is_dataclass(line) else dict(line) for line in quote.lines]
    return invoice_create(amount=quote.total_vnd, lines=lines, kind=kind, **fields)


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, actor, reason: str) -> Invoice:
    if not policies.can_cancel_invoice(actor, invoice):
        raise PermissionDenied()
    if not (reason or "").strip():
        raise DomainError("reason_required", _("Vui lòng nhập lý do."), "reason")
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.OPEN:
        raise Conflict("invoice_not_open", _("Chỉ hủy được khoản thu chưa thanh toán."))
    before = _snapshot(locked)
    locked.status = InvoiceStatus.CANCELLED
    locked.cancelled_reason = reason.strip()[:255]
    locked.version += 1
    locked.save(update_fields=["status", "cancelled_reason", "version"])
    audit_record(action="payments.invoice.cancel", actor=actor, obj=locked, unit=locked.unit, before=before,
                 after={**_snapshot(locked), "reason": locked.cancelled_reason})
    event_record(event_type="payments.invoice_cancelled", aggregate=locked, unit=locked.unit, actor=actor,
                 payload=_invoice_payload(locked, reason=locked.cancelled_reason))
    return locked


# --- receipts ----------------------------------------------------------------------------------------

def receipt_symbol(agency, year: int) -> str:
    """Receipt series printed on the receipt: agency abbreviation + year, e.g. "BPMC-BL26"."""
    return f"{(agency.abbreviation or 'CQ').upper()}-BL{year % 100:02d}"


def _receipt_issue(*, invoice: Invoice, payment: Payment) -> Receipt:
    """Next number of the agency's series for the year. Runs inside the crediting transaction and
    locks the counter row, so concurrent payments wait for each other and a rollback frees the number."""
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    ReceiptCounter.objects.get_or_create(agency_id=invoice.agency_id, year=year)  # race-safe: unique + retry
    counter = ReceiptCounter.objects.select_for_update().get(agency_id=invoice.agency_id, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return Receipt.objects.create(
        invoice=invoice, payment=payment, agency_id=invoice.agency_id, year=year, number=counter.last_number,
        symbol=receipt_symbol(invoice.agency, year), issued_at=issued_at, payer_name=invoice.payer_name,
        amount=invoice.amount, amount_in_words=vnd_in_words(invoice.amount), method=payment.method,
        lookup_token=secrets.token_urlsafe(24),
    )


def receipt_pdf(*, receipt: Receipt) -> bytes:
    """The receipt as PDF bytes; rendered once and kept as a stored file (the content never changes)."""
    if receipt.pdf_id:
        with receipt.pdf.open() as handle:
            return handle.read()
    from chinhquyenso.payments.receipts import render_receipt_pdf

    data = render_receipt_pdf(receipt)
    stored = stored_file_create(content=data, name=f"bien-lai-{receipt.symbol}-{receipt.number_display}.pdf",
                                purpose="receipt")
    Receipt.objects.filter(pk=receipt.pk, pdf__isnull=True).update(pdf=stored)
    return data


# --- crediting -----------------------------------------------------------------------------------------

def _payment_succeed(*, payment: Payment, actor=None, txn_no: str = "", bank_code: str = "",
                     completed_at: dt.datetime | None = None, raw: dict | None = None) -> Payment:
    """Mark a (locked) payment succeeded and, if its invoice is still open, the invoice paid with a
    receipt. Caller holds the payment row lock inside a transaction."""
    invoice = Invoice.objects.select_for_update().select_related("agency", "unit").get(pk=payment.invoice_id)
    payment.status = PaymentStatus.SUCCEEDED
    payment.completed_at = completed_at or timezone.now()
    payment.provider_txn_no = txn_no or payment.provider_txn_no
    payment.bank_code = bank_code or payment.bank_code
    if raw:
        payment.raw = {**payment.raw, **raw}
    if invoice.status != InvoiceStatus.OPEN:
        # Paid twice (two tabs, a transfer after a card payment) or paid after cancellation: keep the
        # money on record and flag it for a refund; the invoice does not change.
        payment.duplicate = True
        payment.save()
        audit_record(action="payments.payment.duplicate", actor=actor, obj=payment, unit=invoice.unit,
                     after={"invoice": invoice.pk, "invoice_status": invoice.status, "amount": payment.amount,
                            "method": payment.method})
        event_record(event_type="payments.payment_duplicate", aggregate=invoice, unit=invoice.unit, actor=actor,
                     payload=_invoice_payload(invoice, payment_id=payment.pk, method=payment.method,
                                              duplicate_amount=payment.amount))
        return payment
    payment.save()
    before = _snapshot(invoice)
    invoice.status = InvoiceStatus.PAID
    invoice.paid_method = payment.method
    invoice.paid_channel = payment.channel
    invoice.paid_at = payment.completed_at
    invoice.version += 1
    invoice.save(update_fields=["status", "paid_method", "paid_channel", "paid_at", "version"])
    receipt = _receipt_issue(invoice=invoice, payment=payment)
    audit_record(action="payments.invoice.paid", actor=actor, obj=invoice, unit=invoice.unit, before=before,
                 after={**_snapshot(invoice), "payment": payment.pk, "receipt": f"{receipt.symbol} "
                                                                               f"{receipt.number_display}"})
    event_record(event_type="payments.invoice_paid", aggregate=invoice, unit=invoice.unit, actor=actor,
                 payload=_invoice_payload(invoice, method=payment.method, channel=payment.channel,
                                          payment_id=payment.pk, receipt_id=receipt.pk))
    return payment


# --- VNPAY ------------------------------------------------------------------------------------------------

@transaction.atomic
def vnpay_payment_start(*, invoice: Invoice, actor, return_url: str, ip_addr: str, locale: str = "vn",
                        bank_code: str = "") -> tuple[Payment, str]:
    """Open a VNPAY order for the invoice and return the signed URL to send the citizen to."""
    if not policies.can_pay_online(actor, invoice):
        raise NotFound()
    config = vnpay.VnpayConfig.from_settings()
    if not config.enabled:
        raise DomainError("vnpay_disabled", _("Cổng thanh toán VNPAY chưa được cấu hình."), status=503)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not locked.is_payable:
        raise Conflict("invoice_not_open", _("Khoản thu này không còn chờ thanh toán."))
    now = timezone.now()
    payment = Payment.objects.create(
        invoice=locked, method=Method.VNPAY, channel=Channel.ONLINE, amount=locked.amount,
        provider_ref=vnpay.new_txn_ref(), created_at=now,
        expires_at=now + timedelta(minutes=settings.VNPAY_EXPIRE_MINUTES),
    )
    url = vnpay.payment_url(
        config, txn_ref=payment.provider_ref, amount_vnd=payment.amount,
        order_info=f"Thanh toan {locked.reference} {locked.description}", return_url=return_url,
        ip_addr=ip_addr, created_at=now, expires_at=payment.expires_at, locale=locale, bank_code=bank_code,
    )
    payment.raw = {"create_date": vnpay.vnp_datetime(now)}
    payment.save(update_fields=["raw"])
    audit_record(action="payments.vnpay.start", actor=actor, obj=payment, unit=locked.unit,
                 after={"invoice": locked.pk, "txn_ref": payment.provider_ref, "amount": payment.amount})
    return payment, url


def _reject(reason: str, params: dict, ip: str, rsp: tuple[str, str], *, payment: Payment | None = None):
    """A callback we refuse is a security event: log it and write it to the audit chain."""
    safe = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
    security_log.warning("VNPAY IPN rejected (%s) from %s: txn_ref=%s amount=%s", reason, ip,
                         params.get("vnp_TxnRef"), params.get("vnp_Amount"))
    audit_record(action="payments.vnpay.ipn_rejected", object_type="payments.payment",
                 object_id=str(payment.pk) if payment else params.get("vnp_TxnRef", "")[:64],
                 unit=payment.invoice.unit if payment else None,
                 after={"reason": reason, "rsp_code": rsp[0], "ip": ip, "params": safe})
    return vnpay.ipn_reply(rsp)


def vnpay_ipn_process(*, params: dict[str, str], ip: str = "") -> dict[str, str]:
    """Handle one IPN call and return the JSON reply for VNPAY.

    Checks, in the protocol's order: checksum (97) → order exists for our merchant (01) → amount
    ×100 matches (04) → order still pending (02) → update (00). Unexpected errors reply 99 so the
    gateway retries. The row lock makes duplicates and a concurrent return/IPN credit once.
    """
    config = vnpay.VnpayConfig.from_settings()
    try:
        if not config.enabled or not vnpay.verify(params, config.hash_secret):
            with transaction.atomic():
                return _reject("invalid_signature", params, ip, vnpay.Rsp.INVALID_SIGNATURE)
        result = vnpay.GatewayResult.from_params(params)
        with transaction.atomic():
            if result.tmn_code != config.tmn_code:
                return _reject("merchant_mismatch", params, ip, vnpay.Rsp.ORDER_NOT_FOUND)
            payment = (Payment.objects.select_for_update().select_related("invoice__unit")
                       .filter(provider_ref=result.txn_ref, method=Method.VNPAY).first())
            if payment is None:
                return _reject("order_not_found", params, ip, vnpay.Rsp.ORDER_NOT_FOUND)
            if result.amount_vnd != payment.amount:
                return _reject("amount_mismatch", params, ip, vnpay.Rsp.INVALID_AMOUNT, payment=payment)
            # An order we expired locally (querydr found nothing) may still be paid late: money was taken.
            if payment.status not in (PaymentStatus.PENDING, PaymentStatus.EXPIRED):
                return vnpay.ipn_reply(vnpay.Rsp.ALREADY_CONFIRMED)
            payment.response_code = result.response_code
            payment.gateway_status = result.transaction_status
            payment.gateway_amount = result.amount_vnd
            payment.gateway_checked_at = timezone.now()
            raw = {"ipn": {k: v for k, v in params.items() if k != "vnp_SecureHash"}}
            if result.succeeded:
                _payment_succeed(payment=payment, txn_no=result.transaction_no, bank_code=result.bank_code,
                                 completed_at=result.pay_date, raw=raw)
            else:
                payment.status = PaymentStatus.FAILED
                payment.completed_at = timezone.now()
                payment.provider_txn_no = result.transaction_no
                payment.raw = {**payment.raw, **raw}
                payment.save()
                audit_record(action="payments.vnpay.failed", obj=payment, unit=payment.invoice.unit,
                             after={"response_code": result.response_code, "txn_ref": payment.provider_ref})
            return vnpay.ipn_reply(vnpay.Rsp.CONFIRMED)
    except Exception:
        log.exception("VNPAY IPN failed")
        return vnpay.ipn_reply(vnpay.Rsp.UNKNOWN_ERROR)


def vnpay_payment_query(*, payment: Payment, now: dt.datetime | None = None, actor=None) -> Payment:
    """Ask the gateway about one order (querydr) and apply the answer: credit a success whose IPN
    never came, fail a failure, expire an order the gateway does not know once its window is over."""
    config = vnpay.VnpayConfig.from_settings()
    now = now or timezone.now()
    created = vnpay.parse_vnp_datetime(payment.raw.get("create_date", "")) or payment.created_at
    answer = vnpay.querydr(config, txn_ref=payment.provider_ref, transaction_date=created)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("invoice__unit").get(pk=payment.pk)
        locked.gateway_status = answer.transaction_status if answer.found else answer.response_code
        locked.gateway_amount = answer.amount_vnd
        locked.gateway_checked_at = now
        locked.raw = {**locked.raw, "querydr": {k: v for k, v in answer.raw.items() if k != "vnp_SecureHash"}}
        if locked.status not in (PaymentStatus.PENDING, PaymentStatus.EXPIRED):
            locked.save()
            return locked
        if answer.succeeded:
            if answer.amount_vnd != locked.amount:
                locked.save()
                security_log.warning("querydr amount %s differs from order %s", answer.amount_vnd, locked.pk)
                audit_record(action="payments.vnpay.query_amount_mismatch", obj=locked, unit=locked.invoice.unit,
                             after={"gateway_amount": answer.amount_vnd, "amount": locked.amount})
                return locked
            _payment_succeed(payment=locked, actor=actor, txn_no=answer.transaction_no, bank_code=answer.bank_code,
                             completed_at=answer.pay_date)
            audit_record(action="payments.vnpay.recovered_by_query", obj=locked, unit=locked.invoice.unit,
                         after={"txn_ref": locked.provider_ref})
        elif answer.found and answer.transaction_status not in ("01", "04", "05", "06", "07"):
            # 02 (failed/cancelled) and other final failures; 01 = not finished yet, 04–07 in progress.
            locked.status = PaymentStatus.FAILED
            locked.completed_at = now
            locked.save()
            audit_record(action="payments.vnpay.failed", obj=locked, unit=locked.invoice.unit,
                         after={"transaction_status": answer.transaction_status, "by": "querydr"})
        elif locked.expires_at and now > locked.expires_at and locked.status == PaymentStatus.PENDING:
            locked.status = PaymentStatus.EXPIRED
            locked.completed_at = now
            locked.save()
            audit_record(action="payments.vnpay.expired", obj=locked, unit=locked.invoice.unit,
                         after={"gateway": locked.gateway_status})
        else:
            locked.save()
    return locked


def vnpay_pending_check(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """For orders whose payment window is over without an IPN: query, then expire. Run periodically
    (``chinhquyenso manage payments_check_pending`` or the ``payments_check_pending`` task)."""
    now = now or timezone.now()
    due = (Payment.objects.filter(method=Method.VNPAY, status=PaymentStatus.PENDING, expires_at__lt=now)
           .order_by("expires_at")[:limit])
    counts = {"checked": 0, "succeeded": 0, "failed": 0, "expired": 0, "unreachable": 0}
    for payment in due:
        try:
            updated = vnpay_payment_query(payment=payment, now=now)
        except vnpay.GatewayError as exc:
            log.warning("querydr for payment %s failed: %s", payment.pk, exc)
            counts["unreachable"] += 1
            continue
        counts["checked"] += 1
        if updated.status in counts:
            counts[updated.status] += 1
    return counts


def vnpay_reconcile_day(*, day: dt.date, actor, units_q=None) -> int:
    """Query the gateway about every VNPAY order of ``day`` (reconciliation); returns how many."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    qs = Payment.objects.filter(method=Method.VNPAY, created_at__gte=start, created_at__lt=start + timedelta(days=1))
    if units_q is not None:
        qs = qs.filter(units_q)
    checked = 0
    for payment in qs.select_related("invoice"):
        try:
            vnpay_payment_query(payment=payment, actor=actor)
            checked += 1
        except vnpay.GatewayError as exc:
            log.warning("reconciliation querydr for %s failed: %s", payment.pk, exc)
    audit_record(action="payments.reconcile.vnpay", actor=actor, object_type="payments.reconciliation",
                 object_id=day.isoformat(), after={"checked": checked})
    return checked


# --- desk payments --------------------------------------------------------------------------------------

@transaction.atomic
def payment_record_desk(*, invoice: Invoice, method: str, amount: int, actor, pos_ref: str = "") -> Payment:
    """A reception officer takes cash or a card on the POS terminal at the desk."""
    if not policies.can_take_desk_payment(actor, invoice):
        raise PermissionDenied()
    if method not in (Method.CASH, Method.POS):
        raise DomainError("invalid_method", _("Tại quầy chỉ thu tiền mặt hoặc thẻ qua máy POS."), "method")
    if method == Method.POS and not pos_ref.strip():
        raise DomainError("pos_ref_required", _("Vui lòng nhập số hóa đơn/chuẩn chi trên phiếu POS."), "pos_ref")
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.OPEN:
        raise Conflict("invoice_not_open", _("Khoản thu này đã được thanh toán hoặc đã hủy."))
    if amount != locked.amount:
        raise DomainError("amount_mismatch", _("Số tiền thu phải đúng bằng số phải nộp (%(amount)s đồng).")
                          % {"amount": f"{locked.amount:,}".replace(",", ".")}, "amount")
    payment = Payment.objects.create(invoice=locked, method=method, channel=Channel.DESK, amount=amount,
                                     status=PaymentStatus.PENDING, recorded_by=actor,
                                     provider_txn_no=pos_ref.strip()[:64])
    return _payment_succeed(payment=payment, actor=actor)


# --- refunds ----------------------------------------------------------------------------------------------

def refund_create(*, invoice: Invoice, amount: int, reason: str, method: str, actor, external_ref: str = "",
                  payment: Payment | None = None) -> Refund:
    """Give money back. Never more than was paid (less what was already refunded).

    With ``payment`` of a duplicate payment, the refund returns that extra money and the invoice
    stays paid; otherwise it reduces the invoice (partially refunded → refunded).

    Cash, POS and transfers are recorded after the fact (``done``). A refund by VNPAY of an order
    paid through VNPAY goes through the gateway's refund API: recorded first with its amount
    reserved, sent outside any transaction, then settled — ``done`` (the gateway's transaction
    number kept), ``refused`` (the reservation released, the gateway's reason kept) or, when the
    gateway gives no trustworthy answer, left ``requested`` with the amount still reserved so it
    cannot be refunded twice; the caller reads ``status``.
    """
    refund, gateway_payment = _refund_record(invoice=invoice, amount=amount, reason=reason, method=method,
                                             actor=actor, external_ref=external_ref, payment=payment)
    if gateway_payment is None:
        return refund
    return _refund_through_vnpay(refund=refund, payment=gateway_payment, actor=actor)


def _refund_gateway_payment(locked: Invoice, method: str, duplicate: Payment | None) -> Payment | None:
    """The VNPAY order a refund by VNPAY goes back through, or None when it is only recorded."""
    if method != Method.VNPAY or not vnpay.VnpayConfig.from_settings().enabled:
        return None
    if duplicate is not None:
        paid = duplicate if duplicate.method == Method.VNPAY and duplicate.provider_ref else None
    else:
        paid = (locked.payments.filter(method=Method.VNPAY, status=PaymentStatus.SUCCEEDED, duplicate=False)
                .exclude(provider_ref=None).order_by("-completed_at").first())
    if paid is None:
        raise DomainError("refund_method_mismatch",
                          _("Khoản này không được thanh toán qua VNPAY; hãy chọn hình thức hoàn khác "
                            "(tiền mặt, chuyển khoản)."), "method")
    return paid


def _refunded_from(payment: Payment) -> int:
    return sum(r.amount for r in payment.refunds.exclude(status=RefundStatus.REFUSED))


@transaction.atomic
def _refund_record(*, invoice: Invoice, amount: int, reason: str, method: str, actor, external_ref: str,
                   payment: Payment | None) -> tuple[Refund, Payment | None]:
    if not policies.can_refund(actor, invoice):
        raise PermissionDenied()
    if not (reason or "").strip():
        raise DomainError("reason_required", _("Vui lòng nhập lý do hoàn tiền."), "reason")
    if not isinstance(amount, int) or amount <= 0:
        raise DomainError("invalid_amount", _("Số tiền hoàn phải lớn hơn 0."), "amount")
    if method not in Method.values:
        raise DomainError("invalid_method", _("Hình thức hoàn tiền không hợp lệ."), "method")
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if payment is not None:
        dup = Payment.objects.select_for_update().get(pk=payment.pk, invoice=locked)
        if not dup.duplicate:
            raise DomainError("not_duplicate", _("Giao dịch này không phải thanh toán trùng."), "payment")
        left = dup.amount - _refunded_from(dup)
        if amount > left:
            raise DomainError("refund_exceeds_paid", _("Số tiền hoàn vượt quá số đã nộp trùng (%(left)s đồng).")
                              % {"left": left}, "amount")
        gateway_payment = _refund_gateway_payment(locked, method, dup)
        refund = Refund.objects.create(invoice=locked, payment=dup, amount=amount, reason=reason.strip(),
                                       method=method, external_ref=external_ref[:64], created_by=actor,
                                       status=RefundStatus.REQUESTED if gateway_payment else RefundStatus.DONE)
        audit_record(action="payments.refund.duplicate", actor=actor, obj=refund, unit=locked.unit,
                     after={"invoice": locked.pk, "payment": dup.pk, "amount": amount, "reason": refund.reason,
                            "status": refund.status})
        if gateway_payment is None:
            _refund_event(refund, locked, actor)
        return refund, gateway_payment
    if locked.status not in (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED):
        raise Conflict("invoice_not_paid", _("Chỉ hoàn tiền cho khoản đã thanh toán."))
    left = locked.amount - locked.amount_refunded
    if amount > left:
        raise DomainError("refund_exceeds_paid",
                          _("Số tiền hoàn vượt quá số đã nộp còn lại (%(left)s đồng).")
                          % {"left": f"{left:,}".replace(",", ".")}, "amount")
    gateway_payment = _refund_gateway_payment(locked, method, None)
    before = _snapshot(locked)
    _invoice_refunded_add(locked, amount)
    refund = Refund.objects.create(invoice=locked, amount=amount, reason=reason.strip(), method=method,
                                   external_ref=external_ref[:64], created_by=actor,
                                   status=RefundStatus.REQUESTED if gateway_payment else RefundStatus.DONE)
    audit_record(action="payments.refund.create", actor=actor, obj=locked, unit=locked.unit, before=before,
                 after={**_snapshot(locked), "refund": refund.pk, "refund_amount": amount, "reason": refund.reason,
                        "refund_status": refund.status})
    if gateway_payment is None:
        _refund_event(refund, locked, actor)
    return refund, gateway_payment


def _invoice_refunded_add(locked: Invoice, amount: int) -> None:
    """Add (or, negative, release) a refunded amount; the status follows."""
    locked.amount_refunded += amount
    if locked.amount_refunded == 0:
        locked.status = InvoiceStatus.PAID
    else:
        locked.status = (InvoiceStatus.REFUNDED if locked.amount_refunded == locked.amount
                         else InvoiceStatus.PARTIALLY_REFUNDED)
    locked.version += 1
    locked.save(update_fields=["amount_refunded", "status", "version"])


def _refund_event(refund: Refund, locked: Invoice, actor) -> None:
    if refund.payment_id is not None:
        event_record(event_type="payments.duplicate_refunded", aggregate=locked, unit=locked.unit, actor=actor,
                     payload=_invoice_payload(locked, refund_id=refund.pk, refund_amount=refund.amount))
        return
    event_record(event_type="payments.invoice_refunded", aggregate=locked, unit=locked.unit, actor=actor,
                 payload=_invoice_payload(locked, refund_id=refund.pk, refund_amount=refund.amount,
                                          refunded_total=locked.amount_refunded, status=locked.status,
                                          method=refund.method))


def _refund_through_vnpay(*, refund: Refund, payment: Payment, actor) -> Refund:
    config = vnpay.VnpayConfig.from_settings()
    created = vnpay.parse_vnp_datetime(payment.raw.get("create_date", "")) or payment.created_at
    # Type 02 (full) only for the whole order with nothing refunded through it before; else 03.
    earlier = (payment.refunds.all() if refund.payment_id else
               refund.invoice.refunds.filter(payment=None, method=Method.VNPAY))
    earlier = earlier.exclude(pk=refund.pk).exclude(status=RefundStatus.REFUSED)
    full = refund.amount == payment.amount and not earlier.exists()
    try:
        answer = vnpay.refund(config, txn_ref=payment.provider_ref, amount_vnd=refund.amount, full=full,
                              transaction_date=created, transaction_no=payment.provider_txn_no,
                              create_by=actor.get_username(), reason=refund.reason)
    except vnpay.GatewayError as exc:
        log.warning("VNPAY refund %s got no trustworthy answer: %s", refund.pk, exc)
        with transaction.atomic():
            locked = Refund.objects.select_for_update().get(pk=refund.pk)
            locked.gateway_message = _("Cổng VNPAY chưa trả lời; kiểm tra trên trang quản trị của VNPAY trước khi "
                                       "hoàn lại.")[:255]
            locked.save(update_fields=["gateway_message"])
            audit_record(action="payments.refund.unanswered", actor=actor, obj=locked, unit=refund.invoice.unit,
                         after={"error": str(exc)[:200]})
        return locked
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=refund.invoice_id)
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        locked.gateway_message = f"{answer.message} ({answer.response_code})"[:255]
        if answer.accepted:
            locked.status = RefundStatus.DONE
            locked.external_ref = answer.transaction_no[:64] or locked.external_ref
        else:
            locked.status = RefundStatus.REFUSED
            if locked.payment_id is None:
                _invoice_refunded_add(invoice, -locked.amount)
        locked.save(update_fields=["status", "external_ref", "gateway_message"])
        audit_record(action="payments.refund.gateway", actor=actor, obj=locked, unit=invoice.unit,
                     after={"status": locked.status, "response_code": answer.response_code,
                            "transaction_no": answer.transaction_no, "invoice_status": invoice.status})
        if locked.status == RefundStatus.DONE:
            _refund_event(locked, invoice, actor)
    return locked


@transaction.atomic
def refund_settle(*, refund: Refund, done: bool, actor, note: str = "") -> Refund:
    """The finance office settles a gateway refund left ``requested`` after checking the merchant
    portal: done (the money went back) or refused (the reserved amount is released)."""
    invoice = Invoice.objects.select_for_update().get(pk=refund.invoice_id)
    if not policies.can_refund(actor, invoice):
        raise PermissionDenied()
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    if locked.status != RefundStatus.REQUESTED:
        raise Conflict("refund_not_pending", _("Khoản hoàn này đã có kết quả."))
    locked.status = RefundStatus.DONE if done else RefundStatus.REFUSED
    locked.gateway_message = (note.strip() or locked.gateway_message)[:255]
    if not done and locked.payment_id is None:
        _invoice_refunded_add(invoice, -locked.amount)
    locked.save(update_fields=["status", "gateway_message"])
    audit_record(action="payments.refund.settle", actor=actor, obj=locked, unit=invoice.unit,
                 after={"status": locked.status, "note": locked.gateway_message})
    if done:
        _refund_event(locked, invoice, actor)
    return locked


# --- bank statements (VietQR transfers) ----------------------------------------------------------------------

def _credit_from_line(*, line: StatementLine, invoice: Invoice, actor, status: str) -> Payment:
    payment = Payment.objects.create(
        invoice=invoice, method=Method.VIETQR, channel=Channel.ONLINE, amount=line.amount,
        status=PaymentStatus.PENDING, statement_line=line, provider_txn_no=line.bank_reference[:64],
        recorded_by=actor if status == LineStatus.MANUAL else None,
    )
    line.status = status
    line.invoice = invoice
    line.save(update_fields=["status", "invoice"])
    return _payment_succeed(payment=payment, actor=actor)


def _match_line(line: StatementLine, *, actor) -> None:
    """Exact match only: one reference of an open invoice of this agency, and exactly its amount."""
    agency_id = line.bank_account.agency_id
    refs = references_in(line.description) + references_in(line.bank_reference)
    invoices = list(Invoice.objects.filter(reference__in=refs, agency_id=agency_id)) if refs else []
    if len(invoices) == 1:
        invoice = invoices[0]
        line.candidates = [invoice.pk]
        if invoice.status == InvoiceStatus.OPEN and invoice.amount == line.amount:
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.status == InvoiceStatus.OPEN:
                _credit_from_line(line=line, invoice=locked, actor=actor, status=LineStatus.MATCHED)
                return
        line.status = LineStatus.UNMATCHED
        line.note = (_("Số tiền khác số phải nộp (%(amount)s đồng).") % {"amount": invoice.amount}
                     if invoice.status == InvoiceStatus.OPEN else
                     _("Khoản thu %(ref)s không còn chờ thanh toán (có thể nộp trùng).") % {"ref": invoice.reference})
    elif len(invoices) > 1:
        line.status = LineStatus.AMBIGUOUS
        line.candidates = [i.pk for i in invoices]
        line.note = _("Nội dung chứa nhiều mã thanh toán.")
    else:
        same_amount = list(Invoice.objects.filter(agency_id=agency_id, status=InvoiceStatus.OPEN, amount=line.amount)
                           .order_by("-created_at").values_list("pk", flat=True)[:10])
        line.candidates = same_amount
        if same_amount:
            line.status = LineStatus.AMBIGUOUS
            line.note = _("Không có mã thanh toán; có khoản thu cùng số tiền.")
        else:
            line.status = LineStatus.UNMATCHED
            line.note = _("Không có mã thanh toán trong nội dung.")
    line.save(update_fields=["status", "candidates", "note"])


@transaction.atomic
def statement_import(*, bank_account: BankAccount, content: bytes, name: str, actor) -> StatementImport:
    """Import a statement (CSV/XLSX) of an agency account and match its credit lines to invoices.

    Re-importing the same file, or an overlapping one, credits nothing twice (``line_hash``)."""
    if not policies.can_manage_statements(actor, bank_account):
        raise PermissionDenied()
    stored = stored_file_create(content=content, name=name, purpose="spreadsheet", uploaded_by=actor)
    rows = parse_statement(content, stored.mime_type)
    hashes = line_hashes(rows, account_key=f"{bank_account.bank_bin}:{bank_account.account_number}")
    statement = StatementImport.objects.create(bank_account=bank_account, file=stored, imported_by=actor,
                                               lines_total=len(rows))
    known = set(StatementLine.objects.filter(bank_account=bank_account, line_hash__in=hashes)
                .values_list("line_hash", flat=True))
    new = matched = 0
    for row, line_hash in zip(rows, hashes, strict=True):
        if row.amount <= 0 or line_hash in known:  # debits are not our business; known lines are done
            continue
        known.add(line_hash)
        line = StatementLine.objects.create(
            bank_account=bank_account, statement=statement, line_hash=line_hash, booked_on=row.booked_on,
            amount=row.amount, description=row.description, bank_reference=row.reference,
            status=LineStatus.UNMATCHED,
        )
        new += 1
        _match_line(line, actor=actor)
        matched += line.status == LineStatus.MATCHED
    statement.lines_new, statement.lines_matched = new, matched
    statement.save(update_fields=["lines_new", "lines_matched"])
    audit_record(action="payments.statement.import", actor=actor, obj=statement, unit=bank_account.agency.unit,
                 after={"file": str(stored.pk), "sha256": stored.sha256, "lines": len(rows), "new": new,
                        "matched": matched})
    return statement


@transaction.atomic
def statement_line_resolve(*, line: StatementLine, actor, invoice: Invoice | None = None, ignore: bool = False,
                           note: str = "") -> StatementLine:
    """An officer matches an ambiguous or unmatched line by hand, or marks it as not a fee payment."""
    locked = StatementLine.objects.select_for_update().select_related("bank_account__agency__unit").get(pk=line.pk)
    if not policies.can_manage_statements(actor, locked.bank_account):
        raise PermissionDenied()
    if locked.status not in (LineStatus.AMBIGUOUS, LineStatus.UNMATCHED):
        raise Conflict("line_resolved", _("Dòng sao kê này đã được xử lý."))
    before = {"status": locked.status, "invoice": locked.invoice_id}
    if ignore:
        if not note.strip():
            raise DomainError("reason_required", _("Vui lòng ghi lý do."), "note")
        locked.status = LineStatus.IGNORED
        locked.note = note.strip()[:255]
        locked.resolved_by, locked.resolved_at = actor, timezone.now()
        locked.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
    else:
        if invoice is None:
            raise DomainError("invoice_required", _("Vui lòng chọn khoản thu."), "invoice")
        target = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if target.agency_id != locked.bank_account.agency_id:
            raise DomainError("invoice_other_agency", _("Khoản thu không thuộc cơ quan của tài khoản này."), "invoice")
        if target.status != InvoiceStatus.OPEN:
            raise Conflict("invoice_not_open", _("Khoản thu này không còn chờ thanh toán."))
        if target.amount != locked.amount:
            raise DomainError("amount_mismatch", _("Số tiền chuyển khoản khác số phải nộp; không thể khớp."),
                              "invoice")
        locked.note = note.strip()[:255]
        locked.resolved_by, locked.resolved_at = actor, timezone.now()
        locked.save(update_fields=["note", "resolved_by", "resolved_at"])
        _credit_from_line(line=locked, invoice=target, actor=actor, status=LineStatus.MANUAL)
    audit_record(action="payments.statement.resolve", actor=actor, obj=locked, unit=locked.bank_account.agency.unit,
                 before=before, after={"status": locked.status, "invoice": locked.invoice_id, "note": locked.note})
    return locked
