from django.core.management.base import BaseCommand

from chinhquyenso.simulators.server import MOUNTS, serve


class Command(BaseCommand):
    help = "Chạy các trình giả lập hệ thống bên ngoài (SMS, Zalo, VNeID, …) trên localhost."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, host, port, **options):
        self.stdout.write(f"Trình giả lập chạy tại http://{host}:{port}/ : " + ", ".join(MOUNTS))
        serve(host, port)
