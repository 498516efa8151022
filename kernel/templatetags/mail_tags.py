"""``{% emails_about obj as emails %}``: the e-mails the platform sent about an object, for its
admin page (a payment's confirmation, an invitation), so a failure is seen where one looks."""

from __future__ import annotations

from django import template
from django.db.models import Model

from kernel.mail import emails_about as _emails_about
from kernel.models import OutgoingEmail

register = template.Library()


@register.simple_tag
def emails_about(obj: Model, limit: int = 10) -> list[OutgoingEmail]:
    return list(_emails_about(obj).defer("text", "html", "attachments")[:limit])
