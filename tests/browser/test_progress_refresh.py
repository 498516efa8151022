"""A cached "Nous aider" page shows a gift made after it was cached: its script fetches the figures."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_cached_page_shows_the_latest_gift_without_being_purged(page, settings, association_a):
    from campagnes.models import DonationCampaignPage
    from tests.receipts.conftest import pay

    settings.KOLLEKTIF_PAGE_CACHE_SECONDS = 300
    settings.KOLLEKTIF_EDGE_CACHE_SECONDS = 300
    settings.KOLLEKTIF_PROGRESS_FEED_SECONDS = 0  # the figures as they are now
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine à coudre", slug="machine", goal="100")
    support.add_child(instance=campaign)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    first = page.goto("/association/popeline/nous-aider/")
    assert first.headers["x-kollektif-cache"] == "miss"
    block = page.locator(f'[data-progress-campaign="{campaign.pk}"]')
    assert "0 contributeur" in block.inner_text()

    pay(campaign, amount_cents=5000)
    again = page.goto("/association/popeline/nous-aider/")
    # the very copy cached before the gift: the browser's own (max-age=60, it keeps the first
    # answer's headers) or the server's, never a purged and re-rendered page
    assert again.headers["x-kollektif-cache"] in ("hit", "miss")
    assert "0 contributeur" in again.text()  # as served…
    block.filter(has_text="1 contributeur").wait_for()  # …and as the visitor sees it
    assert "50,00" in block.inner_text() and block.locator("progress").get_attribute("value") == "50"
    assert violations == []
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        block.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/edge-progress-{width}.png", full_page=False)
