"""What the public sees: the platform pages, the association index and the four pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from associations.factories import AssociationFactory, NewsPostPageFactory, make_image
from associations.models import AssociationStatus, Commune, NewsPostPage, Sector
from site_kollektif.models import ContentPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_index(association_a):
    return association_a.home_page.get_children().get(slug="actualites").specific


def _add_posts(index, count, *, collection=None, with_images=False):
    posts = []
    for number in range(count):
        post = NewsPostPage(
            title=f"Atelier numéro {number}",
            introduction="Un atelier de couture.",
            date=f"2026-{(number % 12) + 1:02d}-{(number % 27) + 1:02d}",
            image=make_image(f"Atelier {number}", collection=collection, width=60, height=40) if with_images else None,
        )
        index.add_child(instance=post)
        post.tags.add("couture" if number % 2 else "réemploi")
        post.save()
        posts.append(post)
    return posts


def test_the_four_pages_render_with_the_association_menu_and_colours(association_a):
    client = Client()
    for path in ["", "actualites/", "nous-aider/", "nos-projets/"]:
        response = client.get(f"/association/popeline/{path}")
        assert response.status_code == 200, path
        body = response.content.decode()
        assert 'lang="fr"' in body
        for href in [
            "/association/popeline/actualites/",
            "/association/popeline/nous-aider/",
            "/association/popeline/nos-projets/",
        ]:
            assert f'href="{href}"' in body
        assert association_a.theme_colours.primary in body


def test_pending_and_suspended_sites_are_not_public():
    pending = AssociationFactory(name="En attente", status=AssociationStatus.PENDING)
    suspended = AssociationFactory(name="Suspendue", status=AssociationStatus.SUSPENDED)
    client = Client()
    for association in (pending, suspended):
        assert client.get(association.url).status_code == 404
        assert client.get(f"{association.url}actualites/").status_code == 404
        assert client.get(f"{association.url}actualites/flux/").status_code == 404
    assert "En attente" not in client.get("/association/").content.decode()


def test_news_index_paginates_filters_by_tag_and_has_feeds(association_a, news_index):
    _add_posts(news_index, 25)
    client = Client()
    first = client.get("/association/popeline/actualites/")
    assert first.status_code == 200
    assert first.content.decode().count("Atelier numéro") == 10
    assert client.get("/association/popeline/actualites/?page=3").content.decode().count("Atelier numéro") == 5
    assert client.get("/association/popeline/actualites/?page=9").status_code == 404
    assert client.get("/association/popeline/actualites/?page=abc").status_code == 200
    tagged = client.get("/association/popeline/actualites/?etiquette=couture").content.decode()
    assert tagged.count("Atelier numéro") == 10
    atom = client.get("/association/popeline/actualites/flux/")
    assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")
    assert atom.content.decode().count("<entry>") == 20
    rss = client.get("/association/popeline/actualites/rss/")
    assert rss.status_code == 200 and "<rss" in rss.content.decode()


def test_accueil_shows_latest_news_and_query_count_does_not_grow(association_a, news_index):
    client = Client()
    _add_posts(news_index, 2, collection=association_a.collection, with_images=True)
    client.get("/association/popeline/")  # renditions are created on first view
    with CaptureQueriesContext(connection) as few:
        response = client.get("/association/popeline/")
    assert "Atelier numéro 1" in response.content.decode()
    _add_posts(news_index, 10, collection=association_a.collection, with_images=True)
    client.get("/association/popeline/")
    with CaptureQueriesContext(connection) as many:
        client.get("/association/popeline/")
    assert len(many) == len(few)


def test_news_index_query_count_does_not_grow_with_posts(association_a, news_index):
    client = Client()
    _add_posts(news_index, 3, collection=association_a.collection, with_images=True)
    client.get("/association/popeline/actualites/")
    with CaptureQueriesContext(connection) as few:
        client.get("/association/popeline/actualites/")
    _add_posts(news_index, 12, collection=association_a.collection, with_images=True)
    client.get("/association/popeline/actualites/")
    with CaptureQueriesContext(connection) as many:
        client.get("/association/popeline/actualites/")
    assert len(many) == len(few)


def test_association_index_search_filters_and_pagination(association_a, association_b):
    culture = Sector.objects.get(slug="arts-et-culture")
    association_b.sectors.add(culture)
    lens = Commune.objects.get(code="62498")
    for number in range(13):
        AssociationFactory(name=f"Club de Lens {number:02d}", commune=lens, postal_code="62300")
    client = Client()
    body = client.get("/association/").content.decode()
    assert "15 associations" in body
    assert client.get("/association/?page=2").status_code == 200
    assert "Popeline" in client.get("/association/", {"q": "pope"}).content.decode()
    assert "BookKafé" not in client.get("/association/", {"q": "pope"}).content.decode()
    by_sector = client.get("/association/", {"sector": "arts-et-culture"}).content.decode()
    assert "BookKafé" in by_sector and "Popeline" not in by_sector
    by_commune = client.get("/association/", {"commune": "62498"}).content.decode()
    assert "13 associations" in by_commune
    by_epci = client.get("/association/", {"epci": lens.epci_id}).content.decode()
    assert "13 associations" in by_epci and "Popeline" not in by_epci
    assert client.get("/association/", {"commune": "99999"}).status_code == 200


def test_association_index_query_count_does_not_grow(association_a):
    client = Client()
    client.get("/association/")
    with CaptureQueriesContext(connection) as few:
        client.get("/association/")
    for number in range(10):
        association = AssociationFactory(name=f"Asso {number}")
        association.sectors.add(*Sector.objects.all()[:2])
        association.logo = make_image(f"Logo {number}", collection=association.collection, width=40, height=40)
        association.save()
    client.get("/association/")
    with CaptureQueriesContext(connection) as many:
        client.get("/association/")
    assert len(many) == len(few)


def test_platform_home_and_content_pages(association_a):
    page = ContentPage.objects.get(slug="mentions-legales")  # created by a migration
    page.body = [{"type": "paragraph", "value": "<p>Éditeur</p>"}]
    page.save_revision().publish()
    client = Client()
    assert client.get("/").status_code == 200
    assert "/espace/creer-mon-site/" in client.get("/").content.decode()
    assert "Éditeur" in client.get("/mentions-legales/").content.decode()


def test_a_video_block_renders_offline_with_a_link(association_a):
    home = association_a.home_page.specific
    home.body = [
        {
            "type": "video",
            "value": {"video": "https://www.youtube.com/watch?v=aqz-KE-bpKQ", "title": "Notre atelier", "caption": ""},
        },
        {"type": "quote", "value": {"text": "Réparer plutôt que jeter", "attribution": "Popeline"}},
    ]
    home.save_revision().publish()
    body = Client().get("/association/popeline/").content.decode()
    assert "https://www.youtube.com/watch?v=aqz-KE-bpKQ" in body
    assert "Notre atelier" in body
    assert "Réparer plutôt que jeter" in body


def test_unknown_pages_get_a_french_404():
    response = Client().get("/association/nexiste-pas/")
    assert response.status_code == 404
    assert "introuvable" in response.content.decode().lower() or "n'existe pas" in response.content.decode()


def test_news_post_page_factory_builds_under_an_index(news_index):
    post = NewsPostPageFactory(parent=news_index, title="Assemblée générale")
    assert Client().get(post.url).status_code == 200
