"""``chinhquyenso demo``: everything a first-time visitor needs, in one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from chinhquyenso.core.demodata import demo_load_all


class Command(BaseCommand):
    help = "Khởi tạo dữ liệu mẫu và chạy toàn bộ nền tảng (web, tiến trình nền, trình giả lập) trên máy này."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--simulators-port", type=int, default=int(os.environ.get("SIMULATORS_PORT", "8765")))
        parser.add_argument("--no-serve", action="store_true", help="chỉ khởi tạo dữ liệu, không chạy máy chủ")

    def handle(self, *args, host, port, simulators_port, no_serve, **options):
        self.stdout.write("Đang chuẩn bị cơ sở dữ liệu…")
        call_command("migrate", interactive=False, verbosity=0)
        demo_load_all(log=lambda line: self.stdout.write(f"  {line}"))
        if no_serve:
            self._print_accounts(None)
            return
        self._run(host, port, simulators_port)

    def _children_env(self, simulators_url: str) -> dict:
        env = dict(os.environ)
        env.setdefault("SIMULATORS_URL", simulators_url)
        env.setdefault("OIDC_ISSUER", f"{simulators_url}/oidc")
        env.setdefault("OIDC_CLIENT_ID", "chinhquyenso-demo")
        env.setdefault("OIDC_CLIENT_SECRET", "demo-secret")
        env.setdefault("SITE_URL", "")
        env["CHINHQUYENSO_VAR_DIR"] = str(settings.VAR_DIR)
        return env

    def _run(self, host: str, port: int, simulators_port: int) -> None:
        simulators_url = f"http://{host}:{simulators_port}"
        env = self._children_env(simulators_url)
        env["SITE_URL"] = env["SITE_URL"] or f"http://{host}:{port}"
        python = [sys.executable, "-m", "chinhquyenso"]
        children = [
            subprocess.Popen([*python, "simulators", "--host", host, "--port", str(simulators_port)], env=env),  # noqa: S603
            subprocess.Popen([*python, "worker"], env=env),  # noqa: S603
            subprocess.Popen([*python, "serve", "--bind", f"{host}:{port}", "--workers", "2"], env=env),  # noqa: S603
        ]
        stop = False

        def _stop(*_):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        try:
            url = f"http://{host}:{port}/"
            self._wait_until_up(url, children)
            self._print_accounts(url, simulators_url)
            while not stop and all(c.poll() is None for c in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _wait_until_up(self, url: str, children, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(c.poll() is not None for c in children):
                raise SystemExit("Một tiến trình đã dừng khi khởi động; xem thông báo lỗi ở trên.")
            try:
                with urllib.request.urlopen(url + "healthz", timeout=2):  # noqa: S310 - our own localhost URL
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"Máy chủ web không phản hồi tại {url} sau {timeout:.0f} giây.")

    def _print_accounts(self, url: str | None, simulators_url: str | None = None) -> None:
        from chinhquyenso.accounts.demo import DEMO_PASSWORD, demo_accounts
        from chinhquyenso.accounts.roles import Role

        lines = ["", "=" * 72, "  CHÍNH QUYỀN SỐ — bản chạy thử"]
        if url:
            lines.append(f"  Mở trình duyệt: {url}")
        if simulators_url:
            lines.append(f"  Trình giả lập (SMS, Zalo, VNeID, …): {simulators_url}/")
        lines += ["", f"  Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD})", ""]
        for account in demo_accounts():
            lines.append(f"    {account.username:<20} {Role(account.role).label:<34} {account.full_name}")
        lines += ["", "  Dừng: Ctrl+C", "=" * 72, ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
