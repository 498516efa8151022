"""Money: integer cents in records, Decimal euros where people type amounts, French display.

Every amount a person types (donation, membership at a free price, crowdfunding, refund,
manual gift, gift import) goes through `parse_amount_cents`, through the form field
`AmountField`: one grammar, one set of French messages, and no `Decimal` arithmetic on
what a visitor typed (`Decimal("1e999999") * 100` raises `InvalidOperation`, a 500).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kernel.formats.french import format_eur as format_eur  # display lives with the other French formats

CENT = Decimal("0.01")

# Stripe refuses an amount of more than eight digits in the smallest unit (999 999,99 €):
# https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts. No payment of the
# platform may be larger; the column check on Payment says the same to the database.
STRIPE_MAX_CENTS = 99_999_999
MAX_AMOUNT_EUROS = Decimal("999999.99")
# What one person may pay or record in one go where the campaign sets no maximum itself
# (crowdfunding, free-price membership, manual gift): beyond, a typing mistake is more
# likely than a gift, and the association can take a transfer.
MAX_PAYMENT_CENTS = 10_000_000  # 100 000 €

MAX_AMOUNT_LENGTH = 20
# Spaces a French keyboard, a spreadsheet or a copy from a bank statement put between thousands.
_SPACES = "\u0020\u00a0\u202f\u2009"
_AMOUNT = re.compile(r"^(?P<units>\d{1,3}(?:[" + _SPACES + r"]\d{3})+|\d+)(?:[.,](?P<decimals>\d+))?$", re.ASCII)
_INVALID = _("Indiquez un montant en euros, par exemple 20 ou 12,50.")


def parse_amount_cents(text: str) -> int:
    """What a French person types → integer cents; a ValidationError in French otherwise.

    Accepts "10", "10,50", "10.5", " 1 000 ", "1 000,50" (normal, no-break or narrow no-break
    space between thousands) and a trailing "€". Refuses exponents, more than two decimals,
    signs, NaN/infinity, and anything above Stripe's limit.
    """
    value = str(text if text is not None else "").strip(_SPACES + "\t\r\n")
    if len(value) > MAX_AMOUNT_LENGTH:
        raise ValidationError(_("Ce montant est trop long."), code="too_long")
    if value.endswith("€"):
        value = value[:-1].rstrip(_SPACES)
    if value.startswith("-"):
        raise ValidationError(_("Le montant doit être positif."), code="negative")
    match = _AMOUNT.match(value)
    if not match:
        raise ValidationError(_INVALID, code="invalid")
    decimals = match["decimals"]
    if decimals is not None and len(decimals) > 2:
        raise ValidationError(_("Deux chiffres au plus après la virgule (les centimes)."), code="decimals")
    cents = int(re.sub(f"[{_SPACES}]", "", match["units"])) * 100 + int((decimals or "0").ljust(2, "0"))
    if cents > STRIPE_MAX_CENTS:
        raise ValidationError(_("Montant trop élevé : 999 999,99 € au plus."), code="too_large")
    return cents


class AmountField(forms.CharField):
    """A form field for an amount in euros; its cleaned value is in integer cents (or None).

    `min_cents` and `max_cents` bound it; a form may change them per campaign and give its own
    messages through `error_messages["min_value"]` / `["max_value"]` (with `%(limit)s`).
    """

    default_error_messages = {
        "min_value": _("Le montant doit être positif."),
        "max_value": _("Montant trop élevé : %(limit)s au plus."),
    }

    def __init__(self, *, min_cents: int = 1, max_cents: int = STRIPE_MAX_CENTS, **kwargs):
        kwargs.setdefault("max_length", MAX_AMOUNT_LENGTH + 10)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)
        self.min_cents, self.max_cents = min_cents, max_cents

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        return parse_amount_cents(text)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < self.min_cents:
            limit = format_eur(self.min_cents) if self.min_cents > 1 else ""
            raise ValidationError(self.error_messages["min_value"], code="min_value", params={"limit": limit})
        if value > min(self.max_cents, STRIPE_MAX_CENTS):
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": format_eur(min(self.max_cents, STRIPE_MAX_CENTS))},
            )

    def run_validators(self, value):
        """The CharField's length validators measure text, not cents: the parser did that."""


def to_cents(euros: Decimal | int | str) -> int:
    """Decimal euros (from a record) → integer cents; refuses anything that is not a finite number."""
    try:
        value = Decimal(str(euros).replace(",", ".").replace("\u202f", "").replace(" ", ""))
        if not value.is_finite():
            raise ValueError
        return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {euros!r}") from exc


def to_euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)
