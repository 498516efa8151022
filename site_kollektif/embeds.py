"""Embed finders that never let a missing network break a page.

Volunteers paste YouTube or PeerTube links; the page must still render when the oEmbed
provider cannot be reached (offline demo, provider down). A failed lookup is remembered for
a while so that every visitor does not pay the time-out again.
"""

from __future__ import annotations

from django.core.cache import cache
from wagtail.embeds.exceptions import EmbedNotFoundException
from wagtail.embeds.finders.base import EmbedFinder
from wagtail.embeds.finders.oembed import OEmbedFinder

FAILURE_TTL_SECONDS = 600


class ResilientOEmbedFinder(OEmbedFinder):
    def find_embed(self, url, max_width=None, max_height=None):
        key = f"embed-failed:{url}"
        if cache.get(key):
            raise EmbedNotFoundException("Recent failure, not retried yet")
        try:
            return super().find_embed(url, max_width, max_height)
        except EmbedNotFoundException:
            cache.set(key, True, FAILURE_TTL_SECONDS)
            raise


class OfflineFinder(EmbedFinder):
    """Accepts every URL and finds nothing, as a machine without network would."""

    def accept(self, url):
        return True

    def find_embed(self, url, max_width=None, max_height=None):
        raise EmbedNotFoundException("Offline")
