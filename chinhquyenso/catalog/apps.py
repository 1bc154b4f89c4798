from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "chinhquyenso.catalog"
    label = "catalog"
    verbose_name = _("Danh mục thủ tục hành chính")

    def ready(self):
        from chinhquyenso.catalog import policies  # noqa: F401 - registers the rules permissions
        from chinhquyenso.core.files import MB, TEXT, XLSX, FilePolicy, register_policy

        # Catalogue import: XLSX or JSON (libmagic calls a long JSON file text/plain).
        register_policy("catalog_import", FilePolicy(frozenset({XLSX, "application/json", TEXT}), 30 * MB,
                                                     "Tệp danh mục thủ tục"))
