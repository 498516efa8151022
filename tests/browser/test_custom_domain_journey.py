"""A visitor who only knows the association's own domain browses its site and starts a gift there.

Chromium resolves every *.localhost name to this machine, so popeline.localhost reaches the live
server exactly as www.popeline-atelier.fr would reach the production server.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from associations import services
from campagnes.models import DonationCampaignPage, Payment
from site_kollektif.hosts import sync_default_site

pytestmark = pytest.mark.django_db(transaction=True)
DOMAIN = "popeline.localhost"


def test_a_visitor_browses_and_reaches_payment_on_the_associations_domain(
    page, live_server, association_a, stripe_settings, settings
):
    settings.WAGTAILADMIN_BASE_URL = live_server.url.replace("localhost", "127.0.0.1")  # not a parent of the domain
    sync_default_site()
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    support.add_child(instance=DonationCampaignPage(title="Une machine à coudre", slug="machine", goal="1500"))
    association_a.custom_domain = DOMAIN
    association_a.full_clean()
    association_a.save()
    services.association_record_saved(association=association_a)
    origin = f"http://{DOMAIN}:{urlsplit(live_server.url).port}"

    page.goto(origin + "/")
    assert "Popeline" in page.title()
    page.locator(".site-nav").get_by_role("link", name="Nous aider").click()
    page.wait_for_url(origin + "/nous-aider/")
    page.get_by_role("link", name="Participer").first.click()
    page.wait_for_url(origin + "/nous-aider/machine/")
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
    assert page.url.startswith(origin + "/"), page.url
    assert Payment.objects.filter(email="lea@exemple.org").exists()
    page.screenshot(path="/work/wt/shots/dom/custom-domain-payment-step.png", full_page=True)
