from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.admin import AuditedModelAdmin
from chinhquyenso.feedback.models import Feedback, FeedbackCategory, Open311ApiKey, RoutingRule
from chinhquyenso.feedback.services import open311_key_create, open311_key_revoke


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ()
    raw_id_fields = ("unit", "agency")


@admin.register(FeedbackCategory)
class FeedbackCategoryAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "handling_level", "agency_kind", "agency_abbreviation", "handle_days",
                    "is_active", "order")
    list_filter = ("is_active", "handling_level", "group")
    search_fields = ("name", "code", "keywords")
    inlines = [RoutingRuleInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "group", "keywords", "is_active", "order")}),
        (_("Chuyển xử lý"), {"fields": ("handling_level", "agency_kind", "agency_abbreviation")}),
        (_("Thời hạn (ngày làm việc)"), {"fields": ("refuse_days", "supplement_days", "handle_days", "publish_days",
                                                    "legal_basis")}),
        (_("Phát hiện trùng"), {"fields": ("duplicate_radius_m", "duplicate_window_days")}),
        (_("Open311"), {"fields": ("open311_type", "service_notice", "attributes")}),
    )


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(AuditedModelAdmin):
    """Keys are created here; the full key is shown once in a message, only its hash is kept."""

    list_display = ("name", "prefix", "is_active", "rate_limit_per_minute", "created_at", "last_used_at")
    list_filter = ("is_active",)
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("name", "contact_email", "rate_limit_per_minute", "is_active", "prefix", "created_at", "last_used_at")
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, full = open311_key_create(name=obj.name, contact_email=obj.contact_email,
                                       rate_limit_per_minute=obj.rate_limit_per_minute, actor=request.user)
        obj.pk = key.pk
        obj.prefix, obj.key_hash, obj.created_at = key.prefix, key.key_hash, key.created_at
        obj._state.adding = False
        messages.warning(request, _("Khoá API (chỉ hiển thị một lần, hãy lưu lại ngay): %(k)s") % {"k": full})
        return None

    @admin.action(description=_("Thu hồi các khoá đã chọn"))
    def revoke(self, request, queryset):
        for key in queryset:
            open311_key_revoke(key=key, actor=request.user)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the workflow (pages and services)."""

    list_display = ("code", "title", "category", "unit", "agency", "status", "submitted_at", "due_date")
    list_filter = ("status", "category", "is_published", "channel")
    search_fields = ("code",)
    show_full_result_count = False
    list_select_related = ("category", "unit", "agency")
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
