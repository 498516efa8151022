"""RSS and Atom feeds of an association's news."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

FEED_ITEMS = 20


class NewsRssFeed(Feed):
    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def title(self):
        return _("%(name)s — actualités") % {"name": self.index_page.association.name}

    def link(self):
        return self.index_page.url

    def description(self):
        return _("Les dernières actualités de %(name)s sur Kollektif") % {"name": self.index_page.association.name}

    def items(self):
        return self.index_page.posts()[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.introduction

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.date, time(12, 0)))

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
