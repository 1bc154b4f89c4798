"""Small display helpers of the dossier pages."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_CSS = {
    "submitted": "text-bg-info", "supplement_requested": "text-bg-warning", "in_progress": "text-bg-primary",
    "pending_approval": "text-bg-primary", "approved": "text-bg-success", "returned": "text-bg-success",
    "refused": "text-bg-danger", "rejected": "text-bg-danger", "withdrawn": "text-bg-secondary",
}


@register.filter
def status_css(status: str) -> str:
    return STATUS_CSS.get(status, "text-bg-light")


@register.filter
def filesize(size) -> str:
    """1536 → "1,5 KB" (Vietnamese decimal comma)."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            text = f"{size:.1f}".rstrip("0").rstrip(".") if unit != "B" else str(size)
            return f"{text.replace('.', ',')} {unit}"
        size = size / 1024
    return ""


@register.filter
def local_dt(value) -> str:
    """An aware datetime as "HH:MM dd/mm/yyyy" in Vietnam time."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


@register.filter
def role_label(value: str) -> str:
    from chinhquyenso.accounts.roles import Role

    try:
        return Role(value).label
    except ValueError:
        return value or ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


ACTION_LABELS = {
    "submit": _("Nộp hồ sơ"), "receive": _("Tiếp nhận"), "refuse": _("Từ chối tiếp nhận"),
    "request_supplement": _("Yêu cầu bổ sung"), "supplement": _("Nộp bổ sung"), "take": _("Nhận xử lý"),
    "assign": _("Giao xử lý"), "forward": _("Chuyển bước"), "return_for_rework": _("Trả lại để xử lý lại"),
    "approve": _("Phê duyệt"), "reject": _("Từ chối giải quyết"), "return_result": _("Trả kết quả"),
    "withdraw": _("Rút hồ sơ"),
    "apologize": _("Xin lỗi, hẹn lại"), "fee_paid": _("Nộp phí, lệ phí"), "overdue": _("Quá hạn"),
    "deliver_by_post": _("Bưu điện phát kết quả"),
}
OUTCOME_LABELS = {
    "received": _("đã tiếp nhận"), "refused": _("từ chối tiếp nhận"), "forwarded": _("đã chuyển"),
    "returned_for_rework": _("trả lại"), "approved": _("đã phê duyệt"), "rejected": _("từ chối giải quyết"),
    "returned": _("đã trả kết quả"), "withdrawn": _("rút hồ sơ"), "delivered_by_post": _("bưu điện đã phát"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))
