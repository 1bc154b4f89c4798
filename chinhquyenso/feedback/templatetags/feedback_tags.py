from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``row|get:"unit__full_name"``: values() rows have keys templates cannot spell."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
