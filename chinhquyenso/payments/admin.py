from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from chinhquyenso.payments.models import BankAccount, Invoice, Payment, Receipt, Refund, RefundStatus, StatementLine


@admin.register(BankAccount)
class BankAccountAdmin(AuditedModelAdmin):
    """Agency accounts that VietQR transfers go to (one active account per agency)."""

    list_display = ("agency", "bank_name", "bank_bin", "account_number", "account_name", "is_active")
    list_filter = ("is_active", "bank_name")
    search_fields = ("account_number", "account_name", "agency__name")
    autocomplete_fields = ()
    audit_unit_field = None

    def _unit(self, obj):
        return obj.agency.unit


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ("method", "channel", "status", "amount", "provider_ref", "provider_txn_no", "duplicate", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Read-only: money moves only through the services (desk payment, refund pages)."""

    list_display = ("reference", "kind", "payer_name", "amount", "status", "paid_method", "created_at")
    list_filter = ("status", "kind", "paid_method")
    search_fields = ("reference", "payer_name", "subject_id")
    inlines = [PaymentInline]
    show_full_result_count = False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("symbol", "number", "agency", "payer_name", "amount", "issued_at")
    list_filter = ("year", "agency")
    search_fields = ("payer_name", "invoice__reference")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "amount", "method", "status", "gateway_message", "created_by", "created_at")
    list_filter = ("status", "method")
    actions = ["settle_done", "settle_refused"]

    def _settle(self, request, queryset, *, done: bool):
        from chinhquyenso.core.errors import DomainError
        from chinhquyenso.payments.services import refund_settle

        for refund in queryset.filter(status=RefundStatus.REQUESTED):
            try:
                refund_settle(refund=refund, done=done, actor=request.user,
                              note=_("Đối soát trên trang quản trị VNPAY"))
            except DomainError as exc:
                self.message_user(request, f"{refund}: {exc.message}", level=messages.ERROR)

    @admin.action(description=_("Đã hoàn (đã kiểm tra trên trang quản trị VNPAY)"))
    def settle_done(self, request, queryset):
        self._settle(request, queryset, done=True)

    @admin.action(description=_("Không hoàn được (nhả số tiền đã giữ)"))
    def settle_refused(self, request, queryset):
        self._settle(request, queryset, done=False)


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ("booked_on", "amount", "description", "status", "invoice")
    list_filter = ("status",)
