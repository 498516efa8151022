"""A treasurer's e-mail to one of her lists (the general assembly's convocation, a renewal call).

``mailing_create`` writes the mailing and its recipients in one transaction (people who accepted
to be contacted at payment, minus unsubscribed and bouncing addresses) and, once committed, queues
``send_mailing_batch``. Each run of the task sends ``BATCH_SIZE`` messages through one SMTP
connection, records on each recipient whether it left or failed (and why), then queues the next
batch: a big list never holds a worker for long, and a worker killed mid-batch loses nothing (a
claim expires after ``CLAIM_MINUTES``).

Every message carries its own unsubscribe link and the ``List-Unsubscribe`` /
``List-Unsubscribe-Post`` headers (RFC 2369, RFC 8058 one-click): mail providers require them for
bulk mail, and a recipient must be able to withdraw consent as easily as they gave it (RGPD
art. 7.3; CNIL, prospection par courrier électronique). Bounces reported by the provider
(``bounce_record``) stop later mailings to the address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from campagnes.contacts import Audience, ContactStatus, audience_people
from campagnes.models import (
    ContactOptOut,
    Mailing,
    MailingRecipient,
    MailingStatus,
    OptOutReason,
    RecipientStatus,
)
from kernel.mail import build_message, header_text

logger = logging.getLogger("kollektif.mail")

BATCH_SIZE = 50
CLAIM_MINUTES = 10
SUBJECT_MAX = 200
BODY_MAX = 20_000
# What the providers call a permanent failure (Brevo: hard_bounce, invalid_email, blocked;
# Postmark: HardBounce; Mailjet: bounce with hard_bounce=true, normalised by the view).
HARD_BOUNCES = frozenset({"hard_bounce", "hardbounce", "invalid_email", "blocked", "bounce"})
SOFT_BOUNCES = frozenset({"soft_bounce", "softbounce", "deferred"})
COMPLAINTS = frozenset({"spam", "complaint", "spamcomplaint", "unsubscribed"})


class MailingError(Exception):
    """A mailing that cannot be sent; the message is French, for the treasurer."""


@dataclass(frozen=True)
class AudienceCount:
    total: int
    reachable: int
    without_consent: int
    opted_out: int


def audience_count(people: list) -> AudienceCount:
    """What the compose page says before sending: who will get it and who will not."""
    reachable = sum(1 for person in people if person.reachable)
    without = sum(1 for person in people if person.status == ContactStatus.NO_CONSENT)
    return AudienceCount(len(people), reachable, without, len(people) - reachable - without)


def mailing_create(*, association: Any, audience: str, subject: str, body: str, user: Any = None) -> Mailing:
    """Write the mailing to everyone of the list who may be written to, then queue its first batch.

    Raises ``MailingError`` (nothing written) when nobody in the list accepted to be contacted.
    """
    subject, body = header_text(subject), body.strip()
    if not subject or not body:
        raise MailingError(_("Indiquez l'objet et le texte du message."))
    if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        raise MailingError(_("L'objet ou le message est trop long."))
    if audience not in Audience.values:
        raise MailingError(_("Choisissez une liste de destinataires."))
    associations = type(association).objects.filter(pk=association.pk)
    with transaction.atomic():
        people = [person for person in audience_people(associations, audience) if person.reachable]
        if not people:
            raise MailingError(
                _(
                    "Personne dans cette liste n'a accepté d'être contacté par e-mail (ou tous se sont "
                    "désabonnés) : aucun message n'est envoyé."
                )
            )
        mailing = Mailing.objects.create(
            association=association,
            subject=subject,
            body=body,
            audience=audience,
            audience_label=Audience.label_for(audience)[:200],
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        MailingRecipient.objects.bulk_create(
            [
                MailingRecipient(mailing=mailing, email=person.email, name=person.payment.payer_name[:310])
                for person in people
            ],
            batch_size=500,
        )
        transaction.on_commit(lambda: send_mailing_batch.enqueue(mailing_id=mailing.pk))
    return mailing


def unsubscribe_url(recipient: MailingRecipient) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("campagnes:unsubscribe", args=[recipient.token])


def _message_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "kollektif.org"


def mailing_text(mailing: Mailing, recipient: MailingRecipient) -> str:
    """The treasurer's text, then why the person gets it and how to stop it (in every message)."""
    footer = _(
        "Vous recevez ce message de %(association)s parce que vous avez accepté d'être contacté lors "
        "d'un paiement sur Kollektif. Pour ne plus recevoir de messages de %(association)s : %(url)s"
    ) % {"association": mailing.association.name, "url": unsubscribe_url(recipient)}
    return f"{mailing.body}\n\n-- \n{footer}\n"


def _build(mailing: Mailing, recipient: MailingRecipient, domain: str):
    url = unsubscribe_url(recipient)
    reply_to = [mailing.association.email] if getattr(mailing.association, "email", "") else None
    message = build_message(
        subject=mailing.subject, to=[recipient.email], text=mailing_text(mailing, recipient), reply_to=reply_to
    )
    message.extra_headers.update(
        {
            "Message-ID": recipient.message_id,
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": header_text(f"{mailing.association.name} <association-{mailing.association_id}.{domain}>"),
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        }
    )
    return message


def _claim_batch(mailing_id: int, size: int) -> list[MailingRecipient]:
    """The next recipients to send, claimed by this run (a stale claim of a killed worker expires)."""
    now = timezone.now()
    open_claim = Q(sending_since__isnull=True) | Q(sending_since__lt=now - timedelta(minutes=CLAIM_MINUTES))
    waiting = MailingRecipient.objects.filter(mailing_id=mailing_id, status=RecipientStatus.QUEUED).filter(open_claim)
    candidates = list(waiting.order_by("pk").values_list("pk", flat=True)[:size])
    if not candidates:
        return []
    waiting.filter(pk__in=candidates).update(sending_since=now)
    return list(MailingRecipient.objects.filter(pk__in=candidates, sending_since=now).order_by("pk"))


@task()
def send_mailing_batch(*, mailing_id: int) -> str:
    """Send one batch of a mailing, then queue the next one (or close the mailing)."""
    mailing = Mailing.objects.select_related("association").filter(pk=mailing_id).first()
    if mailing is None:
        return "envoi supprimé"
    batch = _claim_batch(mailing_id, BATCH_SIZE)
    if batch and mailing.status == MailingStatus.QUEUED:
        Mailing.objects.filter(pk=mailing_id).update(status=MailingStatus.SENDING)
    domain = _message_domain()
    sent = failed = 0
    if batch:
        connection = get_connection()
        try:
            connection.open()
        except Exception as exc:  # noqa: BLE001 — the server is down: every message of the batch says why
            _record_failures(batch, exc)
            failed = len(batch)
        else:
            try:
                for recipient in batch:
                    if not recipient.message_id:
                        recipient.message_id = make_msgid(idstring=f"envoi{mailing_id}", domain=domain)
                    try:
                        connection.send_messages([_build(mailing, recipient, domain)])
                    except Exception as exc:  # noqa: BLE001 — refused address, dropped connection: recorded
                        _record_failures([recipient], exc)
                        failed += 1
                        continue
                    MailingRecipient.objects.filter(pk=recipient.pk).update(
                        status=RecipientStatus.SENT,
                        sent_at=timezone.now(),
                        message_id=recipient.message_id,
                        sending_since=None,
                        error="",
                    )
                    sent += 1
            finally:
                connection.close()
    if MailingRecipient.objects.filter(mailing_id=mailing_id, status=RecipientStatus.QUEUED).exists():
        if batch:
            send_mailing_batch.enqueue(mailing_id=mailing_id)
        return f"{sent} envoyé(s), {failed} en échec, la suite en file"
    Mailing.objects.filter(pk=mailing_id).exclude(status=MailingStatus.SENT).update(
        status=MailingStatus.SENT, finished_at=timezone.now()
    )
    return f"{sent} envoyé(s), {failed} en échec, envoi terminé"


def _record_failures(recipients: list[MailingRecipient], exc: Exception) -> None:
    reason = f"{type(exc).__name__}: {exc}"[:300]
    logger.error("mailing %s: %s message(s) failed: %s", recipients[0].mailing_id, len(recipients), reason)
    MailingRecipient.objects.filter(pk__in=[r.pk for r in recipients]).update(
        status=RecipientStatus.FAILED, error=reason, sending_since=None
    )


def mailing_retry_failed(*, mailing: Mailing) -> int:
    """The treasurer's "Réessayer": the failed messages go back to the queue, and the queue is
    restarted (a worker killed mid-batch leaves messages waiting: their claim expires)."""
    with transaction.atomic():
        count = mailing.recipients.filter(status=RecipientStatus.FAILED).update(
            status=RecipientStatus.QUEUED, sending_since=None
        )
        waiting = mailing.recipients.filter(status=RecipientStatus.QUEUED).exists()
        if count or waiting:
            Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.SENDING, finished_at=None)
            transaction.on_commit(lambda: send_mailing_batch.enqueue(mailing_id=mailing.pk))
    return count


def mailing_counts(mailing: Mailing) -> dict[str, int]:
    """``{status: count}`` of a mailing's recipients, in one query; "-" becomes "_" in the keys
    (a template reads ``counts.en_file``)."""
    rows = mailing.recipients.values("status").annotate(n=Count("pk"))
    counts = {status.replace("-", "_"): 0 for status in RecipientStatus.values}
    counts.update({row["status"].replace("-", "_"): row["n"] for row in rows})
    return counts


# --- the recipient's side -------------------------------------------------------------------


def unsubscribe(*, token: str) -> MailingRecipient | None:
    """The link of a message: the address gets no more mailings of that association."""
    recipient = MailingRecipient.objects.select_related("mailing__association").filter(token=token).first()
    if recipient is None:
        return None
    ContactOptOut.objects.get_or_create(
        association_id=recipient.mailing.association_id,
        email=recipient.email.lower(),
        defaults={"reason": OptOutReason.UNSUBSCRIBED, "detail": f"envoi {recipient.mailing_id}"},
    )
    return recipient


def bounce_record(*, event: str, email: str = "", message_id: str = "", reason: str = "") -> int:
    """A bounce or complaint the mail provider reported; returns how many recipients it names.

    A permanent failure (or a spam complaint) stops every later mailing of the association to the
    address; a temporary one is only written on the recipient, for the treasurer to read.
    """
    event = event.strip().lower().replace("-", "_")
    email = email.strip().lower()
    recipients = MailingRecipient.objects.none()
    if message_id:
        recipients = MailingRecipient.objects.filter(message_id=message_id.strip())
    recipients = list(recipients.select_related("mailing"))
    if not recipients and email:
        # no message id (or not ours): the latest message to that address of each association
        latest: dict[int, MailingRecipient] = {}
        sent = MailingRecipient.objects.filter(email__iexact=email, status=RecipientStatus.SENT)
        for recipient in sent.select_related("mailing").order_by("-pk")[:100]:
            latest.setdefault(recipient.mailing.association_id, recipient)
        recipients = list(latest.values())
    if not recipients:
        return 0
    detail = header_text(reason)[:250]
    with transaction.atomic():
        for recipient in recipients:
            if event in HARD_BOUNCES or event in COMPLAINTS:
                is_bounce = event in HARD_BOUNCES
                MailingRecipient.objects.filter(pk=recipient.pk).update(
                    status=RecipientStatus.BOUNCED if is_bounce else recipient.status,
                    error=(_("Rebond : %(reason)s") if is_bounce else _("Signalé comme indésirable : %(reason)s"))
                    % {"reason": detail or event},
                )
                ContactOptOut.objects.update_or_create(
                    association_id=recipient.mailing.association_id,
                    email=recipient.email.lower(),
                    defaults={
                        "reason": OptOutReason.BOUNCED if is_bounce else OptOutReason.UNSUBSCRIBED,
                        "detail": f"{event} {detail}"[:300],
                        "at": timezone.now(),
                    },
                )
            elif event in SOFT_BOUNCES:
                MailingRecipient.objects.filter(pk=recipient.pk).update(
                    error=_("Rebond temporaire : %(reason)s") % {"reason": detail or event}
                )
    return len(recipients)
