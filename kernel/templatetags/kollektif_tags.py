"""Small template helpers for the public templates of Kollektif."""

from __future__ import annotations

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
