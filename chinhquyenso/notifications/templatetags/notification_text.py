"""Filters available inside notification templates (added to their template engine as builtins)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def role_label(value):
    """``specialist`` → ``Chuyên viên`` (the role's label in the active language)."""
    from chinhquyenso.accounts.roles import Role

    try:
        return str(Role(value).label)
    except ValueError:
        return value


@register.filter
def vnd(value):
    """Integer VND with dot thousands separators: ``1250000`` → ``1.250.000 đ``."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return value
    return f"{amount:,}".replace(",", ".") + " đ"
