"""The one seam through which the platform sends e-mail.

Messages are rendered at once (HTML and text, in French), stored in the outbox
(``OutgoingEmail``) inside the business transaction, and handed to a background task after it
commits, so that a mail server failure never undoes a business action. A failure is never
silent: it is recorded on the outbox row (linked to the invitation or payment it is about),
retried with a growing delay, and shown in the admin.

Every header is built here, by ``build_message``: a control character in a subject (a line
break in an association's name stored before names were validated) is replaced by a space,
so old data can never make ``BadHeaderError`` stop an e-mail.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from kernel.models import EmailStatus, OutgoingEmail

logger = logging.getLogger("kollektif.mail")

# C0 controls (CR, LF, NUL…), DEL, C1 controls (NEL U+0085 included) and the Unicode line and
# paragraph separators: none may reach a header (RFC 5322 §2.2, header injection).
HEADER_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CLAIM_MINUTES = 10


def header_text(value: str) -> str:
    """``value`` on one line: every control character becomes a space, spaces are collapsed."""
    return " ".join(HEADER_CONTROL_CHARACTERS.sub(" ", str(value)).split())


def build_message(
    *,
    subject: str,
    to: Sequence[str],
    text: str,
    html: str = "",
    reply_to: Sequence[str] | None = None,
    attachments: Sequence[dict] | None = None,
) -> EmailMultiAlternatives:
    """The one place where headers are built; attachments as made by ``attachment()``."""
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[header_text(address) for address in to],
        reply_to=[header_text(address) for address in reply_to] if reply_to else None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for item in attachments or []:
        message.attach(header_text(item["filename"]), base64.b64decode(item["content"]), item["mimetype"])
    return message


@task()
def deliver_email(
    *,
    subject: str,
    to: list[str],
    text: str,
    html: str,
    reply_to: list[str] | None = None,
    attachments: list[dict] | None = None,
) -> int:
    """Tasks queued before the outbox existed (a deploy with a non-empty queue) still leave."""
    return build_message(
        subject=subject, to=to, text=text, html=html, reply_to=reply_to, attachments=attachments
    ).send()


def attachment(filename: str, content: bytes, mimetype: str) -> dict:
    """An attachment in a form the outbox can store (JSON)."""
    return {"filename": filename, "content": base64.b64encode(content).decode(), "mimetype": mimetype}


def send_templated_email(
    *,
    to: Sequence[str],
    subject: str,
    template: str,
    context: dict,
    reply_to: Sequence[str] | None = None,
    attachments: list[dict] | None = None,
    about: Model | None = None,
) -> OutgoingEmail | None:
    """Render ``templates/emails/<template>.{txt,html}`` now, store it, deliver after commit.

    ``about`` is the object the e-mail concerns (an invitation, a payment): its failures are
    shown there. Returns the ``OutgoingEmail``, or None when there is nobody to write to.
    """
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    full_context = {"site_url": settings.WAGTAILADMIN_BASE_URL, "subject": subject, **context}
    text = render_to_string(f"emails/{template}.txt", full_context)
    html = render_to_string(f"emails/{template}.html", full_context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    email = OutgoingEmail.objects.create(
        template=template[:100],
        subject=header_text(f"{prefix}{subject}")[:255],
        to=recipients,
        reply_to=[address for address in reply_to or [] if address],
        text=text,
        html=html,
        attachments=attachments or [],
        content_type=ContentType.objects.get_for_model(about) if about is not None else None,
        object_id=str(about.pk) if about is not None else "",
    )
    transaction.on_commit(lambda: deliver_outgoing_email.enqueue(email_id=email.pk))
    return email


def _claim(email_id: int) -> bool:
    """Only one worker sends an e-mail: the one whose UPDATE takes it. A claim left by a worker
    killed mid-task expires after CLAIM_MINUTES."""
    now = timezone.now()
    return bool(
        OutgoingEmail.objects.filter(pk=email_id, status__in=(EmailStatus.QUEUED, EmailStatus.RETRYING))
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - timedelta(minutes=CLAIM_MINUTES)))
        .update(sending_since=now)
    )


@task()
def deliver_outgoing_email(*, email_id: int) -> str:
    if not _claim(email_id):
        return "déjà envoyé ou en cours d'envoi"
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        build_message(
            subject=email.subject,
            to=email.to,
            text=email.text,
            html=email.html,
            reply_to=email.reply_to,
            attachments=email.attachments,
        ).send()
    except Exception as exc:  # noqa: BLE001 — any failure (SMTP, DNS, a bad header) is recorded and retried
        return _record_failure(email, exc)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
        attempts=email.attempts + 1,
        last_error="",
        sending_since=None,
        text="",
        html="",
        attachments=[],  # sent: the body is no longer needed
    )
    return "envoyé"


def _record_failure(email: OutgoingEmail, exc: Exception) -> str:
    attempts = email.attempts + 1
    given_up = attempts >= settings.KOLLEKTIF_EMAIL_ATTEMPTS
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:300],
        sending_since=None,
        status=EmailStatus.ABANDONED if given_up else EmailStatus.RETRYING,
    )
    logger.error("e-mail %s (%s): attempt %s failed: %s", email.pk, email.template, attempts, exc)
    if given_up:
        return "abandonné"
    if deliver_outgoing_email.get_backend().supports_defer:
        delay = timedelta(minutes=5 * 2 ** (attempts - 1))  # 5, 10, 20, 40 minutes
        deliver_outgoing_email.using(run_after=timezone.now() + delay).enqueue(email_id=email.pk)
    return "à réessayer"


def email_retry(*, email_id: int) -> str:
    """Staff's "Renvoyer": one more attempt now, even after the automatic ones gave up."""
    OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.ABANDONED).update(status=EmailStatus.RETRYING)
    return deliver_outgoing_email.call(email_id=email_id)


def resend_unsent(*, limit: int = 500) -> int:
    """Cron's safety net (``manage.py renvoyer_emails``): retry what failed or whose task was lost,
    and forget sent e-mails older than the retention period."""
    now = timezone.now()
    OutgoingEmail.objects.filter(
        status=EmailStatus.SENT, sent_at__lt=now - timedelta(days=settings.KOLLEKTIF_EMAIL_RETENTION_DAYS)
    ).delete()
    pending = (
        OutgoingEmail.objects.filter(
            Q(status=EmailStatus.RETRYING)
            | Q(status=EmailStatus.QUEUED, created_at__lt=now - timedelta(minutes=CLAIM_MINUTES))
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_outgoing_email.call(email_id=email_id) == "envoyé" for email_id in pending)


def emails_about(obj: Model) -> QuerySet[OutgoingEmail]:
    """The outbox rows about ``obj`` (newest first): what its page shows of its e-mails."""
    return OutgoingEmail.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("-created_at", "-pk")


def latest_emails_about(objects: Iterable[Model]) -> dict[str, OutgoingEmail]:
    """``{str(pk): latest OutgoingEmail}`` for objects of one model, in one query (for a listing)."""
    objects = list(objects)
    if not objects:
        return {}
    latest: dict[str, OutgoingEmail] = {}
    rows = (
        OutgoingEmail.objects.filter(
            content_type=ContentType.objects.get_for_model(objects[0]), object_id__in=[str(o.pk) for o in objects]
        )
        .order_by("created_at", "pk")
        .defer("text", "html", "attachments")
    )
    for row in rows:
        latest[row.object_id] = row
    return latest
