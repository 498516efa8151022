"""The receipts' lifecycle: issue, cancel, correct, summarise a year, record a manual gift.

Every function here runs in one transaction with the number it allocates: a receipt exists
with its number, or neither does. The PDF is rendered from the stored snapshot, outside the
transaction, by the delivery task (``campagnes.receipts.delivery``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from campagnes.models import (
    Payment,
    PaymentKind,
    PaymentStatus,
    Receipt,
    ReceiptItem,
    ReceiptKind,
    ReceiptStatus,
)
from campagnes.receipts import building
from campagnes.receipts.delivery import schedule_cancellation_notice, schedule_delivery
from campagnes.receipts.numbering import allocate_number
from campagnes.receipts.snapshot import document_to_json

logger = logging.getLogger("kollektif.receipts")


class ReceiptRefused(Exception):
    """A receipt asked for a payment that cannot have one; the message is for the user (French)."""


def _issue(
    *,
    association: Association,
    payments: list[Payment],
    kind: str,
    year: int | None = None,
    replaces: Receipt | None = None,
) -> Receipt:
    issued_on = timezone.localdate()
    series = building.SERIES_FOR_KIND[kind]
    number, sequence = allocate_number(association_id=association.pk, series=series, year=issued_on.year)
    document = building.build_document(
        association=association,
        payments=payments,
        kind=kind,
        number=number,
        issued_on=issued_on,
        year=year,
        replaces_number=replaces.number if replaces else "",
    )
    receipt = Receipt.objects.create(
        association=association,
        kind=kind,
        number=number,
        series=series,
        year=issued_on.year,
        sequence=sequence,
        gift_year=year or document.lines[0].received_on.year,
        summary_year=year,
        donor_name=document.donor.name[:300],
        donor_email=payments[0].email.lower(),
        amount_cents=document.amount_cents,
        deductible_cents=document.deductible_cents,
        document=document_to_json(document),
        replaces=replaces,
    )
    ReceiptItem.objects.bulk_create(
        ReceiptItem(receipt=receipt, payment=payment, amount_cents=line.amount_cents, received_on=line.received_on)
        for payment, line in zip(payments, document.lines, strict=True)
    )
    schedule_delivery(receipt)
    return receipt


def active_receipt_for(payment: Payment) -> Receipt | None:
    return Receipt.objects.filter(items__payment=payment, status=ReceiptStatus.ISSUED).order_by("-issued_at").first()


def waits_for_annual_summary(payment: Payment, association: Association) -> bool:
    return (
        payment.kind == PaymentKind.MONTHLY_DONATION
        and association.monthly_annual_summary
        and association.issues_tax_receipts
    )


def receipt_issue_for_payment(payment: Payment) -> Receipt | None:
    """Called when a payment succeeds (inside its transaction, payment row locked). Idempotent."""
    if payment.status not in PaymentStatus.SETTLED:
        raise ReceiptRefused(_("Ce paiement n'est pas réglé : aucun reçu ne peut être émis."))
    association = Association.objects.select_related("commune").get(pk=payment.association_id)
    if waits_for_annual_summary(payment, association):
        return None
    if ReceiptItem.objects.filter(payment=payment).exists():
        return active_receipt_for(payment)
    kind = building.document_kind_for(payment, association)
    return _issue(association=association, payments=[payment], kind=kind)


@transaction.atomic
def receipt_cancel(*, receipt: Receipt, reason: str, source: str = "") -> Receipt:
    """Cancels (never deletes): the receipt keeps its number, and says when and why."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.is_cancelled:
        return receipt
    if not reason.strip():
        raise ReceiptRefused(_("Indiquez le motif de l'annulation."))
    receipt.status = ReceiptStatus.CANCELLED
    receipt.cancelled_at = timezone.now()
    receipt.cancellation_reason = reason.strip()[:300]
    receipt.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
    schedule_cancellation_notice(receipt)  # the donor is told, with the corrected receipt if one follows
    logger.info("receipt %s cancelled (%s): %s", receipt.number, source, reason)
    return receipt


def receipts_apply_refund(payment: Payment) -> Receipt | None:
    """A refund cancels the receipt; a partial one also issues a corrected receipt for what remains.

    Runs in the refund's transaction (payment row locked). An annual summary that covered the
    payment is cancelled and reissued for the year with the new amounts.
    """
    receipt = active_receipt_for(payment)
    if receipt is None:
        return None
    remaining = building.paid_cents(payment)
    reason = _("Remboursement total") if remaining == 0 else _("Remboursement partiel : montant corrigé")
    receipt_cancel(receipt=receipt, reason=reason, source="remboursement")
    association = Association.objects.select_related("commune").get(pk=payment.association_id)
    if receipt.summary_year:
        payments = [
            item.payment
            for item in receipt.items.select_related("payment__campaign")
            if building.paid_cents(item.payment) > 0
        ]
        if payments:
            return _issue(
                association=association,
                payments=payments,
                kind=receipt.kind,
                year=receipt.summary_year,
                replaces=receipt,
            )
        return None
    if remaining == 0:
        return None
    return _issue(association=association, payments=[payment], kind=receipt.kind, replaces=receipt)


def _summary_payments(*, association: Association, year: int) -> QuerySet[Payment]:
    return Payment.objects.filter(
        association=association,
        kind=PaymentKind.MONTHLY_DONATION,
        status__in=PaymentStatus.SETTLED,
        paid_at__year=year,
        receipt_items__isnull=True,
    )


def summary_donor_count(*, association: Association, year: int) -> int:
    """How many monthly donors still wait for their annual receipt of ``year``."""
    return _summary_payments(association=association, year=year).values("email").distinct().count()


def receipts_issue_annual_summaries(*, association: Association, year: int) -> int:
    """Year N's summaries, issued in January of N+1 once failed payments are settled.

    A pending payment of the year holds back its donor's summary (it may still succeed); the
    others are issued, one transaction per donor so one bad record does not block the rest.
    Only payment ids are held in memory (a few bytes each); each donor's payments are read,
    locked and issued in turn, so memory stays flat with 5,000 donors or 500,000 payments.
    Returns the number of summaries issued.
    """
    if not association.issues_tax_receipts:
        return 0
    pending = {
        email.lower()
        for email in Payment.objects.filter(
            association=association,
            kind=PaymentKind.MONTHLY_DONATION,
            status=PaymentStatus.PENDING,
            created_at__year=year,
        ).values_list("email", flat=True)
    }
    association = Association.objects.select_related("commune").get(pk=association.pk)
    candidates = _summary_payments(association=association, year=year)
    donors: dict[str, list[int]] = {}  # payment ids per donor, however they typed their address
    for pk, email in candidates.order_by().values_list("pk", "email").iterator(chunk_size=5000):
        donors.setdefault(email.lower(), []).append(pk)
    campaigns: dict[int, object] = {}
    issued = 0
    for key in sorted(donors.keys() - pending):
        with transaction.atomic():
            payments = list(
                Payment.objects.select_for_update()
                .filter(pk__in=donors[key], status__in=PaymentStatus.SETTLED)
                .order_by("paid_at", "pk")
            )
            receipted = set(ReceiptItem.objects.filter(payment__in=payments).values_list("payment_id", flat=True))
            payments = [payment for payment in payments if payment.pk not in receipted]
            if not payments:
                continue  # issued meanwhile by another run
            for payment in payments:  # one page object per campaign, read once
                if payment.campaign_id not in campaigns:
                    campaigns[payment.campaign_id] = payment.campaign
                payment.campaign = campaigns[payment.campaign_id]
            kind = building.document_kind_for(payments[-1], association)
            _issue(association=association, payments=payments, kind=kind, year=year)
            issued += 1
    return issued


# --- figures for the treasurer ----------------------------------------------------------


@dataclass(frozen=True)
class DeclarationFigures:
    """CGI art. 222 bis: number and total of the tax receipts for gifts of year N, net of cancellations."""

    year: int
    receipts: int
    total_cents: int
    cancelled: int
    individuals: int
    companies: int


def declaration_figures(*, association: Association, year: int) -> DeclarationFigures:
    rows = (
        Receipt.objects.tax()
        .filter(association=association, gift_year=year)
        .aggregate(
            receipts=Count("pk", filter=Q(status=ReceiptStatus.ISSUED)),
            total=Sum("deductible_cents", filter=Q(status=ReceiptStatus.ISSUED)),
            cancelled=Count("pk", filter=Q(status=ReceiptStatus.CANCELLED)),
            individuals=Count("pk", filter=Q(status=ReceiptStatus.ISSUED, kind=ReceiptKind.TAX_INDIVIDUAL)),
            companies=Count("pk", filter=Q(status=ReceiptStatus.ISSUED, kind=ReceiptKind.TAX_COMPANY)),
        )
    )
    return DeclarationFigures(
        year=year,
        receipts=rows["receipts"],
        total_cents=rows["total"] or 0,
        cancelled=rows["cancelled"],
        individuals=rows["individuals"],
        companies=rows["companies"],
    )


def year_choices(association: Association | None = None) -> list[int]:
    receipts = Receipt.objects.all() if association is None else Receipt.objects.filter(association=association)
    years = set(receipts.order_by().values_list("gift_year", flat=True).distinct())  # no ordering: one row a year
    current = timezone.localdate().year
    years.update(range(current - settings.KOLLEKTIF_RECEIPT_RETENTION_YEARS, current + 1))
    return sorted(years, reverse=True)
