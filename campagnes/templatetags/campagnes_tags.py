"""Campaigns on the pages of the associations app (Accueil, Nous aider).

``associations`` sits below ``campagnes`` and may not import it: its templates load this
library instead, so the tenant's pages show the campaigns without knowing how they are counted.
"""

from __future__ import annotations

from django import template

from campagnes.memberships import MembershipPeriod
from campagnes.selectors import campaigns_with_progress

register = template.Library()


@register.simple_tag
def open_campaigns(support_page) -> list[tuple]:
    """(campaign, progress) of the open campaigns under a "Nous aider" page; none without one."""
    if support_page is None:
        return []
    return campaigns_with_progress(support_page=support_page, only_open=True)


@register.simple_tag
def membership_period_of(payment) -> str:
    """ "Valable du 1er janvier au 31 décembre 2026" for a membership payment (paid or about to be)."""
    if payment is None or payment.kind != "adhesion":
        return ""
    membership = getattr(payment, "membership", None) if payment.pk else None
    if membership is not None:
        return MembershipPeriod(membership.valid_from, membership.valid_until).label
    offer = payment.offer_details
    if offer.valid_from and offer.valid_until:
        return MembershipPeriod(offer.valid_from, offer.valid_until).label
    return ""
