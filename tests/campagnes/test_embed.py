"""A campaign embedded on an association's other site (issue #15, item 4): who may frame it,
what a site not listed reads, and a whole donation through the embed flow without any cookie."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from associations.embedding import normalize_origin, parse_embed_origins
from campagnes import embed
from campagnes.models import Payment, PaymentStatus
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_donation import DONOR
from tests.campagnes.test_offers import PAYER, crowdfunding, membership_campaign, ticketing  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

BLOG = "https://blog.popeline.fr"
FRAMED = {"HTTP_SEC_FETCH_DEST": "iframe"}


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


@pytest.fixture
def listed(association_a):
    association_a.embed_origins = BLOG
    association_a.save(update_fields=["embed_origins"])
    return association_a


def _embed_get(client, campaign, referer=BLOG, **headers):
    return client.get(embed.embed_path(campaign), HTTP_REFERER=f"{referer}/nous-soutenir/", **FRAMED, **headers)


def _token(response) -> str:
    return re.search(r'name="embed_token" value="([^"]+)"', response.content.decode()).group(1)


# --- the list of sites -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://www.Mon-Asso.fr/", "https://www.mon-asso.fr"),
        ("https://blog.mon-asso.fr:443", "https://blog.mon-asso.fr"),
        ("https://mon-asso.fr:8443", "https://mon-asso.fr:8443"),
        ("https://café-des-arts.fr", "https://xn--caf-des-arts-deb.fr"),
    ],
)
def test_a_site_is_stored_as_the_origin_browsers_compare(typed, stored):
    assert normalize_origin(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("http://www.mon-asso.fr", "seul un site en https://"),
        ("www.mon-asso.fr", "avec https://"),
        ("https://www.mon-asso.fr/dons/", "sans chemin"),
        ("https://*.mon-asso.fr", "jokers"),
        ("https://192.168.1.10", "pas une adresse IP"),
        ("https://intranet", "n'est pas une adresse valide"),
        ("https://user:pass@mon-asso.fr", "sans chemin"),
    ],
)
def test_a_wrong_site_is_refused_in_french(typed, message, settings):
    settings.KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP = False
    with pytest.raises(ValidationError) as error:
        normalize_origin(typed)
    assert message in error.value.messages[0]


def test_loopback_http_only_where_the_settings_allow_it(settings):
    settings.KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP = False
    with pytest.raises(ValidationError):
        normalize_origin("http://127.0.0.1:8123")
    settings.KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP = True
    assert normalize_origin("http://127.0.0.1:8123") == "http://127.0.0.1:8123"


def test_the_record_keeps_one_origin_a_line_and_names_every_wrong_line(association_a):
    association_a.embed_origins = "https://www.popeline.fr/\n\nhttps://WWW.popeline.fr\nhttps://blog.popeline.fr"
    association_a.full_clean()
    assert association_a.embed_origin_list == ["https://www.popeline.fr", "https://blog.popeline.fr"]
    association_a.embed_origins = "http://popeline.fr\nftp://x.fr\nhttps://ok.fr"
    with pytest.raises(ValidationError) as error:
        association_a.full_clean()
    messages = error.value.message_dict["embed_origins"]
    assert len(messages) == 2 and "http://popeline.fr" in messages[0]
    with pytest.raises(ValidationError, match="au plus 10 sites"):
        parse_embed_origins("\n".join(f"https://site{n}.fr" for n in range(11)))


def test_the_editor_lists_the_sites_on_the_record_and_reads_the_mistakes(client_a, association_a):
    from tests.site_kollektif.admin_forms import form_fields

    url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    page = client_a.get(url).content.decode()
    assert "Intégration sur vos sites" in page
    data = form_fields(page, action_contains=url)
    data["embed_origins"] = "www.popeline.fr"
    refused = client_a.post(url, data)
    assert refused.status_code == 400
    assert "indiquez l'adresse complète, avec https://" in refused.content.decode().replace("&#x27;", "'")
    data["embed_origins"] = "https://www.popeline.fr/"
    assert client_a.post(url, data).status_code == 302
    association_a.refresh_from_db()
    assert association_a.embed_origin_list == ["https://www.popeline.fr"]


# --- who may frame what ------------------------------------------------------------------------


def test_the_embed_view_is_framable_by_the_listed_sites_only(donation_campaign, listed):
    response = _embed_get(Client(), donation_campaign)
    assert response.status_code == 200
    assert _frame_ancestors(response) == f"frame-ancestors 'self' http://127.0.0.1:8000 http://testserver {BLOG}"
    assert "X-Frame-Options" not in response
    assert "frame-ancestors 'self'" in response["Content-Security-Policy-Report-Only"]
    body = response.content.decode().replace("&#x27;", "'")
    assert donation_campaign.title in body and "Continuer vers le paiement" in body
    assert "csrfmiddlewaretoken" not in body and not response.cookies  # nothing a third-party frame could keep


def test_every_other_page_still_refuses_to_be_framed(donation_campaign, listed):
    client = Client()
    for url in (donation_campaign.url, listed.url, "/", "/mes-recus/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _frame_ancestors(response) == "frame-ancestors 'none'", url
        assert response["X-Frame-Options"] == "DENY", url


def test_a_site_not_listed_reads_why_in_french_and_gets_no_form(donation_campaign, listed):
    response = _embed_get(Client(), donation_campaign, referer="https://pirate.example")
    assert response.status_code == 403
    body = response.content.decode().replace("&#x27;", "'")
    assert "Ce formulaire ne peut pas s'afficher sur https://pirate.example" in body
    assert "Popeline n'a pas autorisé ce site" in body
    assert "<form" not in body and "embed_token" not in body
    # the refusal is framable by the site that asked, so that its visitors read it; nothing else
    assert _frame_ancestors(response) == "frame-ancestors 'self' https://pirate.example"


def test_without_any_listed_site_only_kollektif_may_frame_the_form(donation_campaign, association_a):
    assert _embed_get(Client(), donation_campaign).status_code == 403
    response = _embed_get(Client(), donation_campaign, referer="http://testserver")  # the admin's preview
    assert response.status_code == 200
    assert _frame_ancestors(response) == "frame-ancestors 'self' http://127.0.0.1:8000 http://testserver"


def test_opened_as_a_page_the_form_shows_whatever_the_referer(donation_campaign, listed):
    response = Client().get(
        embed.embed_path(donation_campaign), HTTP_REFERER="https://ailleurs.example/", HTTP_SEC_FETCH_DEST="document"
    )
    assert response.status_code == 200  # a link followed: nothing framed, nothing to refuse


def test_unpublished_private_or_suspended_campaigns_are_not_embedded(donation_campaign, listed):
    from wagtail.models import PageViewRestriction

    from associations.models import AssociationStatus

    client = Client()
    assert client.get("/integrer/999999/").status_code == 404
    assert client.get(embed.embed_path(listed.home_page)).status_code == 404  # not a campaign
    restriction = PageViewRestriction.objects.create(page=donation_campaign, restriction_type="password", password="x")
    assert _embed_get(client, donation_campaign).status_code == 404
    restriction.delete()
    listed.status = AssociationStatus.SUSPENDED
    listed.save(update_fields=["status"])
    assert _embed_get(client, donation_campaign).status_code == 404
    listed.status = AssociationStatus.ACTIVE
    listed.save(update_fields=["status"])
    donation_campaign.unpublish()
    assert _embed_get(client, donation_campaign).status_code == 404


def test_memberships_tickets_and_crowdfunding_embed_too(listed, membership_campaign, ticketing, crowdfunding):  # noqa: F811
    client = Client()
    expected = {
        membership_campaign: ("Individuelle", "Adhésion"),
        ticketing: ("Tarif réduit", "Billetterie"),
        crowdfunding: ("Tote bag cousu main", "Collecte"),
    }
    for page, (offer, kind) in expected.items():
        response = _embed_get(client, page)
        body = response.content.decode()
        assert response.status_code == 200 and offer in body and kind in body, page.title
        assert 'name="embed_token"' in body and _frame_ancestors(response).endswith(BLOG)


def test_a_membership_paid_through_the_frame(listed, membership_campaign, stripe_client):  # noqa: F811
    client = Client()
    origin = {"HTTP_ORIGIN": "http://testserver"}
    token = _token(_embed_get(client, membership_campaign))
    tier = membership_campaign.tiers.get(name="Individuelle")
    response = client.post(
        embed.embed_path(membership_campaign), {**PAYER, "tier": tier.pk, "embed_token": token}, **origin
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    confirm_card_in_browser(
        stripe_client, re.search(r'data-client-secret="([^"]+)"', response.content.decode()).group(1)
    )
    payment = Payment.objects.get()
    thanks = client.get(client.post(f"/integrer/paiement/{payment.public_token}/confirmer/", **origin)["Location"])
    assert "Votre adhésion « Individuelle »" in thanks.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 1500


# --- the POSTs without a CSRF cookie -------------------------------------------------------------


def test_a_form_posted_from_another_site_or_without_its_token_records_nothing(donation_campaign, listed):
    client = Client()
    token = _token(_embed_get(client, donation_campaign))
    path = embed.embed_path(donation_campaign)
    forged = client.post(path, {**DONOR, "embed_token": token}, HTTP_ORIGIN="https://pirate.example")
    assert forged.status_code == 403
    assert "ne vient pas d'un formulaire de Kollektif" in forged.content.decode().replace("&#x27;", "'")
    # even a listed site may not post: only the form Kollektif served, inside the frame
    assert client.post(path, {**DONOR, "embed_token": token}, HTTP_ORIGIN=BLOG).status_code == 403
    assert client.post(path, {**DONOR}, HTTP_ORIGIN="http://testserver").status_code == 403
    assert client.post(path, {**DONOR, "embed_token": "x:y"}, HTTP_ORIGIN="http://testserver").status_code == 403
    other = embed.form_token(listed.home_page)  # signed, but for another page
    assert client.post(path, {**DONOR, "embed_token": other}, HTTP_ORIGIN="http://testserver").status_code == 403
    assert client.post(path, {**DONOR, "embed_token": token}).status_code == 403  # no Origin, no Referer
    assert not Payment.objects.exists()


def test_an_expired_form_asks_to_reload(donation_campaign, listed, monkeypatch):
    client = Client()
    token = _token(_embed_get(client, donation_campaign))
    monkeypatch.setattr(embed, "FORM_TOKEN_MAX_AGE", -1)
    response = client.post(
        embed.embed_path(donation_campaign), {**DONOR, "embed_token": token}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 403 and "expiré" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_whole_donation_through_the_frame_without_any_cookie(
    donation_campaign, listed, stripe_client, django_capture_on_commit_callbacks
):
    client = Client()
    origin = {"HTTP_ORIGIN": "http://testserver"}
    token = _token(_embed_get(client, donation_campaign))
    invalid = client.post(embed.embed_path(donation_campaign), {**DONOR, "amount": "1", "embed_token": token}, **origin)
    assert invalid.status_code == 400 and "embed_token" in invalid.content.decode()  # errors shown in the frame
    assert _frame_ancestors(invalid).endswith(BLOG)
    response = client.post(embed.embed_path(donation_campaign), {**DONOR, "embed_token": token}, **origin)
    assert response.status_code == 200 and not response.cookies
    assert _frame_ancestors(response).endswith(BLOG) and "X-Frame-Options" not in response
    body = response.content.decode()
    payment = Payment.objects.get()
    assert f'action="/integrer/paiement/{payment.public_token}/confirmer/"' in body
    assert f'data-decline-url="/integrer/paiement/{payment.public_token}/refus/"' in body
    client_secret = re.search(r'data-client-secret="([^"]+)"', body).group(1)
    assert confirm_card_in_browser(stripe_client, client_secret).status == "succeeded"
    confirm_url = f"/integrer/paiement/{payment.public_token}/confirmer/"
    assert client.post(confirm_url, HTTP_ORIGIN="https://pirate.example").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url, **origin)
    assert response.status_code == 302 and response["Location"] == f"/integrer/paiement/{payment.public_token}/merci/"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 2500
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and _frame_ancestors(thanks).endswith(BLOG)
    text = thanks.content.decode()
    assert "Merci" in text and "25,00" in text
    assert 'target="_blank" rel="noopener"' in text and "Découvrir le site de Popeline" in text
    assert "site-nav" not in text  # the frame layout: no menu of the association's site
    assert not client.cookies  # nothing was ever set


def test_the_declined_card_report_is_refused_from_another_site(donation_campaign, listed):
    client = Client()
    token = _token(_embed_get(client, donation_campaign))
    client.post(embed.embed_path(donation_campaign), {**DONOR, "embed_token": token}, HTTP_ORIGIN="http://testserver")
    payment = Payment.objects.get()
    response = client.post(f"/integrer/paiement/{payment.public_token}/refus/", HTTP_ORIGIN="https://pirate.example")
    assert response.status_code == 403 and "Kollektif" in response.json()["message"]


# --- the snippet and the admin -----------------------------------------------------------------


def test_the_snippets_name_the_platform_and_ask_for_the_referer(donation_campaign, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://kollektif.org"
    snippet = embed.iframe_snippet(donation_campaign)
    assert f'src="https://kollektif.org/integrer/{donation_campaign.pk}/"' in snippet
    assert 'referrerpolicy="origin"' in snippet and 'allow="payment"' in snippet
    assert '<script src="https://kollektif.org/integrer/integration.js" async></script>' in snippet
    assert "Don : Une machine à coudre pour l&#x27;atelier — Popeline" in snippet  # the frame's accessible name
    button = embed.button_snippet(donation_campaign)
    assert "Faire un don — Popeline" in button and 'target="_blank" rel="noopener"' in button


def test_the_integration_script_address_never_changes(client):
    response = client.get("/integrer/integration.js")
    assert response.status_code == 302 and response["Location"].endswith("campagnes/js/embed-host.js")
    assert "max-age=3600" in response["Cache-Control"]


def test_the_editor_copies_the_snippet_from_the_campaign(client_a, donation_campaign, listed, editor_b):
    edit = client_a.get(f"/admin/pages/{donation_campaign.pk}/edit/").content.decode()
    url = f"/admin/campagnes/integrer/{donation_campaign.pk}/"
    assert url in edit and "Intégrer sur votre site" in edit
    response = client_a.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt;iframe src=&quot;http://127.0.0.1:8000/integrer/" in body  # shown as text, to copy
    assert "Copier le code du formulaire" in body and "Copier le code du bouton" in body
    assert BLOG in body and "Modifier la liste des sites" in body
    assert f"/admin/snippets/associations/association/edit/{listed.pk}/#tab-integration-sur-vos-sites" in body
    other = Client()
    other.force_login(editor_b)
    assert other.get(url).status_code in (403, 404)


def test_without_listed_sites_the_admin_says_where_to_add_them(client_a, donation_campaign):
    body = client_a.get(f"/admin/campagnes/integrer/{donation_campaign.pk}/").content.decode()
    assert "Aucun site n'est encore autorisé" in body.replace("&#x27;", "'")
