"""Administration of the one-stop system's configuration (law is data): process templates and their
steps, slip templates, dossier code rules; and read-only browsing of dossiers.

Every change is audited (``AuditedModelAdmin``; step rows of a template too). A process template
that fails ``services.process_template_validate`` is saved but never left active.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from chinhquyenso.core.audit import audit_record
from chinhquyenso.dossiers.configuration import code_pattern_check, code_pattern_render
from chinhquyenso.dossiers.models import (
    Dossier,
    DossierCodeRule,
    DossierDocument,
    DossierStep,
    ProcessStep,
    ProcessTemplate,
    SlipTemplate,
)
from chinhquyenso.dossiers.services import process_template_validate

# ---------------------------------------------------------------------------------------------
# Process templates


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    fields = ("order", "name", "kind", "role", "agency", "agency_kind", "budget_days")
    raw_id_fields = ("agency",)
    ordering = ("order",)


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(AuditedModelAdmin):
    list_display = ("name", "procedure", "unit_level", "effective_from", "is_active")
    list_filter = ("is_active", "unit_level")
    search_fields = ("name", "procedure__code", "procedure__name")
    list_select_related = ("procedure",)
    raw_id_fields = ("procedure",)  # thousands of procedures: a lookup, not a drop-down
    readonly_fields = ("validation_report",)
    fields = ("name", "procedure", "unit_level", "effective_from", "is_active", "validation_report")
    inlines = [ProcessStepInline]
    actions = ["activate", "deactivate"]

    @admin.display(description=_("Kiểm tra quy trình"))
    def validation_report(self, obj):
        if obj is None or obj.pk is None:
            return gettext("Lưu quy trình cùng các bước để kiểm tra.")
        problems = process_template_validate(obj)
        notes = []
        if Dossier.objects.filter(process_template=obj).exists():
            notes.append(gettext("Quy trình đang được hồ sơ sử dụng: thay đổi các bước áp dụng ngay cho các hồ sơ "
                                 "đó. Để áp dụng văn bản mới, nên tạo quy trình mới với ngày hiệu lực mới."))
        if not problems:
            return format_html("<strong>{}</strong>{}", gettext("Hợp lệ."),
                               format_html_join("", "<p>{}</p>", ((n,) for n in notes)))
        return format_html("<ul class=\"errorlist\">{}</ul>{}",
                           format_html_join("", "<li>{}</li>", ((p,) for p in problems)),
                           format_html_join("", "<p>{}</p>", ((n,) for n in notes)))

    def save_formset(self, request, form, formset, change):
        """The steps are part of the rule: every added, changed and removed step is audited."""
        template = form.instance
        instances = formset.save(commit=False)
        for step in formset.deleted_objects:
            audit_record(action="admin.dossiers.processstep.delete", actor=request.user, obj=step,
                         before=self._picture(step))
            step.delete()
        for step in instances:
            before = self._picture(ProcessStep.objects.get(pk=step.pk)) if step.pk else None
            step.save()
            audit_record(action=f"admin.dossiers.processstep.{'change' if before else 'add'}", actor=request.user,
                         obj=step, before=before, after={**self._picture(step), "template": template.pk})
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        template = form.instance
        problems = process_template_validate(template)
        if not problems:
            return
        if template.is_active:
            ProcessTemplate.objects.filter(pk=template.pk).update(is_active=False)
            template.is_active = False
            audit_record(action="admin.dossiers.processtemplate.activation_refused", actor=request.user,
                         obj=template, after={"is_active": False, "problems": problems})
            messages.error(request, gettext("Quy trình “%(name)s” chưa hợp lệ nên chưa được áp dụng: %(p)s")
                           % {"name": template.name, "p": " ".join(problems)})
        else:
            messages.warning(request, gettext("Quy trình “%(name)s” chưa hợp lệ: %(p)s")
                             % {"name": template.name, "p": " ".join(problems)})

    @admin.action(description=_("Áp dụng các quy trình đã chọn (chỉ quy trình hợp lệ)"))
    def activate(self, request, queryset):
        applied = 0
        for template in queryset:
            problems = process_template_validate(template)
            if problems:
                messages.error(request, gettext("Không áp dụng “%(name)s”: %(p)s")
                               % {"name": template.name, "p": " ".join(problems)})
                continue
            if not template.is_active:
                ProcessTemplate.objects.filter(pk=template.pk).update(is_active=True)
                audit_record(action="admin.dossiers.processtemplate.activate", actor=request.user, obj=template,
                             before={"is_active": False}, after={"is_active": True})
                applied += 1
        if applied:
            messages.success(request, gettext("Đã áp dụng %(n)s quy trình.") % {"n": applied})

    @admin.action(description=_("Ngừng áp dụng các quy trình đã chọn"))
    def deactivate(self, request, queryset):
        for template in queryset.filter(is_active=True):
            ProcessTemplate.objects.filter(pk=template.pk).update(is_active=False)
            audit_record(action="admin.dossiers.processtemplate.deactivate", actor=request.user, obj=template,
                         before={"is_active": True}, after={"is_active": False})


# ---------------------------------------------------------------------------------------------
# Slip templates and dossier code rules


class SlipTemplateForm(forms.ModelForm):
    class Meta:
        model = SlipTemplate
        fields = ("kind", "effective_from", "form_number", "title", "legal_basis", "template_name", "confirmed")

    def clean_template_name(self):
        name = self.cleaned_data["template_name"].strip()
        try:
            get_template(name)
        except TemplateDoesNotExist:
            raise forms.ValidationError(gettext("Không có tệp khuôn mẫu “%(name)s”.") % {"name": name}) from None
        return name


@admin.register(SlipTemplate)
class SlipTemplateAdmin(AuditedModelAdmin):
    form = SlipTemplateForm
    list_display = ("kind", "form_number", "title", "effective_from", "confirmed", "legal_basis")
    list_filter = ("kind", "confirmed")
    search_fields = ("title", "form_number", "legal_basis")
    date_hierarchy = "effective_from"


class DossierCodeRuleForm(forms.ModelForm):
    class Meta:
        model = DossierCodeRule
        fields = ("effective_from", "pattern", "legal_basis")

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"].strip()
        problems = code_pattern_check(pattern)
        if problems:
            raise forms.ValidationError(problems)
        return pattern


@admin.register(DossierCodeRule)
class DossierCodeRuleAdmin(AuditedModelAdmin):
    form = DossierCodeRuleForm
    list_display = ("pattern", "sample", "effective_from", "legal_basis")
    fields = ("effective_from", "pattern", "sample", "legal_basis")
    readonly_fields = ("sample",)

    @admin.display(description=_("Mã mẫu"))
    def sample(self, obj):
        if obj is None or not obj.pattern or code_pattern_check(obj.pattern):
            return "—"
        day = timezone.localdate()
        return format_html("<code>{}</code> … <code>{}</code>", code_pattern_render(obj.pattern, day=day, seq=1),
                           code_pattern_render(obj.pattern, day=day, seq=9999))

    def get_readonly_fields(self, request, obj=None):
        # Records keep the rule they were made under: a rule in use is replaced by a newer one, not edited.
        if obj is not None and Dossier.objects.filter(code_rule=obj).exists():
            return ("effective_from", "pattern", "sample")
        return self.readonly_fields


# ---------------------------------------------------------------------------------------------
# Dossiers (read-only)


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows (a bounded sub-select) instead of an exact COUNT over millions."""

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list.order_by().values("pk")[: self.CAP].count()


class DossierDocumentInline(admin.TabularInline):
    model = DossierDocument
    extra = 0
    can_delete = False
    fields = ("name", "source", "copy_kind", "quantity", "file", "added_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DossierStepInline(admin.TabularInline):
    model = DossierStep
    extra = 0
    can_delete = False
    fields = ("order", "name", "role", "agency", "holder", "started_at", "due_date", "finished_at", "outcome")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    """Browsing only: every change of a dossier goes through the services (transitions, clock, audit)."""

    list_display = ("code", "procedure", "unit", "channel", "status", "submitted_at", "due_date", "is_late",
                    "is_digitized")
    list_filter = ("status", "channel", "is_late", "is_digitized", "unit")
    list_select_related = ("procedure", "unit")
    search_fields = ("=code",)  # the unique index answers an exact code
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    ordering = ("-id",)
    inlines = [DossierDocumentInline, DossierStepInline]
    exclude = ("lookup_secret",)

    def get_queryset(self, request):
        from chinhquyenso.units.selectors import unit_scope_q

        return super().get_queryset(request).filter(unit_scope_q(request.user))
