"""Purging the public page cache when content changes (see site_kollektif/page_cache.py)."""

from __future__ import annotations

from wagtail import hooks

from site_kollektif.page_cache import purge_page_after_commit


@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_delete_page")
@hooks.register("after_move_page")
def purge_after_page_change(request, page):
    """The pages of the association the page belongs to (or the platform's) become stale."""
    purge_page_after_commit(page)


@hooks.register("register_admin_viewset")
def register_outgoing_email_viewset():
    """The staff's "E-mails": failures recorded by site_kollektif.mail, visible and retried."""
    from site_kollektif.admin_emails import outgoing_email_viewset

    return outgoing_email_viewset
