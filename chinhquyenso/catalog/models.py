"""The catalogue of administrative procedures (thủ tục hành chính, TTHC).

``Procedure`` is the unit of the catalogue: what a citizen may ask for, where, with which papers.
The figures that come from legal texts and change with them — processing time and fees — are not
columns of ``Procedure`` but versioned ``ProcedureTerms`` rows with an ``effective_from`` date
("law is data", DESIGN.md): a dossier records the version it was made under, and an administrator
applies a new decree by adding a version, without a release.

Online levels follow Decree 42/2022/NĐ-CP art. 11: *toàn trình* (full) and *một phần* (partial).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.catalog.text import search_key
from chinhquyenso.core.text import fold


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không cung cấp trực tuyến")


ONLINE_LEVELS = (OnlineLevel.FULL, OnlineLevel.PARTIAL)


class Level(models.TextChoices):
    """The tier that handles a procedure (same values as ``units.UnitLevel``)."""

    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    DESK = "desk", _("Trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")


class ProcedureStatus(models.TextChoices):
    ACTIVE = "active", _("Đang áp dụng")
    RETIRED = "retired", _("Đã bãi bỏ")


class Field(models.Model):
    """Lĩnh vực: the domain a procedure belongs to (Hộ tịch, Chứng thực, Đất đai …)."""

    code = models.SlugField(_("mã lĩnh vực"), max_length=60, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)
    name_folded = models.CharField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class Procedure(models.Model):
    # The national code from the National TTHC Database ("1.001193"); when none was found the
    # catalogue gives a local code ("DP-0001") and says so with code_is_national=False.
    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    code_is_national = models.BooleanField(_("mã thủ tục quốc gia"), default=True)
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    name_folded = models.CharField(max_length=1000, editable=False)
    # " " + search_key(name) + " ": the spaces make word-prefix (LIKE '% khai%') and whole-phrase
    # (LIKE '% khai sinh %') matches plain LIKEs, answered by the GIN trigram index on PostgreSQL.
    search_name = models.CharField(max_length=1002, editable=False)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="procedures",
                              verbose_name=_("lĩnh vực"))
    # The unit whose catalogue this is (a province or a district); its administrators edit it.
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="procedures",
                             verbose_name=_("đơn vị quản lý danh mục"))

    level_province = models.BooleanField(_("cấp tỉnh thực hiện"), default=False)
    level_district = models.BooleanField(_("cấp huyện thực hiện"), default=False)
    level_commune = models.BooleanField(_("cấp xã thực hiện"), default=False)
    # The tier after the two-tier local government reform of 01/07/2025 (blank when unknown).
    level_since_2025_07 = models.CharField(_("cấp thực hiện từ 01/7/2025"), max_length=10, blank=True,
                                           choices=Level.choices)
    agencies = models.ManyToManyField("units.Agency", blank=True, related_name="procedures",
                                      verbose_name=_("cơ quan thực hiện"))
    # For generic bodies ("UBND cấp xã nơi thường trú") that the agency list cannot express.
    agency_text = models.CharField(_("cơ quan thực hiện (mô tả)"), max_length=500, blank=True)

    online_level = models.CharField(_("mức độ dịch vụ công trực tuyến"), max_length=10,
                                    choices=OnlineLevel.choices, default=OnlineLevel.NONE)
    online_level_confirmed = models.BooleanField(_("mức độ DVC đã đối chiếu nguồn"), default=False)
    channel_online = models.BooleanField(_("nộp trực tuyến"), default=False)
    channel_desk = models.BooleanField(_("nộp trực tiếp"), default=True)
    channel_post = models.BooleanField(_("nộp qua bưu chính"), default=False)
    submission_note = models.TextField(_("nơi nộp, cách thức nộp"), blank=True)
    applicants = models.CharField(_("đối tượng thực hiện"), max_length=300, blank=True)
    note = models.TextField(_("lưu ý"), blank=True)

    status = models.CharField(_("trạng thái"), max_length=10, choices=ProcedureStatus.choices,
                              default=ProcedureStatus.ACTIVE)
    retired_at = models.DateTimeField(_("ngày bãi bỏ"), null=True, blank=True)
    retired_reason = models.CharField(_("lý do bãi bỏ"), max_length=500, blank=True)

    # Demo-data honesty: unconfirmed figures are labelled on the public page.
    confirmed = models.BooleanField(_("số liệu đã đối chiếu nguồn"), default=False)
    source_note = models.TextField(_("ghi chú nguồn số liệu"), blank=True)
    sources = models.JSONField(_("nguồn"), default=list, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["code"], name="catalog_proc_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "online_level"], name="catalog_proc_status_online_idx"),
            models.Index(fields=["field", "status"], name="catalog_proc_field_status_idx"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        self.refresh_search_columns()
        super().save(*args, **kwargs)

    def refresh_search_columns(self) -> None:
        self.name_folded = fold(self.name)
        self.search_name = f" {search_key(self.name)} "

    @property
    def levels(self) -> list[str]:
        return [lvl for lvl, on in ((Level.PROVINCE, self.level_province), (Level.DISTRICT, self.level_district),
                                    (Level.COMMUNE, self.level_commune)) if on]

    def get_levels_display(self) -> list[str]:
        return [Level(lvl).label for lvl in self.levels]

    @property
    def channels(self) -> list[str]:
        return [ch for ch, on in ((Channel.ONLINE, self.channel_online), (Channel.DESK, self.channel_desk),
                                  (Channel.POST, self.channel_post)) if on]

    def get_channels_display(self) -> list[str]:
        return [Channel(ch).label for ch in self.channels]

    @property
    def is_online(self) -> bool:
        return self.online_level in ONLINE_LEVELS

    @property
    def is_active(self) -> bool:
        return self.status == ProcedureStatus.ACTIVE


class DayKind(models.TextChoices):
    WORKING = "working", _("ngày làm việc")
    CALENDAR = "calendar", _("ngày")


class ProcedureTerms(models.Model):
    """Processing time and fees of a procedure as from a date. Immutable once in force: a change
    of law is a new version; dossiers keep the version they were made under."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="terms",
                                  verbose_name=_("thủ tục"))
    effective_from = models.DateField(_("hiệu lực từ"))
    # Working days by default (one-stop deadlines are counted with the working-day calendar);
    # 0 means "within the day of receipt". NULL: the time depends on the case, see the note.
    processing_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết"), null=True, blank=True)
    day_kind = models.CharField(_("loại ngày"), max_length=10, choices=DayKind.choices, default=DayKind.WORKING)
    processing_note = models.TextField(_("ghi chú thời hạn"), blank=True,
                                       help_text=_("Trường hợp khác nhau theo hồ sơ, ví dụ: trả trong ngày; "
                                                   "kéo dài khi cần xác minh."))
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    basis = models.CharField(_("văn bản quy định"), max_length=500, blank=True,
                             help_text=_("Quyết định công bố hoặc nghị quyết quy định thời hạn, mức thu."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("thời hạn và phí (phiên bản)")
        verbose_name_plural = _("thời hạn và phí (phiên bản)")
        ordering = ["procedure", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "effective_from"], name="catalog_terms_one_per_day"),
        ]

    def __str__(self):
        return f"{self.procedure.code} từ {self.effective_from:%d/%m/%Y}"

    def processing_display(self) -> str:
        return processing_text(self.processing_days, self.day_kind)


def processing_text(days: int | None, day_kind: str) -> str:
    """"3 ngày làm việc", "Trong ngày", "Theo từng trường hợp"."""
    if days is None:
        return str(_("Theo từng trường hợp"))
    if days == 0:
        return str(_("Trong ngày"))
    return f"{days} {DayKind(day_kind).label}"


class FeeKind(models.TextChoices):
    FIXED = "fixed", _("Mức cố định")
    PER_UNIT = "per_unit", _("Theo đơn vị tính")
    TIERED = "tiered", _("Theo bậc")


class TierMode(models.TextChoices):
    # Each unit is charged at the rate of the band it falls in (2.000 đ/page for pages 1–2,
    # 1.000 đ/page from page 3: certification fees, Circular 226/2016/TT-BTC).
    GRADUATED = "graduated", _("Lũy tiến theo từng đơn vị")
    # The quantity selects one band and the band's flat amount is due (karaoke appraisal fee by
    # number of rooms, Circular 01/2021/TT-BTC).
    BRACKET = "bracket", _("Mức trọn gói theo khoảng")


class ExemptionCategory(models.TextChoices):
    POOR_HOUSEHOLD = "poor_household", _("Hộ nghèo")
    MERITORIOUS = "meritorious", _("Người có công với cách mạng, gia đình có công")
    DISABLED = "disabled", _("Người khuyết tật")
    CHILD = "child", _("Trẻ em")
    ELDERLY = "elderly", _("Người cao tuổi")
    ETHNIC_MINORITY = "ethnic_minority", _("Người dân tộc thiểu số ở vùng khó khăn")
    AGRICULTURAL_LOAN = "agricultural_loan", _("Vay vốn phát triển nông nghiệp, nông thôn")


class FeeRule(models.Model):
    """One charge of a terms version. Amounts are integer VND; ``amount_vnd`` NULL means the
    amount is set by a provincial People's Council resolution not yet entered (shown as such and
    flagged in quotes, never guessed)."""

    terms = models.ForeignKey(ProcedureTerms, on_delete=models.CASCADE, related_name="fee_rules")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.SlugField(_("mã khoản thu"), max_length=40)
    label = models.CharField(_("tên khoản thu"), max_length=300)
    kind = models.CharField(_("cách tính"), max_length=10, choices=FeeKind.choices, default=FeeKind.FIXED)
    amount_vnd = models.PositiveBigIntegerField(_("mức thu (đồng)"), null=True, blank=True)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True, help_text=_("trang, bản, phòng …"))
    tier_mode = models.CharField(_("kiểu bậc"), max_length=10, choices=TierMode.choices, blank=True)
    # [{"from": 1, "to": 2, "amount_vnd": 2000}, {"from": 3, "to": null, "amount_vnd": 1000}]
    tiers = models.JSONField(_("các bậc"), default=list, blank=True)
    max_vnd = models.PositiveBigIntegerField(_("mức thu tối đa (đồng)"), null=True, blank=True)
    exempt_categories = models.JSONField(_("đối tượng được miễn"), default=list, blank=True)
    conditional = models.BooleanField(_("chỉ thu khi có điều kiện"), default=False)
    condition_note = models.CharField(_("điều kiện"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("khoản phí, lệ phí")
        verbose_name_plural = _("khoản phí, lệ phí")
        ordering = ["terms", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["terms", "code"], name="catalog_fee_code_per_terms")]

    def __str__(self):
        return self.label


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
    ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")
    ORIGINAL_OR_CERTIFIED_COPY = "original_or_certified", _("Bản chính hoặc bản sao có chứng thực")
    PRESENT = "present", _("Xuất trình (không nộp)")


class Requirement(models.TextChoices):
    REQUIRED = "required", _("Bắt buộc")
    CONDITIONAL = "conditional", _("Khi thuộc trường hợp")


class RequiredDocument(models.Model):
    """Thành phần hồ sơ."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="required_documents")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=1000)
    form = models.CharField(_("hình thức"), max_length=25, choices=DocumentForm.choices,
                            default=DocumentForm.ORIGINAL)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    requirement = models.CharField(_("bắt buộc"), max_length=12, choices=Requirement.choices,
                                   default=Requirement.REQUIRED)
    condition_note = models.CharField(_("trường hợp áp dụng"), max_length=500, blank=True)
    template = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("mẫu đơn, tờ khai"))
    template_name = models.CharField(_("tên mẫu"), max_length=200, blank=True,
                                     help_text=_("Ví dụ: Mẫu số 01 ban hành kèm Thông tư 04/2020/TT-BTP"))

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "id"]

    def __str__(self):
        return self.name


class ResultDocument(models.Model):
    """Kết quả thực hiện: what the citizen receives."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="result_documents")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("kết quả"), max_length=1000)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("kết quả thực hiện")
        verbose_name_plural = _("kết quả thực hiện")
        ordering = ["procedure", "order", "id"]

    def __str__(self):
        return self.name


class LegalBasis(models.Model):
    """Căn cứ pháp lý."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="legal_basis")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("văn bản"), max_length=500)
    url = models.URLField(_("đường dẫn"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")
        ordering = ["procedure", "order", "id"]

    def __str__(self):
        return self.title
