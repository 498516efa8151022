"""Small template helpers for the public templates of Kollektif."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from kernel.palette import THEMES, Theme

register = template.Library()

PROJECT_STATUS_LABELS = {
    "idee": _("En réflexion"),
    "en-cours": _("En cours"),
    "termine": _("Terminé"),
}


@register.filter
def project_status_label(status: str) -> str:
    """French label of a ProjectBlock status key ("idee", "en-cours", "termine")."""
    label = PROJECT_STATUS_LABELS.get(str(status or ""))
    return str(label) if label else ""


@register.filter
def theme_for(key: str) -> Theme | None:
    """The palette Theme of a theme key, or None (used to draw colour swatches)."""
    return THEMES.get(str(key or ""))


@register.filter
def startswith(value: object, prefix: object) -> bool:
    """True when the string ``value`` starts with ``prefix`` (tree paths, URLs)."""
    if value is None or prefix is None:
        return False
    return str(value).startswith(str(prefix))


# --- Link previews: Open Graph and Twitter cards ---------------------------------------------

DEFAULT_SOCIAL_IMAGE = "site_kollektif/img/kollektif-partage.png"
SOCIAL_IMAGE_SPEC = "fill-1200x630"
SOCIAL_DESCRIPTION_CHARS = 200


def _first(*values: Any) -> Any:
    return next((value for value in values if value), None)


def _social_image(context: Any) -> Any:
    """The page's own picture (cover, news image, campaign image), else the association's logo."""
    page = context.get("page")
    association = context.get("association")
    for owner, names in ((page, ("cover_image", "image", "feed_image")), (association, ("logo",))):
        for name in names:
            image = getattr(owner, name, None) if owner is not None else None
            if image is not None and hasattr(image, "get_rendition"):
                return image
    return None


@register.inclusion_tag("includes/social_meta.html", takes_context=True)
def social_meta(context: Any, title: str = "", description: str = "") -> dict[str, Any]:
    """Open Graph and Twitter meta for a shared link's preview: title, description and an image,
    every URL absolute (a preview is fetched by another site)."""
    from django.templatetags.static import static
    from django.utils.text import Truncator

    request = context.get("request")
    page = context.get("page")
    association = context.get("association")
    title = _first(title, getattr(page, "seo_title", ""), getattr(page, "title", ""), getattr(association, "name", ""))
    description = _first(
        description,
        getattr(page, "search_description", ""),
        getattr(page, "introduction", ""),
        getattr(association, "objet", ""),
        str(
            _(
                "Un site internet gratuit pour chaque association du Pas-de-Calais, des campagnes de dons et "
                "d'adhésions, un annuaire et une carte du réseau de l'ESS."
            )
        ),
    )
    image = _social_image(context)
    image_url, image_alt = static(DEFAULT_SOCIAL_IMAGE), "Kollektif"
    if image is not None:
        try:
            image_url, image_alt = image.get_rendition(SOCIAL_IMAGE_SPEC).url, image.title
        except Exception:  # a missing source file must not break the page: keep the default picture
            pass
    absolute = request.build_absolute_uri if request is not None else (lambda url: url)
    return {
        "title": title or "Kollektif",
        "description": Truncator(str(description)).chars(SOCIAL_DESCRIPTION_CHARS),
        "url": absolute(request.path) if request is not None else "",
        "image": absolute(image_url),
        "image_alt": image_alt,
        "site_name": getattr(association, "name", "") or "Kollektif",
    }
