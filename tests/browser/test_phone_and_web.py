"""Phones and the rest of the web: tables readable at 375 px, the word-mark on one line at
1280 px, link previews and the favicon on every public page, legal pages that say what the law
requires. Screenshots go to /work/wt/shots/ed/ when that folder exists (KOLLEKTIF_SHOTS)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from associations.factories import DEFAULT_PASSWORD, UserFactory, make_eligible
from campagnes.models import DonationCampaignPage
from campagnes.receipts import access
from tests.receipts.conftest import pay, support_page

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("KOLLEKTIF_SHOTS", "/work/wt/shots/ed"))

# Every element of the main content must fit in the phone's width: nothing cut off, nothing
# that scrolls the whole page sideways.
OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const cut = [...document.querySelectorAll('main td, main th, main dd, main h1, .listing td')]
        .filter(el => el.offsetParent !== null)
        .filter(el => !(el.closest('thead') && el.closest('thead').getBoundingClientRect().width <= 1))
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .map(el => el.tagName + ': ' + el.textContent.trim().slice(0, 40));
    return {scroll: document.documentElement.scrollWidth, width, cut};
}"""


def log_in(page, email: str) -> None:
    page.goto("/comptes/login/?next=/admin/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def _shot(page, name: str) -> None:
    if SHOTS.exists():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page, name: str) -> None:
    result = page.evaluate(OVERFLOW_JS)
    _shot(page, name)
    assert result["cut"] == [], result
    assert result["scroll"] <= result["width"], result


@pytest.fixture
def paid_campaign(association_a):
    make_eligible(association_a)
    campaign = DonationCampaignPage(title="Une machine à coudre pour l'atelier", slug="machine", goal="1500")
    support_page(association_a).add_child(instance=campaign)
    pay(campaign, amount_cents=12345)
    return campaign


def test_legal_pages_on_a_phone_say_what_the_law_requires(phone_page, settings):
    from tests.site_kollektif.test_web_presence import create_legal_pages

    create_legal_pages()
    settings.KOLLEKTIF_HOST_NAME = "Hébergeur de test SAS"
    phone_page.goto("/mentions-legales/")
    text = phone_page.inner_text("main")
    for words in ("Éditeur de la plateforme", "Directeur ou directrice de la publication", "Hébergeur de test SAS"):
        assert words in text
    assert "Stripe Payments Europe" in text
    _fits(phone_page, "mentions-legales-375")
    phone_page.goto("/confidentialite/")
    text = phone_page.inner_text("main")
    for words in ("CNIL", "Vos droits", "6 ans", "Stripe Payments Europe", "90 jours"):
        assert words in text
    _fits(phone_page, "confidentialite-375")


def test_my_receipts_table_is_readable_on_a_phone(phone_page, paid_campaign):
    access.access_link_request(email="lea@exemple.org")
    link = re.search(r"https?://[^\s\"<]+/mes-recus/[^\s\"<]+/", mail.outbox[-1].body).group(0)
    phone_page.goto(re.sub(r"^https?://[^/]+", "", link))
    assert phone_page.get_by_text("123,45").first.is_visible()
    assert phone_page.get_by_text("Ma super") is not None
    _fits(phone_page, "mes-recus-375")


def test_network_links_are_readable_on_a_phone(phone_page, association_a, association_b):
    from annuaire import services
    from annuaire.models import Actor

    services.link_create(
        source=Actor.objects.get(association=association_a),
        target=Actor.objects.get(association=association_b),
        kind="partenariat",
        description="Ateliers communs",
    )
    phone_page.goto("/reseau/")
    assert phone_page.locator(".link-table").get_by_text("Popeline").first.is_visible()
    _fits(phone_page, "reseau-375")


def test_the_treasurers_payments_list_is_readable_on_a_phone(phone_page, paid_campaign, association_a):
    treasurer = UserFactory(email="tresoriere@popeline.fr")
    treasurer.groups.add(association_a.treasurers_group)
    log_in(phone_page, treasurer.email)
    phone_page.goto("/admin/paiements/")
    assert phone_page.get_by_text("123,45").first.is_visible()
    assert phone_page.get_by_text("Dupont").first.is_visible()
    _fits(phone_page, "admin-paiements-375")


def test_the_word_mark_never_wraps_and_pages_have_a_preview_and_a_favicon(page, association_a):
    page.goto("/")
    box = page.locator(".brand__name").first.bounding_box()
    line_height = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.brand__name')).lineHeight)")
    assert box["height"] < line_height * 1.5, box
    _shot(page, "accueil-1280")
    home = association_a.home_page.specific
    home.body = [
        {
            "type": "video",
            "value": {"video": "https://www.youtube.com/watch?v=aqz-KE-bpKQ", "title": "Notre atelier", "caption": ""},
        }
    ]
    home.save_revision().publish()
    page.goto(home.url)
    card = page.locator("a.video-card")
    assert card.is_visible() and "Voir la vidéo sur YouTube" in card.inner_text()
    _shot(page, "popeline-video-1280")
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    _shot(page, "popeline-video-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    for url in ("/", association_a.home_page.url):
        page.goto(url)
        for selector in ("og:title", "og:description", "og:image"):
            content = page.locator(f"meta[property='{selector}']").get_attribute("content")
            assert content, selector
        assert page.locator("meta[property='og:image']").get_attribute("content").startswith("http")
        assert page.locator("meta[name='twitter:card']").get_attribute("content") == "summary_large_image"
        icon = page.locator("link[rel=icon]").first.get_attribute("href")
        assert page.request.get(icon).status == 200
