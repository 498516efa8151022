"""RSS and Atom feeds of an association's news.

XML 1.0 cannot carry most control characters and Django's feed writer raises ValueError on
them (a 500 for the whole feed). The admin refuses them in new input
(site_kollektif.admin_input), but a title stored before, or written by a script, must not
take the association's feed down: every text of the feed goes through `feed_text`.
"""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

FEED_ITEMS = 20
# Control characters except tab, LF and CR (https://www.w3.org/TR/xml/#charsets), and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def feed_text(value) -> str:
    """`value` as text an XML feed can carry: control characters become spaces."""
    return _CONTROLS.sub(" ", str(value or ""))


class NewsRssFeed(Feed):
    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def title(self):
        return feed_text(_("%(name)s — actualités") % {"name": self.index_page.association.name})

    def link(self):
        # relative to the site that serves the feed (the association's domain or the platform):
        # the feed writer adds the request's scheme and host
        return self.index_page.get_url(self.request)

    def description(self):
        return feed_text(
            _("Les dernières actualités de %(name)s sur Kollektif") % {"name": self.index_page.association.name}
        )

    def items(self):
        return self.index_page.posts()[:FEED_ITEMS]

    def item_title(self, item):
        return feed_text(item.title)

    def item_description(self, item):
        return feed_text(item.introduction)

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.date, time(12, 0)))

    def item_categories(self, item):
        return [feed_text(tag.name) for tag in item.tags.all()]

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
