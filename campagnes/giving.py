"""What a gift really costs: the amount charged (fees covered, monthly) and the cost after the tax
reduction of a reçu fiscal. Pure functions on integer cents, read by the payment forms (the
summary shown without JavaScript) and mirrored by campaign-form.js (the live summary).

Rates (Code général des impôts):
- individuals: 66 % of the gift (art. 200-1), 75 % for gifts to organisations providing free
  meals, care or housing to people in difficulty or helping victims of domestic violence, up to a
  yearly cap (art. 200-1 ter, 1 000 €), 66 % beyond;
- companies: 60 % (art. 238 bis), up to 20 000 € or 0,5 % of turnover (not checked here: the
  summary is an estimate, the receipt states the gift).
A counterpart's value is deducted from the gift before the rate applies (BOI-IR-RICI-250-20).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

INDIVIDUAL_RATE = 66
AID_RATE = 75
AID_CAP_CENTS = 100_000  # CGI art. 200-1 ter: 1 000 € a year at 75 %, the rest at 66 %
COMPANY_RATE = 60


@dataclass(frozen=True)
class GiftSummary:
    amount_cents: int
    fee_cents: int = 0
    monthly: bool = False
    tax_rate: int | None = None  # percent, None when no reçu fiscal is issued
    reduction_cents: int = 0

    @property
    def total_cents(self) -> int:
        """What the card is charged (each month for a monthly gift)."""
        return self.amount_cents + self.fee_cents

    @property
    def cost_after_tax_cents(self) -> int:
        return self.total_cents - self.reduction_cents


def _percent(cents: int, rate: int) -> int:
    return int((Decimal(cents) * rate / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def tax_reduction_cents(*, base_cents: int, company: bool, aid_organisation: bool) -> tuple[int, int]:
    """(rate shown, reduction in cents) for a gift whose deductible part is ``base_cents``."""
    base_cents = max(base_cents, 0)
    if company:
        return COMPANY_RATE, _percent(base_cents, COMPANY_RATE)
    if aid_organisation:
        at_75 = min(base_cents, AID_CAP_CENTS)
        return AID_RATE, _percent(at_75, AID_RATE) + _percent(base_cents - at_75, INDIVIDUAL_RATE)
    return INDIVIDUAL_RATE, _percent(base_cents, INDIVIDUAL_RATE)


def gift_summary(
    *,
    amount_cents: int,
    fee_cents: int = 0,
    monthly: bool = False,
    tax_receipt: bool = False,
    company: bool = False,
    aid_organisation: bool = False,
    counterpart_value_cents: int = 0,
) -> GiftSummary:
    """The figures of the form's summary. Fees covered are not part of the gift (no reduction on them)."""
    if not tax_receipt:
        return GiftSummary(amount_cents=amount_cents, fee_cents=fee_cents, monthly=monthly)
    rate, reduction = tax_reduction_cents(
        base_cents=amount_cents - counterpart_value_cents, company=company, aid_organisation=aid_organisation
    )
    return GiftSummary(
        amount_cents=amount_cents, fee_cents=fee_cents, monthly=monthly, tax_rate=rate, reduction_cents=reduction
    )


# The record's types that give individuals the 75 % rate (CGI art. 200-1 ter): free meals, care or
# housing for people in difficulty, and, since loi n° 2025-127 du 14 février 2025 art. 20, help for
# victims of domestic violence (the same 1 000 € yearly cap, shared).
AID_ORGANISATION_TYPES = frozenset({"aide-personnes", "violences-domestiques"})


def is_aid_organisation(association) -> bool:
    """One of the Cerfa's 75 % boxes ticked on the association's record (see ``AID_ORGANISATION_TYPES``)."""
    return getattr(association, "tax_other_type", "") in AID_ORGANISATION_TYPES
