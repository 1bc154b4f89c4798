from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chinhquyenso.core"
    label = "core"
    verbose_name = _("Nền tảng: nhật ký, sự kiện, tệp")

    def ready(self):
        from chinhquyenso.core import events, schedule

        events.autodiscover_subscribers()
        schedule.autodiscover_jobs()
