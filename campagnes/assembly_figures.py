"""The general assembly's figures ("chiffres pour l'assemblée générale") of one financial year.

What a treasurer reads out at the general assembly and her chartered accountant checks: money
received by kind, by campaign and by month, refunds, Stripe's fees and the net; members at the
start and at the end of the year, new and renewed; tickets sold per event; the tax receipts of
the 222 bis declaration. Every figure is an aggregate computed by the database (GROUP BY), in a
fixed number of queries whatever the number of payments (see ``bench/bench_assembly.py``).

Definitions (also printed on the page and in the PDF, see ``docs/assembly.md``):

- **Received** ("encaissé"): payments that were paid (``PaymentStatus.PAID_OR_REFUNDED``: even
  if refunded since), dated by their payment date (``paid_at``, Europe/Paris) within the year,
  for the total the payer paid (the gift plus the fees they chose to cover). Gifts in kind and
  volunteers' expenses given up (``PaymentMethod.OTHER``) bring no money: counted apart.
- **Refunds**: what was given back of those payments, whenever it was given back. The
  accounting export dates each refund on its own day; the two figures differ only for a payment
  refunded after the year's close.
- **Fees**: Stripe's own fee of each balance transaction (``BalanceTransaction.fee_cents``, as
  on Stripe's statements) dated within the year; "non disponibles" when no Stripe movement was
  synchronised for the year: a fee is never estimated by a formula.
- **Net** = received − refunds − fees.
- **Members**, counted by distinct e-mail (as the members' list does), memberships not refunded
  in full: *at the start* (a membership valid on the year's first day), *at the end* (valid on
  its last day), *new* (paid their first membership ever during the year), *renewed* (paid one
  during the year and had paid an earlier one).
- **Tickets**: tickets of the payments of the year, per event; refunded tickets apart.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from associations.models import Association
from campagnes.financial_years import Period
from campagnes.memberships import held_memberships
from campagnes.models import (
    BalanceTransaction,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Ticket,
)
from campagnes.receipts.services import DeclarationFigures, declaration_figures_between


@dataclass(frozen=True)
class MoneyLine:
    """Payments of one kind, campaign, method or month: how many, received, refunded, net of refunds."""

    key: str
    label: str
    count: int = 0
    received_cents: int = 0
    refunded_cents: int = 0

    @property
    def net_cents(self) -> int:
        return self.received_cents - self.refunded_cents


@dataclass(frozen=True)
class MonthLine(MoneyLine):
    month: datetime.date = datetime.date.min


@dataclass(frozen=True)
class Fees:
    """Stripe's fees for the year, as its balance transactions report them."""

    available: bool
    cents: int
    movements: int  # balance transactions of the year
    card_payments_without_movement: int  # card payments of the year no synchronised movement names
    covered_by_payers_cents: int  # fees the donors chose to cover (part of what was received)


@dataclass(frozen=True)
class Members:
    at_start: int
    at_end: int
    new: int
    renewed: int

    @property
    def joined(self) -> int:
        """People who paid a membership during the year."""
        return self.new + self.renewed


@dataclass(frozen=True)
class EventTickets:
    campaign_id: int
    title: str
    event_starts_at: datetime.datetime | None
    sold: int
    refunded: int
    checked_in: int


@dataclass(frozen=True)
class AssemblyFigures:
    association: Association
    period: Period
    count: int
    received_cents: int
    refunded_cents: int
    fees: Fees
    by_kind: list[MoneyLine]
    by_campaign: list[MoneyLine]
    by_method: list[MoneyLine]
    months: list[MonthLine]
    members: Members
    tickets: list[EventTickets]
    receipts: DeclarationFigures
    non_cash: MoneyLine = field(default_factory=lambda: MoneyLine("autre", ""))

    @property
    def net_cents(self) -> int:
        """Received − refunds − Stripe's fees (fees left out when not available: see ``fees``)."""
        return self.received_cents - self.refunded_cents - (self.fees.cents if self.fees.available else 0)

    @property
    def tickets_sold(self) -> int:
        return sum(line.sold for line in self.tickets)

    @property
    def busiest_month(self) -> MonthLine | None:
        best = max(self.months, key=lambda line: line.received_cents, default=None)
        return best if best is not None and best.received_cents > 0 else None


def period_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The year as aware datetimes in the association's time zone (Europe/Paris): [start, end + 1 day)."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, after


def month_starts(period: Period) -> list[datetime.date]:
    """The first day of every calendar month the year touches (a year may start on any day)."""
    months, day = [], period.start.replace(day=1)
    while day <= period.end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_of(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        value = value.date()
    return value.replace(day=1)


def _money_rows(association: Association, start: datetime.datetime, after: datetime.datetime) -> list[dict]:
    """One row per (kind, method, campaign, month): the one query behind every money figure."""
    without_movement = ~Exists(BalanceTransaction.objects.filter(payment=OuterRef("pk")))
    return list(
        Payment.objects.filter(association=association, status__in=PaymentStatus.PAID_OR_REFUNDED)
        .annotate(received_at=Coalesce("paid_at", "created_at"))
        .filter(received_at__gte=start, received_at__lt=after)
        .annotate(month=TruncMonth("received_at", tzinfo=timezone.get_default_timezone()))
        .values("kind", "method", "campaign_id", "campaign__title", "month")
        .annotate(
            count=Count("pk"),
            received=Sum(F("amount_cents") + F("fee_cents")),
            refunded=Sum("refunded_cents"),
            covered=Sum("fee_cents"),
            card_without_movement=Count("pk", filter=Q(without_movement, method=PaymentMethod.CARD)),
        )
        .order_by()
    )


def _fold(rows: list[dict], key, label) -> list[MoneyLine]:
    totals: dict = defaultdict(lambda: [0, 0, 0])
    labels: dict = {}
    for row in rows:
        k = key(row)
        totals[k][0] += row["count"]
        totals[k][1] += row["received"] or 0
        totals[k][2] += row["refunded"] or 0
        labels[k] = label(row)
    return [MoneyLine(str(k), labels[k], *totals[k]) for k in totals]


def _members(association: Association, period: Period, start: datetime.datetime, after: datetime.datetime) -> Members:
    """One row per person (lower-case e-mail), counted here: a correlated "had a membership
    before?" subquery per row was quadratic (6 s for 6,000 memberships on PostgreSQL, no index on
    ``LOWER(email)``); the earliest membership per person answers it in the same pass."""
    in_year = Q(joined_at__gte=start, joined_at__lt=after)
    people = (
        held_memberships()
        .filter(association=association)
        .annotate(joined_at=Coalesce("payment__paid_at", "payment__created_at"))
        .values("email_key")
        .annotate(
            first_joined_at=Min("joined_at"),
            in_year=Count("pk", filter=in_year),
            at_start=Count("pk", filter=Q(valid_from__lte=period.start, valid_until__gte=period.start)),
            at_end=Count("pk", filter=Q(valid_from__lte=period.end, valid_until__gte=period.end)),
        )
        .order_by()
        .values_list("first_joined_at", "in_year", "at_start", "at_end")
    )
    at_start = at_end = joined = renewed = 0
    for first_joined_at, in_year_count, start_count, end_count in people.iterator(chunk_size=5000):
        at_start += bool(start_count)
        at_end += bool(end_count)
        if in_year_count:
            joined += 1
            renewed += first_joined_at < start
    return Members(at_start=at_start, at_end=at_end, new=joined - renewed, renewed=renewed)


def _tickets(association: Association, start: datetime.datetime, after: datetime.datetime) -> list[EventTickets]:
    refunded = Q(canceled_at__isnull=False) | Q(payment__status=PaymentStatus.REFUNDED)
    rows = (
        Ticket.objects.filter(association=association, payment__status__in=PaymentStatus.PAID_OR_REFUNDED)
        .annotate(sold_at=Coalesce("payment__paid_at", "payment__created_at"))
        .filter(sold_at__gte=start, sold_at__lt=after)
        .values("ticket_type__page_id", "ticket_type__page__title", "ticket_type__page__event_starts_at")
        .annotate(
            sold=Count("pk", filter=~refunded),
            refunded=Count("pk", filter=refunded),
            checked_in=Count("pk", filter=~refunded & Q(checked_in_at__isnull=False)),
        )
        .order_by("ticket_type__page__event_starts_at", "ticket_type__page__title")
    )
    return [
        EventTickets(
            campaign_id=row["ticket_type__page_id"],
            title=row["ticket_type__page__title"],
            event_starts_at=row["ticket_type__page__event_starts_at"],
            sold=row["sold"],
            refunded=row["refunded"],
            checked_in=row["checked_in"],
        )
        for row in rows
    ]


def _fees(association: Association, start: datetime.datetime, after: datetime.datetime) -> tuple[int, int]:
    totals = BalanceTransaction.objects.filter(
        association=association, created_at__gte=start, created_at__lt=after
    ).aggregate(fees=Sum("fee_cents"), movements=Count("pk"))
    return totals["fees"] or 0, totals["movements"]


def assembly_figures(*, association: Association, period: Period) -> AssemblyFigures:
    """Every figure of the general assembly page for ``period``, in five queries whatever the data.

    Money (1 query), Stripe's fees (1), members (1), tickets (1), tax receipts (1, the 222 bis
    selector itself, so both pages agree).
    """
    start, after = period_bounds(period)
    rows = _money_rows(association, start, after)
    money = [row for row in rows if row["method"] != PaymentMethod.OTHER]
    non_cash_rows = [row for row in rows if row["method"] == PaymentMethod.OTHER]

    kinds = dict(PaymentKind.choices)
    kind_order = list(kinds)
    by_kind = sorted(
        _fold(money, lambda row: row["kind"], lambda row: str(kinds.get(row["kind"], row["kind"]))),
        key=lambda line: kind_order.index(line.key) if line.key in kind_order else len(kind_order),
    )
    by_campaign = sorted(
        _fold(money, lambda row: row["campaign_id"], lambda row: row["campaign__title"]),
        key=lambda line: (-line.received_cents, line.label),
    )
    methods = dict(PaymentMethod.choices)
    by_method = sorted(
        _fold(money, lambda row: row["method"], lambda row: str(methods.get(row["method"], row["method"]))),
        key=lambda line: -line.received_cents,
    )
    per_month = {line.key: line for line in _fold(money, lambda row: _month_of(row["month"]), lambda row: "")}
    months = []
    for first in month_starts(period):
        line = per_month.get(str(first), MoneyLine(str(first), ""))
        months.append(MonthLine(str(first), "", line.count, line.received_cents, line.refunded_cents, month=first))
    non_cash = _fold(non_cash_rows, lambda row: "autre", lambda row: str(methods[PaymentMethod.OTHER]))

    fee_cents, movements = _fees(association, start, after)
    fees = Fees(
        available=movements > 0,
        cents=fee_cents,
        movements=movements,
        card_payments_without_movement=sum(row["card_without_movement"] for row in money),
        covered_by_payers_cents=sum(row["covered"] or 0 for row in money),
    )
    return AssemblyFigures(
        association=association,
        period=period,
        count=sum(line.count for line in by_kind),
        received_cents=sum(line.received_cents for line in by_kind),
        refunded_cents=sum(line.refunded_cents for line in by_kind),
        fees=fees,
        by_kind=by_kind,
        by_campaign=by_campaign,
        by_method=by_method,
        months=months,
        members=_members(association, period, start, after),
        tickets=_tickets(association, start, after),
        receipts=declaration_figures_between(association=association, start=period.start, end=period.end),
        non_cash=non_cash[0] if non_cash else MoneyLine("autre", str(methods[PaymentMethod.OTHER])),
    )
