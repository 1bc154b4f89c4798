"""chinhquyenso manage catalog_import FILE [--unit 477] [--dry-run] [--user quantri]

Import a catalogue file (.xlsx national-style sheet or .json export). Every row is checked first;
with any problem nothing is saved and every problem is printed by row and column.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chinhquyenso.accounts.models import User
from chinhquyenso.catalog import exchange
from chinhquyenso.catalog.services import catalog_import
from chinhquyenso.units.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục từ tệp .xlsx hoặc .json (kiểm tra toàn bộ trước, có lỗi thì không nhập)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", help="Mã đơn vị quản lý cho các dòng không ghi đơn vị (ví dụ 477).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không lưu.")
        parser.add_argument("--user", help="Tên đăng nhập người nhập (ghi vào nhật ký; cần quyền quản trị).")

    def handle(self, *args, file, unit=None, dry_run=False, user=None, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Không có tệp {path}.")
        default_unit = None
        if unit:
            default_unit = AdministrativeUnit.objects.filter(code=unit).first()
            if default_unit is None:
                raise CommandError(f"Không có đơn vị hành chính mã {unit}.")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản {user}.")
        content = path.read_bytes()
        if path.suffix.lower() == ".xlsx":
            records, issues = exchange.parse_xlsx(content, default_unit=default_unit.code if default_unit else None)
        else:
            records, issues = exchange.parse_json(content)
        report = catalog_import(records=records, actor=actor, default_unit=default_unit, parse_issues=issues,
                                dry_run=dry_run, source=f"command:{path.name}")
        for issue in report.issues:
            self.stderr.write(str(issue))
        if report.issues:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
