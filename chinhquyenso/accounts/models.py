"""Users, citizen and organisation profiles, and role assignments per administrative unit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.validators import FEMALE, MALE
from chinhquyenso.core.text import fold


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
        STAFF = "staff", _("Cán bộ, công chức")

    kind = models.CharField(_("loại tài khoản"), max_length=20, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    full_name_folded = models.CharField(max_length=150, blank=True, editable=False, db_index=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=5, choices=settings.LANGUAGES, default="vi")
    oidc_subject = models.CharField(_("định danh OIDC"), max_length=255, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="uniq_user_email"),
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="uniq_user_phone"),
            models.UniqueConstraint(fields=["oidc_subject"], condition=~Q(oidc_subject=""), name="uniq_user_oidc"),
        ]

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        self.full_name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return (self.full_name.split() or [self.username])[-1]


class Gender(models.TextChoices):
    MALE = MALE, _("Nam")
    FEMALE = FEMALE, _("Nữ")


class CitizenProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen_profile")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    cccd = models.CharField(_("số định danh cá nhân (CCCD)"), max_length=12, unique=True, null=True, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address_line = models.CharField(_("địa chỉ (số nhà, thôn, đường)"), max_length=255, blank=True)
    address_unit = models.ForeignKey("units.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("xã, phường"))
    identity_verified = models.BooleanField(_("đã xác thực định danh"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")

    def __str__(self):
        return self.full_name

    @property
    def address(self) -> str:
        parts = [self.address_line]
        unit = self.address_unit
        if unit is not None:
            from chinhquyenso.units.selectors import ancestors_of

            parts += [u.full_name for u in [unit, *reversed(ancestors_of(unit))]]
        return ", ".join(p for p in parts if p)


class Organisation(models.Model):
    name = models.CharField(_("tên tổ chức, doanh nghiệp"), max_length=255)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, unique=True)
    address_line = models.CharField(_("địa chỉ trụ sở"), max_length=255, blank=True)
    address_unit = models.ForeignKey("units.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("xã, phường"))
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    members = models.ManyToManyField(User, through="OrganisationMember", related_name="organisations")

    class Meta:
        verbose_name = _("tổ chức, doanh nghiệp")
        verbose_name_plural = _("tổ chức, doanh nghiệp")

    def __str__(self):
        return f"{self.name} ({self.tax_code})"


class OrganisationMember(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    is_representative = models.BooleanField(_("người đại diện theo pháp luật"), default=False)
    position = models.CharField(_("chức vụ"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("thành viên tổ chức")
        verbose_name_plural = _("thành viên tổ chức")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="uniq_org_member")]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, on=None):
        today = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            user__is_active=True,
        )


class RoleAssignment(models.Model):
    """(user, role, unit): the role applies in the unit and every unit below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name=_("người dùng"))
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="role_assignments",
                             verbose_name=_("đơn vị"))
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="role_assignments", verbose_name=_("cơ quan công tác"))
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("đến ngày"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="uniq_role_assignment"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
