from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from chinhquyenso.notifications import rendering
from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.models import Notification, NotificationPreference, NotificationTemplate
from chinhquyenso.notifications.services import mask_address


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ["event_type", "channel", "language", "category", "subject", "body", "provider_template_id",
                  "provider_params", "effective_from", "active"]

    def _check(self, name):
        value = self.cleaned_data.get(name) or ""
        try:
            rendering.template_check(value)
        except rendering.TemplateSyntaxError as exc:
            raise forms.ValidationError(_("Lỗi cú pháp mẫu: %(e)s"), params={"e": exc}) from exc
        return value

    def clean_subject(self):
        return self._check("subject")

    def clean_body(self):
        return self._check("body")

    def clean_provider_params(self):
        params = self.cleaned_data.get("provider_params") or {}
        if not isinstance(params, dict):
            raise forms.ValidationError(_("Tham số phải là một đối tượng JSON {tên: mẫu}."))
        for name, text in params.items():
            try:
                rendering.template_check(str(text))
            except rendering.TemplateSyntaxError as exc:
                raise forms.ValidationError(_("Tham số “%(n)s”: %(e)s"), params={"n": name, "e": exc}) from exc
        return params

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.ZALO and not data.get("provider_template_id"):
            self.add_error("provider_template_id", _("Tin Zalo ZNS cần mã mẫu đã được Zalo duyệt."))
        return data


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(AuditedModelAdmin):
    form = NotificationTemplateForm
    list_display = ("event_type", "channel", "language", "effective_from", "active", "origin", "updated_at")
    list_filter = ("channel", "language", "active", "event_type")
    search_fields = ("event_type", "subject", "body")
    readonly_fields = ("origin", "created_at", "updated_at")
    save_as = True  # "Lưu thành bản mới": a new wording is a new version with its own effective date


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "recipient", "masked_address", "subject", "status", "attempts",
                    "delivered_at", "read_at")
    list_filter = ("status", "channel", "category", ("created_at", admin.DateFieldListFilter))
    search_fields = ("public_id", "provider_message_id", "recipient__username")
    list_select_related = ("recipient",)
    show_full_result_count = False  # no exact COUNT over millions of rows on every page
    list_per_page = 50
    date_hierarchy = "created_at"
    exclude = ("address",)
    readonly_fields = ("masked_address",)

    @admin.display(description=_("địa chỉ nhận"))
    def masked_address(self, obj):
        return mask_address(obj.address)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "channel", "category", "enabled", "updated_at")
    list_filter = ("channel", "enabled")
    list_select_related = ("user",)
    search_fields = ("user__username",)
