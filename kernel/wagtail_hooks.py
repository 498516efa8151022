"""Purging the public page cache when content changes (see kernel/page_cache.py)."""

from __future__ import annotations

from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page

from kernel.page_cache import purge_page_after_commit


@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_delete_page")
@hooks.register("after_move_page")
def purge_after_page_change(request: HttpRequest, page: Page) -> None:
    """The pages of the association the page belongs to (or the platform's) become stale."""
    purge_page_after_commit(page)
