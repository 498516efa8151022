"""Public pages served from the cache, purged when their association publishes or changes.

Only what is the same for every visitor is cached: anonymous GETs (no session or CSRF cookie),
HTML answers 200 that set no cookie and are not private (a page with a form sets the CSRF
cookie, so campaign pages and their progress are always fresh; a restricted page is private),
under /association/ and the platform home. Each association has its own version number in the
cache key: publishing a page, changing a page's privacy or editing the association record bumps
that number, and every cached page of that association is gone at once (stale keys simply expire).

The same answers are also marked for the front proxy or CDN (``Cache-Control: public,
s-maxage``, ``Vary: Cookie``; everything else ``private``), and the same events purge them there:
each purge sends ``pages_purged`` once committed, and the associations app turns it into the
URLs Wagtail's ``frontend_cache`` purges (associations/edge_purge.py). A payment no longer purges
anything: campaign progress is a small feed the pages refresh (campagnes/progress_feed.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

if TYPE_CHECKING:  # annotations only
    from wagtail.models import Page, PageViewRestriction

PLATFORM = "plateforme"
CACHED_PREFIXES = ("/association/",)
CACHED_PATHS = ("/",)
HEADER = "X-Kollektif-Cache"

# Sent with ``scope`` (an association's slug, or PLATFORM) once that scope's pages are stale,
# after the commit: a higher app purges the matching URLs from the front proxy or CDN.
pages_purged = Signal()


def _scope(path: str) -> str:
    """The association slug of /association/<slug>/…, or the platform."""
    parts = path.split("/")
    if path.startswith("/association/") and len(parts) > 3 and parts[2]:
        return parts[2]
    return PLATFORM


def _version(scope: str) -> int:
    return cache.get(f"page-version:{scope}") or 0


def purge(scope: str) -> None:
    """Every cached page of this association (or of the platform) becomes stale at once."""
    cache.set(f"page-version:{scope}", time.time_ns(), None)
    pages_purged.send(sender=PublicPageCacheMiddleware, scope=scope)


def purge_association(slug: str) -> None:
    purge(slug)
    purge(PLATFORM)  # the home page and /association/ list associations


def purge_after_commit(slug: str | None) -> None:
    """What services and hooks call: the purge happens once the change is visible to readers
    (an association's pages when ``slug`` is given, otherwise the platform's)."""
    transaction.on_commit(lambda: purge_association(slug) if slug else purge(PLATFORM))


def purge_page_after_commit(page: Page) -> None:
    """The pages of the association `page` belongs to (or the platform's) become stale."""
    association = getattr(page.specific_deferred, "association", None)
    purge_after_commit(association.slug if association is not None else None)


def purge_after_view_restriction_change(sender: type, instance: PageViewRestriction, **kwargs: object) -> None:
    """A page made private (password, login, groups) or public again: its cached copy, and those
    of its descendants, which inherit the restriction, must go. Connected to the restriction's
    save and delete (kernel/apps.py): the admin's privacy dialog fires no Wagtail hook.
    Restricted pages themselves are never stored: Wagtail answers them `Cache-Control: private`
    (or `no-cache` for the password form), which `_cacheable_response` refuses."""
    try:
        page = instance.page
    except ObjectDoesNotExist:  # the page itself is being deleted: its own hook purges
        return
    purge_page_after_commit(page)


def _cacheable_request(request: HttpRequest) -> bool:
    """The same answer for every visitor: anonymous GET of a public page, no search."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.COOKIES.get(settings.CSRF_COOKIE_NAME):
        return False
    if set(request.GET) - {"page"}:
        return False  # searches and filters: too many combinations to be worth keeping
    return request.path in CACHED_PATHS or request.path.startswith(CACHED_PREFIXES)


def _cacheable_response(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
    )


def mark_public(response: HttpResponse) -> None:
    """A page every anonymous visitor gets alike: a shared cache (Varnish, a CDN) may keep it
    ``KOLLEKTIF_EDGE_CACHE_SECONDS`` (purged on change, so this is only the safety net) and serve
    it a little stale while it fetches a fresh copy; a browser only ``KOLLEKTIF_BROWSER_CACHE_SECONDS``,
    since no purge reaches browsers. ``Vary: Cookie``: a cache that keys on cookies never gives
    this copy to a visitor who has a session (the proxy configuration of docs/deploy.md goes
    further: it passes any request with a session or CSRF cookie straight to the application)."""
    seconds = settings.KOLLEKTIF_EDGE_CACHE_SECONDS
    if seconds <= 0:
        return
    patch_cache_control(
        response,
        public=True,
        max_age=min(settings.KOLLEKTIF_BROWSER_CACHE_SECONDS, seconds),
        s_maxage=seconds,
        stale_while_revalidate=settings.KOLLEKTIF_EDGE_STALE_SECONDS,
    )
    patch_vary_headers(response, ("Cookie",))


def mark_private(response: HttpResponse) -> None:
    """Everything else stays out of shared caches. Views that chose a policy keep it (a
    ``never_cache`` view, Wagtail's ``private`` for restricted pages, the map's ``public`` JSON);
    without this, a proxy's default rules could keep a cookie-less answer (a search, a 404)."""
    if "Cache-Control" not in response:
        response["Cache-Control"] = "private"


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            response = self.get_response(request)
            mark_private(response)
            return response
        stored_seconds = settings.KOLLEKTIF_PAGE_CACHE_SECONDS
        key = stored = None
        if stored_seconds > 0:
            scope = _scope(request.path)
            key = f"page:{scope}:{_version(scope)}:{request.get_host()}:{request.get_full_path()}"
            stored = cache.get(key)
        if stored is not None:
            response = HttpResponse(stored["content"], content_type=stored["content_type"])
            for name, value in stored["headers"].items():
                response[name] = value
            if "Cache-Control" not in response:
                mark_public(response)  # a copy stored before the proxy headers existed
            response[HEADER] = "hit"
            return response
        response = self.get_response(request)
        if not _cacheable_response(response):
            mark_private(response)
            return response
        mark_public(response)
        if stored_seconds > 0:
            headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in ("content-type", "content-length", "set-cookie")
            }
            cache.set(
                key,
                {"content": response.content, "content_type": response["Content-Type"], "headers": headers},
                stored_seconds,
            )
            response[HEADER] = "miss"
        return response
