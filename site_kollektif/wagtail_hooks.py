"""Purging the public page cache when content changes (see site_kollektif/page_cache.py)."""

from __future__ import annotations

from django.db import transaction
from wagtail import hooks

from site_kollektif.page_cache import PLATFORM, purge, purge_association


def purge_for_page(page) -> None:
    """The association the page belongs to (or the platform), after the change is committed."""
    association = getattr(page.specific_deferred, "association", None)
    slug = association.slug if association is not None else None
    transaction.on_commit(lambda: purge_association(slug) if slug else purge(PLATFORM))


@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_delete_page")
@hooks.register("after_move_page")
def purge_after_page_change(request, page):
    purge_for_page(page)
