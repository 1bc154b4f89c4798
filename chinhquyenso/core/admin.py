from __future__ import annotations

from django.contrib import admin, messages
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.events import outbox_retry_dead
from chinhquyenso.core.models import AuditEvent, DomainEvent, EventDelivery, StoredFile, WebhookEndpoint


class AuditedModelAdmin(admin.ModelAdmin):
    """Every change made through the admin is written to the audit chain, like a service would."""

    audit_unit_field: str | None = None

    def _unit(self, obj):
        if self.audit_unit_field:
            return getattr(obj, self.audit_unit_field, None)
        return obj if hasattr(obj, "path") and hasattr(obj, "level") else getattr(obj, "unit", None)

    def _picture(self, obj):
        return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
                for k, v in model_to_dict(obj).items()}

    def save_model(self, request, obj, form, change):
        before = self._picture(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        meta = obj._meta
        audit_record(action=f"admin.{meta.app_label}.{meta.model_name}.{'change' if change else 'add'}",
                     actor=request.user, obj=obj, unit=self._unit(obj), before=before, after=self._picture(obj))

    def delete_model(self, request, obj):
        meta = obj._meta
        audit_record(action=f"admin.{meta.app_label}.{meta.model_name}.delete", actor=request.user, obj=obj,
                     unit=self._unit(obj), before=self._picture(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "occurred_at", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("action", "object_id", "actor_label")
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # no exact COUNT over millions of rows on every page
    list_per_page = 50


class DeliveryInline(admin.TabularInline):
    model = EventDelivery
    extra = 0
    can_delete = False
    readonly_fields = ("subscriber", "status", "attempts", "next_attempt_at", "delivered_at", "last_error")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DomainEvent)
class DomainEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "event_type", "aggregate_type", "aggregate_id", "occurred_at")
    list_filter = ("event_type",)
    inlines = [DeliveryInline]
    show_full_result_count = False


@admin.register(EventDelivery)
class EventDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "subscriber", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "subscriber")
    actions = ["retry"]
    show_full_result_count = False

    @admin.action(description=_("Gửi lại các sự kiện đã thất bại"))
    def retry(self, request, queryset):
        count = outbox_retry_dead(delivery_ids=list(queryset.values_list("id", flat=True)))
        messages.success(request, _("Đã xếp lại %(n)s lượt gửi.") % {"n": count})


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "purpose", "mime_type", "size", "created_at")
    list_filter = ("purpose", "mime_type")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedModelAdmin):
    list_display = ("name", "url", "is_active", "created_at")
    list_filter = ("is_active",)

    def _picture(self, obj):
        picture = super()._picture(obj)
        picture["secret"] = "***"  # never put the signing secret into the audit trail
        return picture

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from chinhquyenso.core.webhooks import endpoints_changed

        endpoints_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        from chinhquyenso.core.webhooks import endpoints_changed

        endpoints_changed()
