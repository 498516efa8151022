"""A real localstripe process for the payment tests (not a mock)."""

from __future__ import annotations

import pytest
import stripe

from campagnes.models import DonationCampaignPage


@pytest.fixture(autouse=True)
def _stripe_settings(stripe_settings):
    return stripe_settings


@pytest.fixture
def stripe_client(localstripe):
    return stripe.StripeClient("sk_test_kollektif", base_addresses={"api": localstripe})


@pytest.fixture
def donation_campaign(association_a):
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(
        title="Une machine à coudre pour l'atelier",
        slug="machine-a-coudre",
        goal="1500",
        min_amount="5",
        max_amount="2000",
        suggested_amounts="10, 20, 50",
    )
    support.add_child(instance=campaign)
    return campaign


def confirm_card_in_browser(stripe_client, client_secret: str, number: str = "4242424242424242"):
    """What Stripe.js does on the pay page: confirm the SetupIntent with the typed card."""
    setup_intent_id = client_secret.split("_secret_")[0]
    return stripe_client.v1.setup_intents.confirm(
        setup_intent_id,
        params={
            "client_secret": client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
            },
        },
    )


@pytest.fixture(autouse=True)
def _association_a_issues_tax_receipts(association_a):
    """Popeline is of general interest: its donors get a reçu fiscal (and give their address)."""
    from associations.factories import make_eligible

    return make_eligible(association_a)
