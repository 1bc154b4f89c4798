"""Small display helpers of the dossier pages."""

from __future__ import annotations

from django import template
from django.utils import timezone

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
