"""Working-day calendar configuration: announced overrides and per-unit office hours.

Public holidays come from the ``holidays`` package (``holidays.VN``: Labour Code 2019 Art. 112,
lunar Tết, Hùng Kings' day, compensatory days and the government's announced swaps). What the
package does not know — a new announcement from the Ministry of Home Affairs, a province closing
offices for a storm, a commune's make-up Saturday — is a ``CalendarOverride`` row, applied by an
administrator without a release ("law is data"). Rows are changed only through
``calendar.services`` so every change is audited and announced as ``calendar.override_changed``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ (nghỉ bù, nghỉ thêm)")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class CalendarOverride(models.Model):
    """One announced change to one day, for everyone (``unit`` empty) or for a unit's subtree.

    When several rows name the same day, the one of the nearest unit wins (a commune's row beats
    its province's, which beats the nationwide row); any row beats the ``holidays`` package.
    """

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=20, choices=OverrideKind.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="calendar_overrides",
        verbose_name=_("đơn vị áp dụng"),
        help_text=_("Để trống: áp dụng trên toàn quốc. Chọn đơn vị: áp dụng cho đơn vị đó và các đơn vị trực thuộc."),
    )
    name = models.CharField(_("tên, lý do"), max_length=200)
    legal_basis = models.CharField(
        _("căn cứ"), max_length=300,
        help_text=_("Số, ký hiệu văn bản thông báo, ví dụ: Thông báo số 6150/TB-BLĐTBXH ngày 12/11/2024."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người tạo"))
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù được công bố")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù được công bố")
        ordering = ["-date"]
        constraints = [
            # One row per day and unit; a nationwide row is unique per day on its own
            # (NULLs are distinct in a plain unique constraint).
            models.UniqueConstraint(fields=["date", "unit"], name="calendar_override_date_unit_uniq"),
            models.UniqueConstraint(
                fields=["date"], condition=Q(unit__isnull=True), name="calendar_override_date_nationwide_uniq",
                violation_error_message=_("Ngày này đã có điều chỉnh áp dụng toàn quốc; hãy sửa bản ghi đó."),
            ),
        ]
        indexes = [models.Index(fields=["date"], name="calendar_override_date_idx")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} · {self.get_kind_display()} · {self.name}"


class UnitServiceHours(models.Model):
    """Office hours of a unit's offices and one-stop desk, inherited by its subtree.

    Working hours drive ``add_working_hours`` (Decree 45/2020: an online dossier is answered
    within 8 working hours) and the receipt cut-off (after the afternoon end, a dossier counts
    from the next working day). ``saturday_morning_service``: the desk also receives on Saturday
    morning; Saturday still is not a working day for legal deadlines.
    """

    unit = models.OneToOneField("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="service_hours",
                                verbose_name=_("đơn vị"))
    morning_start = models.TimeField(_("sáng bắt đầu"))
    morning_end = models.TimeField(_("sáng kết thúc"))
    afternoon_start = models.TimeField(_("chiều bắt đầu"))
    afternoon_end = models.TimeField(_("chiều kết thúc"),
                                     help_text=_("Hồ sơ nhận sau giờ này được tính từ ngày làm việc tiếp theo."))
    saturday_morning_service = models.BooleanField(
        _("tiếp nhận sáng thứ Bảy"), default=False,
        help_text=_("Bộ phận một cửa tiếp nhận hồ sơ sáng thứ Bảy. Thứ Bảy vẫn không phải ngày làm việc "
                    "khi tính thời hạn giải quyết."),
    )
    applies_to_subtree = models.BooleanField(
        _("áp dụng cho đơn vị trực thuộc"), default=True,
        help_text=_("Bỏ chọn khi giờ này chỉ áp dụng cho chính đơn vị (ví dụ: chỉ bộ phận một cửa cấp huyện "
                    "tiếp nhận sáng thứ Bảy)."),
    )
    note = models.CharField(_("ghi chú, căn cứ"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người cập nhật"))
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    class Meta:
        verbose_name = _("giờ làm việc của đơn vị")
        verbose_name_plural = _("giờ làm việc của đơn vị")
        constraints = [
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="service_hours_ordered",
                violation_error_message=_("Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc "
                                          "≤ chiều bắt đầu < chiều kết thúc."),
            ),
        ]

    def __str__(self):
        return f"{self.unit}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M}, " \
               f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
