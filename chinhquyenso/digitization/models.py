"""The citizen data warehouse (kho quản lý dữ liệu điện tử của tổ chức, cá nhân, Decree 45/2020):
documents a citizen submitted or received, reusable in later dossiers without re-uploading."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDocument(models.Model):
    class Kind(models.TextChoices):
        RESULT = "result", _("Kết quả giải quyết thủ tục")
        SUBMITTED = "submitted", _("Giấy tờ đã nộp")
        UPLOADED = "uploaded", _("Tự tải lên")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_documents")
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("tên giấy tờ"), max_length=500)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    document_number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    issued_by = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("cơ quan cấp"))
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    # Which required-document names it can stand for (folded), so a later dossier can offer it.
    matches = models.JSONField(default=list, blank=True)
    source_dossier_id = models.BigIntegerField(null=True, blank=True)
    is_digitized = models.BooleanField(_("đã số hóa (có lớp văn bản)"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu cá nhân")
        ordering = ["owner", "-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="personal_doc_owner_idx")]

    def __str__(self):
        return self.title
