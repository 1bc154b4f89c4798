from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.admin import ReadOnlyAdmin
from chinhquyenso.digitization.models import PersonalDocument, ScanJob, ScanJobFile


class ScanJobFileInline(admin.TabularInline):
    model = ScanJobFile
    extra = 0
    can_delete = False
    readonly_fields = ("order", "file")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ScanJob)
class ScanJobAdmin(ReadOnlyAdmin):
    """Scan jobs are written by the services only; the admin is for looking (and for support)."""

    list_display = ("title", "unit", "status", "page_count", "pdfa_part", "ocr_mode", "requested_by", "created_at",
                    "finished_at")
    list_filter = ("status", "ocr_mode")
    list_select_related = ("unit", "requested_by")
    search_fields = ("title", "source_id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [ScanJobFileInline]
    exclude = ("search_text",)


@admin.register(PersonalDocument)
class PersonalDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner", "kind", "is_digitized", "issued_by", "created_at")
    list_filter = ("kind", "is_digitized")
    list_select_related = ("owner", "issued_by")
    raw_id_fields = ("owner",)
    show_full_result_count = False
    description = _("Kho dữ liệu của công dân: chỉ xem.")
