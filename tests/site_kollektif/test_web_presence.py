"""Link previews, favicon, the word-mark and the legal pages, as a visitor's browser receives them."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def legal_pages(db):
    create_legal_pages()


def create_legal_pages():
    """The platform's legal pages (created by a migration) with an editable text above the law's part."""
    from site_kollektif.models import ContentPage

    for slug in ("mentions-legales", "confidentialite"):
        page = ContentPage.objects.get(slug=slug)
        page.body = [{"type": "paragraph", "value": "<p>Texte libre.</p>"}]
        page.save_revision().publish()


def _meta(body: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', body)
    assert match, key
    return html.unescape(match.group(1))


def test_every_public_page_has_a_preview_and_a_favicon(association_a):
    client = Client()
    for url in ("/", "/association/", association_a.home_page.url, "/mentions-legales/", "/annuaire/", "/reseau/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert _meta(body, "og:title") and _meta(body, "og:description"), url
        assert _meta(body, "og:image").startswith("http://testserver/"), url
        assert _meta(body, "og:url").startswith("http://testserver/"), url
        assert _meta(body, "twitter:card") == "summary_large_image"
        icon = re.search(r'<link rel="icon" href="([^"]+)"', body).group(1)
        assert client.get(icon).status_code == 200
    body = client.get(association_a.home_page.url).content.decode()
    assert _meta(body, "og:site_name") == "Popeline"
    assert _meta(body, "og:title") == association_a.home_page.title
    assert client.get("/favicon.ico", follow=True).status_code == 200


def test_the_word_mark_is_one_unbreakable_word():
    body = Client().get("/").content.decode()
    assert '<span class="brand__name brand__name--platform">Kollektif</span>' in body


def test_legal_notice_names_publisher_director_host_and_payment_processor(settings):
    settings.KOLLEKTIF_OPERATOR_NAME = "Réseau ESS 62"
    settings.KOLLEKTIF_OPERATOR_DIRECTOR = "Camille Martin"
    settings.KOLLEKTIF_HOST_NAME = "Hébergeur Exemple SAS"
    settings.KOLLEKTIF_HOST_ADDRESS = "1 rue de l'Hébergement, 59000 Lille"
    settings.KOLLEKTIF_HOST_PHONE = "03 20 00 00 00"
    response = Client().get("/mentions-legales/")
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    for words in (
        "Réseau ESS 62",
        "Directeur ou directrice de la publication",
        "Camille Martin",
        "Hébergeur Exemple SAS",
        "1 rue de l'Hébergement, 59000 Lille",
        "03 20 00 00 00",
        "Stripe Payments Europe",
    ):
        assert words in text


def test_privacy_page_gives_retention_rights_and_the_cnil():
    response = Client().get("/confidentialite/")
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    for words in ("6 ans", "90 jours", "10 ans", "RGPD art. 15 à 21", "CNIL", "Stripe Payments Europe", "Cookies"):
        assert words in text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/mentions-legales/", ("Mentions légales", "Éditeur de la plateforme", "Hébergeur", "Stripe Payments Europe")),
        ("/confidentialite/", ("Confidentialité", "CNIL", "Vos droits", "Stripe Payments Europe")),
    ],
)
def test_legal_pages_exist_on_a_fresh_install_without_the_demo(url, words):
    """No demo, no page typed by anyone: the migration made both pages, the law's part comes from settings."""
    from site_kollektif.models import ContentPage

    ContentPage.objects.update(body=[])  # as a fresh install has them (the autouse fixture added a text)
    response = Client().get(url)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert 'lang="fr"' in text
    for word in words:
        assert word in text, word
