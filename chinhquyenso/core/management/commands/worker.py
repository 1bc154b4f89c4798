"""Background worker: the outbox relay loop plus the task-queue worker (database or RQ)."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from chinhquyenso.core.events import outbox_deliver_due
from chinhquyenso.core.schedule import schedule_run_due


class Command(BaseCommand):
    help = "Chạy tiến trình nền: chuyển sự kiện (outbox) và hàng đợi tác vụ."

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=1.0, help="giây giữa hai lượt quét outbox")
        parser.add_argument("--no-tasks", action="store_true", help="chỉ chạy outbox, không chạy hàng đợi tác vụ")

    def _task_worker_argv(self) -> list[str]:
        base = [sys.executable, "-m", "chinhquyenso", "manage"]
        if settings.REDIS_URL:
            return [*base, "rqworker", "default", "outbox", "notifications", "--job-class", "django_tasks_rq.Job"]
        return [*base, "db_worker", "--queue-name", "*", "--interval", "1", "--no-reload", "--no-startup-delay"]

    def handle(self, *args, poll, no_tasks, **options):
        stop = False

        def _stop(*_):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        child = None if no_tasks else subprocess.Popen(self._task_worker_argv())  # noqa: S603
        self.stdout.write("Worker đang chạy (outbox + hàng đợi tác vụ).")
        try:
            while not stop:
                schedule_run_due()
                delivered = outbox_deliver_due(limit=200)
                if not delivered:
                    time.sleep(poll)
                if child is not None and child.poll() is not None:
                    self.stderr.write("Tiến trình hàng đợi tác vụ đã dừng; khởi động lại.")
                    child = subprocess.Popen(self._task_worker_argv())  # noqa: S603
        finally:
            if child is not None and child.poll() is None:
                child.terminate()
                child.wait(timeout=10)
