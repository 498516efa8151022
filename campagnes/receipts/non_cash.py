"""Gifts that are not money: a volunteer's expenses given up, a gift in kind. What the receipt says of them.

Kept apart from the forms (manual_gifts.py) so that the receipt builder reads the stored
record without importing the admin's forms, and the mileage arithmetic is one pure function.

Legal sources:
* volunteers' expenses: CGI art. 200-1, 2nd paragraph; BOI-IR-RICI-250-10-20-20 §§ 80-110 (the
  expenses must be incurred for the association's object, justified, and the volunteer must
  expressly give up their repayment: a signed statement kept by the association); the 2041-RD
  ticks "Frais engagés par les bénévoles, dont ils renoncent expressément au remboursement";
* car expenses: the salaried workers' scale of CGI annexe IV art. 6 B (setting
  KOLLEKTIF_VOLUNTEER_MILEAGE_SCALE, with its source and date);
* gifts in kind: BOI-RICI-20-30-10-20 (valued by the giver at cost or stock value); the
  2041-MEC-SD asks for an exhaustive description (nature and quantity) and the value in figures
  and in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from campagnes.models import NonCashGiftKind
from campagnes.receipts.document import NATURE_IN_KIND, NATURE_VOLUNTEER_EXPENSES
from campagnes.receipts.words import format_amount


def mileage_cents(*, kilometres: int, power: int) -> int:
    """The scale's amount for ``kilometres`` driven in the year with a car of ``power`` CV, in cents.

    Exact integer arithmetic (rates in thousandths of a euro), rounded to the nearest cent.
    """
    scale = settings.KOLLEKTIF_VOLUNTEER_MILEAGE_SCALE
    power = min(max(power, min(scale)), max(scale))
    first, second, constant, third = scale[power]
    if kilometres <= 5000:
        millis = kilometres * first * 10  # thousandths of a euro → tenths of a cent
    elif kilometres <= 20000:
        millis = kilometres * second * 10 + constant * 1000 * 10
    else:
        millis = kilometres * third * 10
    return (millis + 50) // 100  # tenths of a cent → cents, rounded half up


def rate_text(*, kilometres: int, power: int) -> str:
    """How the scale was applied, in words a volunteer can check ("240 km × 0,636 €/km (5 CV)")."""
    scale = settings.KOLLEKTIF_VOLUNTEER_MILEAGE_SCALE
    power = min(max(power, min(scale)), max(scale))
    first, second, constant, third = scale[power]
    label = f"{power} CV et plus" if power == max(scale) else f"{power} CV"
    if kilometres <= 5000:
        formula = f"{kilometres} km × {first / 1000:.3f} €/km".replace(".", ",")
    elif kilometres <= 20000:
        formula = f"({kilometres} km × {second / 1000:.3f} €/km) + {constant} €".replace(".", ",")
    else:
        formula = f"{kilometres} km × {third / 1000:.3f} €/km".replace(".", ",")
    year = settings.KOLLEKTIF_VOLUNTEER_MILEAGE_SCALE_YEAR
    return f"{formula} ({label}, barème kilométrique fiscal des revenus {year})"


def expense_lines(gift) -> list[str]:
    """The expenses, line by line, as the receipt and the volunteer's statement print them."""
    lines = [f"Nature des frais : {gift.description}"]
    if gift.expense_dates:
        lines.append(f"Date(s) : {gift.expense_dates}")
    if gift.kilometres:
        amount = mileage_cents(kilometres=gift.kilometres, power=gift.vehicle_power or 0)
        lines.append(
            f"Frais kilométriques : {rate_text(kilometres=gift.kilometres, power=gift.vehicle_power or 0)}"
            f" = {format_amount(amount)}"
        )
    if gift.other_expenses_cents:
        lines.append(f"Autres frais sur justificatifs : {format_amount(gift.other_expenses_cents)}")
    return lines


def document_fields(payments: Sequence) -> dict[str, Any]:
    """The snapshot fields of a receipt for a non-cash gift ({} for a gift of money)."""
    if len(payments) != 1:
        return {}
    gift = getattr(payments[0], "non_cash", None)
    if gift is None:
        return {}
    amount = max(payments[0].total_cents - payments[0].refunded_cents, 0)
    if gift.kind == NonCashGiftKind.VOLUNTEER_EXPENSES:
        details = expense_lines(gift)
        details.append(
            "Le bénévole a renoncé expressément au remboursement de ces frais (déclaration signée conservée)."
        )
        # The signed renunciation is a private deed: "Acte sous seing privé" on the 2041-RD's "Forme du don".
        return {"nature": NATURE_VOLUNTEER_EXPENSES, "form": "Acte sous seing privé", "nature_details": tuple(details)}
    return {
        "nature": NATURE_IN_KIND,
        "in_kind_cents": amount,
        "in_kind_description": gift.description,
        "valuation_method": gift.valuation_method,
        "nature_details": (f"Description : {gift.description}",),
    }
