"""Campaign progress as a small feed that the cached pages refresh (issue #16, item 4).

The Accueil and "Nous aider" show a progress bar per campaign. If every payment purged those
pages, a donation rush (exactly when a campaign draws visitors) would keep the association's page
cache empty. Instead, the pages keep their cached HTML (server-rendered figures included, so the
bar is there without JavaScript) and ``campagnes/js/progress-refresh.js`` replaces the figures
with this feed's: one JSON per association, ``{"campaigns": {"<page id>": "<progress block>"}}``,
rendered by the same template as the page, kept ``KOLLEKTIF_PROGRESS_FEED_SECONDS`` (5 s) in the
shared cache and as long in the front proxy. During a rush it is recomputed at most once per
association every 5 s, in four queries, whatever the number of visitors.

Only live campaigns that show progress (dons, collectes) and are not restricted (a private
campaign's figures stay private) are listed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from associations.models import Association
from campagnes.models import CrowdfundingCampaignPage, DonationCampaignPage, Payment
from campagnes.selectors import GIFT_REFUNDED, Progress

FEED_MODELS = (DonationCampaignPage, CrowdfundingCampaignPage)  # the kinds with shows_progress


def association_progress(association: Association) -> dict[int, Progress]:
    """Progress of each public live campaign of the association that shows one, by page id."""
    goals: dict[int, int | None] = {}
    for model in FEED_MODELS:
        rows = model.objects.descendant_of(association.home_page).live().public().values_list("pk", "goal")
        goals.update({pk: int(goal * 100) if goal else None for pk, goal in rows})
    totals = {
        row["campaign_id"]: row
        for row in Payment.objects.filter(campaign_id__in=list(goals))
        .counted()
        .values("campaign_id")
        .annotate(paid=Sum("amount_cents"), refunded=Sum(GIFT_REFUNDED), people=Count("email", distinct=True))
    }
    result = {}
    for pk, goal in goals.items():
        row = totals.get(pk, {})
        result[pk] = Progress(
            collected_cents=(row.get("paid") or 0) - (row.get("refunded") or 0),
            contributors=row.get("people") or 0,
            goal_cents=goal,
        )
    return result


def _feed(slug: str) -> dict | None:
    association = Association.objects.filter(slug=slug).select_related("home_page").first()
    if association is None or not association.is_public or association.home_page is None:
        return None
    return {
        "campaigns": {
            str(pk): render_to_string(
                "campagnes/includes/progress.html", {"progress": progress, "progress_campaign": pk}
            ).strip()
            for pk, progress in association_progress(association).items()
        }
    }


@require_safe
def progress_feed(request: HttpRequest, slug: str) -> JsonResponse:
    """The association's campaign figures, the same for everyone, a few seconds old at most."""
    seconds = settings.KOLLEKTIF_PROGRESS_FEED_SECONDS
    key = f"progress-feed:{slug}"
    data = cache.get(key) if seconds > 0 else None
    if data is None:
        data = _feed(slug)
        if data is None:
            raise Http404
        if seconds > 0:
            cache.set(key, data, seconds)
    response = JsonResponse(data)
    if seconds > 0:
        patch_cache_control(response, public=True, max_age=seconds, s_maxage=seconds)
    else:
        response["Cache-Control"] = "no-cache"
    return response
