"""An editor saves, publishes, unpublishes and deletes, and lands on a page she may see, in French.

Also: a video that cannot be fetched (tests run offline) never blocks saving; it is shown as a
link card and the editor is warned.
"""

from __future__ import annotations

import html

import pytest
from django.test import Client

from associations.factories import NewsPostPageFactory
from tests.site_kollektif.admin_forms import page_edit_data

pytestmark = pytest.mark.django_db

YOUTUBE = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"
UNKNOWN = "https://videos.exemple.org/v/atelier-couture"


def _with_video(page, url):
    page.body = [{"type": "video", "value": {"video": url, "title": "Notre atelier couture", "caption": ""}}]
    page.save_revision().publish()
    return page


def _french_admin_page(response):
    body = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 200, (response.status_code, response.redirect_chain)
    assert '<html lang="fr"' in body or 'lang="fr"' in body
    assert "Page not found" not in body and "Error 404" not in body
    return body


def _publish(client, page, action="action-publish"):
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200
    return client.post(
        f"/admin/pages/{page.pk}/edit/", page_edit_data(edit.content.decode(), page, action=action), follow=True
    )


def test_publishing_the_accueil_lands_on_her_own_pages_with_wagtails_french_confirmation(client_a, association_a):
    home = _with_video(association_a.home_page.specific, YOUTUBE)
    response = _publish(client_a, home)
    body = _french_admin_page(response)
    assert f"La page « {home.title} » a été publiée." in body
    assert response.redirect_chain[-1][0] == f"/admin/pages/{home.pk}/"
    # what she came for: her pages are listed
    assert "Actualités" in body


def test_saving_a_draft_keeps_her_on_the_form(client_a, association_a):
    home = association_a.home_page.specific
    response = _publish(client_a, home, action="")
    body = _french_admin_page(response)
    assert response.redirect_chain[-1][0] == f"/admin/pages/{home.pk}/edit/"
    assert "a été mise à jour" in body


def test_a_video_that_cannot_be_fetched_is_saved_and_shown_as_a_link_card(client_a, association_a):
    home = _with_video(association_a.home_page.specific, YOUTUBE)
    home.introduction = "Nouvelle introduction"
    response = _publish(client_a, home)
    body = _french_admin_page(response)
    assert "Impossible de trouver une intégration" not in body
    assert "n'a pas pu être chargée depuis YouTube" in body
    public = Client().get(home.url)
    assert public.status_code == 200
    page = public.content.decode()
    assert 'class="video-card"' in page and YOUTUBE.replace("&", "&amp;") in page
    assert "Notre atelier couture" in page and "Voir la vidéo sur YouTube" in page


def test_a_video_from_an_unknown_provider_is_saved_with_a_french_warning(client_a, association_a):
    home = _with_video(association_a.home_page.specific, UNKNOWN)
    response = _publish(client_a, home)
    body = _french_admin_page(response)
    assert "vient d'un site que Kollektif ne sait pas intégrer" in body
    home.refresh_from_db()
    assert home.body[0].value["video"].url == UNKNOWN
    page = Client().get(home.url).content.decode()
    assert "Voir la vidéo sur videos.exemple.org" in page


def test_a_malformed_video_address_is_refused_in_french(client_a, association_a):
    home = association_a.home_page.specific
    edit = client_a.get(f"/admin/pages/{home.pk}/edit/")
    data = page_edit_data(edit.content.decode(), home, action="action-publish")
    data.update(
        {
            "body-count": ["1"],
            "body-0-type": ["video"],
            "body-0-deleted": [""],
            "body-0-order": ["0"],
            "body-0-id": [""],
            "body-0-value-video": ["pas une adresse"],
            "body-0-value-title": ["Vidéo"],
            "body-0-value-caption": [""],
        }
    )
    response = client_a.post(f"/admin/pages/{home.pk}/edit/", data)
    assert response.status_code == 400
    assert "Saisissez une URL valide" in response.content.decode()


def test_deleting_and_unpublishing_a_news_post_land_on_the_news_list(client_a, association_a):
    news_index = association_a.home_page.get_children().filter(slug="actualites").first().specific
    post = NewsPostPageFactory(parent=news_index, title="Atelier annulé")
    response = client_a.post(f"/admin/pages/{post.pk}/unpublish/", follow=True)
    body = _french_admin_page(response)
    assert "dépubliée" in body or "dépublié" in body
    response = client_a.post(f"/admin/pages/{post.pk}/delete/", follow=True)
    body = _french_admin_page(response)
    assert "Page « Atelier annulé » supprimée." in body


def test_an_admin_page_she_may_not_see_is_wagtails_french_404_even_with_debug(client_a, association_a, settings):
    settings.DEBUG = True
    parent = association_a.home_page.get_parent()
    response = client_a.get(f"/admin/pages/{parent.pk}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Erreur 404" in body and "La page demandée est introuvable." in body
    assert "Page not found" not in body and "Using the URLconf" not in body


def test_a_refusal_raised_by_an_admin_view_is_a_french_admin_403(editor_a, rf, settings):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from associations.admin_guard import TenantAdminGuardMiddleware

    settings.DEBUG = True
    guard = TenantAdminGuardMiddleware(lambda request: None)
    request = rf.get("/admin/paiements/1/")
    request.user = editor_a
    refused = guard.process_exception(request, PermissionDenied())
    refused.render()
    assert refused.status_code == 403
    assert "Vous n'avez pas accès à cette page." in html.unescape(refused.content.decode())
    missing = guard.process_exception(request, Http404())
    assert missing.status_code == 404 and "Erreur 404" in missing.content.decode()
    public = rf.get("/association/")
    public.user = editor_a
    assert guard.process_exception(public, Http404()) is None
