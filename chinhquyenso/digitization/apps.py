from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitizationConfig(AppConfig):
    name = "chinhquyenso.digitization"
    label = "digitization"
    verbose_name = _("Số hóa và kho dữ liệu cá nhân")

    def ready(self):
        from chinhquyenso.digitization import policies, sections  # noqa: F401 (rules registered on import)
        from chinhquyenso.digitization.services import register_file_policy

        register_file_policy()
        sections.register()
