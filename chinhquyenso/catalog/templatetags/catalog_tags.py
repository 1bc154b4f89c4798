"""Small presentation helpers for catalogue templates."""

from __future__ import annotations

from django import forms, template

from chinhquyenso.catalog.fees import format_vnd

register = template.Library()


@register.filter
def vnd(amount):
    """10000 → "10.000 đ"."""
    return format_vnd(amount)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxSelectMultiple)


@register.filter
def is_url(text) -> bool:
    return str(text).startswith(("http://", "https://"))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def procedure_terms(procedure):
    """The terms in force, from the list page's prefetch (no query)."""
    rows = getattr(procedure, "terms_up_to_date", None)
    return rows[0] if rows else None
