"""Sections of the role home pages (citizen home, officer workspace, leader overview).

Each section is a box on a home page: a work queue, a personal list, a shortcut. The portal declares
the sections every role expects; the app that owns the data fills one in by registering a section
with the same key, a ``count`` and a ``url_name``, from its ``AppConfig.ready()``::

    from chinhquyenso.portal.workspace import Page, Section, section_register

    section_register(Section(
        key="dossiers.to_receive", page=Page.WORKSPACE, title=_("Hồ sơ chờ tiếp nhận"),
        description=_("…"), roles=frozenset({Role.RECEPTION_OFFICER}),
        url_name="dossiers:reception_queue",
        count=lambda user: dossier_count_to_receive(user=user),   # must be one cheap query
    ))

A section with no ``count`` shows "Chưa có dữ liệu" — never an invented number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import roles_of


class Page(models.TextChoices):
    CITIZEN = "citizen", _("Trang công dân")
    WORKSPACE = "workspace", _("Không gian làm việc cán bộ")
    LEADER = "leader", _("Tổng quan lãnh đạo")


@dataclass(frozen=True)
class Section:
    key: str
    page: str
    title: str
    description: str
    roles: frozenset[str]
    url_name: str = ""
    count: Callable[[object], int | None] | None = None
    order: int = 100


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    description: str
    count: int | None
    url: str | None


_SECTIONS: dict[str, Section] = {}


def section_register(section: Section) -> None:
    """Add a section, or replace the placeholder with the same key."""
    _SECTIONS[section.key] = section


def sections_for(*, user, page: str) -> list[SectionView]:
    roles = roles_of(user)
    rows = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if section.page != page or not (section.roles & roles):
            continue
        rows.append(SectionView(
            key=section.key, title=section.title, description=section.description,
            count=section.count(user) if section.count else None, url=_url(section.url_name),
        ))
    return rows


def _url(name: str) -> str | None:
    if not name:
        return None
    try:
        return reverse(name)
    except NoReverseMatch:  # the owning app is not installed in this deployment
        return None


# Decision 766/QĐ-TTg (23/06/2022): the five groups of the index of service to citizens and
# businesses, with their maximum points (total 100). The reporting app owns the versioned formulas;
# these are only the headings of the leader overview until it registers real figures.
@dataclass(frozen=True)
class KpiGroup:
    key: str
    title: str
    max_points: int


KPI_GROUPS = (
    KpiGroup("transparency", _("Công khai, minh bạch"), 18),
    KpiGroup("timeliness", _("Tiến độ, kết quả giải quyết"), 20),
    KpiGroup("digitisation", _("Số hóa hồ sơ"), 22),
    KpiGroup("online_services", _("Cung cấp dịch vụ trực tuyến"), 22),
    KpiGroup("satisfaction", _("Mức độ hài lòng"), 18),
)
# Filled by the reporting app: callable(user) -> {group key: points} for the user's units.
_kpi_provider: Callable[[object], dict[str, float]] | None = None


def kpi_provider_register(provider: Callable[[object], dict[str, float]]) -> None:
    global _kpi_provider  # one provider per installation, set at start-up
    _kpi_provider = provider


def kpi_overview(*, user) -> list[dict]:
    points = _kpi_provider(user) if _kpi_provider else {}
    return [{"key": g.key, "title": g.title, "max_points": g.max_points, "points": points.get(g.key)}
            for g in KPI_GROUPS]


_CITIZENS = frozenset({Role.CITIZEN, Role.ORGANISATION_REP})
_DOSSIER_OFFICERS = frozenset({Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD})
_OFFICERS = frozenset({Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.CLERK, Role.REPORTER,
                       Role.AUDITOR})
_LEADERS = frozenset({Role.UNIT_LEADER, Role.ADMINISTRATOR})

# The placeholders every role expects; apps replace them by key (or add their own sections).
DEFAULT_SECTIONS = (
    # Citizen and business home.
    Section("dossiers.mine", Page.CITIZEN, _("Hồ sơ của tôi"),
            _("Hồ sơ bạn đã nộp, trạng thái giải quyết và ngày hẹn trả kết quả."), _CITIZENS, order=10),
    Section("feedback.mine", Page.CITIZEN, _("Phản ánh, kiến nghị của tôi"),
            _("Ý kiến bạn đã gửi và câu trả lời của cơ quan nhà nước."), _CITIZENS, order=20),
    Section("payments.mine", Page.CITIZEN, _("Phí, lệ phí cần thanh toán"),
            _("Khoản phí, lệ phí của hồ sơ, thanh toán trực tuyến không dùng tiền mặt."), _CITIZENS, order=30),
    Section("notifications.mine", Page.CITIZEN, _("Thông báo"),
            _("Tin nhắn về hồ sơ, lịch hẹn và kết quả giải quyết."), _CITIZENS,
            url_name="notifications:inbox", order=40),
    # Officer workspace: work queues by role.
    Section("dossiers.to_receive", Page.WORKSPACE, _("Hồ sơ chờ tiếp nhận"),
            _("Hồ sơ nộp trực tuyến, qua bưu chính hoặc tại quầy chờ kiểm tra, tiếp nhận."),
            frozenset({Role.RECEPTION_OFFICER}), order=10),
    Section("dossiers.to_return", Page.WORKSPACE, _("Hồ sơ chờ trả kết quả"),
            _("Kết quả đã có, chờ trả cho công dân, tổ chức."), frozenset({Role.RECEPTION_OFFICER}), order=20),
    Section("dossiers.assigned", Page.WORKSPACE, _("Hồ sơ được giao xử lý"),
            _("Hồ sơ chuyển đến bạn thẩm định, giải quyết."), frozenset({Role.SPECIALIST}), order=30),
    Section("dossiers.to_approve", Page.WORKSPACE, _("Hồ sơ chờ phê duyệt"),
            _("Hồ sơ chuyên viên đã xử lý, chờ lãnh đạo phòng cho ý kiến."),
            frozenset({Role.DEPARTMENT_HEAD}), order=40),
    Section("dossiers.due", Page.WORKSPACE, _("Hồ sơ sắp đến hạn, quá hạn"),
            _("Tính theo ngày làm việc, trừ ngày nghỉ lễ, Tết."), _DOSSIER_OFFICERS, order=50),
    Section("feedback.to_handle", Page.WORKSPACE, _("Phản ánh, kiến nghị chờ xử lý"),
            _("Ý kiến người dân được chuyển đến đơn vị bạn."), _DOSSIER_OFFICERS, order=60),
    Section("documents.incoming", Page.WORKSPACE, _("Văn bản đến chờ vào sổ"),
            _("Văn bản điện tử và văn bản giấy đã số hóa chờ đăng ký."), frozenset({Role.CLERK}), order=70),
    Section("documents.outgoing", Page.WORKSPACE, _("Văn bản đi chờ phát hành"),
            _("Văn bản đã ký số, chờ cấp số và phát hành."), frozenset({Role.CLERK}), order=80),
    Section("reporting.due", Page.WORKSPACE, _("Báo cáo định kỳ đến hạn"),
            _("Báo cáo cần lập, nộp trong kỳ."), frozenset({Role.REPORTER}), order=90),
    Section("audit.review", Page.WORKSPACE, _("Nhật ký thao tác"),
            _("Tra cứu ai đã làm gì, khi nào, trên hồ sơ nào."), frozenset({Role.AUDITOR}), order=100),
    Section("tasks.mine", Page.WORKSPACE, _("Nhiệm vụ được giao"),
            _("Nhiệm vụ chỉ đạo giao cho bạn và hạn hoàn thành."), _OFFICERS, order=110),
    # Leader overview: what needs the leader's decision.
    Section("dossiers.to_sign", Page.LEADER, _("Hồ sơ chờ ký duyệt"),
            _("Kết quả giải quyết thủ tục hành chính chờ lãnh đạo ký."), _LEADERS, order=10),
    Section("documents.to_direct", Page.LEADER, _("Văn bản chờ bút phê"),
            _("Văn bản đến chờ lãnh đạo cho ý kiến, giao xử lý."), _LEADERS, order=20),
    Section("tasks.overdue", Page.LEADER, _("Nhiệm vụ chỉ đạo quá hạn"),
            _("Nhiệm vụ đã giao chưa hoàn thành đúng hạn."), _LEADERS, order=30),
    Section("meetings.upcoming", Page.LEADER, _("Lịch họp sắp tới"),
            _("Cuộc họp trực tuyến và trực tiếp trong tuần."), _LEADERS, order=40),
)
for _section in DEFAULT_SECTIONS:
    section_register(_section)
