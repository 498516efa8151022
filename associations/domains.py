"""An association's own domain: what a valid one is, which ones are served, and where its site lives.

The domain is stored on the record (``Association.custom_domain``) and mirrored as a Wagtail
``Site`` rooted at the association's Accueil (``services.association_sync_site``): Wagtail then
routes requests for that host to the association's pages and builds every page URL with it.

Every server process must see a domain as soon as it is saved: the Wagtail site root paths and
the list of served domains live in the shared cache (settings ``CACHES``), and both are dropped
once the change is committed (``forget_sites_after_commit``).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Site

from kernel.serving import forget_sites_cache

DOMAINS_CACHE_KEY = "kollektif:custom-domains"
DOMAINS_CACHE_SECONDS = 300
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def platform_origin() -> str:
    """The platform's own scheme and host (``KOLLEKTIF_BASE_URL``), without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def platform_host() -> str:
    return (urlsplit(platform_origin()).hostname or "").lower()


def site_port() -> int:
    """The port a Wagtail Site needs for its URLs to carry the platform's scheme: 443 gives
    https://domain, 80 http://domain; a non-standard port (the demo's 8000) is kept as is."""
    parts = urlsplit(platform_origin())
    if parts.port:
        return parts.port
    return 443 if parts.scheme == "https" else 80


def validate_custom_domain(value: str, *, typed: bool = False) -> str:
    """The domain as stored (IDN in punycode, no trailing dot), or a French ValidationError.

    Only a bare host name is accepted: what the visitor types after https:// and before the
    first slash. A scheme, a path, a port, capitals, an IP address or the platform's own host
    are refused with a message saying what to write instead. Capitals are refused where a person
    ``typed`` the name (the admin form, which shows what to write); a script's or a command's
    input is put in lower case.
    """
    domain = (value or "").strip()
    if not domain:
        return ""
    example = _("par exemple www.mon-asso.fr")
    if "://" in domain or "/" in domain or "?" in domain or "#" in domain:
        raise ValidationError(
            _("Indiquez seulement le nom de domaine, sans « https:// » ni chemin (%(example)s).")
            % {"example": example},
            code="domain_url",
        )
    if "@" in domain or " " in domain:
        raise ValidationError(_("Ce nom de domaine n'est pas valide (%(example)s).") % {"example": example})
    if domain.startswith("[") or _is_ip(domain):
        raise ValidationError(
            _("Une adresse IP ne peut pas servir de nom de domaine : indiquez un nom (%(example)s).")
            % {"example": example},
            code="domain_ip",
        )
    if ":" in domain:
        raise ValidationError(
            _("Indiquez le nom de domaine sans numéro de port (%(example)s).") % {"example": example},
            code="domain_port",
        )
    if typed and domain != domain.lower():
        raise ValidationError(
            _("Écrivez le nom de domaine en minuscules : %(domain)s.") % {"domain": domain.lower()},
            code="domain_case",
        )
    domain = domain.lower().rstrip(".")
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError as exc:
        raise ValidationError(_("Ce nom de domaine n'est pas valide (%(example)s).") % {"example": example}) from exc
    labels = ascii_domain.split(".")
    if (
        len(ascii_domain) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not _TLD.match(labels[-1])
    ):
        raise ValidationError(
            _("Ce nom de domaine n'est pas valide (%(example)s).") % {"example": example}, code="domain_invalid"
        )
    own = platform_host()
    reserved = {own, *(host.lstrip(".").lower() for host in _static_allowed_hosts() if host != "*")}
    if ascii_domain in reserved or (own and ascii_domain.endswith("." + own)):
        raise ValidationError(
            _("Ce nom de domaine est celui de Kollektif : indiquez le domaine propre à l'association."),
            code="domain_platform",
        )
    return ascii_domain


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def _static_allowed_hosts() -> list[str]:
    """ALLOWED_HOSTS as written in the settings, without the custom domains added to it."""
    hosts = settings.ALLOWED_HOSTS
    return list(list.__iter__(hosts)) if isinstance(hosts, list) else list(hosts)


def domain_taken(domain: str, *, association) -> bool:
    """Another association, or a site that is not this association's, already answers on it."""
    from associations.models import Association

    others = Association.objects.filter(custom_domain=domain)
    if association.pk:
        others = others.exclude(pk=association.pk)
    if others.exists():
        return True
    sites = Site.objects.filter(hostname=domain)
    if association.home_page_id:
        sites = sites.exclude(root_page_id=association.home_page_id)
    return sites.exists()


def served_domains() -> frozenset[str]:
    """Host names of every Wagtail Site but those of associations that are not public
    (pending, refused or suspended): read once per process per change, from the shared cache."""
    cached = cache.get(DOMAINS_CACHE_KEY)
    if cached is not None:
        return frozenset(cached)
    from associations.models import Association, AssociationStatus

    hidden_roots = Association.objects.exclude(status=AssociationStatus.ACTIVE).filter(home_page__isnull=False)
    domains = sorted(
        Site.objects.exclude(root_page_id__in=hidden_roots.values("home_page_id")).values_list("hostname", flat=True)
    )
    cache.set(DOMAINS_CACHE_KEY, domains, DOMAINS_CACHE_SECONDS)
    return frozenset(domains)


def is_served_domain(host: str) -> bool:
    return bool(host) and host.lower().rstrip(".") in served_domains()


def forget_sites() -> None:
    """Drop Wagtail's site root paths, the Site rows the router matches hosts with, and the
    served domains from the shared cache."""
    Site.clear_site_root_paths_cache()
    forget_sites_cache()
    cache.delete(DOMAINS_CACHE_KEY)


def forget_sites_after_commit() -> None:
    """Now (this transaction's readers) and once committed (every other process, which may have
    refilled the cache from the old rows in between)."""
    forget_sites()
    transaction.on_commit(forget_sites)


def site_saved_or_deleted(sender, **kwargs) -> None:
    transaction.on_commit(forget_sites)


def association_origin(association) -> str:
    """Where the association's site lives: ``https://its-domain`` when it has one served by a
    Site, else the platform's origin (its pages are then under /association/<slug>/)."""
    if association is not None and association.custom_domain and association.home_page_id:
        site = Site.objects.filter(hostname=association.custom_domain, root_page_id=association.home_page_id).first()
        if site is not None:
            return site.root_url
    return platform_origin()


def association_home_url(association) -> str:
    """The absolute address of the association's Accueil (custom domain or platform)."""
    origin = association_origin(association)
    if origin != platform_origin():
        return origin + "/"
    return origin + association.url
