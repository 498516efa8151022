"""« Intégrer sur votre site »: the snippets of a campaign for another website (issue #15, item 4).

Reached from the campaign's header menu and its row in the page listing (campagnes/wagtail_hooks.py).
Whoever may edit the campaign page sees it (its editors, staff): the snippet is public anyway
(anyone can read it on the host site), the list of allowed sites is edited on the association's
record, tab « Intégration sur vos sites ».
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Page

from campagnes import embed
from campagnes.models import CampaignPage

ASSOCIATION_EDIT_URL_NAME = "wagtailsnippets_associations_association:edit"
EMBED_TAB_ANCHOR = "#tab-integration-sur-vos-sites"


def embed_admin_view(request: HttpRequest, page_id: int) -> TemplateResponse:
    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, CampaignPage):
        raise Http404
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    association = page.association
    if association is None:
        raise Http404
    context = {
        "page": page,
        "association": association,
        "page_title": _("Intégrer « %(title)s » sur votre site") % {"title": page.title},
        "iframe_snippet": embed.iframe_snippet(page),
        "button_snippet": embed.button_snippet(page),
        "embed_path": embed.embed_path(page),
        "allowed_sites": association.embed_origin_list,
        "edit_sites_url": reverse(ASSOCIATION_EDIT_URL_NAME, args=[association.pk]) + EMBED_TAB_ANCHOR,
        "is_public": page.live and association.is_public,
    }
    return TemplateResponse(request, "campagnes/admin/embed.html", context)
