"""chinhquyenso manage catalog_export FILE [--format xlsx|json]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chinhquyenso.catalog import exchange


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục ra tệp .xlsx (mẫu bảng tính) hoặc .json (đầy đủ các phiên bản)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["xlsx", "json"], help="Mặc định theo đuôi tệp.")

    def handle(self, *args, file, format=None, **options):
        path = Path(file)
        fmt = format or path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "json"):
            raise CommandError("Chọn --format xlsx hoặc json.")
        data = exchange.export_xlsx_bytes() if fmt == "xlsx" else exchange.export_json_bytes()
        path.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {path} ({len(data)} byte)."))
