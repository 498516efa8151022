"""Campaigns on the pages of the associations app (Accueil, Nous aider).

``associations`` sits below ``campagnes`` and may not import it: its templates load this
library instead, so the tenant's pages show the campaigns without knowing how they are counted.
"""

from __future__ import annotations

from django import template

from campagnes.selectors import campaigns_with_progress

register = template.Library()


@register.simple_tag
def open_campaigns(support_page) -> list[tuple]:
    """(campaign, progress) of the open campaigns under a "Nous aider" page; none without one."""
    if support_page is None:
        return []
    return campaigns_with_progress(support_page=support_page, only_open=True)
