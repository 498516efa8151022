from django import template

from campagnes.money import format_eur

register = template.Library()


@register.filter
def eur(cents) -> str:
    """Integer cents as a French amount: 12345 → 123,45 €."""
    try:
        return format_eur(int(cents))
    except (TypeError, ValueError):
        return ""
