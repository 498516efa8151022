"""A campaign shown on another website, in an iframe (issue #15, item 4; like HelloAsso's widgets).

What an association pastes on its other site (``iframe_snippet``): an ``<iframe>`` of the embed
view, on the platform's host, and a small script (``/integrer/integration.js``) that sets the
frame's height from the messages the embedded page posts. Or only a link styled as a button
(``button_snippet``), which works even where iframes and scripts are not allowed.

Who may frame it: ``Content-Security-Policy: frame-ancestors`` on every embed response lists the
platform itself, the association's own domain and the sites on its record
(``Association.embed_origins``); ``X-Frame-Options`` is left out of those responses only. Every
other view keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``. Asked from a site not
listed (the ``Referer`` the snippet sends with ``referrerpolicy="origin"``), the view answers 403
with a French message instead of a form — framable by that site only, so it reads why.

Why the embedded form needs no CSRF cookie: in a third-party iframe the browser sends none of
the platform's ``SameSite=Lax`` cookies (neither session nor CSRF token), and cannot store new
ones. The embed flow therefore uses no cookie at all, and its POST views are CSRF-exempt but
protected otherwise:

- the ``Origin`` header (every current browser sends it with a POST) must be one of the
  platform's own origins: a form or a script on any other site is refused — the check Django's
  CSRF middleware makes first, without the cookie half;
- the campaign form carries a signed, dated token for that campaign (``form_token``); a POST
  without it, with another campaign's or an expired one, is refused;
- the payment steps after it name the payment by its unguessable ``public_token``, as the
  normal flow does; the rate limits per IP and e-mail of ``views.start_payment`` apply as well.
Nothing is written before all three checks pass (no payment, no session row).
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from associations.domains import association_origin, platform_origin
from associations.embedding import origin_of

FORM_TOKEN_SALT = "kollektif.campagnes.embed-form"
# A donor may leave the form open for a while; after a day, a reload gives a fresh one.
FORM_TOKEN_MAX_AGE = 24 * 3600
FRAME_DESTINATIONS = {"iframe", "frame", "embed", "object"}
DEFAULT_HEIGHT = 900


class EmbedRefused(Exception):
    """A French reason why this request may not use the embedded form."""


def embed_path(page) -> str:
    return reverse("campagnes:embed", args=[page.pk])


def embed_url(page) -> str:
    """The embed view's absolute address, always on the platform's host: one origin to list in
    ``frame-src`` of a host page, whatever the association's own domain."""
    return platform_origin() + embed_path(page)


def own_origins(request: HttpRequest, association) -> list[str]:
    """The origins that are Kollektif itself for this association: the platform, the host the
    request came to, and the association's own domain."""
    origins = [platform_origin(), f"{request.scheme}://{request.get_host()}"]
    if association is not None:
        origins.append(association_origin(association))
    seen: list[str] = []
    for origin in origins:
        origin = origin_of(origin)
        if origin and origin not in seen:
            seen.append(origin)
    return seen


def allowed_parents(request: HttpRequest, association) -> list[str]:
    """Every origin that may frame this association's embed views (computed once a request:
    the check, the header and the frame's script all read it)."""
    cached = getattr(request, "_kollektif_embed_parents", None)
    if cached is not None and cached[0] == getattr(association, "pk", None):
        return list(cached[1])
    parents = own_origins(request, association)
    for origin in association.embed_origin_list if association is not None else []:
        if origin not in parents:
            parents.append(origin)
    request._kollektif_embed_parents = (getattr(association, "pk", None), tuple(parents))
    return parents


def requesting_site(request: HttpRequest) -> str | None:
    """The origin of the page that frames this request, when the browser says it is framed.

    ``Sec-Fetch-Dest`` tells a frame from a top-level visit (a link followed, the address typed:
    nothing to refuse, the form is simply shown); the ``Referer`` names the framing page — the
    snippet asks for it with ``referrerpolicy="origin"``. An older browser without
    ``Sec-Fetch-Dest``: the Referer alone. Without a Referer, nothing is known: the
    ``frame-ancestors`` header still decides, in the browser."""
    destination = request.headers.get("Sec-Fetch-Dest")
    if destination is not None and destination not in FRAME_DESTINATIONS:
        return None
    return origin_of(request.headers.get("Referer"))


def check_requesting_site(request: HttpRequest, association) -> str | None:
    """The framing site if it may frame this association's campaigns; ``EmbedRefused`` if not."""
    site = requesting_site(request)
    if site is not None and site not in allowed_parents(request, association):
        raise EmbedRefused(
            _(
                "Ce formulaire ne peut pas s'afficher sur %(site)s : %(name)s n'a pas autorisé ce site "
                "à intégrer ses campagnes."
            )
            % {"site": site, "name": association.name}
        )
    return site


def check_same_origin_post(request: HttpRequest, association) -> None:
    """A POST of the embed flow comes from a page the platform served (see the module's note)."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        origin = origin_of(request.headers.get("Referer"))
    if origin is None or origin_of(origin) not in own_origins(request, association):
        raise EmbedRefused(_("Cette demande ne vient pas d'un formulaire de Kollektif : rien n'a été enregistré."))


def form_token(page) -> str:
    """The signed, dated token of the embedded campaign form."""
    return signing.dumps({"campagne": page.pk}, salt=FORM_TOKEN_SALT)


def check_form_token(request: HttpRequest, page) -> None:
    try:
        data = signing.loads(request.POST.get("embed_token", ""), salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise EmbedRefused(_("Ce formulaire a expiré : rechargez la page pour recommencer.")) from exc
    except signing.BadSignature as exc:
        raise EmbedRefused(_("Ce formulaire n'est pas valide : rechargez la page pour recommencer.")) from exc
    if not isinstance(data, dict) or data.get("campagne") != page.pk:
        raise EmbedRefused(_("Ce formulaire n'est pas valide : rechargez la page pour recommencer."))


def framable(response: HttpResponse, parents: list[str]) -> HttpResponse:
    """Let exactly ``parents`` frame this response: CSP ``frame-ancestors`` (enforced and
    report-only, read by site_kollektif.security's django-csp middleware), no X-Frame-Options."""
    sources = ["'self'", *parents]
    response._csp_replace = {"frame-ancestors": sources}
    response._csp_replace_ro = {"frame-ancestors": sources}
    response.xframe_options_exempt = True
    return response


def frame_context(request: HttpRequest, association) -> dict:
    """What the embed layout needs: the origins the frame may tell its height to."""
    return {"embed": True, "embed_parents": allowed_parents(request, association)}


def _title(page) -> str:
    return _("%(kind)s : %(title)s — %(name)s") % {
        "kind": page.kind_label,
        "title": page.title,
        "name": page.association.name,
    }


def iframe_snippet(page) -> str:
    """The HTML an association pastes on its other site: the frame and the resizing script."""
    origin = platform_origin()
    return format_html(
        '<iframe src="{src}" title="{title}" data-kollektif-campagne '
        'style="display:block;width:100%;max-width:720px;height:{height}px;border:0;margin:0 auto;" '
        'allow="payment" referrerpolicy="origin" loading="lazy"></iframe>\n'
        '<script src="{script}" async></script>',
        src=embed_url(page),
        title=_title(page),
        height=DEFAULT_HEIGHT,
        script=origin + reverse("campagnes:embed_script"),
    )


BUTTON_LABELS = {
    "DonationCampaignPage": _("Faire un don"),
    "CrowdfundingCampaignPage": _("Soutenir la collecte"),
    "MembershipCampaignPage": _("Adhérer"),
    "TicketingCampaignPage": _("Réserver mes billets"),
}


def button_label(page) -> str:
    return str(BUTTON_LABELS.get(type(page).__name__, _("Participer")))


def button_snippet(page) -> str:
    """A link styled as a button, in the association's colours (contrast checked by
    kernel.palette): the campaign page opens in a new tab. No iframe, no script."""
    theme = page.association.theme_colours
    return format_html(
        '<a href="{href}" target="_blank" rel="noopener" '
        'style="display:inline-block;padding:.75em 1.5em;border-radius:.4em;background:{bg};color:{fg};'
        'font:600 1.05rem/1.2 system-ui,sans-serif;text-decoration:none;">{label}</a>',
        href=page.get_full_url(),
        bg=theme.primary,
        fg=theme.on_primary,
        label=f"{button_label(page)} — {page.association.name}",
    )


def script_url() -> str:
    """The resizing script's hashed static address (whitenoise caches it for a year); the
    snippet names ``/integrer/integration.js``, which stays the same across deployments."""
    return static("campagnes/js/embed-host.js")
