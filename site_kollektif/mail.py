"""The one seam through which the platform sends e-mail.

Messages are rendered at once (HTML and text, in French) and handed to a background task
after the transaction commits, so that a mail server failure never undoes a business action.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

logger = logging.getLogger("kollektif.mail")


@task()
def deliver_email(
    *, subject: str, to: list[str], text: str, html: str, reply_to: list[str] | None = None,
    attachments: list[dict] | None = None,
) -> int:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to, reply_to=reply_to
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"])
    return message.send()


def attachment(filename: str, content: bytes, mimetype: str) -> dict:
    """An attachment in a form the task queue can store (JSON)."""
    return {"filename": filename, "content": base64.b64encode(content).decode(), "mimetype": mimetype}


def send_templated_email(
    *, to: Sequence[str], subject: str, template: str, context: dict, reply_to: Sequence[str] | None = None,
    attachments: list[dict] | None = None,
) -> None:
    """Render ``templates/emails/<template>.{txt,html}`` now, deliver after commit."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    full_context = {"site_url": settings.WAGTAILADMIN_BASE_URL, "subject": subject, **context}
    text = render_to_string(f"emails/{template}.txt", full_context)
    html = render_to_string(f"emails/{template}.html", full_context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")

    def enqueue() -> None:
        deliver_email.enqueue(
            subject=f"{prefix}{subject}", to=recipients, text=text, html=html,
            reply_to=list(reply_to) if reply_to else None, attachments=attachments or None,
        )

    transaction.on_commit(enqueue)
