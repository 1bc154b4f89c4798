"""E-form definitions, their immutable published versions, drafts and submitted data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FormDefinition(models.Model):
    """The e-form of one procedure. Its versions hold the content; ``current_version`` is the
    latest published one (what citizens fill in now)."""

    procedure = models.OneToOneField("catalog.Procedure", related_name="form_definition", null=True, blank=True,
                                     on_delete=models.PROTECT, verbose_name=_("thủ tục"))
    name = models.CharField(_("tên biểu mẫu"), max_length=500)
    current_version = models.ForeignKey("FormVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("phiên bản đang áp dụng"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("biểu mẫu điện tử")
        verbose_name_plural = _("biểu mẫu điện tử")
        ordering = ["name"]

    def __str__(self):
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã xuất bản")


class FormVersion(models.Model):
    """One version of a form. A draft is edited in the builder; once published it never changes
    (services refuse), and submissions and dossiers point at the version they were filled with."""

    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="versions",
                                   verbose_name=_("biểu mẫu"))
    number = models.PositiveIntegerField(_("số phiên bản"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    # The builder's document; compiled into the two artefacts below (spec.compile_spec).
    spec = models.JSONField(_("tài liệu thiết kế"), default=dict)
    schema = models.JSONField(_("lược đồ JSON (draft 2020-12)"), default=dict)
    ui_schema = models.JSONField(_("lược đồ giao diện"), default=dict)
    change_note = models.CharField(_("ghi chú thay đổi"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người tạo"))
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("thời điểm xuất bản"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("người xuất bản"))

    class Meta:
        verbose_name = _("phiên bản biểu mẫu")
        verbose_name_plural = _("phiên bản biểu mẫu")
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="eforms_version_number_unique"),
            # At most one draft per form: the builder always edits "the" draft.
            models.UniqueConstraint(fields=["definition"], condition=Q(status="draft"),
                                    name="eforms_one_draft_per_form"),
        ]

    def __str__(self):
        return f"{self.definition} — v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class FormDraft(models.Model):
    """A citizen's unfinished answers ("lưu nháp"), one per user and form; resumed on return."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts")
    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="drafts")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="drafts",
                                     verbose_name=_("phiên bản đang điền"))
    data = models.JSONField(_("dữ liệu đã điền"), default=dict)
    is_complete = models.BooleanField(_("đã kiểm tra hợp lệ"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bản nháp tờ khai")
        verbose_name_plural = _("bản nháp tờ khai")
        constraints = [models.UniqueConstraint(fields=["user", "definition"], name="eforms_one_draft_per_user")]

    def __str__(self):
        return f"{self.user} — {self.definition}"


class FormSubmission(models.Model):
    """The data of one filed form: the row of the procedure's specialised table.

    ``unit`` is the receiving unit (unit-scoped access for officers); ``source_type`` and
    ``source_id`` say what it was filed with (``"dossiers.dossier"``, id).
    """

    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions",
                                     verbose_name=_("phiên bản biểu mẫu"))
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="form_submissions",
                                  verbose_name=_("thủ tục"))
    data = models.JSONField(_("dữ liệu"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="form_submissions", verbose_name=_("người nộp"))
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="form_submissions",
                             verbose_name=_("đơn vị tiếp nhận"))
    source_type = models.CharField(_("nguồn"), max_length=60, blank=True)
    source_id = models.CharField(_("mã nguồn"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("thời điểm nộp"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("dữ liệu tờ khai đã nộp")
        verbose_name_plural = _("dữ liệu tờ khai đã nộp")
        indexes = [
            # The specialised table: one procedure, newest first, keyset on (created_at, id).
            models.Index(fields=["procedure", "-created_at", "-id"], name="eforms_sub_proc_created_idx"),
            # Pre-fill from "my last submission of this procedure".
            models.Index(fields=["applicant", "procedure", "-created_at"], name="eforms_sub_applicant_idx"),
            models.Index(fields=["source_type", "source_id"], name="eforms_sub_source_idx"),
        ]

    def __str__(self):
        return f"{self.procedure_id} #{self.pk}"
