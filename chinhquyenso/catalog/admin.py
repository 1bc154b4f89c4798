"""Django admin for the catalogue (audited). The custom staff pages under /thu-tuc/quan-tri/ are the
everyday tool; the admin is for the system administrator. Terms versions already in force are
read-only here too: a change of law is a new version."""

from django.contrib import admin
from django.utils import timezone

from chinhquyenso.catalog import search_index
from chinhquyenso.catalog.models import (
    FeeRule,
    Field,
    LegalBasis,
    Procedure,
    ProcedureTerms,
    RequiredDocument,
    ResultDocument,
)
from chinhquyenso.core.admin import AuditedModelAdmin


class InvalidatesSearchMixin:
    """Admin edits change what the public search sees: drop the in-process search indexes."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search_index.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        search_index.invalidate()


@admin.register(Field)
class FieldAdmin(InvalidatesSearchMixin, AuditedModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code", "name_folded")


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    raw_id_fields = ("template",)
    fields = ("order", "name", "form", "count", "requirement", "condition_note", "template_name", "template")


class ResultDocumentInline(admin.TabularInline):
    model = ResultDocument
    extra = 0


class LegalBasisInline(admin.TabularInline):
    model = LegalBasis
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(InvalidatesSearchMixin, AuditedModelAdmin):
    list_display = ("code", "name", "field", "online_level", "status", "confirmed")
    list_filter = ("status", "online_level", "confirmed", "field", "level_commune", "level_district")
    search_fields = ("code", "name", "search_name")
    list_select_related = ("field",)
    autocomplete_fields = ("agencies",)
    inlines = [RequiredDocumentInline, ResultDocumentInline, LegalBasisInline]
    readonly_fields = ("created_at", "updated_at", "retired_at")
    show_full_result_count = False


class FeeRuleInline(admin.TabularInline):
    model = FeeRule
    extra = 0


@admin.register(ProcedureTerms)
class ProcedureTermsAdmin(InvalidatesSearchMixin, AuditedModelAdmin):
    list_display = ("procedure", "effective_from", "processing_days", "day_kind")
    list_select_related = ("procedure",)
    search_fields = ("procedure__code", "procedure__name")
    raw_id_fields = ("procedure",)
    readonly_fields = ("created_at", "created_by")
    inlines = [FeeRuleInline]
    audit_unit_field = None

    def _unit(self, obj):
        return obj.procedure.unit

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.effective_from <= timezone.localdate():
            return False  # in force or past: immutable, add a new version instead
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.effective_from <= timezone.localdate():
            return False
        return super().has_delete_permission(request, obj)
