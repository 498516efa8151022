from django import template

from kernel.formats.french import format_eur, french_long_date, french_year

register = template.Library()


@register.filter
def eur(cents) -> str:
    """Integer cents as a French amount: 12345 → 123,45 €."""
    try:
        return format_eur(int(cents))
    except (TypeError, ValueError):
        return ""


@register.filter
def as_year(value) -> str:
    """A year as it is written: 2026 (``{{ year }}`` alone would print "2 026" in French)."""
    try:
        return french_year(value)
    except (TypeError, ValueError):
        return ""


@register.filter
def long_date(value) -> str:
    """A date as French prose: "28 novembre 2026" (never "2 026")."""
    try:
        return french_long_date(value)
    except (TypeError, ValueError, AttributeError):
        return ""
