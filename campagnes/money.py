"""Money: integer cents in records, Decimal euros where people type amounts, French display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

CENT = Decimal("0.01")


def to_cents(euros: Decimal | int | str) -> int:
    """Decimal euros → integer cents; refuses anything that is not a number."""
    try:
        value = Decimal(str(euros).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {euros!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {euros!r}")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_eur(cents: int) -> str:
    """12345 → '123,45 €' (with the French narrow no-break space)."""
    return format_currency(to_euros(cents), "EUR", locale="fr_FR")
