from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitizationConfig(AppConfig):
    name = "chinhquyenso.digitization"
    label = "digitization"
    verbose_name = _("Số hóa và kho dữ liệu cá nhân")
