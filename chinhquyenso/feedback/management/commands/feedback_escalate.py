from django.core.management.base import BaseCommand

from chinhquyenso.feedback.services import feedback_escalate_overdue


class Command(BaseCommand):
    help = "Nhắc việc các phản ánh quá hạn (chạy mỗi giờ; chạy lại nhiều lần không sao)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="xếp vào hàng đợi tác vụ thay vì chạy ngay")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from chinhquyenso.feedback.tasks import feedback_escalate

            result = feedback_escalate.enqueue()
            self.stdout.write(f"Đã xếp tác vụ {result.id}.")
            return
        count = feedback_escalate_overdue()
        self.stdout.write(f"Đã nhắc {count} phản ánh quá hạn.")
