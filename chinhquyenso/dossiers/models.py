"""The electronic one-stop system: dossiers, their steps, the legal clock, slips and ratings.

Rules come from Decree 61/2018 (one-stop mechanism), Circular 01/2018/TT-VPCP (dossier code,
slips, registers) and Decree 45/2020 (electronic procedures). Everything those texts fix —
the code pattern, slip form numbers and layouts, process templates — is versioned data with an
effective date (DESIGN.md, "Law is data"); a dossier keeps the versions it was made under.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.roles import Role


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    DESK = "desk", _("Trực tiếp tại bộ phận một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ công dân bổ sung")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    PENDING_APPROVAL = "pending_approval", _("Chờ lãnh đạo phê duyệt")
    APPROVED = "approved", _("Đã có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    REJECTED = "rejected", _("Từ chối giải quyết")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


# Statuses in which the legal processing clock runs (and the dossier can become late).
CLOCK_RUNNING = frozenset({Status.IN_PROGRESS, Status.PENDING_APPROVAL})
# Decision 766 (indicator 2.1): processing ends at done, returned, refused or stopped.
FINISHED = frozenset({Status.APPROVED, Status.RETURNED, Status.REFUSED, Status.REJECTED, Status.WITHDRAWN})
OPEN = frozenset(set(Status.values) - {Status.RETURNED, Status.REFUSED, Status.REJECTED, Status.WITHDRAWN})


class ResultDelivery(models.TextChoices):
    DESK = "desk", _("Nhận tại bộ phận một cửa")
    POST = "post", _("Nhận qua bưu chính")
    ONLINE = "online", _("Nhận bản điện tử trực tuyến")


class FeeStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Không thu phí")
    UNPAID = "unpaid", _("Chưa nộp phí")
    PAID = "paid", _("Đã nộp phí")


class StepKind(models.TextChoices):
    RECEPTION = "reception", _("Tiếp nhận")
    PROCESSING = "processing", _("Thẩm định, xử lý")
    REVIEW = "review", _("Lãnh đạo phòng xem xét")
    APPROVAL = "approval", _("Lãnh đạo phê duyệt")
    RETURN = "return", _("Trả kết quả")


class DossierCodeRule(models.Model):
    """How dossier codes are written, from a date on (Circular 01/2018 art. 19 by default).

    ``pattern`` is a Python format string over ``agency`` (the receiving agency's QCVN 102
    identifier), ``date`` (the receipt date) and ``seq`` (the daily sequence of that agency).
    """

    effective_from = models.DateField(_("hiệu lực từ"), unique=True)
    pattern = models.CharField(_("mẫu mã hồ sơ"), max_length=100, default="{agency}-{date:%y%m%d}-{seq:04d}")
    legal_basis = models.CharField(_("căn cứ"), max_length=300, default="Điều 19 Thông tư 01/2018/TT-VPCP")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("quy tắc mã hồ sơ")
        verbose_name_plural = _("quy tắc mã hồ sơ")
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.pattern} ({self.effective_from:%d/%m/%Y})"


class DossierCounter(models.Model):
    """Gap-free daily sequence per receiving agency: incremented under a row lock in the same
    transaction as the dossier, so a rolled-back submission gives its number back."""

    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="uniq_dossier_counter")]

    def __str__(self):
        return f"{self.agency_id}/{self.day}: {self.last}"


class ProcessTemplate(models.Model):
    """The steps a procedure's dossiers go through. ``procedure`` null = the default template."""

    procedure = models.ForeignKey("catalog.Procedure", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="process_templates", verbose_name=_("thủ tục"))
    name = models.CharField(_("tên quy trình"), max_length=200)
    # For default templates (no procedure): the unit level they serve; a commune has no departments.
    unit_level = models.CharField(_("cấp áp dụng"), max_length=10, blank=True)
    effective_from = models.DateField(_("hiệu lực từ"), default=timezone.localdate)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["procedure_id", "-effective_from"]

    def __str__(self):
        return self.name


class ProcessStep(models.Model):
    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=200)
    kind = models.CharField(_("loại bước"), max_length=20, choices=StepKind.choices)
    role = models.CharField(_("vai trò xử lý"), max_length=30, choices=Role.choices)
    # Who holds the step: a fixed agency, or "the agency of this kind in the receiving unit".
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("cơ quan xử lý"))
    agency_kind = models.CharField(_("loại cơ quan xử lý"), max_length=30, blank=True)
    budget_days = models.DecimalField(_("thời gian (ngày làm việc)"), max_digits=4, decimal_places=1, default=1)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("các bước xử lý")
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "order"], name="uniq_process_step_order")]

    def __str__(self):
        return f"{self.order}. {self.name}"


def _lookup_secret() -> str:
    return secrets.token_hex(3).upper()  # 6 hex characters printed on the receipt


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    lookup_secret = models.CharField(_("mã tra cứu"), max_length=12, default=_lookup_secret)
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="dossiers",
                                  verbose_name=_("thủ tục"))
    procedure_terms = models.ForeignKey("catalog.ProcedureTerms", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("thời hạn, phí áp dụng"))
    form_version = models.ForeignKey("eforms.FormVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("phiên bản tờ khai"))
    form_submission = models.ForeignKey("eforms.FormSubmission", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    code_rule = models.ForeignKey(DossierCodeRule, on_delete=models.PROTECT, related_name="+")
    process_template = models.ForeignKey(ProcessTemplate, on_delete=models.PROTECT, related_name="+")

    # Where it is handled: the receiving unit and its one-stop desk. Every staff query filters on unit.
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="dossiers",
                             verbose_name=_("đơn vị tiếp nhận"))
    receiving_agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="received_dossiers",
                                         verbose_name=_("cơ quan tiếp nhận"))

    # Applicant (a citizen, an organisation, or a walk-in recorded by an officer).
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="dossiers", verbose_name=_("tài khoản người nộp"))
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="dossiers")
    applicant_name = models.CharField(_("người nộp"), max_length=200)
    applicant_id_number = models.CharField(_("số CCCD / mã số thuế"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("người nhập hồ sơ"))

    status = models.CharField(_("trạng thái"), max_length=24, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(default=0)
    paused_from = models.CharField(max_length=24, blank=True)  # status to resume after a supplement

    # Who holds it now: the current step, its role and agency, and (once taken) the officer.
    current_step = models.PositiveSmallIntegerField(null=True, blank=True)
    current_role = models.CharField(max_length=30, blank=True)
    current_agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    current_holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    step_due_date = models.DateField(_("hạn của bước"), null=True, blank=True)

    # The legal clock.
    submitted_at = models.DateTimeField(_("thời điểm nộp"), default=timezone.now)
    accept_due_at = models.DateTimeField(_("hạn tiếp nhận (8 giờ làm việc)"), null=True, blank=True)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    processing_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết (ngày làm việc)"), default=0)
    due_date = models.DateField(_("ngày hẹn trả"), null=True, blank=True)
    original_due_date = models.DateField(_("ngày hẹn trả ban đầu"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("số ngày chờ bổ sung"), default=0)
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    apology_count = models.PositiveSmallIntegerField(_("số lần xin lỗi, hẹn lại"), default=0)
    finished_at = models.DateTimeField(_("thời điểm kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    is_late = models.BooleanField(_("quá hạn"), default=False)
    escalated_for = models.DateField(null=True, blank=True)  # appointment date last escalated as overdue

    fee_total = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    fee_status = models.CharField(_("tình trạng phí"), max_length=15, choices=FeeStatus.choices,
                                  default=FeeStatus.NOT_REQUIRED)
    result_delivery = models.CharField(_("hình thức nhận kết quả"), max_length=10, choices=ResultDelivery.choices,
                                       default=ResultDelivery.DESK)
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=300, blank=True)
    result_file = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("văn bản kết quả"))
    result_number = models.CharField(_("số văn bản kết quả"), max_length=60, blank=True)
    is_digitized = models.BooleanField(_("đã số hóa thành phần và kết quả"), default=False)
    reuses_digitized_data = models.BooleanField(_("có dùng lại dữ liệu đã số hóa"), default=False)
    synced_to_portal = models.BooleanField(_("đã đồng bộ cổng quốc gia"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            # Work queues: one unit, one status (and role), earliest due first; keyset on (due, id).
            models.Index(fields=["unit", "status", "current_role", "due_date", "id"], name="dossier_queue_idx"),
            models.Index(fields=["unit", "status", "accept_due_at", "id"], name="dossier_intake_idx"),
            models.Index(fields=["current_agency", "status", "due_date", "id"], name="dossier_agency_queue_idx"),
            models.Index(fields=["applicant", "-submitted_at"], name="dossier_applicant_idx"),
            # Registers and dashboards: a unit over a period.
            models.Index(fields=["unit", "received_at"], name="dossier_register_idx"),
            models.Index(fields=["unit", "submitted_at"], name="dossier_submitted_idx"),
            models.Index(fields=["status", "due_date"], name="dossier_overdue_idx",
                         condition=Q(status__in=["in_progress", "pending_approval"])),
        ]

    def __str__(self):
        return self.code


class DossierDocument(models.Model):
    """A component of the dossier (thành phần hồ sơ): an upload, a reused personal document, a scan."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Tải lên")
        WAREHOUSE = "warehouse", _("Dùng lại từ kho dữ liệu")
        SCAN = "scan", _("Số hóa tại bộ phận một cửa")
        SUPPLEMENT = "supplement", _("Bổ sung")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey("catalog.RequiredDocument", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.UPLOAD)
    copy_kind = models.CharField(_("bản chính/bản sao"), max_length=60, blank=True)
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["dossier", "id"]

    def __str__(self):
        return self.name


class DossierStep(models.Model):
    """One hand-over in the dossier's life: the rows of the process control slip."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    outcome = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "started_at", "id"]
        indexes = [models.Index(fields=["holder", "finished_at"], name="dossier_step_holder_idx")]

    def __str__(self):
        return f"{self.dossier_id} #{self.order} {self.name}"


class DossierEvent(models.Model):
    """The timeline shown to the citizen and staff: every action, in words (no personal data)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    status = models.CharField(max_length=24, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    public_note = models.TextField(blank=True)  # what the public lookup may show

    class Meta:
        ordering = ["dossier", "at", "id"]

    def __str__(self):
        return f"{self.dossier_id} {self.action}"


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"))
    items = models.JSONField(_("giấy tờ cần bổ sung"), default=list)  # [{"name", "copy_kind", "quantity", "note"}]
    answered_at = models.DateTimeField(null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "requested_at"]

    def __str__(self):
        return f"{self.dossier_id} bổ sung {self.requested_at:%d/%m/%Y}"


class ApologySlip(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả: required before a late dossier moves on."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responsible_agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    reason = models.TextField(_("lý do chậm"))
    previous_due_date = models.DateField()
    new_due_date = models.DateField(_("ngày hẹn trả mới"))

    class Meta:
        ordering = ["dossier", "issued_at"]

    def __str__(self):
        return f"{self.dossier_id} xin lỗi {self.new_due_date:%d/%m/%Y}"


class SlipTemplate(models.Model):
    """A slip's form number, title and layout, versioned by effective date (texts change often)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
        SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
        REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận, giải quyết hồ sơ")
        APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
        CONTROL = "control", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
        RESULT_COVER = "result_cover", _("Phiếu trả kết quả")
        REGISTER = "register", _("Sổ theo dõi hồ sơ")

    kind = models.CharField(_("loại phiếu"), max_length=20, choices=Kind.choices)
    effective_from = models.DateField(_("hiệu lực từ"))
    form_number = models.CharField(_("số mẫu"), max_length=40, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=200)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    template_name = models.CharField(_("khuôn mẫu"), max_length=200,
                                     help_text=_("Tệp khuôn mẫu HTML, ví dụ dossiers/pdf/receipt.html"))
    confirmed = models.BooleanField(_("số mẫu đã đối chiếu văn bản"), default=False)

    class Meta:
        verbose_name = _("mẫu phiếu")
        verbose_name_plural = _("mẫu phiếu")
        constraints = [models.UniqueConstraint(fields=["kind", "effective_from"], name="uniq_slip_kind_date")]
        ordering = ["kind", "-effective_from"]

    def __str__(self):
        return f"{self.form_number} {self.title}"


class DossierRating(models.Model):
    class Level(models.IntegerChoices):
        VERY_SATISFIED = 3, _("Rất hài lòng")
        SATISFIED = 2, _("Hài lòng")
        DISSATISFIED = 1, _("Không hài lòng")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(_("mức độ hài lòng"), choices=Level.choices)
    on_time = models.BooleanField(_("kết quả đúng hẹn"), null=True)
    staff_attitude = models.PositiveSmallIntegerField(_("thái độ cán bộ"), choices=Level.choices, null=True)
    comment = models.TextField(_("góp ý"), blank=True)
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("đánh giá hài lòng")
        verbose_name_plural = _("đánh giá hài lòng")

    def __str__(self):
        return f"{self.dossier_id}: {self.get_level_display()}"
