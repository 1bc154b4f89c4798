"""Citizen feedback (phản ánh, kiến nghị — PAKN): categories and routing rules as data, the reports
with their legal clock, photos, the timeline, and the API keys of Open311 integrators.

Deadlines in working days per category are configuration ("law is data"): the defaults follow
Decision 766/QĐ-TTg indicator 5.2 (refuse ≤ 2, ask for more information ≤ 5, handle ≤ 15, publish
≤ 2 working days) and each report keeps the figures it was received under.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.text import fold
from chinhquyenso.feedback.constants import (
    ATTRIBUTE_DATATYPES,
    CLOSED_STATUSES,
    Channel,
    LocationSource,
    Open311Type,
    PhotoKind,
    PublicStatus,
    Rating,
    Status,
    UpdateKind,
)
from chinhquyenso.units.models import AgencyKind, UnitLevel

LEGAL_BASIS_766 = "Quyết định 766/QĐ-TTg ngày 23/6/2022, chỉ số 5.2 (xử lý phản ánh, kiến nghị đúng hạn)"


class FeedbackCategory(models.Model):
    """A kind of problem a citizen can report; an Open311 *service*."""

    code = models.SlugField(_("mã (service_code)"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực phản ánh"), max_length=150)
    description = models.TextField(_("mô tả, hướng dẫn"), blank=True)
    group = models.CharField(_("nhóm"), max_length=80, blank=True)
    keywords = models.CharField(_("từ khoá"), max_length=255, blank=True,
                                help_text=_("Phân cách bằng dấu phẩy."))
    # Routing as data: which level and which kind of agency answers this category.
    handling_level = models.CharField(
        _("cấp xử lý"), max_length=10, default=UnitLevel.COMMUNE,
        choices=[(UnitLevel.COMMUNE, UnitLevel.COMMUNE.label), (UnitLevel.DISTRICT, UnitLevel.DISTRICT.label)])
    agency_kind = models.CharField(_("loại cơ quan xử lý"), max_length=30, choices=AgencyKind.choices,
                                   default=AgencyKind.PEOPLES_COMMITTEE)
    agency_abbreviation = models.CharField(
        _("chữ viết tắt cơ quan"), max_length=20, blank=True,
        help_text=_("Chọn đúng một phòng ban khi có nhiều cơ quan cùng loại (vd. TNMT, KTHT)."))
    attributes = models.JSONField(
        _("thông tin bổ sung (Open311 attributes)"), default=list, blank=True,
        help_text=_("Danh sách {code, description, datatype, required, order, values:[{key,name}]}."))
    service_notice = models.CharField(_("thông báo khi tiếp nhận"), max_length=500, blank=True)
    open311_type = models.CharField(max_length=10, choices=Open311Type.choices, default=Open311Type.REALTIME)
    refuse_days = models.PositiveSmallIntegerField(_("hạn từ chối tiếp nhận (ngày làm việc)"), default=2)
    supplement_days = models.PositiveSmallIntegerField(_("hạn đề nghị bổ sung (ngày làm việc)"), default=5)
    handle_days = models.PositiveSmallIntegerField(_("hạn xử lý, trả lời (ngày làm việc)"), default=15)
    publish_days = models.PositiveSmallIntegerField(_("hạn công khai kết quả (ngày làm việc)"), default=2)
    legal_basis = models.CharField(_("căn cứ thời hạn"), max_length=255, default=LEGAL_BASIS_766)
    duplicate_radius_m = models.PositiveIntegerField(_("bán kính tìm phản ánh trùng (m)"), default=150)
    duplicate_window_days = models.PositiveSmallIntegerField(_("khoảng thời gian tìm trùng (ngày)"), default=30)
    is_active = models.BooleanField(_("đang nhận phản ánh"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def has_metadata(self) -> bool:
        return bool(self.attributes)

    def clean(self):
        if not isinstance(self.attributes, list):
            raise ValidationError({"attributes": _("Phải là một danh sách.")})
        codes = set()
        for item in self.attributes:
            if not isinstance(item, dict) or not item.get("code"):
                raise ValidationError({"attributes": _("Mỗi mục cần có “code”.")})
            if item["code"] in codes:
                raise ValidationError({"attributes": _("Mã “%(c)s” bị lặp.") % {"c": item["code"]}})
            codes.add(item["code"])
            if item.get("datatype", "string") not in ATTRIBUTE_DATATYPES:
                raise ValidationError({"attributes": _("Kiểu dữ liệu “%(t)s” không hợp lệ.")
                                       % {"t": item.get("datatype")}})
            if item.get("datatype") in ("singlevaluelist", "multivaluelist") and not item.get("values"):
                raise ValidationError({"attributes": _("Danh sách “%(c)s” cần có “values”.") % {"c": item["code"]}})


class RoutingRule(models.Model):
    """An explicit route: in this unit (and below it), this category goes to this agency.

    Beats the category's generic rule (level + agency kind); the deepest matching unit wins."""

    category = models.ForeignKey(FeedbackCategory, on_delete=models.CASCADE, related_name="routing_rules",
                                 verbose_name=_("lĩnh vực"))
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("địa bàn"))
    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("cơ quan xử lý"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quy tắc chuyển xử lý")
        verbose_name_plural = _("quy tắc chuyển xử lý")
        constraints = [models.UniqueConstraint(fields=["category", "unit"], name="uniq_feedback_route")]

    def __str__(self):
        return f"{self.category} · {self.unit} → {self.agency}"


class Open311ApiKey(models.Model):
    """An integrator's key. Only a SHA-256 of the secret is stored; the key is shown once."""

    name = models.CharField(_("ứng dụng, đơn vị sử dụng"), max_length=150)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    prefix = models.CharField(_("tiền tố khoá"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("số yêu cầu tối đa mỗi phút"), null=True, blank=True,
                                                        help_text=_("Để trống: theo cấu hình chung."))
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("khoá API Open311")
        verbose_name_plural = _("khoá API Open311")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Feedback(models.Model):
    # The tracking code given to the citizen; also the Open311 service_request_id.
    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True, editable=False)
    # Open311 token (GET /tokens/{token}); unguessable.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(FeedbackCategory, on_delete=models.PROTECT, related_name="feedback",
                                 verbose_name=_("lĩnh vực"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    description = models.TextField(_("nội dung"))
    # fold(title + description): duplicate detection and search compare accent-insensitively.
    text_folded = models.TextField(editable=False, blank=True)
    attributes = models.JSONField(_("thông tin bổ sung"), default=dict, blank=True)
    # What the public sees, written at moderation (personal data removed). Never the raw text.
    public_title = models.CharField(_("tiêu đề công khai"), max_length=200, blank=True)
    public_description = models.TextField(_("nội dung công khai"), blank=True)

    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    location_source = models.CharField(_("cách chọn vị trí"), max_length=10, choices=LocationSource.choices,
                                       default=LocationSource.TYPED)
    # As typed by the citizen: may contain a house number, so it is private.
    address_text = models.CharField(_("địa chỉ, mô tả vị trí"), max_length=255, blank=True)
    village = models.CharField(_("thôn, tổ dân phố"), max_length=100, blank=True)
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="feedback",
                             verbose_name=_("địa bàn"))
    routed_by_point = models.BooleanField(_("xác định địa bàn theo toạ độ"), default=False)
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="feedback", verbose_name=_("cơ quan xử lý"))

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="feedback", verbose_name=_("người phản ánh"))
    contact_name = models.CharField(_("họ tên người phản ánh"), max_length=150, blank=True)
    contact_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    contact_email = models.EmailField(_("thư điện tử"), blank=True)
    anonymous_public = models.BooleanField(_("ẩn danh với công chúng"), default=True)
    channel = models.CharField(_("kênh tiếp nhận"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    api_key = models.ForeignKey(Open311ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)

    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.NEW)
    public_status = models.CharField(max_length=6, choices=PublicStatus.choices, default=PublicStatus.OPEN,
                                     editable=False)
    version = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(_("công khai"), default=False)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged", verbose_name=_("gộp vào"))

    # The legal clock (calendar service only; see services._clock_*).
    submitted_at = models.DateTimeField(_("thời điểm gửi"), default=timezone.now)
    received_on = models.DateField(_("ngày bắt đầu tính hạn"))
    handle_days = models.PositiveSmallIntegerField(_("thời hạn xử lý (ngày làm việc)"))
    publish_days = models.PositiveSmallIntegerField(_("hạn công khai (ngày làm việc)"), default=2)
    moderation_due = models.DateField(_("hạn tiếp nhận, từ chối"))
    supplement_due = models.DateField(_("hạn đề nghị bổ sung"))
    due_date = models.DateField(_("hạn trả lời"))
    paused_at = models.DateTimeField(_("tạm dừng tính hạn từ"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("số ngày làm việc tạm dừng"), default=0)
    extension_days = models.PositiveIntegerField(_("số ngày gia hạn"), default=0)
    extension_reason = models.TextField(_("lý do gia hạn"), blank=True)
    routed_at = models.DateTimeField(_("chuyển xử lý lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("nhận xử lý lúc"), null=True, blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answer_text = models.TextField(_("nội dung trả lời"), blank=True)
    answer_public = models.TextField(_("trả lời công khai"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # Indexed figures for dashboards (computed once at answer time, never per page view).
    answered_on_time = models.BooleanField(_("trả lời đúng hạn"), null=True, blank=True)
    answer_working_days = models.PositiveIntegerField(_("số ngày làm việc đến khi trả lời"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    rejection_reason = models.TextField(_("lý do không tiếp nhận"), blank=True)
    rating = models.PositiveSmallIntegerField(_("mức độ hài lòng"), choices=Rating.choices, null=True, blank=True)
    rating_comment = models.TextField(_("ý kiến đánh giá"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("số lần đề nghị xử lý lại"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("mức nhắc quá hạn"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # Public list and Open311 GET requests: published rows by time, optionally by open/closed.
            models.Index(fields=["public_status", "-submitted_at", "-id"], condition=Q(is_published=True),
                         name="fb_pub_status_time_idx"),
            models.Index(fields=["-submitted_at", "-id"], condition=Q(is_published=True), name="fb_pub_time_idx"),
            models.Index(fields=["category", "-submitted_at"], name="fb_category_time_idx"),
            # Coordinator queue (status NEW, scoped by unit path) and statistics per unit and period.
            models.Index(fields=["status", "unit", "submitted_at"], name="fb_status_unit_idx"),
            models.Index(fields=["unit", "submitted_at"], name="fb_unit_time_idx"),
            # Agency queue: one agency's open items by deadline.
            models.Index(fields=["agency", "status", "due_date", "id"], name="fb_agency_queue_idx"),
            models.Index(fields=["reporter", "-submitted_at"], name="fb_reporter_idx"),
            # Duplicate search: a latitude band of one category.
            models.Index(fields=["category", "latitude"], name="fb_category_lat_idx"),
            models.Index(fields=["due_date"], condition=Q(escalation_level=0), name="fb_escalation_idx"),
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"

    def save(self, *args, **kwargs):
        self.text_folded = fold(f"{self.title} {self.description}")
        self.public_status = PublicStatus.CLOSED if self.status in CLOSED_STATUSES else PublicStatus.OPEN
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "text_folded", "public_status", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def public_address(self) -> str:
        """Village and commune only: the house number the citizen typed stays private."""
        parts = [self.village, self.unit.full_name if self.unit_id else ""]
        return ", ".join(p for p in parts if p)


class FeedbackPhoto(models.Model):
    """A photo of a report (or of an answer). The original stays private; the public copy is
    re-encoded without EXIF (so without GPS), optionally blurred, and made at publication."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=10, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    original = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    thumbnail = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    public = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    public_thumbnail = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    hidden = models.BooleanField(_("không công khai"), default=False)
    blurred = models.BooleanField(_("đã làm mờ"), default=False)
    # Boxes (x, y, width, height in percent) pixelated in the public copies; empty when none.
    blur_areas = models.JSONField(_("vùng làm mờ"), default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ảnh phản ánh")
        verbose_name_plural = _("ảnh phản ánh")
        ordering = ["id"]

    def __str__(self):
        return f"{self.feedback_id}/{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.public_id is not None and not self.hidden


class FeedbackUpdate(models.Model):
    """The timeline of a report: questions, the citizen's additions, transfers, answers, notes."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=15, choices=UpdateKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(blank=True)
    # Shown to the reporter (questions, answers); internal notes are staff-only.
    visible_to_reporter = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("diễn biến xử lý")
        verbose_name_plural = _("diễn biến xử lý")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.feedback_id} {self.kind}"
