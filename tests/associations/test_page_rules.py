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
        {"title": "Fête de la couture", "slug": "fete-de-la-couture", "date": "2026-11-20", "introduction": "",
         "body-count": "0", "tags": "", "action-publish": "publish"},
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
    response = client_a.post(
        f"/admin/pages/{projects.pk}/set_position/?position=0"
    )
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
