"""Boxes of the role home pages filled by this app (see portal.workspace)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    try:
        from chinhquyenso.portal.workspace import Page, Section, section_register
    except ImportError:  # portal without home sections
        return
    from chinhquyenso.accounts.roles import Role
    from chinhquyenso.digitization import selectors
    from chinhquyenso.digitization.policies import SCAN_ROLES

    section_register(Section(
        "digitization.warehouse", Page.CITIZEN, _("Kho dữ liệu của tôi"),
        _("Giấy tờ đã nộp, kết quả được cấp và giấy tờ tự tải lên, dùng lại khi nộp hồ sơ sau."),
        frozenset({Role.CITIZEN, Role.ORGANISATION_REP}), url_name="warehouse:list",
        count=lambda user: selectors.personal_document_count(user=user), order=40,
    ))
    section_register(Section(
        "digitization.scans", Page.WORKSPACE, _("Số hóa tài liệu"),
        _("Quét giấy tờ thành tệp PDF/A có lớp văn bản tìm kiếm được (nhận dạng chữ tiếng Việt)."),
        SCAN_ROLES, url_name="digitization:list",
        count=lambda user: selectors.scan_job_count_active(user=user), order=60,
    ))
