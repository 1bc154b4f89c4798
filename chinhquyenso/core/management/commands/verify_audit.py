from django.core.management.base import BaseCommand, CommandError

from chinhquyenso.core.audit import audit_verify
from chinhquyenso.core.models import AuditChainHead


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn chuỗi nhật ký (phát hiện bản ghi bị sửa, bị xoá hoặc bị cắt cụt)."

    def handle(self, *args, **options):
        problems = list(audit_verify())
        head = AuditChainHead.objects.filter(id=1).first()
        if problems:
            for p in problems:
                self.stderr.write(f"#{p.seq}: {p.kind} — {p.detail}")
            raise CommandError(f"Chuỗi nhật ký KHÔNG toàn vẹn: {len(problems)} vấn đề.")
        count = head.seq if head else 0
        last = head.hash if head else "-"
        self.stdout.write(self.style.SUCCESS(f"Chuỗi nhật ký toàn vẹn: {count} bản ghi, mã băm cuối {last}"))
