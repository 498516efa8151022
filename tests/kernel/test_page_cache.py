"""Public pages come from the cache, and are fresh again as soon as their association changes."""

from __future__ import annotations

import pytest
from django.test import Client

from associations import services as association_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.KOLLEKTIF_PAGE_CACHE_SECONDS = 300


def _get(path: str, client: Client | None = None):
    return (client or Client()).get(path)


def test_an_association_page_is_served_from_the_cache_without_sql(association_a, django_assert_num_queries):
    first = _get("/association/popeline/")
    assert first.status_code == 200 and first["X-Kollektif-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = _get("/association/popeline/")
    assert second["X-Kollektif-Cache"] == "hit" and second.content == first.content
    assert second["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in second  # security headers are added to cached pages too


def test_publishing_a_page_in_the_admin_purges_the_association(
    client_a, association_a, django_capture_on_commit_callbacks
):
    assert _get("/association/popeline/nos-projets/")["X-Kollektif-Cache"] == "miss"
    assert _get("/association/popeline/nos-projets/")["X-Kollektif-Cache"] == "hit"
    projects = association_a.home_page.get_children().get(slug="nos-projets").specific
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            f"/admin/pages/{projects.pk}/edit/",
            {
                "title": "Nos projets de l'année",
                "slug": "nos-projets",
                "body-count": "0",
                "action-publish": "publish",
            },
        )
    assert response.status_code == 302, response.content.decode()[:1500]
    fresh = _get("/association/popeline/nos-projets/")
    assert fresh["X-Kollektif-Cache"] == "miss" and "Nos projets de l&#x27;année" in fresh.content.decode()


def test_editing_the_record_or_suspending_purges_its_pages(
    association_a, staff_user, django_capture_on_commit_callbacks
):
    assert _get("/association/popeline/")["X-Kollektif-Cache"] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        association_services.association_suspend(association=association_a, suspended_by=staff_user)
    assert _get("/association/popeline/").status_code == 404


def test_a_payment_leaves_the_pages_cached_their_progress_comes_from_the_feed(
    association_a, django_capture_on_commit_callbacks
):
    """During a donation rush the association's pages stay cached (issue #16, item 4): the
    progress bars refresh from campagnes/progress_feed.py (tests/site_kollektif/test_edge_cache.py)."""
    from campagnes.models import DonationCampaignPage
    from tests.receipts.conftest import pay

    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine", slug="machine", goal="100")
    support.add_child(instance=campaign)
    assert _get("/association/popeline/nous-aider/")["X-Kollektif-Cache"] == "miss"
    assert _get("/association/popeline/nous-aider/")["X-Kollektif-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        pay(campaign, amount_cents=5000)
    assert _get("/association/popeline/nous-aider/")["X-Kollektif-Cache"] == "hit"


def test_forms_searches_and_signed_in_visitors_are_never_cached(association_a, client_a):
    from campagnes.models import DonationCampaignPage

    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine", slug="machine", goal="100")
    support.add_child(instance=campaign)
    form_page = _get(campaign.url)
    assert form_page.status_code == 200 and "X-Kollektif-Cache" not in form_page  # it sets the CSRF cookie
    assert "X-Kollektif-Cache" not in _get("/association/?q=couture")
    assert "X-Kollektif-Cache" not in client_a.get("/association/popeline/")


def _set_privacy(client, page, **data):
    with_commit = client.post(f"/admin/pages/{page.pk}/privacy/", data)
    assert with_commit.status_code == 200 and "set_privacy_done" in with_commit.content.decode()


def test_a_page_made_private_in_the_admin_is_no_longer_served_from_the_cache(
    client_a, association_a, django_capture_on_commit_callbacks
):
    projects = association_a.home_page.get_children().get(slug="nos-projets").specific
    assert _get("/association/popeline/nos-projets/")["X-Kollektif-Cache"] == "miss"
    assert _get("/association/popeline/nos-projets/")["X-Kollektif-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        _set_privacy(client_a, projects, restriction_type="password", password="atelier2026")
    response = _get("/association/popeline/nos-projets/")
    assert response.status_code == 200 and "X-Kollektif-Cache" not in response
    assert 'name="password"' in response.content.decode()  # the password form, not the cached page
    assert 'name="password"' in _get("/association/popeline/nos-projets/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        _set_privacy(client_a, projects, restriction_type="none")
    assert _get("/association/popeline/nos-projets/")["X-Kollektif-Cache"] == "miss"


def test_a_restricted_page_is_never_stored_even_when_served(association_a):
    """Whatever carries the visitor's right to see it, restricted content stays out of the shared
    cache (here a session given without a cookie, which the cache cannot see): Wagtail marks it
    private, and the cache keeps nothing private."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory
    from wagtail.models import PageViewRestriction
    from wagtail.views import serve

    from kernel.page_cache import PublicPageCacheMiddleware

    projects = association_a.home_page.get_children().get(slug="nos-projets")
    restriction = PageViewRestriction.objects.create(
        page=projects, restriction_type=PageViewRestriction.PASSWORD, password="atelier2026"
    )

    def serve_with_passed_restriction(request):
        request.session = SessionStore()
        request.session[restriction.passed_view_restrictions_session_key] = [restriction.pk]
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        return serve(request, "association/popeline/nos-projets/").render()

    middleware = PublicPageCacheMiddleware(serve_with_passed_restriction)
    request = RequestFactory().get("/association/popeline/nos-projets/")
    first = middleware(request)
    assert first.status_code == 200 and 'name="password"' not in first.content.decode()
    assert "X-Kollektif-Cache" not in first
    anonymous = Client().get("/association/popeline/nos-projets/")
    assert 'name="password"' in anonymous.content.decode()
