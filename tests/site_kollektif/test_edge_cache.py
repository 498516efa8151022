"""Public pages cached by the front proxy (Varnish, a CDN) and purged there when they change.

A real HTTP server stands in for Varnish and records the PURGE requests that Wagtail's
``frontend_cache`` (HTTP backend) sends it: what the proxy would be told, host by host. Popeline
is served on the platform (https://kollektif.test/association/popeline/…) and on its own domain
(https://www.popeline-atelier.fr/…): both must be purged.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from associations import services as association_services
from site_kollektif.hosts import AllowedHosts, sync_default_site

pytestmark = pytest.mark.django_db

PLATFORM = "kollektif.test"
DOMAIN = "www.popeline-atelier.fr"


class _PurgeRecorder(BaseHTTPRequestHandler):
    received: list[tuple[str, str]]

    def do_PURGE(self) -> None:  # noqa: N802 - the HTTP method's name
        self.server.received.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def proxy(settings):
    """A PURGE-receiving server, configured as the frontend cache, and the caches switched on."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PurgeRecorder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    settings.KOLLEKTIF_PAGE_CACHE_SECONDS = 300
    settings.KOLLEKTIF_EDGE_CACHE_SECONDS = 300
    settings.KOLLEKTIF_BROWSER_CACHE_SECONDS = 60
    settings.KOLLEKTIF_EDGE_STALE_SECONDS = 30
    settings.WAGTAILADMIN_BASE_URL = f"https://{PLATFORM}"
    settings.ALLOWED_HOSTS = AllowedHosts([PLATFORM, "testserver"])
    sync_default_site()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def popeline(association_a, proxy, django_capture_on_commit_callbacks):
    """Popeline with its own domain, and the purges of that set-up forgotten."""
    association_a.custom_domain = DOMAIN
    association_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        association_services.association_sync_site(association=association_a)
    proxy.received.clear()
    return association_a


def _get(path: str, client: Client | None = None, host: str = PLATFORM):
    return (client or Client()).get(path, HTTP_HOST=host)


def _purged(proxy) -> set[tuple[str, str]]:
    return set(proxy.received)


def test_an_anonymous_public_page_is_for_the_proxy_a_signed_in_one_is_not(popeline, client_a):
    first = _get("/association/popeline/")
    assert first.status_code == 200
    control = {part.strip() for part in first["Cache-Control"].split(",")}
    assert {"public", "max-age=60", "s-maxage=300", "stale-while-revalidate=30"} <= control
    assert "Cookie" in first["Vary"]  # never served to a visitor who has a session
    again = _get("/association/popeline/")
    assert again["X-Kollektif-Cache"] == "hit" and again["Cache-Control"] == first["Cache-Control"]
    assert "Cookie" in again["Vary"]

    # the editor, signed in, sees the same page but no cache may keep their copy
    signed_in = client_a.get("/association/popeline/", HTTP_HOST=PLATFORM)
    assert signed_in.status_code == 200 and signed_in["Cache-Control"] == "private"
    # a search is not kept either (too many variants, and never purged)
    assert _get("/association/?q=couture")["Cache-Control"] == "private"


def test_a_page_with_a_form_is_never_public(popeline):
    from campagnes.models import DonationCampaignPage

    support = popeline.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine", slug="machine", goal="100")
    support.add_child(instance=campaign)
    form_page = _get("/association/popeline/nous-aider/machine/")
    assert form_page.status_code == 200 and "csrftoken" in form_page.cookies
    assert "public" not in form_page["Cache-Control"] and "private" in form_page["Cache-Control"]


def test_publishing_purges_the_association_on_both_hosts_and_the_platform_lists(
    popeline, proxy, client_a, django_capture_on_commit_callbacks
):
    projects = popeline.home_page.get_children().get(slug="nos-projets").specific
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            f"/admin/pages/{projects.pk}/edit/",
            {"title": "Nos projets 2026", "slug": "nos-projets", "body-count": "0", "action-publish": "publish"},
        )
    assert response.status_code == 302
    assert {
        (PLATFORM, "/association/popeline/nos-projets/"),
        (PLATFORM, "/association/popeline/"),
        (PLATFORM, "/association/popeline/actualites/"),
        (DOMAIN, "/nos-projets/"),
        (DOMAIN, "/"),
        (DOMAIN, "/actualites/"),
        (PLATFORM, "/"),
        (PLATFORM, "/association/"),
    } <= _purged(proxy)
    assert not any(path.startswith("/association/bookkafe") for _host, path in proxy.received)


def test_unpublishing_purges_the_page_that_left(popeline, proxy, client_a, django_capture_on_commit_callbacks):
    from associations.factories import NewsPostPageFactory

    news_index = popeline.home_page.get_children().get(slug="actualites")
    post = NewsPostPageFactory(parent=news_index, title="Atelier couture", slug="atelier-couture")
    assert _get("/association/popeline/actualites/atelier-couture/").status_code == 200
    proxy.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(f"/admin/pages/{post.pk}/unpublish/")
    assert response.status_code == 302, response.content.decode()[:500]
    assert {
        (PLATFORM, "/association/popeline/actualites/atelier-couture/"),
        (DOMAIN, "/actualites/atelier-couture/"),
        (PLATFORM, "/association/popeline/actualites/"),
    } <= _purged(proxy)
    assert _get("/association/popeline/actualites/atelier-couture/").status_code == 404


def test_making_a_page_private_purges_it_everywhere(popeline, proxy, client_a, django_capture_on_commit_callbacks):
    projects = popeline.home_page.get_children().get(slug="nos-projets")
    with django_capture_on_commit_callbacks(execute=True):
        done = client_a.post(
            f"/admin/pages/{projects.pk}/privacy/", {"restriction_type": "password", "password": "atelier2026"}
        )
    assert done.status_code == 200 and "set_privacy_done" in done.content.decode()
    assert {(PLATFORM, "/association/popeline/nos-projets/"), (DOMAIN, "/nos-projets/")} <= _purged(proxy)
    restricted = _get("/association/popeline/nos-projets/")
    assert 'name="password"' in restricted.content.decode() and "public" not in restricted["Cache-Control"]


def test_a_record_change_purges_every_page_of_the_association(
    popeline, proxy, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        association_services.association_suspend(association=popeline, suspended_by=staff_user)
    assert {(PLATFORM, "/association/popeline/"), (DOMAIN, "/"), (PLATFORM, "/association/")} <= _purged(proxy)


def test_a_payment_leaves_the_page_cached_and_the_progress_feed_shows_it(
    popeline, proxy, settings, django_capture_on_commit_callbacks
):
    from campagnes.models import DonationCampaignPage
    from tests.receipts.conftest import pay

    assert settings.KOLLEKTIF_PROGRESS_FEED_SECONDS == 5  # the default: a rush sees the gifts within seconds
    # Longer here, so that a slow machine paying for more than 5 s does not expire the feed mid-test.
    settings.KOLLEKTIF_PROGRESS_FEED_SECONDS = 300
    support = popeline.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine", slug="machine", goal="100")
    support.add_child(instance=campaign)
    page = _get("/association/popeline/nous-aider/")
    assert page["X-Kollektif-Cache"] == "miss"
    html = page.content.decode()
    feed_url = "/progression/popeline/"
    assert f'data-progress-feed="{feed_url}"' in html and f'data-progress-campaign="{campaign.pk}"' in html
    assert "progress-refresh.js" in html
    before = _get(feed_url)
    assert before.status_code == 200 and "0 contributeur" in before.json()["campaigns"][str(campaign.pk)]
    assert "s-maxage=300" in before["Cache-Control"] and "public" in before["Cache-Control"]

    proxy.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pay(campaign, amount_cents=5000)
    assert proxy.received == []  # nothing purged: the rush keeps its cached pages
    assert _get("/association/popeline/nous-aider/")["X-Kollektif-Cache"] == "hit"
    # within its lifetime the feed is one computation for every visitor…
    assert "0 contributeur" in _get(feed_url).json()["campaigns"][str(campaign.pk)]
    # …and then it shows the gift (the cached page's script swaps this block in)
    from django.core.cache import cache

    cache.delete("progress-feed:popeline")
    after = _get(feed_url).json()["campaigns"][str(campaign.pk)]
    assert "1 contributeur" in after and "50" in after and f'data-progress-campaign="{campaign.pk}"' in after


def test_the_progress_feed_of_an_unknown_or_suspended_association_is_404(popeline, staff_user):
    assert _get("/progression/personne/").status_code == 404
    association_services.association_suspend(association=popeline, suspended_by=staff_user)
    assert _get("/progression/popeline/").status_code == 404
