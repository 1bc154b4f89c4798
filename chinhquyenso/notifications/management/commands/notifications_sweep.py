import time

from django.core.management.base import BaseCommand

from chinhquyenso.notifications.services import notifications_enqueue_due


class Command(BaseCommand):
    help = "Xếp lại vào hàng đợi các thông báo đến hạn gửi (lưới an toàn; chạy định kỳ hoặc với --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="lặp lại sau mỗi N giây")

    def handle(self, *args, loop, **options):
        while True:
            count = notifications_enqueue_due()
            if count:
                self.stdout.write(f"Đã xếp {count} thông báo vào hàng đợi.")
            if not loop:
                return
            time.sleep(loop)
