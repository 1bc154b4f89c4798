"""Administrative units (a tree) and the agencies that belong to them.

The tree is a materialised path (django-treebeard ``MP_Node``): a subtree is one indexed
``path LIKE 'prefix%'`` query, never recursion in Python. Province → district → commune works,
and so does the two-tier province → commune layout Vietnam uses since 1 July 2025.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from chinhquyenso.core.text import fold


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    CITY_CENTRAL = "city_central", _("Thành phố trực thuộc trung ương")
    DISTRICT = "district", _("Huyện")
    URBAN_DISTRICT = "urban_district", _("Quận")
    TOWN_DISTRICT = "town_district", _("Thị xã")
    CITY = "city", _("Thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWN = "town", _("Thị trấn")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")


class AdministrativeUnit(MP_Node):
    code = models.CharField(_("mã đơn vị (TCTK)"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    full_name = models.CharField(_("tên đầy đủ"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False, db_index=True)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    # Optional boundary (GeoJSON geometry, WGS84) used to route geolocated reports.
    boundary = models.JSONField(_("ranh giới (GeoJSON)"), null=True, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        indexes = [
            # LIKE 'prefix%' uses this on PostgreSQL whatever the collation.
            models.Index(fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    def ancestor_paths(self) -> list[str]:
        """Paths of the ancestors, root first (derived from the path: no query)."""
        return [self.path[:i] for i in range(self.steplen, len(self.path), self.steplen)]

    def is_within(self, other: AdministrativeUnit) -> bool:
        """True when ``self`` is ``other`` or lies in its subtree."""
        return self.path.startswith(other.path)


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    PEOPLES_COUNCIL = "peoples_council", _("Hội đồng nhân dân")
    OFFICE = "office", _("Văn phòng")
    DEPARTMENT = "department", _("Phòng, ban chuyên môn")
    ONE_STOP = "one_stop", _("Bộ phận một cửa")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Đơn vị sự nghiệp công lập")
    OTHER = "other", _("Khác")


class Agency(models.Model):
    """A body of a unit: its UBND, a department, its one-stop desk, a public-service unit."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="agencies",
                             verbose_name=_("đơn vị hành chính"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("cơ quan cấp trên"))
    kind = models.CharField(_("loại cơ quan"), max_length=30, choices=AgencyKind.choices)
    name = models.CharField(_("tên cơ quan"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    # QCVN 102:2016/BTTTT electronic identifier, e.g. 000.00.14.H57 (level4.level3.level2.level1).
    identifier_code = models.CharField(_("mã định danh điện tử (QCVN 102:2016)"), max_length=20, unique=True)
    identifier_confirmed = models.BooleanField(
        _("mã đã đối chiếu văn bản"), default=False,
        help_text=_("Bỏ chọn khi mã là tạm thời, chưa đối chiếu quyết định ban hành mã của tỉnh."),
    )
    # Abbreviation used in document symbols (Decree 30/2020 Annex I), e.g. UBND, NV, TCKH.
    abbreviation = models.CharField(_("chữ viết tắt"), max_length=20)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["unit__path", "kind", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)
