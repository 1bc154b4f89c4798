"""Admin for announced days off / make-up days and unit office hours (Vietnamese UI).

Saving and deleting go through ``calendar.services`` — never straight to the table — so each
change is audited once, announced as an event, and the calendar cache is refreshed at once.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.roles import Role
from chinhquyenso.calendar import services
from chinhquyenso.calendar.models import CalendarOverride, UnitServiceHours
from chinhquyenso.calendar.policies import can_manage_calendar
from chinhquyenso.core.admin import AuditedModelAdmin
from chinhquyenso.units.selectors import unit_scope_q, visible_units

OVERRIDE_FIELDS = ("date", "kind", "unit", "name", "legal_basis")
HOURS_FIELDS = ("unit", "morning_start", "morning_end", "afternoon_start", "afternoon_end",
                "saturday_morning_service", "applies_to_subtree", "note")


class _ActorFormMixin:
    """The form knows who is saving, so a unit outside their scope is a field error, not a 403."""

    actor = None
    unit_error = _("Bạn không có quyền cập nhật lịch làm việc của đơn vị này.")

    def clean(self):
        cleaned = super().clean()
        if self.actor is not None and "unit" in cleaned and not can_manage_calendar(self.actor, cleaned["unit"]):
            self.add_error("unit", self.unit_error)
        return cleaned


class CalendarOverrideForm(_ActorFormMixin, forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = OVERRIDE_FIELDS


class UnitServiceHoursForm(_ActorFormMixin, forms.ModelForm):
    class Meta:
        model = UnitServiceHours
        fields = HOURS_FIELDS


class _ScopedAdmin(AuditedModelAdmin):
    """Non-superusers see rows of the units they administer; units offered are those too."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and not request.user.is_superuser:
            kwargs["queryset"] = visible_units(request.user, roles=[Role.ADMINISTRATOR])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(_ScopedAdmin):
    form = CalendarOverrideForm
    list_display = ("date_display", "kind", "name", "unit", "legal_basis", "created_by", "created_at")
    list_filter = ("kind", ("date", admin.DateFieldListFilter), "unit__level")
    search_fields = ("name", "legal_basis", "unit__full_name", "unit__code")
    date_hierarchy = "date"
    list_select_related = ("unit", "created_by")
    readonly_fields = ("created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": OVERRIDE_FIELDS}),
        (_("Theo dõi"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    @admin.display(description=_("ngày"), ordering="date")
    def date_display(self, obj):
        return obj.date.strftime("%d/%m/%Y")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Nationwide rows are visible to every calendar administrator (read-only for them).
        from django.db.models import Q

        return qs.filter(Q(unit__isnull=True) | unit_scope_q(request.user, roles=[Role.ADMINISTRATOR]))

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in OVERRIDE_FIELDS}
        if change:
            saved = services.calendar_override_update(actor=request.user, override=obj, **data)
        else:
            saved = services.calendar_override_create(actor=request.user, **data)
        obj.pk, obj.created_by, obj.created_at = saved.pk, saved.created_by, saved.created_at

    def delete_model(self, request, obj):
        services.calendar_override_delete(actor=request.user, override=obj)


@admin.register(UnitServiceHours)
class UnitServiceHoursAdmin(_ScopedAdmin):
    form = UnitServiceHoursForm
    list_display = ("unit", "morning_start", "morning_end", "afternoon_start", "afternoon_end",
                    "saturday_morning_service", "applies_to_subtree", "updated_by", "updated_at")
    list_filter = ("saturday_morning_service", "unit__level")
    search_fields = ("unit__full_name", "unit__code")
    list_select_related = ("unit", "updated_by")
    readonly_fields = ("updated_by", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # A row belongs to its unit: moving it would silently change two units' hours.
        return (*self.readonly_fields, "unit") if obj is not None else self.readonly_fields

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(unit_scope_q(request.user, roles=[Role.ADMINISTRATOR]))

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in HOURS_FIELDS if name != "unit"}
        data["unit"] = obj.unit
        saved = services.unit_service_hours_set(actor=request.user, **data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.unit_service_hours_delete(actor=request.user, row=obj)
