from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.models import CitizenProfile, Organisation, OrganisationMember, RoleAssignment, User
from chinhquyenso.core.admin import AuditedModelAdmin


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("unit", "agency")


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "kind", "email", "is_active", "last_login")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "full_name", "full_name_folded", "email")
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin"), {"fields": ("full_name", "kind", "email", "phone", "language")}),
        # Staff log in through VNeID/SSO only once an administrator puts their subject here.
        (_("Đăng nhập định danh điện tử (OIDC)"), {"fields": ("oidc_subject",)}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "kind", "email",
                                                              "password1", "password2")}),)

    def _picture(self, obj):
        picture = super()._picture(obj)
        picture.pop("password", None)  # never put a password hash into the audit trail
        return picture


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "unit", "agency", "valid_from", "valid_until")
    list_filter = ("role", "unit__level")
    search_fields = ("user__username", "user__full_name")
    autocomplete_fields = ("user", "unit", "agency")
    list_select_related = ("user", "unit", "agency")


@admin.register(CitizenProfile)
class CitizenProfileAdmin(AuditedModelAdmin):
    list_display = ("full_name", "masked_cccd", "date_of_birth", "address_unit", "identity_verified")
    search_fields = ("full_name", "cccd")
    autocomplete_fields = ("user", "address_unit")
    list_select_related = ("address_unit",)

    @admin.display(description=_("CCCD"))
    def masked_cccd(self, obj):
        from chinhquyenso.core.masking import mask_cccd

        return mask_cccd(obj.cccd)


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "tax_code", "address_unit")
    search_fields = ("name", "tax_code")
    inlines = [OrganisationMemberInline]
    autocomplete_fields = ("address_unit",)
