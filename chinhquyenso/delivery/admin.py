from django.contrib import admin

from chinhquyenso.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from chinhquyenso.delivery.models import PostageRate, PostageTable, Shipment, ShipmentEvent


class PostageRateInline(admin.TabularInline):
    model = PostageRate
    extra = 0


@admin.register(PostageTable)
class PostageTableAdmin(AuditedModelAdmin):
    """Postage is data: enter a new table with its start date when the operator's tariff changes."""

    list_display = ("name", "valid_from", "is_active", "legal_basis")
    inlines = [PostageRateInline]


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("status", "occurred_at", "location", "note", "provider_event_id", "received_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("order_code", "tracking_code", "direction", "status", "contact_name", "postage", "created_at")
    list_filter = ("status", "direction")
    search_fields = ("order_code", "tracking_code", "contact_name")
    inlines = [ShipmentEventInline]
    show_full_result_count = False
