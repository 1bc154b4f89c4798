"""Admin: read-mostly views of forms and data; editing forms happens in the builder (audited services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.admin import AuditedModelAdmin
from chinhquyenso.eforms.models import FormDefinition, FormDraft, FormSubmission, FormVersion


class VersionInline(admin.TabularInline):
    model = FormVersion
    extra = 0
    can_delete = False
    fields = ("number", "status", "published_at", "published_by", "change_note")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FormDefinition)
class FormDefinitionAdmin(AuditedModelAdmin):
    list_display = ("name", "procedure", "current_version")
    search_fields = ("name", "procedure__code", "procedure__name")
    readonly_fields = ("current_version",)
    raw_id_fields = ("procedure",)
    inlines = [VersionInline]

    def _unit(self, obj):
        return obj.procedure.unit if obj.procedure_id else None


@admin.register(FormVersion)
class FormVersionAdmin(AuditedModelAdmin):
    """Published versions are immutable: every field is read-only once published; drafts are
    edited in the builder, where the spec is compiled and checked."""

    list_display = ("definition", "number", "status", "published_at", "published_by")
    list_filter = ("status",)
    search_fields = ("definition__name", "definition__procedure__code")
    readonly_fields = ("definition", "number", "status", "spec", "schema", "ui_schema", "published_at",
                       "published_by", "created_by", "created_at")
    fields = ("definition", "number", "status", "change_note", *readonly_fields[3:])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return False

    def _unit(self, obj):
        return obj.definition.procedure.unit if obj.definition.procedure_id else None


@admin.register(FormSubmission)
class FormSubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "procedure", "form_version", "unit", "created_at", "source_type", "source_id")
    list_filter = ("procedure",)
    readonly_fields = ("form_version", "procedure", "data", "applicant", "unit", "source_type", "source_id",
                       "created_at")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FormDraft)
class FormDraftAdmin(admin.ModelAdmin):
    list_display = ("user", "definition", "form_version", "is_complete", "updated_at")
    readonly_fields = ("user", "definition", "form_version", "data", "is_complete", "created_at", "updated_at")
    verbose_name = _("bản nháp")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
