from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from chinhquyenso.core.admin import AuditedModelAdmin
from chinhquyenso.units.models import AdministrativeUnit, Agency


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(AuditedModelAdmin, TreeAdmin):
    form = movenodeform_factory(AdministrativeUnit, exclude=("name_folded", "boundary"))
    list_display = ("full_name", "code", "level", "kind", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "full_name", "code", "name_folded")


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ("name", "identifier_code", "identifier_confirmed", "kind", "unit", "abbreviation")
    list_filter = ("kind", "identifier_confirmed", "unit__level")
    search_fields = ("name", "identifier_code", "name_folded")
    autocomplete_fields = ("parent",)
    list_select_related = ("unit",)
