from django.core.management.base import BaseCommand

from chinhquyenso.notifications.services import notification_templates_load, notification_templates_load_all


class Command(BaseCommand):
    help = "Nạp mẫu thông báo mặc định từ <app>/notification_templates.json (không ghi đè bản đã sửa)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="tệp JSON cụ thể; bỏ trống để nạp của mọi ứng dụng")

    def handle(self, *args, paths, **options):
        if paths:
            results = {p: notification_templates_load(path=p) for p in paths}
        else:
            results = notification_templates_load_all()
        for name, result in results.items():
            self.stdout.write(f"{name}: {result['created']} mới, {result['unchanged']} đã có")
