"""Reads about campaigns and payments, always scoped by association."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.db.models.functions import Least

from campagnes.models import Payment

# The part of a refund that comes out of the gift itself (covered fees are refunded too).
GIFT_REFUNDED = Least(F("refunded_cents"), F("amount_cents"))


@dataclass(frozen=True)
class Progress:
    collected_cents: int
    contributors: int
    goal_cents: int | None

    @property
    def percent(self) -> int | None:
        if not self.goal_cents:
            return None
        return min(100, round(self.collected_cents * 100 / self.goal_cents))


def campaign_progress(*, campaign) -> Progress:
    """Net of refunds; fees a payer chose to cover are not part of the gift."""
    totals = Payment.objects.filter(campaign_id=campaign.pk).counted().aggregate(
        paid=Sum("amount_cents"), refunded=Sum(GIFT_REFUNDED), people=Count("email", distinct=True)
    )
    goal = int(campaign.goal * 100) if campaign.goal else None
    return Progress(
        collected_cents=(totals["paid"] or 0) - (totals["refunded"] or 0),
        contributors=totals["people"] or 0,
        goal_cents=goal,
    )


def payments_for_association(association):
    return Payment.objects.for_association(association)


def campaigns_with_progress(*, support_page, only_open: bool = False) -> list[tuple]:
    """The campaigns under a "Nous aider" page with their progress, in two queries whatever their number."""
    from wagtail.models import Page

    campaigns = [page for page in Page.objects.child_of(support_page).live().specific() if hasattr(page, "state")]
    if only_open:
        campaigns = [campaign for campaign in campaigns if campaign.is_open]
    totals = {
        row["campaign_id"]: row
        for row in Payment.objects.filter(campaign_id__in=[c.pk for c in campaigns]).counted()
        .values("campaign_id")
        .annotate(paid=Sum("amount_cents"), refunded=Sum(GIFT_REFUNDED), people=Count("email", distinct=True))
    }
    result = []
    for campaign in campaigns:
        row = totals.get(campaign.pk, {})
        result.append((campaign, Progress(
            collected_cents=(row.get("paid") or 0) - (row.get("refunded") or 0),
            contributors=row.get("people") or 0,
            goal_cents=int(campaign.goal * 100) if campaign.goal else None,
        )))
    return result
