"""Reads of the treasurer's "Virements": each Stripe payout as on the bank statement, what makes
it up (payments, refunds, Stripe's fees), and what is still waiting on the Stripe balance.

All figures add up Stripe's balance transactions as copied by ``services/payouts.py``: a
payment's fee is the ``fee`` Stripe reported for it, never an estimate. The query count of
each read does not grow with the number of payouts or lines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations import tenancy
from associations.models import Association
from campagnes.models import BalanceTransaction, PayoutStatus, ReceiptItem, ReceiptStatus, StripePayout

PAYMENT_TYPES = ("charge", "payment")
REFUND_TYPES = ("refund", "payment_refund", "payment_failure_refund", "refund_failure")
FEE_TYPES = ("stripe_fee", "stripe_fx_fee", "tax_fee", "application_fee")
OWN_PAYOUT_TYPES = ("payout",)  # the payout's own debit of the balance, not one of its lines

TYPE_LABELS = {
    "charge": _("Paiement"),
    "payment": _("Paiement"),
    "refund": _("Remboursement"),
    "payment_refund": _("Remboursement"),
    "payment_failure_refund": _("Remboursement (paiement échoué)"),
    "refund_failure": _("Remboursement échoué, recrédité"),
    "stripe_fee": _("Frais Stripe"),
    "stripe_fx_fee": _("Frais de change Stripe"),
    "tax_fee": _("Taxe sur les frais Stripe"),
    "application_fee": _("Frais de plateforme"),
    "adjustment": _("Ajustement Stripe"),
    "payout_failure": _("Virement échoué, recrédité"),
    "payout_cancel": _("Virement annulé, recrédité"),
    "dispute": _("Opposition bancaire"),
    "issuing_dispute": _("Opposition bancaire"),
}

IN_TRANSIT = (PayoutStatus.PENDING, PayoutStatus.IN_TRANSIT)


def _lines(prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}type__in": OWN_PAYOUT_TYPES})


def _sum(field: str, condition: Q) -> Coalesce:
    return Coalesce(Sum(field, filter=condition), Value(0))


def _totals(prefix: str) -> dict:
    """The figures of a set of lines: gross payments, refunds, fees, other movements, net."""
    lines = _lines(prefix)
    return {
        "payments_count": Count(f"{prefix}pk", filter=lines & Q(**{f"{prefix}type__in": PAYMENT_TYPES})),
        "gross_cents": _sum(f"{prefix}amount_cents", lines & Q(**{f"{prefix}type__in": PAYMENT_TYPES})),
        "refunds_cents": _sum(f"{prefix}amount_cents", lines & Q(**{f"{prefix}type__in": REFUND_TYPES})),
        "fee_lines_cents": _sum(f"{prefix}amount_cents", lines & Q(**{f"{prefix}type__in": FEE_TYPES})),
        "fees_cents": _sum(f"{prefix}fee_cents", lines),
        "net_cents": _sum(f"{prefix}net_cents", lines),
        "lines_count": Count(f"{prefix}pk", filter=lines),
    }


@dataclass(frozen=True)
class Totals:
    payments_count: int
    lines_count: int
    gross_cents: int
    refunds_cents: int  # negative: money given back
    fees_cents: int  # positive: what Stripe kept (fees on payments and fee lines)
    other_cents: int  # adjustments, disputes, failed payouts credited back…
    net_cents: int

    @classmethod
    def of(cls, row) -> Totals:
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        gross, refunds, net = get("gross_cents"), get("refunds_cents"), get("net_cents")
        fees = get("fees_cents") - get("fee_lines_cents")
        return cls(
            payments_count=get("payments_count"),
            lines_count=get("lines_count"),
            gross_cents=gross,
            refunds_cents=refunds,
            fees_cents=fees,
            other_cents=net - gross - refunds + fees,
            net_cents=net,
        )


def visible_payouts(user) -> QuerySet[StripePayout]:
    """The payouts of the associations whose money the user handles (all of them for staff)."""
    return tenancy.scope(StripePayout.objects.all(), user)


def payouts_with_totals(queryset: QuerySet[StripePayout]) -> QuerySet[StripePayout]:
    """Each payout with the figures of its lines (``totals`` on each row through ``Totals.of``)."""
    return queryset.annotate(**_totals("balance_transactions__")).order_by("-arrival_date", "-created_at", "-pk")


def payout_totals(payout: StripePayout) -> Totals:
    return Totals.of(BalanceTransaction.objects.filter(payout=payout).aggregate(**_totals("")))


def payout_matches(payout: StripePayout, totals: Totals) -> bool:
    """The bank statement's check: the lines' nets add up to the payout's amount."""
    return totals.lines_count > 0 and totals.net_cents == payout.amount_cents


def _pending(association: Association) -> QuerySet[BalanceTransaction]:
    return BalanceTransaction.objects.filter(association=association, payout__isnull=True)


@dataclass(frozen=True)
class PendingSummary:
    totals: Totals  # not yet in any payout: still on the Stripe balance
    in_transit_cents: int  # payouts created, not yet on the bank account
    in_transit_count: int
    next_available_on: datetime.date | None
    last_synced_at: datetime.datetime | None


def pending_summary(association: Association) -> PendingSummary:
    """What Stripe still holds for the association, and what is on its way to the bank."""
    totals = Totals.of(_pending(association).aggregate(**_totals("")))
    payouts = StripePayout.objects.filter(association=association)
    moving = payouts.filter(status__in=IN_TRANSIT).aggregate(
        amount=Coalesce(Sum("amount_cents"), Value(0)), count=Count("pk")
    )
    next_available = (
        _pending(association)  # the next day a pending line becomes payable (none: all already are)
        .filter(_lines(), available_on__gt=timezone.localdate())
        .order_by("available_on")
        .values_list("available_on", flat=True)
        .first()
    )
    return PendingSummary(
        totals=totals,
        in_transit_cents=moving["amount"],
        in_transit_count=moving["count"],
        next_available_on=next_available,
        last_synced_at=payouts.order_by("-synced_at").values_list("synced_at", flat=True).first(),
    )


@dataclass(frozen=True)
class Line:
    """One line of a payout (or of the pending balance), as the treasurer reads it."""

    stripe_id: str
    source_id: str
    type: str
    label: str
    created_at: datetime.datetime
    available_on: datetime.date
    payment_id: int | None
    payer_name: str
    campaign: str
    receipt_number: str
    description: str
    amount_cents: int
    fee_cents: int
    net_cents: int


def _receipt_numbers(payment_ids: set[int]) -> dict[int, str]:
    """The issued receipt of each payment (the newest, when a correction replaced one)."""
    numbers: dict[int, str] = {}
    items = (
        ReceiptItem.objects.filter(payment_id__in=payment_ids, receipt__status=ReceiptStatus.ISSUED)
        .order_by("receipt__issued_at", "receipt__pk")
        .values_list("payment_id", "receipt__number")
    )
    for payment_id, number in items:
        numbers[payment_id] = number
    return numbers


def _lines_of(queryset: QuerySet[BalanceTransaction]) -> list[Line]:
    transactions = list(queryset.filter(_lines()).select_related("payment__campaign").order_by("created_at", "pk"))
    receipts = _receipt_numbers({txn.payment_id for txn in transactions if txn.payment_id})
    lines = []
    for txn in transactions:
        payment = txn.payment
        lines.append(
            Line(
                stripe_id=txn.stripe_id,
                source_id=txn.source_id,
                type=txn.type,
                label=str(TYPE_LABELS.get(txn.type, txn.type)),
                created_at=txn.created_at,
                available_on=txn.available_on,
                payment_id=txn.payment_id,
                payer_name=payment.payer_name if payment else "",
                campaign=payment.campaign.title if payment else "",
                receipt_number=receipts.get(txn.payment_id, "") if txn.payment_id else "",
                description=txn.description,
                amount_cents=txn.amount_cents,
                fee_cents=txn.fee_cents,
                net_cents=txn.net_cents,
            )
        )
    return lines


def payout_lines(payout: StripePayout) -> list[Line]:
    """The payments, refunds, fees and other movements one payout carried to the bank."""
    return _lines_of(BalanceTransaction.objects.filter(payout=payout))


def pending_lines(association: Association) -> list[Line]:
    """The movements still on the Stripe balance, in no payout yet."""
    return _lines_of(_pending(association))
