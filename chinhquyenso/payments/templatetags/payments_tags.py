from django import template

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """120000 → "120.000 đ" (Vietnamese thousands separator, whatever the page language)."""
    if amount is None or amount == "":
        return "—"
    return f"{int(amount):,}".replace(",", ".") + " đ"


@register.filter
def vnd_plain(amount) -> str:
    if amount is None or amount == "":
        return "—"
    return f"{int(amount):,}".replace(",", ".")
