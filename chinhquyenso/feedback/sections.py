"""The feedback boxes of the role home pages (portal.workspace sections)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.roles import Role


def register() -> None:
    from chinhquyenso.feedback import selectors
    from chinhquyenso.portal.workspace import Page, Section, section_register

    citizens = frozenset({Role.CITIZEN, Role.ORGANISATION_REP})
    section_register(Section(
        "feedback.mine", Page.CITIZEN, _("Phản ánh, kiến nghị của tôi"),
        _("Ý kiến bạn đã gửi và câu trả lời của cơ quan nhà nước."), citizens,
        url_name="feedback:mine", count=lambda user: selectors.reporter_count(user=user), order=20))
    section_register(Section(
        "feedback.to_handle", Page.WORKSPACE, _("Phản ánh, kiến nghị chờ xử lý"),
        _("Ý kiến người dân được chuyển đến cơ quan bạn, sắp xếp theo hạn trả lời."),
        # Reception officers coordinate (next section); handling is the departments' work.
        frozenset({Role.SPECIALIST, Role.DEPARTMENT_HEAD}),
        url_name="feedback:agency_queue", count=lambda user: selectors.agency_queue_count(user=user), order=60))
    section_register(Section(
        "feedback.to_coordinate", Page.WORKSPACE, _("Phản ánh mới chờ điều phối"),
        _("Kiểm duyệt, ẩn thông tin cá nhân, chuyển cơ quan xử lý."),
        frozenset({Role.RECEPTION_OFFICER}), url_name="feedback:coordinator_queue",
        count=lambda user: selectors.coordinator_queue_count(user=user), order=61))
    section_register(Section(
        "feedback.statistics", Page.LEADER, _("Phản ánh, kiến nghị: thống kê"),
        _("Tiếp nhận, trả lời đúng hạn, quá hạn, mức độ hài lòng; bản đồ nhiệt."),
        frozenset({Role.UNIT_LEADER, Role.ADMINISTRATOR}), url_name="feedback:statistics", order=50))
