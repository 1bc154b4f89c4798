"""Invoices, payments, refunds, receipts, agency bank accounts and imported bank statements.

Money is integer VND everywhere. Rows are written only by ``payments.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.units.models import AdministrativeUnit, Agency


class InvoiceKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")
    POSTAGE = "postage", _("Cước bưu chính")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Chưa thanh toán")
    PAID = "paid", _("Đã thanh toán")
    PARTIALLY_REFUNDED = "partially_refunded", _("Đã hoàn một phần")
    REFUNDED = "refunded", _("Đã hoàn tiền")
    CANCELLED = "cancelled", _("Đã hủy")


class Method(models.TextChoices):
    VNPAY = "vnpay", _("VNPAY (thẻ, tài khoản ngân hàng)")
    VIETQR = "vietqr", _("Chuyển khoản VietQR")
    CASH = "cash", _("Tiền mặt tại quầy")
    POS = "pos", _("Thẻ qua máy POS tại quầy")


CASHLESS_METHODS = (Method.VNPAY, Method.VIETQR, Method.POS)
ONLINE_METHODS = (Method.VNPAY, Method.VIETQR)


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    DESK = "desk", _("Tại quầy")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ kết quả")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Không thành công")
    EXPIRED = "expired", _("Hết hạn")


class Invoice(models.Model):
    """One charge on one subject (a dossier's fee, charge or postage)."""

    # Short, unambiguous code printed on the QR purpose and matched in bank statements:
    # "CQS" + 8 Crockford base-32 characters (no I, L, O, U).
    reference = models.CharField(_("mã thanh toán"), max_length=20, unique=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    subject_type = models.CharField(_("loại đối tượng"), max_length=60)
    subject_id = models.CharField(_("mã đối tượng"), max_length=64)
    subject_label = models.CharField(_("nội dung"), max_length=255, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("đơn vị"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("cơ quan thu"))
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="invoices", verbose_name=_("người nộp (tài khoản)"))
    payer_name = models.CharField(_("người nộp"), max_length=150)
    kind = models.CharField(_("loại khoản thu"), max_length=10, choices=InvoiceKind.choices)
    description = models.CharField(_("diễn giải"), max_length=255)
    lines = models.JSONField(_("chi tiết"), default=list, blank=True)  # [{code,label,quantity,amount_vnd,...}]
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    amount_refunded = models.PositiveBigIntegerField(_("đã hoàn (đồng)"), default=0)
    status = models.CharField(_("trạng thái"), max_length=20, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.OPEN)
    paid_method = models.CharField(_("hình thức đã thanh toán"), max_length=10, choices=Method.choices, blank=True)
    paid_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    paid_at = models.DateTimeField(_("thời điểm thanh toán"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_reason = models.CharField(max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("khoản phải thu")
        verbose_name_plural = _("khoản phải thu")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="pay_invoice_subject_idx"),
            # The officers' unpaid list and the reconciliation aggregates filter on these.
            models.Index(fields=["status", "created_at"], name="pay_invoice_status_idx"),
            models.Index(fields=["paid_at"], name="pay_invoice_paid_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_refunded__lte=models.F("amount")),
                                   name="pay_invoice_refund_le_amount"),
        ]

    def __str__(self):
        return f"{self.reference} · {self.amount:,} đ".replace(",", ".")

    @property
    def is_payable(self) -> bool:
        return self.status == InvoiceStatus.OPEN and self.amount > 0

    @property
    def refundable(self) -> int:
        return self.amount - self.amount_refunded if self.status in (
            InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED) else 0


class Payment(models.Model):
    """One attempt or one receipt of money for an invoice.

    Online attempts start ``pending`` (a VNPAY order: ``provider_ref`` is ``vnp_TxnRef``) and end
    ``succeeded``/``failed``/``expired`` when the gateway says so; desk and statement payments are
    created ``succeeded``. A success on an invoice that was already paid (two tabs, two transfers)
    is kept, marked ``duplicate`` and listed in the reconciliation for a refund.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    provider_ref = models.CharField(_("mã giao dịch gửi cổng (vnp_TxnRef)"), max_length=64, null=True, blank=True,
                                    unique=True)
    provider_txn_no = models.CharField(_("mã giao dịch tại cổng/ngân hàng"), max_length=64, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    response_code = models.CharField(_("mã kết quả"), max_length=4, blank=True)
    duplicate = models.BooleanField(_("thanh toán trùng (cần hoàn)"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("cán bộ thu"))
    statement_line = models.OneToOneField("StatementLine", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="payment")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # What the gateway said when we last asked it (querydr) — the reconciliation compares it with ours.
    gateway_status = models.CharField(max_length=4, blank=True)
    gateway_amount = models.PositiveBigIntegerField(null=True, blank=True)
    gateway_checked_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        indexes = [
            models.Index(fields=["method", "status", "created_at"], name="pay_payment_method_idx"),
            models.Index(fields=["completed_at"], name="pay_payment_completed_idx"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} · {self.amount} đ · {self.get_status_display()}"


class RefundStatus(models.TextChoices):
    DONE = "done", _("Đã hoàn")
    # Sent to the gateway with no trustworthy answer: the amount stays reserved until the finance
    # office checks the merchant portal and settles it (admin action), so it cannot be refunded twice.
    REQUESTED = "requested", _("Đã gửi cổng, chờ xác nhận")
    REFUSED = "refused", _("Cổng từ chối")


class Refund(models.Model):
    """Money given back. Cash, POS and transfers are recorded after the fact; a VNPAY payment is
    refunded through the gateway's refund API (``status`` says how that went)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("số tiền hoàn (đồng)"))
    reason = models.TextField(_("lý do"))
    method = models.CharField(_("hình thức hoàn"), max_length=10, choices=Method.choices)
    external_ref = models.CharField(_("số chứng từ / mã giao dịch hoàn"), max_length=64, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=RefundStatus.choices,
                              default=RefundStatus.DONE)
    gateway_message = models.CharField(_("trả lời của cổng thanh toán"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("khoản hoàn tiền")
        verbose_name_plural = _("khoản hoàn tiền")

    def __str__(self):
        return f"Hoàn {self.amount} đ"


class ReceiptCounter(models.Model):
    """Last receipt number per agency and year. Locked (SELECT … FOR UPDATE) by whoever issues a
    receipt, in the same transaction as the payment: a rolled-back payment gives its number back, so
    numbers are gap-free."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="pay_receipt_counter_uniq")]

    def __str__(self):
        return f"{self.agency_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """Electronic receipt (biên lai điện tử) of one paid invoice."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="receipt")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField(_("số biên lai"))
    symbol = models.CharField(_("ký hiệu"), max_length=30)
    issued_at = models.DateTimeField(default=timezone.now)
    payer_name = models.CharField(max_length=150)
    amount = models.PositiveBigIntegerField()
    amount_in_words = models.CharField(max_length=255)
    method = models.CharField(max_length=10, choices=Method.choices)
    # Random token in the public look-up URL printed as a QR on the receipt (ids reveal nothing).
    lookup_token = models.CharField(max_length=40, unique=True)
    pdf = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        constraints = [models.UniqueConstraint(fields=["agency", "year", "number"], name="pay_receipt_number_uniq")]

    def __str__(self):
        return f"{self.symbol} {self.number_display}"

    @property
    def number_display(self) -> str:
        return f"{self.number:07d}"


class BankAccount(models.Model):
    """The account of an agency that VietQR transfers go to (configured in the admin)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="bank_accounts",
                               verbose_name=_("cơ quan"))
    bank_bin = models.CharField(_("mã ngân hàng (BIN NAPAS)"), max_length=6)
    bank_name = models.CharField(_("ngân hàng"), max_length=100)
    account_number = models.CharField(_("số tài khoản"), max_length=19)
    account_name = models.CharField(_("tên tài khoản"), max_length=150)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("tài khoản nhận chuyển khoản")
        verbose_name_plural = _("tài khoản nhận chuyển khoản")
        constraints = [
            models.UniqueConstraint(fields=["agency"], condition=Q(is_active=True), name="pay_one_active_account"),
            models.UniqueConstraint(fields=["bank_bin", "account_number"], name="pay_bank_account_uniq"),
        ]

    def __str__(self):
        return f"{self.bank_name} · {self.account_number} · {self.account_name}"

    @property
    def unit(self):
        return self.agency.unit


class StatementImport(models.Model):
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="imports")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    lines_total = models.PositiveIntegerField(default=0)
    lines_new = models.PositiveIntegerField(default=0)
    lines_matched = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lần nhập sao kê")
        verbose_name_plural = _("lần nhập sao kê")

    def __str__(self):
        return f"{self.bank_account} · {self.imported_at:%d/%m/%Y %H:%M}"


class LineStatus(models.TextChoices):
    MATCHED = "matched", _("Đã khớp tự động")
    MANUAL = "manual", _("Đã khớp thủ công")
    AMBIGUOUS = "ambiguous", _("Nhiều khả năng, cần chọn")
    UNMATCHED = "unmatched", _("Chưa khớp")
    IGNORED = "ignored", _("Không phải khoản thu phí")


class StatementLine(models.Model):
    """One credit line of a bank statement. ``line_hash`` makes a re-import a no-op."""

    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="lines")
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines")
    line_hash = models.CharField(max_length=64)
    booked_on = models.DateField(_("ngày giao dịch"))
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    description = models.CharField(_("nội dung"), max_length=500)
    bank_reference = models.CharField(_("số tham chiếu"), max_length=100, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=LineStatus.choices)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    candidates = models.JSONField(default=list, blank=True)  # invoice ids the officer may choose from
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dòng sao kê")
        verbose_name_plural = _("dòng sao kê")
        constraints = [models.UniqueConstraint(fields=["bank_account", "line_hash"], name="pay_statement_line_uniq")]
        indexes = [models.Index(fields=["status", "booked_on"], name="pay_line_status_idx")]

    def __str__(self):
        return f"{self.booked_on:%d/%m/%Y} · {self.amount} đ · {self.description[:40]}"
