"""Purging an association's public pages from the front proxy or CDN, on every host that serves them.

kernel/page_cache.py decides *when* pages are stale (publish, unpublish, a privacy change, the
record edited) and says so with ``pages_purged`` once the change is committed; this module knows
*which* URLs that means, because only the associations app knows an association's pages and its
own domain. The URLs go to Wagtail's ``frontend_cache`` (``PurgeBatch``: one task for the lot,
sent to every backend of ``WAGTAILFRONTENDCACHE``: Varnish/nginx PURGE, Cloudflare, CloudFront).

An association's page is served twice: under the platform (``https://kollektif.org/association/
<slug>/…``) and, when it has one, on its own domain (``https://www.popeline-atelier.fr/…``). Both
are Wagtail ``Site`` roots, so the URLs come from ``Site.get_site_root_paths()`` as Wagtail builds
its own: every site whose root holds the page gives one URL. Every page under the Accueil is
purged, live or not (a page just unpublished or made private must leave the proxy too); the
header, menus and colours of all of them show the record. The platform's cached pages (its home
and the ``/association/`` index, which list associations) are purged with them, as in the page
cache. Paginated variants (``?page=2``) are the proxy's business: the Varnish configuration of
docs/deploy.md treats a PURGE of a path as a ban of that path with any query string.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site

from associations.models import Association
from kernel.page_cache import PLATFORM

# The platform pages the page cache keeps (kernel.page_cache.CACHED_PATHS and the index).
PLATFORM_PATHS = ("/", "/association/")


def urls_for_paths(url_paths: list[str]) -> list[str]:
    """Every public URL of these Wagtail ``url_path`` values, one per site whose root holds them."""
    roots = Site.get_site_root_paths()
    urls = []
    for url_path in url_paths:
        for root in roots:
            if url_path.startswith(root.root_path):
                urls.append(root.root_url.rstrip("/") + "/" + url_path[len(root.root_path) :])
    return urls


def association_urls(association: Association) -> list[str]:
    """The URLs of every page of the association, on the platform and on its own domain."""
    if association.home_page_id is None:
        return []
    paths = list(Page.objects.descendant_of(association.home_page, inclusive=True).values_list("url_path", flat=True))
    return urls_for_paths(paths)


def platform_urls() -> list[str]:
    """The platform's home and association index, on the platform's host."""
    default = Site.objects.filter(is_default_site=True).first()
    if default is None:
        return []
    origin = default.root_url.rstrip("/")
    return [origin + path for path in PLATFORM_PATHS]


def purge_edge(sender: Any, scope: str, **kwargs: Any) -> None:
    """Receiver of ``kernel.page_cache.pages_purged`` (connected in AssociationsConfig.ready)."""
    if not settings.WAGTAILFRONTENDCACHE:
        return  # no proxy or CDN to tell: no query either
    if scope == PLATFORM:
        urls = platform_urls()
    else:
        association = Association.objects.filter(slug=scope).select_related("home_page").first()
        urls = association_urls(association) if association is not None else []
    if urls:
        PurgeBatch(urls).purge()
