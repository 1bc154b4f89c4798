from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "chinhquyenso.feedback"
    label = "feedback"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self):
        from chinhquyenso.core.files import JPEG, MB, PNG, WEBP, FilePolicy, register_policy
        from chinhquyenso.feedback import geo, sections
        from chinhquyenso.feedback.constants import PHOTO_DERIVED_PURPOSE, PHOTO_PURPOSE

        register_policy(PHOTO_PURPOSE, FilePolicy(frozenset({JPEG, PNG, WEBP}), 10 * MB, "Ảnh phản ánh"))
        # Copies we make ourselves (thumbnails, public copies without EXIF): always JPEG.
        register_policy(PHOTO_DERIVED_PURPOSE, FilePolicy(frozenset({JPEG}), 10 * MB, "Ảnh phản ánh (bản sao)"))
        geo.connect_signals()
        sections.register()
