"""Digitisation (số hóa) and the citizen data warehouse.

* ``ScanJob``: a paper document scanned at a desk (PDF or images) turned into a PDF/A-2b file with
  an OCR text layer (ocrmypdf + Tesseract, Vietnamese and English), in the background.
* ``PersonalDocument``: the citizen data warehouse (kho quản lý dữ liệu điện tử của tổ chức, cá
  nhân, Decree 45/2020): documents a citizen submitted or received, reusable in later dossiers
  without re-uploading.
"""

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


class ScanJob(models.Model):
    """One paper document to digitise: its scanned pages in, one PDF/A file with a text layer out."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ xử lý")
        RUNNING = "running", _("Đang số hóa")
        DONE = "done", _("Đã số hóa")
        FAILED = "failed", _("Không thành công")

    title = models.CharField(_("tên tài liệu"), max_length=300)
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("đơn vị"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("người yêu cầu"))
    # What the scan belongs to, e.g. ("dossiers.document", "123"): the result replaces that file when done.
    source_type = models.CharField(_("nguồn"), max_length=60, blank=True)
    source_id = models.CharField(_("mã nguồn"), max_length=60, blank=True)
    language = models.CharField(_("ngôn ngữ nhận dạng"), max_length=30, default="vie+eng")

    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    progress_message = models.CharField(_("đang làm"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker holds a running job until then (renewed with each progress report); after that a
    # sweep may hand the job to another worker (the first one died).
    lease_until = models.DateTimeField(null=True, blank=True)

    result = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("tệp PDF/A"))
    pdfa_part = models.CharField(_("chuẩn PDF/A"), max_length=4, blank=True)  # e.g. "2B", read back from XMP
    ocr_mode = models.CharField(_("cách nhận dạng"), max_length=10, blank=True)  # ocr | skip | redo | force
    page_count = models.PositiveIntegerField(_("số trang"), default=0)
    text = models.TextField(_("văn bản nhận dạng"), blank=True)
    # fold(title + text), for accent-insensitive search (trigram index on PostgreSQL).
    search_text = models.TextField(blank=True, editable=False)

    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt số hóa")
        verbose_name_plural = _("lượt số hóa")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The staff list: one unit subtree, newest first (keyset on created_at, id).
            models.Index(fields=["unit", "-created_at", "-id"], name="scanjob_unit_idx"),
            models.Index(fields=["source_type", "source_id"], name="scanjob_source_idx"),
            # The sweep that re-queues jobs whose worker died.
            models.Index(fields=["status", "lease_until"], name="scanjob_stalled_idx",
                         condition=models.Q(status__in=["queued", "running"])),
        ]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ScanJobFile(models.Model):
    """An uploaded file of a scan job (the original, kept), in page order."""

    job = models.ForeignKey(ScanJob, on_delete=models.CASCADE, related_name="inputs")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["job", "order"]
        constraints = [models.UniqueConstraint(fields=["job", "order"], name="uniq_scanjob_file_order")]

    def __str__(self):
        return f"{self.job_id} #{self.order}"
