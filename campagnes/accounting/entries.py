"""Double-entry lines for every payment, refund, Stripe fee and payout of a period.

What is booked, and where (the accounts come from ``AccountingSettings``, ANC 2018-06 defaults;
``docs/comptabilite.md`` gives the sources):

- a payment received through Stripe (card, direct debit), on the day it was paid:
  debit the Stripe intermediary account (467), credit the product of its kind (754 gifts,
  756 memberships, 706 tickets) for the **total paid, covered fees included**: the fee a donor
  adds "to cover the costs" is part of what she gives, and her tax receipt says so
  (``campagnes.receipts.building.paid_cents`` counts ``total_cents``);
- a refund, on the day it was recorded (``PaymentLog`` "refunded"): the reverse lines, for the
  amount refunded that day;
- Stripe's fee, as Stripe reports it on the balance transaction (never a formula), on the day of
  the transaction: debit 627, credit 467;
- a payout, on the day it reaches the bank: debit 512, credit 467 (bank journal).

Gifts a treasurer recorded by hand (cheques, transfers, cash, volunteers' expenses given up)
did not go through Kollektif: they are already in her bank journal, so they are not booked here.

Entries are generated lazily, in date order, with a fixed number of queries whatever the number
of payments: an export of a year streams without holding the year in memory.
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from campagnes.models import (
    AccountingSettings,
    BalanceTransaction,
    Payment,
    PaymentKind,
    PaymentLog,
    PaymentMethod,
    PaymentStatus,
    PayoutStatus,
    ReceiptItem,
    StripePayout,
)
from campagnes.models.accounting import ACCOUNT_ROLES

CHUNK = 2000
# The methods whose money goes through the association's Stripe account.
STRIPE_METHODS = (PaymentMethod.CARD, PaymentMethod.DIRECT_DEBIT)
PRODUCT_ROLE = {
    PaymentKind.DONATION: "donation_account",
    PaymentKind.MONTHLY_DONATION: "monthly_donation_account",
    PaymentKind.MEMBERSHIP: "membership_account",
    PaymentKind.TICKETS: "ticket_account",
    PaymentKind.CROWDFUNDING: "crowdfunding_account",
}


@dataclass(frozen=True)
class Line:
    account: str
    account_label: str
    debit_cents: int = 0
    credit_cents: int = 0


@dataclass(frozen=True)
class Entry:
    """One balanced entry ("écriture"): its lines' debits equal their credits."""

    journal_code: str
    journal_label: str
    date: datetime.date
    piece_ref: str
    label: str
    lines: tuple[Line, ...]
    what: str  # "payment", "refund", "fee", "payout": what the totals group by
    payment_kind: str = ""
    sign: int = 1  # -1: a fee given back, a payout Stripe took back from the bank

    @property
    def amount_cents(self) -> int:
        return sum(line.debit_cents for line in self.lines)


class Chart:
    """The association's accounts and journals, as the entries name them."""

    def __init__(self, settings: AccountingSettings):
        self.settings = settings
        self.processor_journal = settings.processor_journal
        self.bank_journal = settings.bank_journal

    def account(self, role: str) -> tuple[str, str]:
        return getattr(self.settings, role), str(ACCOUNT_ROLES[role]["label"])

    def product(self, kind: str) -> tuple[str, str]:
        return self.account(PRODUCT_ROLE.get(kind, "donation_account"))

    @property
    def processor_journal_label(self) -> str:
        return _("Stripe")

    @property
    def bank_journal_label(self) -> str:
        return _("Banque")


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's first and last instants in the association's time zone (Paris)."""
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return first, after


def _label(*parts: str) -> str:
    return " — ".join(part for part in parts if part)


def booked_payments(association: Association):
    """The payments whose money went through Stripe and was received (refunded since or not)."""
    return Payment.objects.filter(
        association=association, status__in=PaymentStatus.PAID_OR_REFUNDED, method__in=STRIPE_METHODS
    ).exclude(paid_at=None)


def _payment_entries(association: Association, chart: Chart, start, end) -> Iterator[Entry]:
    first, after = _bounds(start, end)
    receipt = (
        ReceiptItem.objects.filter(payment=OuterRef("pk"), receipt__cancelled_at=None)
        .order_by("-receipt__issued_at")
        .values("receipt__number")[:1]
    )
    # Plain tuples, not model instances: a year is tens of thousands of rows, and building a
    # Payment and its campaign Page for each costs more than writing its lines.
    rows = (
        booked_payments(association)
        .filter(paid_at__gte=first, paid_at__lt=after)
        .annotate(receipt_number=Subquery(receipt))
        .order_by("paid_at", "pk")
        .values_list(
            "pk",
            "kind",
            "amount_cents",
            "fee_cents",
            "paid_at",
            "first_name",
            "last_name",
            "company_name",
            "campaign__title",
            "receipt_number",
        )
    )
    processor = chart.account("processor_account")
    kind_labels = {kind: str(label) for kind, label in PaymentKind.choices}
    products = {kind: chart.product(kind) for kind in kind_labels}
    tz = timezone.get_current_timezone()
    for pk, kind, amount, fee, paid_at, first_name, last_name, company, title, number in rows.iterator(
        chunk_size=CHUNK
    ):
        total = amount + fee
        payer = company or f"{first_name} {last_name}".strip()
        yield Entry(
            journal_code=chart.processor_journal,
            journal_label=chart.processor_journal_label,
            date=paid_at.astimezone(tz).date(),
            piece_ref=number or f"P{pk}",
            label=_label(kind_labels.get(kind, kind), payer, title),
            lines=(
                Line(*processor, debit_cents=total),
                Line(*products.get(kind, products[PaymentKind.DONATION]), credit_cents=total),
            ),
            what="payment",
            payment_kind=kind,
        )


def _refund_entries(association: Association, chart: Chart, start, end) -> Iterator[Entry]:
    """One entry per refund recorded in the period, for what was refunded that day.

    ``apply_refunds`` logs the *cumulative* refunded amount; the day's refund is the difference
    with the previous log of the payment. A payment whose refunded amount is not explained by
    its logs (older data) gets the rest on the day it was last changed.
    """
    found: list[tuple[datetime.date, int, Entry]] = []
    processor = chart.account("processor_account")

    def add(payment: Payment, day: datetime.date, cents: int, order: int) -> None:
        if cents <= 0 or not (start <= day <= end):
            return
        product = chart.product(payment.kind)
        entry = Entry(
            journal_code=chart.processor_journal,
            journal_label=chart.processor_journal_label,
            date=day,
            piece_ref=f"P{payment.pk}-R{order}",
            label=_label(_("Remboursement"), payment.get_kind_display(), payment.payer_name, payment.campaign.title),
            lines=(Line(*product, debit_cents=cents), Line(*processor, credit_cents=cents)),
            what="refund",
            payment_kind=payment.kind,
        )
        found.append((day, payment.pk * 1000 + order, entry))

    booked = booked_payments(association).filter(refunded_cents__gt=0)
    logs = (
        PaymentLog.objects.filter(action="refunded", payment__in=booked)
        .select_related("payment__campaign")
        .order_by("payment_id", "at", "pk")
    )
    current, previous, order = None, 0, 0
    explained: dict[int, int] = {}
    for log in logs.iterator(chunk_size=CHUNK):
        payment = log.payment
        if payment.pk != current:
            current, previous, order = payment.pk, 0, 0
        cumulative = min(int(log.detail.get("refunded_cents") or 0), payment.total_cents)
        if cumulative > previous:
            order += 1
            add(payment, timezone.localdate(log.at), cumulative - previous, order)
            previous = cumulative
        explained[payment.pk] = previous
    unexplained = booked.select_related("campaign").only(
        "pk",
        "kind",
        "amount_cents",
        "fee_cents",
        "refunded_cents",
        "updated_at",
        "first_name",
        "last_name",
        "company_name",
        "campaign__title",
    )
    for payment in unexplained.iterator(chunk_size=CHUNK):
        rest = payment.refunded_cents - explained.get(payment.pk, 0)
        add(payment, timezone.localdate(payment.updated_at), rest, 999)
    found.sort(key=lambda item: (item[0], item[1]))
    for _day, _order, entry in found:
        yield entry


def stripe_fee_cents(transaction: BalanceTransaction) -> int:
    """Stripe's fee on this movement: its ``fee``, or the movement itself for a billed fee."""
    fee = transaction.fee_cents
    if transaction.type == "stripe_fee":
        fee -= transaction.amount_cents  # a fee Stripe takes on its own is a negative amount
    return fee


def _fee_entries(association: Association, chart: Chart, start, end) -> Iterator[Entry]:
    first, after = _bounds(start, end)
    transactions = (
        BalanceTransaction.objects.filter(association=association, created_at__gte=first, created_at__lt=after)
        .filter(~Q(fee_cents=0) | Q(type="stripe_fee"))
        .only("pk", "stripe_id", "type", "amount_cents", "fee_cents", "created_at", "description", "payment_id")
        .order_by("created_at", "pk")
    )
    fees, processor = chart.account("fee_account"), chart.account("processor_account")
    for transaction in transactions.iterator(chunk_size=CHUNK):
        fee = stripe_fee_cents(transaction)
        if fee == 0:
            continue
        about = f"P{transaction.payment_id}" if transaction.payment_id else transaction.description
        lines = (
            (Line(*fees, debit_cents=fee), Line(*processor, credit_cents=fee))
            if fee > 0
            else (Line(*processor, debit_cents=-fee), Line(*fees, credit_cents=-fee))
        )
        yield Entry(
            journal_code=chart.processor_journal,
            journal_label=chart.processor_journal_label,
            date=timezone.localdate(transaction.created_at),
            piece_ref=transaction.stripe_id,
            label=_label(_("Frais Stripe") if fee > 0 else _("Frais Stripe remboursés"), about),
            lines=lines,
            what="fee",
            sign=1 if fee > 0 else -1,
        )


def _payout_entries(association: Association, chart: Chart, start, end) -> Iterator[Entry]:
    payouts = StripePayout.objects.filter(
        association=association, status=PayoutStatus.PAID, arrival_date__gte=start, arrival_date__lte=end
    ).order_by("arrival_date", "pk")
    bank, processor = chart.account("bank_account"), chart.account("processor_account")
    for payout in payouts.iterator(chunk_size=CHUNK):
        cents = payout.amount_cents
        if cents == 0:
            continue
        lines = (
            (Line(*bank, debit_cents=cents), Line(*processor, credit_cents=cents))
            if cents > 0
            else (Line(*processor, debit_cents=-cents), Line(*bank, credit_cents=-cents))
        )
        yield Entry(
            journal_code=chart.bank_journal,
            journal_label=chart.bank_journal_label,
            date=payout.arrival_date,
            piece_ref=payout.stripe_id,
            label=_label(_("Virement Stripe"), payout.statement_descriptor),
            lines=lines,
            what="payout",
            sign=1 if cents > 0 else -1,
        )


def period_entries(association: Association, start: datetime.date, end: datetime.date) -> Iterator[Entry]:
    """Every entry of ``start``–``end`` (both included), in date order; four queries in all.

    Each source holds a PostgreSQL server-side cursor while the export streams. They are closed
    here, when the download ends or the client leaves (the WSGI server closes the response), and
    never left to the garbage collector: a cursor it closes in the middle of another query on the
    same connection waits forever for psycopg's connection lock."""
    chart = Chart(AccountingSettings.for_association(association))
    sources = (
        _payment_entries(association, chart, start, end),
        _refund_entries(association, chart, start, end),
        _fee_entries(association, chart, start, end),
        _payout_entries(association, chart, start, end),
    )
    try:
        yield from heapq.merge(*sources, key=lambda entry: entry.date)
    finally:
        for source in sources:
            source.close()


@dataclass
class Totals:
    """What a period's entries add up to, for the page and the tests."""

    entries: int = 0
    lines: int = 0
    debit_cents: int = 0
    credit_cents: int = 0
    received_by_kind: dict[str, int] = field(default_factory=dict)
    refunded_by_kind: dict[str, int] = field(default_factory=dict)
    fees_cents: int = 0
    payouts_cents: int = 0

    @property
    def received_cents(self) -> int:
        return sum(self.received_by_kind.values())

    @property
    def refunded_cents(self) -> int:
        return sum(self.refunded_by_kind.values())

    @property
    def net_cents(self) -> int:
        return self.received_cents - self.refunded_cents

    def add(self, entry: Entry) -> None:
        self.entries += 1
        self.lines += len(entry.lines)
        self.debit_cents += sum(line.debit_cents for line in entry.lines)
        self.credit_cents += sum(line.credit_cents for line in entry.lines)
        amount = entry.amount_cents
        if entry.what == "payment":
            self.received_by_kind[entry.payment_kind] = self.received_by_kind.get(entry.payment_kind, 0) + amount
        elif entry.what == "refund":
            self.refunded_by_kind[entry.payment_kind] = self.refunded_by_kind.get(entry.payment_kind, 0) + amount
        elif entry.what == "fee":
            self.fees_cents += entry.sign * amount
        elif entry.what == "payout":
            self.payouts_cents += entry.sign * amount


def period_totals(association: Association, start: datetime.date, end: datetime.date) -> Totals:
    totals = Totals()
    for entry in period_entries(association, start, end):
        totals.add(entry)
    return totals
