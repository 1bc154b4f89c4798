"""``chinhquyenso manage compile_translations``: .po → .mo without GNU gettext (see core.translations)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chinhquyenso.core.translations import catalogue_paths, compiled


class Command(BaseCommand):
    help = "Biên dịch bản dịch giao diện (.po → .mo) bằng Python, không cần GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="chỉ kiểm tra: báo lỗi nếu tệp .mo đã cũ so với .po, không ghi gì")

    def handle(self, *args, check: bool, **options):
        stale = []
        for po_path in catalogue_paths():
            mo_path = po_path.with_suffix(".mo")
            data = compiled(po_path)
            name = po_path.relative_to(settings.BASE_DIR.parent) if po_path.is_relative_to(
                settings.BASE_DIR.parent) else po_path
            if mo_path.exists() and mo_path.read_bytes() == data:
                self.stdout.write(f"  {name}: không đổi")
                continue
            stale.append(name)
            if not check:
                mo_path.write_bytes(data)
                self.stdout.write(f"  {name}: đã biên dịch")
        if check and stale:
            raise CommandError("Tệp .mo đã cũ, chạy `make translations` hoặc "
                               "`chinhquyenso manage compile_translations`: " + ", ".join(map(str, stale)))
