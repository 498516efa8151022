"""Campaign pages of every kind, and their payment forms with errors, pass axe-core."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from campagnes.models import (
    Counterpart,
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    MembershipCampaignPage,
    MembershipTier,
    TicketingCampaignPage,
    TicketType,
)
from tests.browser.test_accessibility import AXE_OPTIONS, _serious

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaigns(association_a, stripe_settings):
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    donation = DonationCampaignPage(title="Dons", slug="dons", goal=Decimal("1000"))
    membership = MembershipCampaignPage(title="Adhésion", slug="adhesion")
    membership.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    membership.tiers.add(MembershipTier(name="Soutien", price=Decimal("30"), free_price=True))
    tickets = TicketingCampaignPage(
        title="Défilé", slug="defile", event_starts_at=timezone.now() + timedelta(days=9), place="Béthune"
    )
    tickets.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("8"), quota=10))
    crowdfunding = CrowdfundingCampaignPage(
        title="Local", slug="local", goal=Decimal("5000"), closes_at=timezone.now() + timedelta(days=30)
    )
    crowdfunding.counterparts.add(Counterpart(name="Tote bag", min_amount=Decimal("30"), value=Decimal("5"), stock=3))
    for page in (donation, membership, tickets, crowdfunding):
        support.add_child(instance=page)
    return [donation, membership, tickets, crowdfunding]


def test_every_campaign_kind_and_its_errors_are_accessible(page, campaigns):
    page.goto("/association/popeline/nous-aider/")
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []
    for campaign in campaigns:
        page.goto(campaign.url)
        assert _serious(Axe().run(page, options=AXE_OPTIONS)) == [], campaign.title
        # submit empty: the form comes back with its errors, still accessible and keyboard-reachable
        page.get_by_role("button", name="Continuer vers le paiement").press("Enter")
        page.wait_for_load_state()
        assert page.locator(".field--error").count() >= 1, campaign.title
        assert _serious(Axe().run(page, options=AXE_OPTIONS)) == [], f"{campaign.title} (erreurs)"
