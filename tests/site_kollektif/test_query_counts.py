"""Issue #16: every public page answers an anonymous visitor in a fixed number of SQL queries,
12 at most, the same with one association as with many more.

The counts are pinned exactly: a template that starts reading a relation per item, or a change
that puts a query back into Wagtail's serving, shows up here with the SQL that differs. Pages are
measured uncached (the app's page cache is off in the test settings) and warm (Wagtail's site
root paths and the Site rows are in the shared cache, as in production after the first request).
Behaviour the faster serving must keep (privacy, drafts, aliases, sub-routes, custom domains,
404s) is checked here too; custom domains have their own tests in test_custom_domain.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from annuaire.factories import ActorFactory, MeetingFactory
from annuaire.models import MeetingStatus
from associations.factories import AssociationFactory, make_image
from associations.models import NewsPostPage
from campagnes.models import DonationCampaignPage, TicketingCampaignPage, TicketType

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12  # issue #16: no public page above this

# path under /association/popeline/ (or a platform path) -> queries
PINNED = {
    "/association/popeline/": 12,  # Accueil: 3 posts with images, 2 campaign types with images
    "/association/popeline/actualites/": 8,
    "/association/popeline/actualites/atelier-0/": 5,
    "/association/popeline/nous-aider/": 10,
    "/association/popeline/nos-projets/": 4,
    "/association/popeline/nous-aider/machine-a-coudre/": 7,
    "/association/popeline/nous-aider/soiree/": 7,
    "/association/": 8,
    "/annuaire/": 10,
    "/reseau/": 5,
    "/rencontres/": 3,
    "/": 5,
}


def _section(association, slug):
    return association.home_page.get_children().get(slug=slug).specific


def _furnish(association):
    """An association as visitors see it: logo, cover, posts with images, open campaigns."""
    collection = association.collection
    association.logo = make_image("Logo", collection=collection, width=40, height=40)
    association.save()
    home = association.home_page.specific
    home.cover_image = make_image("Couverture", collection=collection, width=120, height=50)
    home.save_revision().publish()
    news = _section(association, "actualites")
    for number in range(4):
        post = NewsPostPage(
            title=f"Atelier {number}",
            slug=f"atelier-{number}",
            introduction="Un atelier de couture.",
            image=make_image(f"Atelier {number}", collection=collection, width=64, height=48),
        )
        news.add_child(instance=post)
        post.tags.add("couture", f"saison-{number % 2}")
        post.save_revision().publish()
    support = _section(association, "nous-aider")
    support.add_child(
        instance=DonationCampaignPage(
            title="Une machine à coudre",
            slug="machine-a-coudre",
            goal="1500",
            min_amount="5",
            max_amount="2000",
            suggested_amounts="10, 20, 50",
            image=make_image("Machine", collection=collection, width=64, height=48),
        )
    )
    soiree = TicketingCampaignPage(
        title="Soirée de soutien",
        slug="soiree",
        event_starts_at=timezone.now() + timedelta(days=20),
        place="Salle des fêtes",
        image=make_image("Soirée", collection=collection, width=64, height=48),
    )
    soiree.ticket_types.add(TicketType(name="Entrée", price="5", quota=50))
    support.add_child(instance=soiree)


@pytest.fixture
def furnished(association_a):
    _furnish(association_a)
    for number in range(3):
        ActorFactory(name=f"Structure {number}")
    MeetingFactory(status=MeetingStatus.PUBLISHED)
    return association_a


def _count(client, url):
    client.get(url)  # warm: renditions created, caches filled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), [query["sql"] for query in queries.captured_queries]


def _counts():
    client = Client()
    return {url: _count(client, url) for url in PINNED}


def test_every_public_page_has_its_pinned_query_count_whatever_the_number_of_associations(furnished):
    few = _counts()
    for number in range(6):  # more associations, each with its pages, posts and a campaign
        other = AssociationFactory(name=f"Autre association {number}")
        _section(other, "nous-aider").add_child(
            instance=DonationCampaignPage(title="Don", slug="don", min_amount="5", max_amount="100")
        )
    many = _counts()
    report = []
    for url, expected in PINNED.items():
        (small, _small_sql), (large, large_sql) = few[url], many[url]
        if not (small == large == expected):
            report.append(f"{url}: {small} then {large} queries, pinned {expected}")
            report += [f"    {sql[:300]}" for sql in large_sql]
    assert not report, "\n".join(report)
    assert max(PINNED.values()) <= MAX_QUERIES


def test_the_accueil_still_shows_posts_campaigns_and_the_links_to_its_sections(furnished):
    body = Client().get("/association/popeline/").content.decode()
    assert "Atelier 3" in body and "Atelier 0" not in body  # the 3 latest
    assert 'href="/association/popeline/actualites/"' in body  # "Toutes les actualités"
    assert "Une machine à coudre" in body and "Soirée de soutien" in body
    assert 'href="/association/popeline/nous-aider/"' in body


def test_a_private_section_still_asks_for_its_password_and_hides_its_posts(furnished):
    news = _section(furnished, "actualites")
    PageViewRestriction.objects.create(page=news, restriction_type=PageViewRestriction.PASSWORD, password="secret")
    client = Client()
    for url in ("/association/popeline/actualites/", "/association/popeline/actualites/atelier-1/"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="password"' in body and "Un atelier de couture." not in body
        assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    login_only = _section(furnished, "nos-projets")
    PageViewRestriction.objects.create(page=login_only, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/association/popeline/nos-projets/")
    assert response.status_code == 302 and "next=/association/popeline/nos-projets/" in response["Location"]


def test_drafts_unknown_urls_feeds_and_aliases_route_as_wagtail_does(furnished):
    client = Client()
    post = NewsPostPage.objects.get(slug="atelier-2")
    post.unpublish()
    assert client.get("/association/popeline/actualites/atelier-2/").status_code == 404
    assert client.get("/association/popeline/actualites/n-existe-pas/").status_code == 404
    assert client.get("/association/popeline/rien/du-tout/").status_code == 404
    assert client.get("/association/n-existe-pas/").status_code == 404
    feed = client.get("/association/popeline/actualites/rss/")
    assert feed.status_code == 200 and "Atelier 3" in feed.content.decode()
    source = NewsPostPage.objects.get(slug="atelier-3")
    source.create_alias(update_slug="atelier-3-copie")
    alias = client.get("/association/popeline/actualites/atelier-3-copie/")
    assert alias.status_code == 200 and "Atelier 3" in alias.content.decode()


def test_a_site_changed_in_the_admin_is_served_at_once(furnished):
    """The Site rows are cached for the router: a new Site is matched on the next request."""
    client = Client()
    assert client.get("/", HTTP_HOST="www.popeline.fr").status_code in (200, 400)
    Site.objects.create(hostname="www.popeline.fr", port=80, root_page=Page.objects.get(pk=furnished.home_page_id))
    response = client.get("/", HTTP_HOST="www.popeline.fr")
    assert response.status_code == 200
    assert "Atelier 3" in response.content.decode()  # the association's Accueil, not the platform's home
