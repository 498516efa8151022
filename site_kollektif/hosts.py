"""The platform's host names and the associations' own domains.

- ``AllowedHosts``: ``settings.ALLOWED_HOSTS`` as written in the environment, plus the domains
  of active associations (the Wagtail Site table, kept in the shared cache). Django's own host
  check (``HttpRequest.get_host``) iterates over it, so an unknown host still answers 400 and a
  domain set in the admin is accepted by every process at once, without a redeploy.
- ``tls_ask``: Caddy's on-demand TLS asks ``/_tls/ask?domain=…`` before getting a certificate
  (docs/deploy.md); answered by ``CustomDomainMiddleware``, first in the chain, whatever the Host.
- ``sync_default_site``: the default Wagtail Site carries ``KOLLEKTIF_BASE_URL``'s host, port and
  scheme (run after every ``migrate``), so full URLs (e-mails, sitemap.xml) name the platform.
- ``platform_links``: templates prefix the platform's own pages with ``platform_url`` (empty on
  the platform, its origin on an association's domain, where / is the association's Accueil).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


class AllowedHosts(list):
    """A list of host patterns that also yields, after them, the domains of active associations.

    Django's ``validate_host`` stops at the first match: the platform's own hosts never reach
    the cache; any other host costs one cache read (the served domains, associations/domains.py).
    """

    def __iter__(self):
        yield from super().__iter__()
        from django.apps import apps

        if not apps.ready:
            return
        from associations.domains import served_domains

        yield from sorted(served_domains())


TLS_ASK_PATH = "/_tls/ask"


class CustomDomainMiddleware:
    """First in MIDDLEWARE (so last to see the response):

    - answers Caddy's ``/_tls/ask``, asked from the machine itself (``http://127.0.0.1:8000``):
      a host and a scheme the platform would otherwise refuse (400) or redirect to https (301);
    - on an association's own domain, keeps HSTS to that host name only: ``includeSubDomains``
      and ``preload`` would also force https on the association's other sub-domains (its
      webmail, an old site), which Kollektif does not serve.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == TLS_ASK_PATH:
            return tls_ask(request)
        response = self.get_response(request)
        if "Strict-Transport-Security" in response:
            from django.conf import settings

            from associations.domains import platform_host

            host = split_domain_port(request._get_raw_host())[0]
            if host and host != platform_host() and host not in set(list.__iter__(settings.ALLOWED_HOSTS)):
                response["Strict-Transport-Security"] = f"max-age={settings.SECURE_HSTS_SECONDS}"
        return response


@never_cache
@require_GET
def tls_ask(request: HttpRequest) -> HttpResponse:
    """200 if Kollektif serves this domain (an active association's, or the platform's), else 404.

    Caddy calls ``/_tls/ask?domain=<host>`` before asking Let's Encrypt for a certificate: nobody
    can make the server request certificates for names that are not ours."""
    from associations.domains import is_served_domain, platform_host

    domain = (request.GET.get("domain") or "").strip().lower()
    if domain and (domain == platform_host() or is_served_domain(domain)):
        return HttpResponse("ok", content_type="text/plain")
    return HttpResponse("inconnu", content_type="text/plain", status=404)


def sync_default_site(**kwargs) -> None:
    """Give the default Wagtail Site the host and port of ``KOLLEKTIF_BASE_URL``, and the
    associations' Sites the platform's scheme. Idempotent; connected to ``post_migrate``."""
    from django.conf import settings
    from wagtail.models import Site

    from associations.domains import forget_sites, site_port

    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    hostname = (parts.hostname or "").lower()
    if not hostname:
        return
    port = site_port()
    changed = False
    default = Site.objects.filter(is_default_site=True).first()
    if default is not None and (default.hostname, default.port) != (hostname, port):
        if not Site.objects.filter(hostname=hostname, port=port).exclude(pk=default.pk).exists():
            default.hostname, default.port = hostname, port
            default.save(update_fields=["hostname", "port"])
            changed = True
    # custom domains follow the platform's scheme (443 for https, 80 for http, the demo's port)
    changed |= bool(Site.objects.filter(is_default_site=False).exclude(port=port).update(port=port))
    if changed:
        forget_sites()


def platform_links(request: HttpRequest) -> dict:
    """``platform_url``: what goes before /mentions-legales/, /annuaire/… in a template. Empty on
    the platform's own host; on an association's domain, the platform's origin."""
    from django.conf import settings
    from django.utils.functional import SimpleLazyObject
    from wagtail.models import Site

    origin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")

    def _platform_url() -> str:  # read only by templates that use it: no query on other pages
        site = Site.find_for_request(request) if request is not None else None
        return origin if site is not None and not site.is_default_site else ""

    return {"platform_url": SimpleLazyObject(_platform_url)}
