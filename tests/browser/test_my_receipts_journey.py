"""The donor of the campaign test finds her receipt again: "Mes reçus" from the e-mailed link."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from associations.factories import make_eligible
from campagnes.models import DonationCampaignPage, Receipt
from tests.browser.test_accessibility import AXE_OPTIONS, _serious
from tests.receipts.conftest import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(association_a, stripe_settings):
    make_eligible(association_a)
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    page = DonationCampaignPage(
        title="Une machine à coudre", slug="machine", goal="1500", suggested_amounts="10, 20, 50"
    )
    support.add_child(instance=page)
    return page


def _pay_20_euros_on_a_phone(page, campaign) -> None:
    page.goto(campaign.url)
    assert "réduction d'impôt" in page.content()
    page.get_by_label("Autre montant", exact=True).check()  # its field shows only when chosen
    for name, value in [
        ("amount", "20"),
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
    for placeholder, value in [
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "62400"),
    ]:
        page.locator(f"#card-element input[placeholder={placeholder}]").fill(value)
    page.get_by_role("button", name="Payer").click()
    page.wait_for_url("**/merci/")


def _link(message, live_server_url: str) -> str:
    """The link of the e-mail, on the test server (e-mails carry the configured base URL)."""
    return live_server_url + re.search(r"https?://[^/\s]+(/mes-recus/\S*)", message.body).group(1)


def test_the_donor_opens_mes_recus_from_the_email_and_downloads_her_receipt(phone_page, campaign, live_server):
    page = phone_page
    _pay_20_euros_on_a_phone(page, campaign)
    receipt = Receipt.objects.get()
    receipt_mail = next(m for m in mail.outbox if receipt.number in m.subject)
    assert receipt_mail.to == ["lea@exemple.org"] and receipt_mail.attachments[0][2] == "application/pdf"

    # the receipt e-mail leads to "Mes reçus", which sends a one-time link
    page.goto(_link(receipt_mail, live_server.url))
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []
    page.get_by_label("Votre adresse e-mail").fill("lea@exemple.org")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.get_by_role("status").wait_for()
    link_mail = next(m for m in mail.outbox if m.subject.endswith("Vos reçus sur Kollektif"))
    page.goto(_link(link_mail, live_server.url))

    page.get_by_role("heading", name="Mes reçus").wait_for()
    assert "Popeline" in page.content()
    assert _serious(Axe().run(page, options=AXE_OPTIONS)) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"PDF n° {receipt.number}").click()
    path = download_info.value.path()
    text = pdf_text(open(path, "rb").read())
    assert receipt.number in text and "vingt euros" in text and "Dupont" in text
