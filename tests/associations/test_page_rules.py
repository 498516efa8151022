"""The page-type rules keep every association's site to its four sections."""

from __future__ import annotations

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailTestUtils  # noqa: F401  (documents where assertCanCreateAt comes from)

from associations.models import (
    AssociationHomePage,
    NewsIndexPage,
    NewsPostPage,
    ProjectsPage,
    SupportPage,
)
from campagnes.models import DonationCampaignPage
from site_kollektif.models import AssociationIndexPage, ContentPage, HomePage

pytestmark = pytest.mark.django_db


def test_allowed_parents_and_children_are_declared():
    assert AssociationHomePage.allowed_parent_page_models() == [AssociationIndexPage]
    assert set(AssociationHomePage.allowed_subpage_models()) == {NewsIndexPage, SupportPage, ProjectsPage}
    assert NewsIndexPage.allowed_subpage_models() == [NewsPostPage]
    assert NewsPostPage.allowed_parent_page_models() == [NewsIndexPage]
    assert ProjectsPage.allowed_subpage_models() == []
    assert DonationCampaignPage in SupportPage.allowed_subpage_models()
    assert DonationCampaignPage.allowed_parent_page_models() == [SupportPage]
    assert set(HomePage.allowed_subpage_models()) == {ContentPage, AssociationIndexPage}


def test_a_fifth_section_or_another_type_cannot_be_created(association_a):
    home = association_a.home_page
    assert AssociationHomePage.creatable_subpage_models() and not any(
        model.can_create_at(home) for model in (NewsIndexPage, SupportPage, ProjectsPage)
    )
    assert not ContentPage.can_create_at(home)
    assert not NewsPostPage.can_create_at(home)
    news_index = home.get_children().get(slug="actualites")
    assert NewsPostPage.can_create_at(news_index)


def test_editor_can_add_a_news_post_but_not_a_section(client_a, association_a):
    home = association_a.home_page
    news_index = home.get_children().get(slug="actualites")
    response = client_a.get(f"/admin/pages/add/associations/supportpage/{home.pk}/")
    assert response.status_code in (302, 403)
    response = client_a.post(
        f"/admin/pages/add/associations/newspostpage/{news_index.pk}/",
        {
            "title": "Fête de la couture",
            "slug": "fete-de-la-couture",
            "date": "2026-11-20",
            "introduction": "",
            "body-count": "0",
            "tags": "",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = NewsPostPage.objects.get(slug="fete-de-la-couture")
    assert post.live and post.get_parent().pk == news_index.pk


@pytest.mark.parametrize("slug", ["", "actualites", "nous-aider", "nos-projets"])
def test_editor_cannot_delete_the_four_pages(client_a, association_a, slug):
    home = association_a.home_page
    page = home if not slug else home.get_children().get(slug=slug)
    response = client_a.post(f"/admin/pages/{page.pk}/delete/")
    if slug:
        assert response.status_code == 403
        assert "ne peuvent pas être supprimées" in response.content.decode()
    else:  # the Accueil has children: Wagtail itself refuses (no bulk delete right), with its redirect
        assert response.status_code in (302, 403)
    assert Page.objects.filter(pk=page.pk).exists()


def test_editor_can_rename_a_section_and_choose_menu_order(client_a, association_a):
    projects = association_a.home_page.get_children().get(slug="nos-projets")
    response = client_a.post(f"/admin/pages/{projects.pk}/set_position/?position=0")
    assert response.status_code == 200
    order = [p.slug for p in association_a.home_page.get_children()]
    assert order[0] == "nos-projets"


def test_a_page_cannot_move_to_another_association(client_a, association_a, association_b):
    news_a = association_a.home_page.get_children().get(slug="actualites").specific
    post = NewsPostPage(title="Article de A")
    news_a.add_child(instance=post)
    news_b = association_b.home_page.get_children().get(slug="actualites")
    response = client_a.post(f"/admin/pages/{post.pk}/move/{news_b.pk}/confirm/")
    assert response.status_code in (403, 404)
    post.refresh_from_db()
    assert post.get_parent().pk == news_a.pk


def test_staff_cannot_move_a_post_across_associations_either(staff_client, association_a, association_b):
    news_a = association_a.home_page.get_children().get(slug="actualites").specific
    post = NewsPostPage(title="Article de A")
    news_a.add_child(instance=post)
    news_b = association_b.home_page.get_children().get(slug="actualites")
    response = staff_client.post(f"/admin/pages/{post.pk}/move/{news_b.pk}/confirm/")
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.get_parent().pk == news_a.pk


# --- The four-page rule on every path: admin API, bulk actions, page views (issue #10, item 2) ---

SECTIONS = ["actualites", "nous-aider", "nos-projets"]
EMPTY_RICH_TEXT = '{"blocks": [], "entityMap": {}}'


def _page(association, slug):
    home = association.home_page
    return home if not slug else home.get_children().get(slug=slug)


def _api_action(client, page, action, data=None):
    return client.post(
        f"/admin/api/main/pages/{page.pk}/action/{action}/", data=data or {}, content_type="application/json"
    )


@pytest.mark.parametrize("slug", ["", *SECTIONS])
def test_the_admin_api_refuses_to_delete_the_four_pages(client_a, association_a, slug):
    page = _page(association_a, slug)
    response = _api_action(client_a, page, "delete")
    assert response.status_code == 403
    assert "ne peuvent pas être supprimées" in response.json()["message"]
    assert Page.objects.filter(pk=page.pk).exists()


@pytest.mark.parametrize("slug", ["", *SECTIONS])
def test_the_admin_api_refuses_to_unpublish_the_four_pages(client_a, association_a, slug):
    page = _page(association_a, slug)
    response = _api_action(client_a, page, "unpublish", {"recursive": True})
    assert response.status_code == 403
    assert "ne peuvent pas être dépubliées" in response.json()["message"]
    assert Page.objects.get(pk=page.pk).live
    assert not Page.objects.filter(path__startswith=page.path, live=False).exists()


def test_the_admin_api_refuses_to_move_nous_aider_under_actualites(client_a, association_a):
    support = _page(association_a, "nous-aider")
    campaign = DonationCampaignPage(title="Collecte de A", slug="collecte-a")
    support.add_child(instance=campaign)
    news = _page(association_a, "actualites")
    for position in ("last-child", "first-child"):
        response = _api_action(client_a, support, "move", {"destination_page_id": news.pk, "position": position})
        assert response.status_code == 403
        assert "ne peuvent pas être déplacées" in response.json()["message"]
    support.refresh_from_db()
    assert support.get_parent().pk == association_a.home_page.pk
    assert Page.objects.get(pk=campaign.pk).get_parent().pk == support.pk
    # next to Actualités (no position: last sibling) is reordering the menu, which stays allowed
    response = _api_action(client_a, support, "move", {"destination_page_id": news.pk})
    assert response.status_code == 200
    assert [p.slug for p in association_a.home_page.get_children()][-1] == "nous-aider"


@pytest.mark.parametrize("slug", SECTIONS)
def test_the_admin_api_refuses_to_copy_a_section(client_a, association_a, slug):
    page = _page(association_a, slug)
    count = Page.objects.count()
    response = _api_action(client_a, page, "copy", {"slug": f"{slug}-2"})
    assert response.status_code == 403
    assert "ne peuvent pas être copiées" in response.json()["message"]
    assert Page.objects.count() == count


def test_staff_cannot_delete_or_unpublish_a_section_through_the_api_either(staff_client, association_a):
    projects = _page(association_a, "nos-projets")
    assert _api_action(staff_client, projects, "delete").status_code == 403
    assert _api_action(staff_client, projects, "unpublish").status_code == 403
    projects.refresh_from_db()
    assert projects.live


def test_the_admin_api_refuses_to_move_a_post_to_another_association(client_a, association_a, association_b):
    news_a = _page(association_a, "actualites")
    post = NewsPostPage(title="Article de A")
    news_a.add_child(instance=post)
    news_b = _page(association_b, "actualites")
    response = _api_action(client_a, post, "move", {"destination_page_id": news_b.pk})
    assert response.status_code in (403, 404)
    post.refresh_from_db()
    assert post.get_parent().pk == news_a.pk


def _bulk(client, action, pages, data=None):
    ids = "&".join(f"id={page.pk}" for page in pages)
    return client.post(f"/admin/bulk/wagtailcore/page/{action}/?{ids}", data or {})


def test_bulk_delete_and_unpublish_leave_the_four_pages_alone(client_a, association_a):
    pages = [_page(association_a, slug) for slug in SECTIONS]
    for action in ("delete", "unpublish"):
        response = _bulk(client_a, action, pages)
        assert response.status_code in (200, 302, 403)
    assert Page.objects.filter(pk__in=[p.pk for p in pages], live=True).count() == 3


def test_bulk_move_leaves_the_four_pages_alone(client_a, association_a):
    support = _page(association_a, "nous-aider")
    news = _page(association_a, "actualites")
    response = _bulk(client_a, "move", [support], {"chooser": news.pk})
    assert response.status_code in (200, 302, 403)
    assert Page.objects.get(pk=support.pk).get_parent().pk == association_a.home_page.pk


@pytest.mark.parametrize("slug", SECTIONS)
def test_the_unpublish_view_refuses_a_section_in_french(client_a, association_a, slug):
    page = _page(association_a, slug)
    for method in (client_a.get, client_a.post):
        response = method(f"/admin/pages/{page.pk}/unpublish/")
        assert response.status_code == 403
        assert "ne peuvent pas être dépubliées" in response.content.decode()
        assert "menu" in response.content.decode()  # says what to do instead: hide it from the menu
    assert Page.objects.get(pk=page.pk).live


def test_the_move_view_refuses_a_section_in_french(client_a, association_a):
    support = _page(association_a, "nous-aider")
    news = _page(association_a, "actualites")
    assert "ne peuvent pas être déplacées" in client_a.get(f"/admin/pages/{support.pk}/move/").content.decode()
    response = client_a.post(f"/admin/pages/{support.pk}/move/{news.pk}/confirm/")
    assert response.status_code == 403
    assert Page.objects.get(pk=support.pk).get_parent().pk == association_a.home_page.pk


def test_the_editor_offers_no_delete_move_or_unpublish_for_a_section(client_a, editor_a, association_a):
    support = _page(association_a, "nous-aider")
    tester = support.permissions_for_user(editor_a)
    assert not tester.can_delete()
    assert not tester.can_move()
    assert not tester.can_unpublish()
    assert not tester.can_copy()
    assert tester.can_edit() and tester.can_publish()
    body = client_a.get(f"/admin/pages/{support.pk}/edit/").content.decode()
    assert f"/admin/pages/{support.pk}/unpublish/" not in body
    assert f"/admin/pages/{support.pk}/delete/" not in body


def test_news_posts_can_still_be_unpublished_moved_and_deleted(client_a, association_a):
    news = _page(association_a, "actualites")
    first = NewsPostPage(title="Premier article", slug="premier")
    second = NewsPostPage(title="Second article", slug="second")
    news.add_child(instance=first)
    news.add_child(instance=second)
    response = _api_action(client_a, first, "unpublish")
    assert response.status_code == 200, response.content
    assert not Page.objects.get(pk=first.pk).live
    response = _api_action(client_a, second, "move", {"destination_page_id": first.pk, "position": "left"})
    assert response.status_code == 200, response.content
    assert [p.slug for p in news.get_children()] == ["second", "premier"]
    response = _api_action(client_a, first, "delete")
    assert response.status_code == 204
    assert not Page.objects.filter(pk=first.pk).exists()
    response = client_a.post(f"/admin/pages/{second.pk}/unpublish/")
    assert response.status_code == 302
    assert not Page.objects.get(pk=second.pk).live
    response = client_a.post(f"/admin/pages/{second.pk}/delete/")
    assert response.status_code == 302
    assert not Page.objects.filter(pk=second.pk).exists()


def test_a_section_cannot_be_scheduled_to_expire(client_a, association_a):
    """An expiry date would unpublish the section later (publish_scheduled): the same 404 in the menu."""
    projects = _page(association_a, "nos-projets")
    response = client_a.post(
        f"/admin/pages/{projects.pk}/edit/",
        {
            "title": "Nos projets",
            "slug": "nos-projets",
            "introduction": EMPTY_RICH_TEXT,
            "body-count": "0",
            "expire_at": "2030-01-01 10:00",
            "show_in_menus": "",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 400
    assert "ne peuvent pas avoir de date" in response.content.decode()
    projects.refresh_from_db()
    assert projects.live and projects.expire_at is None
    assert not projects.get_latest_revision() or not projects.get_latest_revision().content.get("expire_at")


def test_a_section_can_be_hidden_from_the_menu(client_a, association_a):
    projects = _page(association_a, "nos-projets")
    response = client_a.post(
        f"/admin/pages/{projects.pk}/edit/",
        {
            "title": "Nos projets",
            "slug": "nos-projets",
            "introduction": EMPTY_RICH_TEXT,
            "body-count": "0",
            "show_in_menus": "",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    projects.refresh_from_db()
    assert projects.live and not projects.show_in_menus
