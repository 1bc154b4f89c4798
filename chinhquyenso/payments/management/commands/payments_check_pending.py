"""Run from cron or a systemd timer every few minutes: ``chinhquyenso manage payments_check_pending``."""

from django.core.management.base import BaseCommand

from chinhquyenso.payments.services import vnpay_pending_check


class Command(BaseCommand):
    help = "Truy vấn VNPAY (querydr) các giao dịch quá hạn chưa có IPN, rồi đánh dấu hết hạn."

    def handle(self, *args, **options):
        counts = vnpay_pending_check()
        self.stdout.write(", ".join(f"{k}={v}" for k, v in counts.items()))
