"""The tolerance for counterparts as the campaign form shows it: one verdict per counterpart.

The verdict comes from ``building.counterpart_tolerance_refusal``, the very function the
receipt's issue applies, so what the editor reads is what the donor will get. The form can
only judge one gift at its minimum amount: the yearly cap also adds up what the donor already
received that year, which only the issue knows.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from campagnes.money import format_eur, to_cents
from campagnes.receipts.building import counterpart_tolerance_refusal


def counterpart_verdict(counterpart) -> tuple[bool, str]:
    """(keeps the tax receipt, French sentence) for a counterpart at its minimum gift."""
    gift, value = to_cents(counterpart.min_amount or 0), to_cents(counterpart.value or 0)
    if not value:
        return True, _("Sans valeur déclarée : le don garde son reçu fiscal pour son montant entier.")
    refusal = counterpart_tolerance_refusal(gift_cents=gift, value_cents=value)
    if refusal:
        return False, _(
            "« %(name)s » (%(value)s pour un don de %(gift)s) dépasse la tolérance de l'administration : les "
            "donateurs qui la choisissent au montant minimum reçoivent une confirmation de paiement, pas de reçu fiscal. Réduisez sa valeur à %(max)s "
            "au plus ou relevez le don minimum. %(why)s"
        ) % {
            "name": counterpart.name,
            "value": format_eur(value),
            "gift": format_eur(gift),
            "max": format_eur(max_value_cents(gift)),
            "why": refusal,
        }
    return True, _(
        "« %(name)s » (%(value)s pour un don de %(gift)s) garde le reçu fiscal, pour le montant entier du don, "
        "tant que le donateur ne reçoit pas plus de %(cap)s de contreparties de l'association dans l'année."
    ) % {
        "name": counterpart.name,
        "value": format_eur(value),
        "gift": format_eur(gift),
        "cap": format_eur(settings.KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS),
    }


def max_value_cents(gift_cents: int) -> int:
    """The highest counterpart value that keeps the tax receipt on a gift of ``gift_cents``."""
    quarter = gift_cents * settings.KOLLEKTIF_COUNTERPART_TOLERANCE_PERCENT // 100
    return min(quarter, settings.KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS)


def counterparts_over_tolerance(page) -> list[str]:
    """French warnings for the counterparts of a collecte that lose the tax receipt."""
    counterparts = getattr(page, "counterparts", None)
    if counterparts is None or not page.association or not page.association.issues_tax_receipts:
        return []
    warnings = []
    for counterpart in counterparts.all():
        keeps, sentence = counterpart_verdict(counterpart)
        if not keeps:
            warnings.append(sentence)
    return warnings
