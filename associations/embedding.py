"""The other websites an association lets show its campaigns in an iframe (issue #15, item 4).

Many associations already have a site or a blog elsewhere (WordPress, Wix, a town's portal).
They list those sites once, on their record (``Association.embed_origins``, one address a
line); the campaign embed view is then framable by exactly those origins
(``Content-Security-Policy: frame-ancestors``, campagnes/embed.py), and by nobody else.

An origin is what a browser compares: scheme, host and port, nothing after. A site is written
as its visitors see it (``https://www.mon-asso.fr``); a path, a query, a user name or a wildcard
are refused with a French message that says what to write instead. Only https: a payment form
framed by a page served in clear text could be rewritten on the way (a loopback ``http://``
address is accepted where ``KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP`` says so: the demo, the tests).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A Content-Security-Policy header stays short; an association has a site, a blog, a partner's.
MAX_EMBED_SITES = 10
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def _loopback_http_allowed() -> bool:
    return bool(getattr(settings, "KOLLEKTIF_EMBED_ALLOW_LOOPBACK_HTTP", False))


def normalize_origin(value: str) -> str:
    """``https://www.mon-asso.fr`` from what a volunteer typed, or a French ValidationError.

    A trailing slash is forgiven (it is what a browser's address bar shows); capitals are put in
    lower case (host names are case-insensitive); an internationalised name is stored in
    punycode, the form browsers compare.
    """
    raw = (value or "").strip()
    example = _("par exemple https://www.mon-asso.fr")
    if not raw:
        raise ValidationError(_("Adresse vide."))
    if "*" in raw:
        raise ValidationError(
            _("« %(site)s » : les jokers (*) ne sont pas acceptés, indiquez chaque site (%(example)s).")
            % {"site": raw, "example": example}
        )
    if "://" not in raw:
        raise ValidationError(
            _("« %(site)s » : indiquez l'adresse complète, avec https:// (%(example)s).")
            % {"site": raw, "example": example}
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(
            _("« %(site)s » n'est pas une adresse valide (%(example)s).") % {"site": raw, "example": example}
        ) from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if parts.username or parts.password or (parts.path not in ("", "/")) or parts.query or parts.fragment:
        raise ValidationError(
            _("« %(site)s » : indiquez seulement l'adresse du site, sans chemin ni paramètres (%(example)s).")
            % {"site": raw, "example": example}
        )
    loopback = host in LOOPBACK_HOSTS
    if scheme != "https" and not (scheme == "http" and loopback and _loopback_http_allowed()):
        raise ValidationError(
            _("« %(site)s » : seul un site en https:// peut afficher un formulaire de paiement (%(example)s).")
            % {"site": raw, "example": example}
        )
    if not loopback:
        _check_host(host, raw, example)
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ValidationError(
            _("« %(site)s » n'est pas une adresse valide (%(example)s).") % {"site": raw, "example": example}
        ) from exc
    if ":" in ascii_host:  # an IPv6 address: bracketed in an origin
        ascii_host = f"[{ascii_host}]"
    default_port = 443 if scheme == "https" else 80
    netloc = ascii_host if port in (None, default_port) else f"{ascii_host}:{port}"
    return f"{scheme}://{netloc}"


def _check_host(host: str, raw: str, example: str) -> None:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise ValidationError(
            _("« %(site)s » : indiquez le nom du site, pas une adresse IP (%(example)s).")
            % {"site": raw, "example": example}
        )
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ValidationError(
            _("« %(site)s » n'est pas une adresse valide (%(example)s).") % {"site": raw, "example": example}
        ) from exc
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        raise ValidationError(
            _("« %(site)s » n'est pas une adresse valide (%(example)s).") % {"site": raw, "example": example}
        )


def parse_embed_origins(text: str) -> list[str]:
    """The origins of a textarea (one a line, blank lines ignored), normalised, without doubles,
    in the order typed; every wrong line is reported at once, each in its own French sentence."""
    origins: list[str] = []
    errors: list[str] = []
    for line in (text or "").replace(",", "\n").splitlines():
        if not line.strip():
            continue
        try:
            origin = normalize_origin(line)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if origin not in origins:
            origins.append(origin)
    if errors:
        raise ValidationError(errors)
    if len(origins) > MAX_EMBED_SITES:
        raise ValidationError(
            _("Indiquez au plus %(max)d sites (il y en a %(count)d).") % {"max": MAX_EMBED_SITES, "count": len(origins)}
        )
    return origins


def origin_of(url: str | None) -> str | None:
    """The origin of a full address (a Referer, an Origin header), or None when it has none."""
    if not url or url == "null":
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" if port in (None, default_port) else f"{scheme}://{host}:{port}"
