"""Receipt PDFs and their delivery: rendered from the stored snapshot, e-mailed by a task.

The issued PDF is stored once in private storage with its SHA-256 and never rewritten; a
cancelled receipt is downloaded as a freshly rendered copy carrying the "ANNULÉ" mention.
Sending runs in a background task after the issuing transaction commits; a failure is
recorded and retried later with a growing delay, up to KOLLEKTIF_RECEIPT_EMAIL_ATTEMPTS.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from associations.domains import association_origin
from campagnes.models import Receipt, ReceiptStatus
from campagnes.receipts.pdf import render_receipt_pdf
from campagnes.receipts.snapshot import document_from_json
from kernel.formats.french import french_date
from kernel.mail import attachment, build_message, emails_about, send_templated_email

logger = logging.getLogger("kollektif.receipts")


def render_pdf(receipt: Receipt) -> bytes:
    """The PDF as issued, or, for a cancelled receipt, with its cancellation printed on it."""
    document = document_from_json(receipt.document)
    if receipt.is_cancelled:
        document = dataclasses.replace(
            document,
            cancelled_on=timezone.localdate(receipt.cancelled_at),
            cancellation_reason=receipt.cancellation_reason,
        )
    return render_receipt_pdf(document, owner_password=_owner_password(receipt))


def _owner_password(receipt: Receipt) -> str:
    """Secret and stable: the PDF's edit lock cannot be lifted from the number alone."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"recu:{receipt.uuid}".encode(), hashlib.sha256).hexdigest()[:32]


def pdf_bytes(receipt: Receipt) -> bytes:
    """What a download serves: the stored original (rendered and stored on first need)."""
    if receipt.is_cancelled:
        return render_pdf(receipt)
    if receipt.pdf:
        with receipt.pdf.open("rb") as handle:
            return handle.read()
    content = render_pdf(receipt)
    receipt.pdf.save(f"{receipt.uuid}.pdf", ContentFile(content), save=False)
    receipt.pdf_sha256 = hashlib.sha256(content).hexdigest()
    Receipt.objects.filter(pk=receipt.pk, pdf="").update(pdf=receipt.pdf.name, pdf_sha256=receipt.pdf_sha256)
    return content


def schedule_delivery(receipt: Receipt) -> None:
    transaction.on_commit(lambda: deliver_receipt.enqueue(receipt_id=receipt.pk))


def my_receipts_url(association=None) -> str:
    """The "Mes reçus" page on the association's own domain when it has one (the page answers on any host)."""
    return association_origin(association) + reverse("campagnes:my_receipts")


def _message(receipt: Receipt, content: bytes) -> EmailMultiAlternatives:
    association = receipt.association
    context = {
        "receipt": receipt,
        "association": association,
        "my_receipts_url": my_receipts_url(association),
        "donor_name": receipt.donor_name,
        "site_url": settings.WAGTAILADMIN_BASE_URL,
    }
    subject = _("Votre %(kind)s n° %(number)s — %(association)s") % {
        "kind": receipt.get_kind_display().lower(),
        "number": receipt.number,
        "association": association.name,
    }
    context["subject"] = subject
    # headers are built (and cleaned of control characters) by the platform's one mail seam
    return build_message(
        subject=f"{getattr(settings, 'ACCOUNT_EMAIL_SUBJECT_PREFIX', '')}{subject}",
        text=render_to_string("emails/receipt.txt", context),
        html=render_to_string("emails/receipt.html", context),
        to=[receipt.donor_email],
        reply_to=[association.email] if association.email else None,
        attachments=[attachment(receipt.filename, content, "application/pdf")],
    )


CLAIM_MINUTES = 10


def _claim(receipt_id: int) -> bool:
    """Only one worker sends a receipt: the one whose UPDATE takes it. A claim left by a worker
    killed mid-task expires after CLAIM_MINUTES, so a rerun of the task can send it."""
    now = timezone.now()
    return bool(
        Receipt.objects.filter(pk=receipt_id, emailed_at__isnull=True)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - timedelta(minutes=CLAIM_MINUTES)))
        .update(sending_since=now)
    )


@task()
def deliver_receipt(*, receipt_id: int) -> str:
    if not _claim(receipt_id):
        return "déjà envoyé ou en cours d'envoi"
    receipt = Receipt.objects.select_related("association").get(pk=receipt_id)
    try:
        _message(receipt, pdf_bytes(receipt)).send()
    except Exception as exc:  # noqa: BLE001 — any failure (SMTP, storage) is retried later
        return _record_failure(receipt, exc)
    Receipt.objects.filter(pk=receipt.pk).update(
        emailed_at=timezone.now(), email_attempts=receipt.email_attempts + 1, last_email_error="", sending_since=None
    )
    return "envoyé"


def _record_failure(receipt: Receipt, exc: Exception) -> str:
    attempts = receipt.email_attempts + 1
    Receipt.objects.filter(pk=receipt.pk).update(
        email_attempts=attempts, last_email_error=str(exc)[:300], sending_since=None
    )
    logger.warning("receipt %s: e-mail attempt %s failed: %s", receipt.number, attempts, exc)
    if attempts >= settings.KOLLEKTIF_RECEIPT_EMAIL_ATTEMPTS:
        return "abandonné"
    if deliver_receipt.get_backend().supports_defer:
        delay = timedelta(minutes=5 * 2 ** (attempts - 1))  # 5, 10, 20, 40 minutes
        deliver_receipt.using(run_after=timezone.now() + delay).enqueue(receipt_id=receipt.pk)
    return "à réessayer"


def resend_unsent(*, limit: int = 500) -> int:
    """Safety net for a queue without deferred tasks: retry receipts still not sent."""
    pending = Receipt.objects.filter(
        emailed_at__isnull=True, email_attempts__lt=settings.KOLLEKTIF_RECEIPT_EMAIL_ATTEMPTS
    ).values_list("pk", flat=True)[:limit]
    sent = 0
    for receipt_id in pending:
        sent += deliver_receipt.call(receipt_id=receipt_id) == "envoyé"
    return sent


# --- the donor is told of a cancellation ------------------------------------------------------

CANCELLATION_TEMPLATE = "receipt_cancelled"


def schedule_cancellation_notice(receipt: Receipt) -> None:
    """After the cancelling transaction commits (its corrected receipt, if any, exists by then)."""
    transaction.on_commit(lambda: notify_cancellation(receipt_id=receipt.pk))


def notify_cancellation(*, receipt_id: int) -> None:
    """E-mails the donor that their receipt is cancelled, the corrected receipt attached when one replaces it.

    A cancelled tax receipt can no longer justify a reduction (CGI art. 1740 A fines the
    association for a receipt that wrongly allows one): the donor must know, and use the
    corrected one. The corrected receipt travels in this e-mail, so its own e-mail is not sent
    a second time. Idempotent: one notice per cancelled receipt. The outbox (kernel.mail)
    retries a failed sending and shows it in the admin.
    """
    receipt = Receipt.objects.select_related("association").filter(pk=receipt_id).first()
    if receipt is None or not receipt.is_cancelled or not receipt.donor_email:
        return
    if emails_about(receipt).filter(template=CANCELLATION_TEMPLATE).exists():
        return
    replacement = (
        Receipt.objects.filter(replaces=receipt, status=ReceiptStatus.ISSUED).order_by("-issued_at", "-pk").first()
    )
    attachments = []
    if replacement is not None:
        attachments.append(attachment(replacement.filename, pdf_bytes(replacement), "application/pdf"))
    association = receipt.association
    subject = _("Votre %(kind)s n° %(number)s est annulé — %(association)s") % {
        "kind": receipt.get_kind_display().lower(),
        "number": receipt.number,
        "association": association.name,
    }
    with transaction.atomic():
        send_templated_email(
            to=[receipt.donor_email],
            subject=subject,
            template=CANCELLATION_TEMPLATE,
            context={
                "receipt": receipt,
                "replacement": replacement,
                "association": association,
                "donor_name": receipt.donor_name,
                "cancelled_on": french_date(receipt.cancelled_at),
                "reason": receipt.cancellation_reason,
                "my_receipts_url": my_receipts_url(),
            },
            reply_to=[association.email] if association.email else None,
            attachments=attachments,
            about=receipt,
        )
        if replacement is not None:
            # The corrected receipt left with this notice: its own e-mail would repeat it.
            Receipt.objects.filter(pk=replacement.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
