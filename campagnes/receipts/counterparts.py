"""The tolerance for counterparts, checked where a treasurer sets them (campaign form)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from campagnes.money import format_eur, to_cents
from campagnes.receipts.building import counterpart_within_tolerance


def counterparts_over_tolerance(page) -> list[str]:
    """French warnings for the counterparts of a collecte whose value exceeds the tolerance."""
    counterparts = getattr(page, "counterparts", None)
    if counterparts is None or not page.association or not page.association.issues_tax_receipts:
        return []
    warnings = []
    for counterpart in counterparts.all():
        gift, value = to_cents(counterpart.min_amount), to_cents(counterpart.value)
        if value and not counterpart_within_tolerance(gift_cents=gift, value_cents=value):
            warnings.append(
                _(
                    "La contrepartie « %(name)s » vaut %(value)s pour un don de %(gift)s : c'est plus que la tolérance "
                    "de l'administration (%(percent)s %% du don, %(cap)s au plus). Sa valeur sera déduite du montant "
                    "du reçu fiscal ; pensez à la réduire ou à relever le don minimum."
                )
                % {
                    "name": counterpart.name,
                    "value": format_eur(value),
                    "gift": format_eur(gift),
                    "percent": settings.KOLLEKTIF_COUNTERPART_TOLERANCE_PERCENT,
                    "cap": format_eur(settings.KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS),
                }
            )
    return warnings
