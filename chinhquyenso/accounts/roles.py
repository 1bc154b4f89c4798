"""The roles of the platform (DESIGN.md). Staff roles are assigned per unit and cover its subtree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION_REP = "organisation_rep", _("Đại diện tổ chức, doanh nghiệp")
    RECEPTION_OFFICER = "reception_officer", _("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên")
    DEPARTMENT_HEAD = "department_head", _("Lãnh đạo phòng")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo đơn vị")
    CLERK = "clerk", _("Văn thư")
    REPORTER = "reporter", _("Cán bộ báo cáo, thống kê")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")
    AUDITOR = "auditor", _("Thanh tra, kiểm tra")


STAFF_ROLES = frozenset(
    {
        Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.UNIT_LEADER, Role.CLERK,
        Role.REPORTER, Role.ADMINISTRATOR, Role.AUDITOR,
    }
)
# Roles whose home is the officer workspace (work queues); leaders get the overview.
WORKSPACE_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.CLERK,
                             Role.REPORTER, Role.AUDITOR})
