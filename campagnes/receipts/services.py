"""The receipts' lifecycle: issue, cancel, correct, summarise a year, record a manual gift.

Every function here runs in one transaction with the number it allocates: a receipt exists
with its number, or neither does. The PDF is rendered from the stored snapshot, outside the
transaction, by the delivery task (``campagnes.receipts.delivery``).
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
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
from campagnes.receipts.numbering import allocate_lock, allocate_number
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
    reason: str = "",
) -> Receipt:
    issued_on = timezone.localdate()
    if kind in building.DocumentKind.TAX_KINDS and sum(building.paid_cents(payment) for payment in payments) <= 0:
        raise ReceiptRefused(_("Aucun reçu fiscal ne peut être émis pour un montant nul."))
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
        confirmation_reason=reason,
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
    lock_tax_series(association, payment)
    kind, reason = building.document_decision(payment, association)
    return _issue(association=association, payments=[payment], kind=kind, reason=reason)


def lock_tax_series(association: Association, payment: Payment) -> None:
    """Take the tax receipts' counter lock before the counterpart rule reads the donor's year.

    Two payments of one donor settled at the same moment would each see the other's
    counterpart missing and both pass the yearly cap; holding the series' row lock (the one the
    number is allocated under anyway) makes the second wait for the first. Payments without a
    counterpart do not need it and do not wait.
    """
    if building.counterpart_cents(payment) <= 0 or not association.issues_tax_receipts:
        return
    allocate_lock(association_id=association.pk, series="", year=timezone.localdate().year)


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
    # what remains is judged again: a counterpart within a quarter of 100 € may be beyond a quarter of 60 €
    lock_tax_series(association, payment)
    kind, reason = building.document_decision(payment, association)
    return _issue(association=association, payments=[payment], kind=kind, replaces=receipt, reason=reason)


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
    """CGI art. 222 bis: what the association declares for the gifts of one period.

    The period is the calendar year ``year``, or the accounting year that closes in ``year``
    when the association's "exercice" does not start on 1 January. Only tax receipts count
    (payment confirmations, membership attestations are no receipts); a cancelled receipt does
    not count, its correction counts once for its corrected amount.
    """

    year: int
    receipts: int
    total_cents: int
    cancelled: int
    individuals: int
    companies: int
    period_start: date | None = None
    period_end: date | None = None
    deadline: date | None = None

    @property
    def calendar_year(self) -> bool:
        return self.period_start is not None and (self.period_start.month, self.period_start.day) == (1, 1)


def accounting_period(*, association: Association, year: int) -> tuple[date, date]:
    """The declared period that closes in ``year``: 1 January - 31 December, or the association's "exercice"."""
    month, day = association.accounting_year_start_month or 1, association.accounting_year_start_day or 1
    if (month, day) == (1, 1):
        return date(year, 1, 1), date(year, 12, 31)
    end = date(year, month, day) - timedelta(days=1)
    return date(year - 1, month, day), end


def last_closed_accounting_year(*, association: Association, today: date | None = None) -> int:
    """The year in which the association's last closed accounting year ended (the 222 bis page's default).

    A calendar year is closed on 31 December: in November 2026 the last closed one is 2026's
    predecessor, 2025. An "exercice" from 1 September to 31 August closed on 31 August 2026 is, in
    November 2026, the one to declare: 2026.
    """
    today = today or timezone.localdate()
    _start, end = accounting_period(association=association, year=today.year)
    return today.year if end < today else today.year - 1


def declaration_deadline(period_end: date) -> date:
    """When the 222 bis declaration is due: the time limits of CGI art. 223.

    Within three months of the close of the accounting year; for a year closed on 31 December
    (or no year closed), the second working day after 1 May. Sources: CGI art. 222 bis and 223;
    loi n° 2021-1109 du 24 août 2021, art. 19 (Légifrance JORFARTI000043964824); impots.gouv.fr
    news of 11 April 2022, as reported by Éditions Francis Lefebvre (efl.fr) — checked 28 Nov 2026.
    """
    if (period_end.month, period_end.day) == (12, 31):
        day, working = date(period_end.year + 1, 5, 1), 0
        while working < 2:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in _public_holidays(day.year):
                working += 1
        return day
    month = period_end.month + 3
    year = period_end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    # "three months after": the same day number, or the month's last day (31 August → 30 November)
    if period_end.day == calendar.monthrange(period_end.year, period_end.month)[1]:
        return date(year, month, last_day)
    return date(year, month, min(period_end.day, last_day))


def _public_holidays(year: int) -> set[date]:
    """French public holidays of May (the only ones that can fall two working days after 1 May)."""
    easter = _easter(year)
    return {date(year, 5, 1), date(year, 5, 8), easter + timedelta(days=39), easter + timedelta(days=50)}


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def declaration_figures(*, association: Association, year: int) -> DeclarationFigures:
    """The 222 bis figures for the period closing in ``year``: number of receipts and total of the gifts."""
    start, end = accounting_period(association=association, year=year)
    return declaration_figures_between(association=association, start=start, end=end)


def declaration_figures_between(*, association: Association, start: date, end: date) -> DeclarationFigures:
    """The 222 bis figures for the gifts received from ``start`` to ``end`` (both included).

    A receipt belongs to the period of its gifts' dates (``ReceiptItem.received_on``); an annual
    summary that straddles two accounting years is split by its gifts' dates, its count going to
    the period of its first gift. The general assembly figures read the same function for the
    association's financial year, so both pages always agree.

    One query whatever the number of receipts: the items of the receipts concerned are read in
    receipt order and folded receipt by receipt (no prefetch per chunk).
    """
    concerned = (
        Receipt.objects.tax().filter(association=association, items__received_on__range=(start, end)).values("pk")
    )
    rows = (
        ReceiptItem.objects.filter(receipt__in=concerned)
        .order_by("receipt_id", "pk")
        .values_list(
            "receipt_id", "receipt__status", "receipt__kind", "receipt__deductible_cents", "amount_cents", "received_on"
        )
    )
    count = cancelled = individuals = companies = total = 0

    def fold(status: str, kind: str, deductible: int, items: list[tuple[int, date]]) -> None:
        nonlocal count, cancelled, individuals, companies, total
        if status != ReceiptStatus.ISSUED:
            cancelled += 1
            return
        paid = sum(amount for amount, _day in items)
        share = sum(amount for amount, day in items if start <= day <= end)
        total += deductible if share == paid else deductible * share // max(paid, 1)
        if min(day for _amount, day in items) >= start:
            count += 1
            individuals += kind == ReceiptKind.TAX_INDIVIDUAL
            companies += kind == ReceiptKind.TAX_COMPANY

    current: int | None = None
    head: tuple[str, str, int] = ("", "", 0)
    items: list[tuple[int, date]] = []
    for receipt_id, status, kind, deductible, amount, received_on in rows.iterator(chunk_size=2000):
        if receipt_id != current:
            if current is not None:
                fold(*head, items)
            current, head, items = receipt_id, (status, kind, deductible), []
        items.append((amount, received_on))
    if current is not None:
        fold(*head, items)
    return DeclarationFigures(
        year=end.year,
        receipts=count,
        total_cents=total,
        cancelled=cancelled,
        individuals=individuals,
        companies=companies,
        period_start=start,
        period_end=end,
        deadline=declaration_deadline(end),
    )


def year_choices(association: Association | None = None) -> list[int]:
    receipts = Receipt.objects.all() if association is None else Receipt.objects.filter(association=association)
    years = set(receipts.order_by().values_list("gift_year", flat=True).distinct())  # no ordering: one row a year
    current = timezone.localdate().year
    years.update(range(current - settings.KOLLEKTIF_RECEIPT_RETENTION_YEARS, current + 1))
    return sorted(years, reverse=True)
