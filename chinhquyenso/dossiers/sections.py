"""The dossier boxes of the role home pages (portal.workspace sections): "Hồ sơ của tôi" for
citizens, the work queues for officers, approvals, the register and statistics for leaders."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.roles import Role


def register() -> None:
    from chinhquyenso.dossiers import selectors
    from chinhquyenso.dossiers.selectors import Queue
    from chinhquyenso.portal.workspace import Page, Section, section_register

    citizens = frozenset({Role.CITIZEN, Role.ORGANISATION_REP})
    leaders = frozenset({Role.UNIT_LEADER, Role.ADMINISTRATOR})
    section_register(Section(
        "dossiers.mine", Page.CITIZEN, _("Hồ sơ của tôi"),
        _("Hồ sơ bạn đã nộp đang giải quyết: trạng thái, nơi đang xử lý và ngày hẹn trả kết quả."), citizens,
        url_name="dossiers:mine", count=lambda user: selectors.open_dossier_count_of_applicant(user=user),
        order=10))
    section_register(Section(
        "dossiers.to_receive", Page.WORKSPACE, _("Hồ sơ chờ tiếp nhận"),
        _("Hồ sơ nộp trực tuyến chờ kiểm tra, tiếp nhận trong 8 giờ làm việc."),
        frozenset({Role.RECEPTION_OFFICER}), url_name="dossiers:queue_intake",
        count=lambda user: selectors.queue_count(user=user, queue=Queue.INTAKE), order=10))
    section_register(Section(
        "dossiers.to_return", Page.WORKSPACE, _("Hồ sơ chờ trả kết quả"),
        _("Kết quả đã có, chờ trả cho công dân, tổ chức."), frozenset({Role.RECEPTION_OFFICER}),
        url_name="dossiers:queue_return", count=lambda user: selectors.queue_count(user=user, queue=Queue.RETURN),
        order=20))
    section_register(Section(
        "dossiers.assigned", Page.WORKSPACE, _("Hồ sơ được giao xử lý"),
        _("Hồ sơ chuyển đến cơ quan bạn chờ nhận xử lý, sắp xếp theo hạn."), frozenset({Role.SPECIALIST}),
        url_name="dossiers:queue_agency",
        count=lambda user: selectors.queue_count(user=user, queue=Queue.AGENCY)
        + selectors.queue_count(user=user, queue=Queue.MINE), order=30))
    section_register(Section(
        "dossiers.to_approve", Page.WORKSPACE, _("Hồ sơ chờ phê duyệt"),
        _("Hồ sơ chuyên viên đã xử lý, chờ lãnh đạo phòng cho ý kiến."), frozenset({Role.DEPARTMENT_HEAD}),
        url_name="dossiers:queue_agency",
        count=lambda user: selectors.queue_count(user=user, queue=Queue.AGENCY)
        + selectors.queue_count(user=user, queue=Queue.APPROVAL), order=40))
    section_register(Section(
        "dossiers.due", Page.WORKSPACE, _("Hồ sơ sắp đến hạn, quá hạn"),
        _("Tính theo ngày làm việc, trừ ngày nghỉ lễ, Tết."),
        frozenset({Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD}),
        url_name="dossiers:queue", count=lambda user: selectors.due_soon_count(user=user), order=50))
    section_register(Section(
        "dossiers.to_sign", Page.LEADER, _("Hồ sơ chờ ký duyệt"),
        _("Kết quả giải quyết thủ tục hành chính chờ lãnh đạo phê duyệt."), leaders,
        url_name="dossiers:queue_approval",
        count=lambda user: selectors.queue_count(user=user, queue=Queue.APPROVAL), order=10))
    section_register(Section(
        "dossiers.register", Page.LEADER, _("Sổ theo dõi hồ sơ"),
        _("Hồ sơ tiếp nhận trong kỳ của đơn vị; xuất Excel."), leaders | {Role.AUDITOR},
        url_name="dossiers:register", order=45))
    section_register(Section(
        "dossiers.stats", Page.LEADER, _("Thống kê giải quyết hồ sơ"),
        _("Tỷ lệ đúng hạn, tỷ lệ nộp trực tuyến, hồ sơ theo trạng thái."), leaders,
        url_name="dossiers:stats", order=46))
