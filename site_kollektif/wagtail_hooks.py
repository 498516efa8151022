"""The staff's e-mail outbox in the admin."""

from __future__ import annotations

from wagtail import hooks

from site_kollektif.admin_emails import outgoing_email_viewset


@hooks.register("register_admin_viewset")
def register_outgoing_email_viewset():
    """The staff's "E-mails": failures recorded by kernel.mail, visible and retried."""
    return outgoing_email_viewset
