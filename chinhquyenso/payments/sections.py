"""Boxes of the role home pages filled by this app (see portal.workspace)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    try:
        from chinhquyenso.portal.workspace import Page, Section, section_register
    except ImportError:  # portal without home sections
        return
    from chinhquyenso.accounts.roles import Role
    from chinhquyenso.payments import selectors

    section_register(Section(
        "payments.mine", Page.CITIZEN, _("Phí, lệ phí cần thanh toán"),
        _("Khoản phí, lệ phí của hồ sơ, thanh toán trực tuyến không dùng tiền mặt."),
        frozenset({Role.CITIZEN, Role.ORGANISATION_REP}), url_name="payments:mine",
        count=lambda user: selectors.invoice_count_open_for_payer(user=user), order=30,
    ))
    section_register(Section(
        "payments.unpaid", Page.WORKSPACE, _("Khoản phí, lệ phí chưa thu"),
        _("Thu tại quầy (tiền mặt, POS), hoàn tiền, đối chiếu sao kê chuyển khoản."),
        frozenset({Role.RECEPTION_OFFICER}), url_name="payments:unpaid",
        count=lambda user: selectors.invoice_count_unpaid(user=user), order=25,
    ))
    section_register(Section(
        "payments.reconciliation", Page.LEADER, _("Thanh toán không dùng tiền mặt"),
        _("Đối soát theo ngày và tỷ lệ hồ sơ thanh toán không dùng tiền mặt (mục tiêu ≥ 50%)."),
        frozenset({Role.UNIT_LEADER, Role.ADMINISTRATOR}), url_name="payments:reconciliation", order=50,
    ))
