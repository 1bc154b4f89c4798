from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "chinhquyenso.portal"
    label = "portal"
    verbose_name = _("Cổng thông tin")

    def ready(self):
        from chinhquyenso.portal import signals  # noqa: F401  (connects the login receiver)
