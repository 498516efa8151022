"""A donor pays on a campaign page through Stripe.js (localstripe-v3.js) and sees the thank-you page."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from campagnes.models import DonationCampaignPage, Payment, PaymentStatus
from tests.browser.test_accessibility import AXE_OPTIONS, _serious

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(association_a, stripe_settings):
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    page = DonationCampaignPage(
        title="Une machine à coudre", slug="machine", goal="1500", suggested_amounts="10, 20, 50"
    )
    support.add_child(instance=page)
    return page


def test_donor_pays_by_card_on_a_phone_then_the_treasurer_sees_it(phone_page, page, campaign, association_a):
    donor_page, treasurer_page = phone_page, page
    page = donor_page
    page.goto(campaign.url)
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []
    page.get_by_label("20 €").check()  # a suggested amount (the "Autre montant" field shows only when chosen)
    for name, value in [
        ("first_name", "Léa"),
        ("last_name", "Dupont"),
        ("email", "lea@exemple.org"),
        ("street_address", "3 rue des Lilas"),
        ("postal_code", "62400"),
        ("city", "Béthune"),
    ]:
        page.locator(f"input[name={name}]").fill(value)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.wait_for_selector("#card-element input")
    page.locator("#card-element input[placeholder=number]").fill("4242424242424242")
    page.locator("#card-element input[placeholder=exp_month]").fill("12")
    page.locator("#card-element input[placeholder=exp_year]").fill("34")
    page.locator("#card-element input[placeholder=cvc]").fill("123")
    page.locator("#card-element input[placeholder=postal_code]").fill("62400")
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.on(
        "request",
        lambda request: (
            console.append(f"{request.method} {request.url} {request.post_data}") if request.method == "POST" else None
        ),
    )
    page.get_by_role("button", name="Payer").click()
    try:
        page.wait_for_url("**/merci/")
    except Exception:
        page.screenshot(path="/tmp/pay-fail.png")
        raise AssertionError(
            f"no thank-you page; console: {console}; errors: {page.locator('#card-errors').inner_text()}"
        ) from None
    assert "Merci" in page.content()
    assert "20,00" in page.content()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 2000

    from associations.factories import DEFAULT_PASSWORD, UserFactory

    page = treasurer_page
    treasurer = UserFactory(email="tresoriere@popeline.exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    page.goto("/comptes/login/?next=/admin/paiements/")
    page.fill("input[name=login]", treasurer.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/paiements/**")
    assert "Léa Dupont" in page.content()
    assert "20,00" in page.content()


def _fill_and_reach_card_form(page, campaign):
    page.goto(campaign.url)
    page.get_by_label("Autre montant", exact=True).check()  # its field shows only when chosen
    for name, value in [
        ("amount", "30"),
        ("first_name", "Karim"),
        ("last_name", "Benali"),
        ("email", "karim@exemple.org"),
        ("street_address", "5 rue Pasteur"),
        ("postal_code", "62300"),
        ("city", "Lens"),
    ]:
        page.locator(f"input[name={name}]").fill(value)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.wait_for_selector("#card-element input")
    page.locator("#card-element input[placeholder=number]").fill("4000002760003184")  # 3-D Secure required
    page.locator("#card-element input[placeholder=exp_month]").fill("12")
    page.locator("#card-element input[placeholder=exp_year]").fill("34")
    page.locator("#card-element input[placeholder=cvc]").fill("123")
    page.locator("#card-element input[placeholder=postal_code]").fill("62300")
    page.get_by_role("button", name="Payer").click()


def test_3d_secure_accepted(page, campaign):
    _fill_and_reach_card_form(page, campaign)
    page.get_by_role("button", name="Complete authentication").click()  # card set up
    # localstripe asks again when the card is charged off-session (real Stripe seldom does)
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url("**/merci/")
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED


def test_3d_secure_refused_charges_nothing(page, campaign):
    _fill_and_reach_card_form(page, campaign)
    page.get_by_role("button", name="Fail authentication").click()
    # localstripe cancels the card set-up after a failed authentication: this attempt is over,
    # recorded as refused, and the donor reads why, in French, with a link to try again
    page.wait_for_url("**/merci/")
    text = page.locator("main").inner_text()
    assert "Le paiement n'a pas abouti" in text and "Carte refusée" in text and "Aucun montant" in text
    assert page.get_by_role("link", name="Réessayer").is_visible()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.FAILED and not payment.stripe_payment_intent


def test_a_monthly_donor_stops_the_gift_from_the_email_link(phone_page, campaign, stripe_settings, localstripe):
    """A monthly donor on a phone gives 15 € a month, reads in the thank-you page and the e-mail
    when the next charge is, follows the e-mail's link and stops it: the last page says so, in
    French, and Stripe (localstripe) shows the subscription canceled."""
    import re

    import stripe
    from django.core import mail

    page = phone_page
    page.goto(campaign.url)
    page.locator("input[name=frequency][value=monthly]").check()
    page.get_by_label("Autre montant", exact=True).check()  # its field shows only when chosen
    for name, value in [
        ("amount", "15"),
        ("first_name", "Inès"),
        ("last_name", "Morel"),
        ("email", "ines@exemple.org"),
        ("street_address", "8 rue de la Gare"),
        ("postal_code", "62000"),
        ("city", "Arras"),
    ]:
        page.locator(f"input[name={name}]").fill(value)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.wait_for_selector("#card-element input")
    assert "chaque mois" in page.content()
    page.locator("#card-element input[placeholder=number]").fill("4242424242424242")
    page.locator("#card-element input[placeholder=exp_month]").fill("12")
    page.locator("#card-element input[placeholder=exp_year]").fill("34")
    page.locator("#card-element input[placeholder=cvc]").fill("123")
    page.locator("#card-element input[placeholder=postal_code]").fill("62000")
    page.get_by_role("button", name="Payer").click()
    page.wait_for_url("**/merci/")
    assert "Prochain prélèvement : le " in page.content()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.stripe_subscription

    confirmation = next(m for m in mail.outbox if m.to == ["ines@exemple.org"])
    assert "Prochain prélèvement" in confirmation.body
    link = re.search(r"https?://[^\s]+/don-mensuel/[^\s/]+/", confirmation.body).group(0)
    page.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    page.get_by_role("button", name="Arrêter mon don mensuel").click()
    page.wait_for_selector("h1:has-text('Votre don mensuel est arrêté')")
    assert "plus rien ne sera prélevé" in page.content()
    response = page.request.get(page.url)  # the same link, opened again later
    assert response.status == 200 and "déjà arrêté" in response.text()

    client = stripe.StripeClient("sk_test_kollektif", base_addresses={"api": localstripe})
    assert client.v1.subscriptions.retrieve(payment.stripe_subscription).status == "canceled"
