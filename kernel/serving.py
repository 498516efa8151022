"""Serving a Wagtail page in a fixed, small number of queries, whatever the depth of the tree.

Wagtail's own serving (``wagtail.views.serve``) costs, before the page's own queries: the Site
row of the host, the specific row of the site's root page, then for each URL segment a child
lookup and its specific row, and for the view restrictions the ancestors again plus the
restrictions. For /association/<slug>/actualites/ that is 11 queries. Here:

- the Site rows live in the shared cache (dropped whenever a Site is saved or deleted, and by
  ``associations.domains.forget_sites``) and are matched to the host with the rules of
  ``wagtail.models.sites.get_site_for_hostname``: no query;
- the route is one query on ``url_path`` (indexed by the migration
  ``associations.0013_qry_page_url_path_index``): every page whose URL path is a prefix of the
  requested one, i.e. the page and all its ancestors, comes back at once. The tree is walked in
  memory with the rules of ``Page.route`` and ``RoutablePageMixin.route``, then the page's
  specific row is read: two queries;
- the view restrictions come with those ancestors (an EXISTS per row): no query for a public
  page, one for a private one, instead of two;
- a page class may name the relations its template always shows in ``serving_select_related``
  (a cover image…): they are joined to its specific row.

Wherever this would not be sure to give Wagtail's answer (an alias on the route, a page type
with a route of its own, a URL that matches no page, rows that do not form one branch of the
tree), it steps aside and Wagtail routes the request itself, so behaviour stays Wagtail's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import router, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.url_routing import RouteResult

SITES_CACHE_KEY = "kollektif:wagtail-sites"
SITES_CACHE_SECONDS = 300
SITE_FIELDS = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")

# get_site_for_hostname's ranking: exact host and port, host of the default site, the default
# site for another host, another port of the host.
MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT, MATCH_DEFAULT, MATCH_HOSTNAME = range(4)


# -- Sites --------------------------------------------------------------------------------------
def _site_rows() -> list[tuple]:
    rows = cache.get(SITES_CACHE_KEY)
    if rows is None:
        rows = list(Site.objects.order_by("pk").values_list(*SITE_FIELDS))
        cache.set(SITES_CACHE_KEY, rows, SITES_CACHE_SECONDS)
    return rows


def forget_sites_cache() -> None:
    """Now, and once the transaction commits (another process may refill the cache from the old
    rows in between). Connected to Site's post_save and post_delete (kernel/apps.py)."""
    cache.delete(SITES_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SITES_CACHE_KEY))


def forget_sites_on_change(sender: type, **kwargs: Any) -> None:
    forget_sites_cache()


def site_for_host(hostname: str, port: int | str) -> Site | None:
    """The Site Wagtail would choose for this host and port (``get_site_for_hostname``), read
    from the cached rows."""
    port = int(port) if str(port).isdigit() else port

    def rank(row: tuple) -> int:
        _pk, row_hostname, row_port, _name, _root, is_default = row
        if row_hostname == hostname and row_port == port:
            return MATCH_HOSTNAME_PORT
        if row_hostname == hostname and is_default:
            return MATCH_HOSTNAME_DEFAULT
        return MATCH_DEFAULT if is_default else MATCH_HOSTNAME

    candidates = sorted((row for row in _site_rows() if row[1] == hostname or row[5]), key=rank)
    if not candidates:
        return None
    if len(candidates) == 1 or rank(candidates[0]) in (MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT):
        chosen = candidates[0]
    elif rank(candidates[0]) == MATCH_DEFAULT:
        chosen = candidates[len(candidates) == 2]  # a single other host name beats the default
    else:
        return None
    return Site.from_db(router.db_for_read(Site), SITE_FIELDS, chosen)


class CachedSiteMiddleware:
    """Gives the request its Wagtail Site from the shared cache: ``Site.find_for_request`` (the
    router, ``pageurl``, ``platform_links``, the sitemap…) then sends no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state: Any = request  # Wagtail's private attributes of the request
        if not hasattr(state, "_wagtail_site"):
            hostname = split_domain_port(state._get_raw_host())[0]
            state._wagtail_site = site_for_host(hostname, request.get_port())
        return self.get_response(request)


# -- Route --------------------------------------------------------------------------------------
class _StepAside(Exception):
    """Wagtail's own route must answer this request."""


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """``wagtail.views.serve`` with the route resolved here first (Wagtail reads it back from
    ``request._wagtail_route_for_request``); mounted under Wagtail's URL name ``wagtail_serve``."""
    state: Any = request  # Wagtail reads its private attribute back
    if not hasattr(state, "_wagtail_route_for_request"):
        try:
            state._wagtail_route_for_request = route_for_request(request, path)
        except _StepAside:
            pass
    return wagtail_views.serve(request, path)


def route_for_request(request: HttpRequest, path: str) -> RouteResult | None:
    """The page, args and kwargs Wagtail's ``Page.route_for_request`` would give (None: 404),
    or ``_StepAside``."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    state: Any = request
    try:  # cached on the request under the name Page._get_site_root_paths uses (pageurl reads it)
        root_paths = state._wagtail_cached_site_root_paths
    except AttributeError:
        root_paths = state._wagtail_cached_site_root_paths = Site.get_site_root_paths()
    root_url_path = next((srp.root_path for srp in root_paths if srp.site_id == site.pk), None)
    if root_url_path is None:
        raise _StepAside
    components = [component for component in path.split("/") if component]
    target = root_url_path + "".join(f"{component}/" for component in components)
    prefixes = ["/"]
    for part in target.strip("/").split("/"):
        if part:
            prefixes.append(f"{prefixes[-1]}{part}/")
    restricted = PageViewRestriction.objects.filter(page_id=OuterRef("pk"))
    rows = list(
        Page.objects.filter(url_path__in=prefixes).annotate(has_view_restriction=Exists(restricted)).order_by("depth")
    )
    chain = _branch(rows, prefixes)
    root_index = prefixes.index(root_url_path)
    root = chain[root_index]
    if root is None or root.pk != site.root_page_id:
        raise _StepAside
    return _walk(request, chain, root_index, components)


def _branch(rows: list[Page], prefixes: list[str]) -> list[Page | None]:
    """The rows in URL order, checked to form one branch of the tree from the root (depth 1)
    down; None from the first missing one on."""
    by_url = {}
    for page in rows:
        if page.url_path in by_url or page.alias_of_id is not None:
            raise _StepAside  # two pages on one URL path (Wagtail would fail), or an alias
        by_url[page.url_path] = page
    chain: list[Page | None] = []
    parent = None
    for prefix in prefixes:
        page = by_url.get(prefix) if (parent is not None or not chain) else None
        if page is not None:
            expected_depth = 1 if parent is None else parent.depth + 1
            if page.depth != expected_depth or (parent is not None and not page.path.startswith(parent.path)):
                raise _StepAside
            if parent is not None:
                page._cached_parent_obj = parent  # as Page.route does: get_parent() sends no query
        chain.append(page)
        parent = page
    return chain


def _walk(request: HttpRequest, chain: list[Page | None], index: int, components: list[str]) -> RouteResult | None:
    root_index = index
    while True:
        page = chain[index]
        if page is None:  # _branch stops at the first missing page; never the root (checked)
            raise _StepAside
        remaining = components[index - root_index :]
        page_class = page.specific_class
        if page_class is None:
            raise _StepAside
        own_route = page_class.route
        if own_route is RoutablePageMixin.route:
            if page.live and _routable_path_resolves(page_class, remaining):
                return _delegate(request, page, chain[: index + 1], remaining)
        elif own_route is not Page.route:
            return _delegate(request, page, chain[: index + 1], remaining)
        if not remaining:
            if not page.live:
                return None  # Page.route raises Http404
            specific = _specific(page)
            _reuse_ancestors_for_view_restrictions(specific, chain[: index + 1])
            return RouteResult(specific)
        if index + 1 >= len(chain) or chain[index + 1] is None:
            raise _StepAside  # no page there: Wagtail answers (a 404 in every known case)
        index += 1


def _routable_path_resolves(page_class: Any, remaining: list[str]) -> bool:
    try:
        page_class.get_resolver().resolve("/" + "".join(f"{component}/" for component in remaining))
    except Http404:  # Resolver404 included
        return False
    return True


def _delegate(request: HttpRequest, page: Page, branch: list[Page | None], remaining: list[str]) -> RouteResult | None:
    """The page routes itself (RoutablePageMixin's sub-URLs, a custom route): its own method,
    called on its specific instance as Wagtail does. ``branch``: the root down to ``page``."""
    specific = _specific(page)
    try:
        result = specific.route(request, remaining)
    except Http404:
        return None
    if result is not None and result[0] is specific:
        _reuse_ancestors_for_view_restrictions(specific, branch)
    return result


def _specific(page: Page) -> Page:
    """``page.specific``, with the relations its template always shows joined in the same query
    (``serving_select_related`` on the page class, e.g. the cover image)."""
    page_class = page.specific_class
    related = getattr(page_class, "serving_select_related", ())
    if not related:
        return page.specific
    specific = page_class._default_manager.select_related(*related).get(pk=page.pk)
    for name, value in page.__dict__.items():  # what get_specific() copies: parent, annotations
        specific.__dict__.setdefault(name, value)
    return specific


def _reuse_ancestors_for_view_restrictions(page: Page, branch: list[Page | None]) -> None:
    """``Page.get_view_restrictions`` reads the ancestors and then their restrictions; the route
    query already read the ancestors (from the tree's root, none of them an alias: ``_branch``
    checked) and whether each has a restriction. Restrictions are read only where there are."""
    restricted_ids = [ancestor.pk for ancestor in branch if ancestor is not None and ancestor.has_view_restriction]

    def get_view_restrictions() -> QuerySet[PageViewRestriction]:
        if not restricted_ids:
            return PageViewRestriction.objects.none()
        return PageViewRestriction.objects.filter(page_id__in=restricted_ids)

    page.get_view_restrictions = get_view_restrictions
