"""The payment forms on a phone: a preset chosen, "Autre montant" only when chosen, a live summary,
company fields behind their box, ticket steppers usable with the keyboard; axe-core clean at 375 px."""

from __future__ import annotations

import os
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
    SuggestedAmountNote,
    TicketingCampaignPage,
    TicketType,
)
from tests.browser.test_accessibility import AXE_OPTIONS, _serious

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("KOLLEKTIF_SHOTS", "")


@pytest.fixture
def campaigns(association_a, stripe_settings):
    from associations.factories import make_eligible

    make_eligible(association_a)
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    donation = DonationCampaignPage(
        title="Une machine à coudre", slug="machine", goal="1500", suggested_amounts="20, 50, 100"
    )
    donation.amount_notes.add(SuggestedAmountNote(amount=Decimal("20"), description="Une bobine de fil"))
    donation.amount_notes.add(SuggestedAmountNote(amount=Decimal("50"), description="Une paire de ciseaux"))
    crowdfunding = CrowdfundingCampaignPage(
        title="Un local", slug="local", goal=Decimal("5000"), closes_at=timezone.now() + timedelta(days=30)
    )
    crowdfunding.counterparts.add(Counterpart(name="Tote bag", min_amount=Decimal("30"), value=Decimal("5"), stock=3))
    membership = MembershipCampaignPage(title="Adhésion", slug="adhesion")
    membership.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    membership.tiers.add(MembershipTier(name="Famille", price=Decimal("25"), free_price=True))
    tickets = TicketingCampaignPage(
        title="Concert", slug="concert", event_starts_at=timezone.now() + timedelta(days=9), place="Lens"
    )
    tickets.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("12"), quota=10))
    tickets.ticket_types.add(TicketType(name="Réduit", price=Decimal("6"), quota=10))
    for page in (donation, crowdfunding, membership, tickets):
        support.add_child(instance=page)
    return {"donation": donation, "crowdfunding": crowdfunding, "membership": membership, "tickets": tickets}


def _text(locator) -> str:
    return locator.inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def test_choose_50_then_another_amount_on_a_phone(phone_page, campaigns):
    page = phone_page
    page.goto(campaigns["donation"].url)
    other = page.locator("input[name=amount]")
    assert page.locator("input[name=preset][value='5000']").is_visible()
    assert not other.is_visible()  # "Autre montant" not chosen: its field is hidden
    page.get_by_label("50 €").check()
    summary = page.locator("[data-summary]")
    assert "50,00 €" in _text(summary)
    assert "17,00 € après réduction d'impôt" in _text(summary)
    assert not other.is_visible()
    page.get_by_label("Autre montant", exact=True).check()
    assert other.is_visible()
    other.fill("7")
    assert "7,00 €" in _text(summary)
    assert "2,38 € après réduction d'impôt" in _text(summary)
    # fees covered and monthly: the summary says what the card is charged, each month
    page.get_by_label("Je couvre les frais bancaires").check()
    page.get_by_label("Tous les mois").check()
    assert "7,35 €" in _text(summary) and "par mois" in _text(summary)
    # a company: its fields appear, and the rate becomes 60 %
    assert not page.locator("input[name=company_name]").is_visible()
    page.get_by_label("Je donne au nom d'une entreprise").check()
    assert page.locator("input[name=company_name]").is_visible()
    assert "(60 %)" in _text(summary)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}-machine-autre-entreprise.png", full_page=True)
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []


def test_ticket_steppers_with_the_keyboard(phone_page, campaigns):
    page = phone_page
    page.goto(campaigns["tickets"].url)
    plus = page.get_by_role("button", name="Un billet de plus : Plein tarif — 12 €")
    plus.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Un billet de plus : Réduit — 6 €").click()
    assert page.locator("input[name^=billets_]").first.input_value() == "2"
    assert "30,00 €" in _text(page.locator("[data-ticket-total]"))
    page.get_by_role("button", name="Un billet de moins : Réduit — 6 €").click()
    assert "24,00 €" in _text(page.locator("[data-ticket-total]"))
    assert "collectés" not in page.content()
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []


@pytest.mark.parametrize("width", [375, 1280])
def test_every_kind_is_accessible_at_phone_and_desktop_width(browser, live_server, campaigns, width):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    try:
        for name, campaign in campaigns.items():
            page.goto(campaign.url)
            if name == "crowdfunding":
                page.get_by_label("Je donne au nom d'une entreprise").check()
            assert _serious(Axe().run(page, options=AXE_OPTIONS)) == [], f"{name} at {width} px"
            if SHOTS and width == 375:
                page.screenshot(path=f"{SHOTS}-{campaign.slug}.png", full_page=True)
    finally:
        context.close()
