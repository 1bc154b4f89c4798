from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "chinhquyenso.payments"
    label = "payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self):
        from chinhquyenso.core.files import MB, PDF, FilePolicy, register_policy

        # Generated receipts are stored like uploads (hash, type check) but only we write them.
        register_policy("receipt", FilePolicy(frozenset({PDF}), 5 * MB, "Biên lai điện tử"))
        from chinhquyenso.payments import sections

        sections.register()
