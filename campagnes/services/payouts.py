"""Stripe's payouts and balance transactions copied for the treasurer: which card payments,
refunds and fees make up the transfer she sees on the bank statement.

The copy is read-only and idempotent (each row upserted by its Stripe id), so a webhook, the
"Actualiser" button and the management command may all run it, in any order and twice. As
everywhere else (``ledger.py``), Stripe is read first, with nothing locked; the rows are then
written in one transaction. Fees are Stripe's own (``fee`` of each balance transaction), never
recomputed: they are what the accountant finds on Stripe's statements.

Which balance transactions a payout carried is only known for automatic payouts whose
``reconciliation_status`` is ``completed`` (https://docs.stripe.com/payouts/reconciliation):
those are listed with ``payout=po_…``. Every recent balance transaction is listed as well;
one in no payout yet is "en attente" (still on the association's Stripe balance).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from associations.models import Association
from campagnes import stripe_gateway as gateway
from campagnes.models import BalanceTransaction, Payment, StripePayout

logger = logging.getLogger("kollektif.payments")

# How far back a later sync looks before the newest payout already copied: a payout stays
# "pending" or "in transit" a few days, and a charge waits up to 30 days (a new account's
# delay) before it is paid out.
RESYNC_MARGIN = datetime.timedelta(days=35)
# Balance transactions that are the payout itself (the debit of the Stripe balance), not a line of it.
OWN_PAYOUT_TYPES = frozenset({"payout"})
PAGE_LIMIT = 1000  # pages of one listing; a guard against a never-ending cursor, not a business limit


class PayoutsUnavailable(gateway.GatewayError):
    """The association has no Stripe account to read payouts from (message safe to show)."""


@dataclass(frozen=True)
class SyncReport:
    payouts: int
    transactions: int
    unmatched: int  # charges and refunds that name no payment of the association


def _as_dict(obj: Any) -> dict:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _pages(list_page: Callable[..., Any], **params: Any) -> Iterator[dict]:
    """Every object of a Stripe listing, page after page (``has_more`` / ``starting_after``)."""
    starting_after = ""
    for _page in range(PAGE_LIMIT):
        page = _as_dict(list_page(starting_after=starting_after, **params))
        data = page.get("data") or []
        yield from (_as_dict(item) for item in data)
        if not page.get("has_more") or not data:
            return
        starting_after = data[-1]["id"]


def _datetime(timestamp: int | None) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(int(timestamp or 0), tz=datetime.UTC)


def _date(timestamp: int | None) -> datetime.date:
    """Stripe's dates (``arrival_date``, ``available_on``) are midnight UTC of the day meant."""
    return _datetime(timestamp).date()


def _account_of(association: Association) -> str:
    if not settings.STRIPE_CONNECT_ENABLED or not association.stripe_account_id:
        raise PayoutsUnavailable(
            _("Le compte Stripe de l'association n'est pas connecté : aucun virement à afficher pour l'instant.")
        )
    return association.stripe_account_id


def _window_start(association: Association) -> int:
    """The first sync reads from 1 January of last year (the closed financial year and this
    one); later ones from a little before the newest payout already copied."""
    newest = (
        StripePayout.objects.filter(association=association)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if newest is not None:
        return int((newest - RESYNC_MARGIN).timestamp())
    today = timezone.localdate()
    start = datetime.datetime(today.year - 1, 1, 1, tzinfo=timezone.get_current_timezone())
    return int(start.timestamp())


def _lines_complete(association: Association) -> dict[str, int]:
    """The payouts whose lines are all copied already (their nets add up to the payout)."""
    payouts = StripePayout.objects.filter(association=association).annotate(
        lines_net=Sum("balance_transactions__net_cents", filter=~Q(balance_transactions__type__in=OWN_PAYOUT_TYPES))
    )
    return {p.stripe_id: p.amount_cents for p in payouts if p.lines_net == p.amount_cents}


def _lines_available(payout: dict) -> bool:
    """Stripe lists a payout's transactions for automatic payouts once reconciled."""
    if payout.get("automatic") is False:
        return False
    return payout.get("reconciliation_status", "completed") in ("completed", None)


def payouts_sync(*, association: Association, since: datetime.date | None = None) -> SyncReport:
    """Copy the association's payouts and balance transactions from Stripe (read, then write).

    Raises ``gateway.GatewayError`` (French message) when Stripe cannot be read: nothing is
    written then, what was copied before stays as it was.
    """
    account = _account_of(association)
    created_gte = (
        int(datetime.datetime.combine(since, datetime.time(), tzinfo=timezone.get_current_timezone()).timestamp())
        if since
        else _window_start(association)
    )
    complete = _lines_complete(association)

    # 1. Read Stripe, nothing locked.
    payouts = list(_pages(gateway.list_payouts, account=account, created_gte=created_gte))
    lines_of: dict[str, list[dict]] = {}
    for payout in payouts:
        if _lines_available(payout) and complete.get(payout["id"]) != payout["amount"]:
            lines_of[payout["id"]] = list(
                _pages(gateway.list_balance_transactions, account=account, payout=payout["id"])
            )
    recent = list(_pages(gateway.list_balance_transactions, account=account, created_gte=created_gte))

    # 2. Write, in one transaction.
    with transaction.atomic():
        report = _write(association, payouts=payouts, lines_of=lines_of, recent=recent)
    logger.info(
        "payouts of association %s synced: %s payouts, %s transactions, %s unmatched",
        association.pk,
        report.payouts,
        report.transactions,
        report.unmatched,
    )
    return report


def _write(
    association: Association, *, payouts: list[dict], lines_of: dict[str, list[dict]], recent: list[dict]
) -> SyncReport:
    StripePayout.objects.bulk_create(
        [_payout_row(association, payout) for payout in payouts],
        update_conflicts=True,
        unique_fields=["stripe_id"],
        update_fields=["amount_cents", "currency", "status", "arrival_date", "statement_descriptor", "synced_at"],
    )
    payout_pk = dict(StripePayout.objects.filter(association=association).values_list("stripe_id", "pk"))

    transactions: dict[str, dict] = {txn["id"]: txn for txn in recent}
    for lines in lines_of.values():
        transactions.update({txn["id"]: txn for txn in lines})
    payment_of = _payments_for(association, transactions.values())

    rows = [_transaction_row(association, txn, payment_of.get(txn["id"])) for txn in transactions.values()]
    fields = ["type", "amount_cents", "fee_cents", "net_cents", "currency", "available_on", "source_id", "description"]
    with_payment = [row for row in rows if row.payment_id]
    without_payment = [row for row in rows if not row.payment_id]
    for batch, update_fields in ((with_payment, [*fields, "payment"]), (without_payment, fields)):
        if batch:
            BalanceTransaction.objects.bulk_create(
                batch, update_conflicts=True, unique_fields=["stripe_id"], update_fields=update_fields, batch_size=500
            )

    # The payout a transaction went out with: its listing says so, and the payout's own
    # debit names it as its source.
    for payout_id, lines in lines_of.items():
        BalanceTransaction.objects.filter(association=association, stripe_id__in=[t["id"] for t in lines]).update(
            payout_id=payout_pk[payout_id]
        )
    for txn in transactions.values():
        source = _source_id(txn)
        if txn.get("type") in OWN_PAYOUT_TYPES and source in payout_pk:
            BalanceTransaction.objects.filter(stripe_id=txn["id"]).update(payout_id=payout_pk[source])

    unmatched = sum(1 for txn in transactions.values() if _is_payment_line(txn) and not payment_of.get(txn["id"]))
    return SyncReport(payouts=len(payouts), transactions=len(transactions), unmatched=unmatched)


def _payout_row(association: Association, payout: dict) -> StripePayout:
    return StripePayout(
        association=association,
        stripe_id=payout["id"],
        amount_cents=int(payout["amount"]),
        currency=str(payout.get("currency") or "eur")[:3],
        status=str(payout.get("status") or "")[:20],
        arrival_date=_date(payout.get("arrival_date")),
        created_at=_datetime(payout.get("created")),
        statement_descriptor=str(payout.get("statement_descriptor") or "")[:255],
    )


def _source_id(txn: dict) -> str:
    return gateway.object_id(txn.get("source"))


def _is_payment_line(txn: dict) -> bool:
    return str(txn.get("type")) in ("charge", "payment", "refund", "payment_refund")


def _transaction_row(association: Association, txn: dict, payment_id: int | None) -> BalanceTransaction:
    return BalanceTransaction(
        association=association,
        stripe_id=txn["id"],
        type=str(txn.get("type") or "")[:40],
        amount_cents=int(txn.get("amount") or 0),
        fee_cents=int(txn.get("fee") or 0),  # Stripe's figure, never a formula
        net_cents=int(txn.get("net") or 0),
        currency=str(txn.get("currency") or "eur")[:3],
        created_at=_datetime(txn.get("created")),
        available_on=_date(txn.get("available_on")),
        source_id=_source_id(txn)[:255],
        description=str(txn.get("description") or "")[:500],
        payment_id=payment_id,
    )


def _references(txn: dict) -> tuple[str, str]:
    """(charge id, PaymentIntent id) a charge or a refund names, as far as Stripe says."""
    source = txn.get("source")
    if not isinstance(source, dict):  # not expanded: its id is all we know
        source_id = source or ""
        return (source_id if source_id.startswith(("ch_", "py_")) else "", "")
    if source.get("object") == "refund":
        return gateway.object_id(source.get("charge")), gateway.object_id(source.get("payment_intent"))
    if source.get("object") == "charge":
        return source.get("id", ""), gateway.object_id(source.get("payment_intent"))
    return "", ""


def _payments_for(association: Association, transactions: Iterable[dict]) -> dict[str, int]:
    """Each charge or refund → the association's payment it belongs to (one query).

    Only this association's payments: a transaction of its Stripe account can belong to no other.
    """
    references = {txn["id"]: _references(txn) for txn in transactions if _is_payment_line(txn)}
    charges = {charge for charge, _intent in references.values() if charge}
    intents = {intent for _charge, intent in references.values() if intent}
    if not charges and not intents:
        return {}
    by_charge: dict[str, int] = {}
    by_intent: dict[str, int] = {}
    for pk, charge, intent in Payment.objects.filter(
        Q(stripe_charge__in=charges) | Q(stripe_payment_intent__in=intents), association=association
    ).values_list("pk", "stripe_charge", "stripe_payment_intent"):
        if charge:
            by_charge[charge] = pk
        if intent:
            by_intent[intent] = pk
    found = {}
    for txn_id, (charge, intent) in references.items():
        payment_id = by_charge.get(charge) or by_intent.get(intent)
        if payment_id:
            found[txn_id] = payment_id
    return found


@task()
def payouts_sync_task(*, association_id: int) -> str:
    """The webhook's sync, out of the request: Stripe is read at leisure, the event answered at once.

    A failure is logged, not raised again: the next event, or the treasurer's "Actualiser",
    copies the same (the sync is idempotent).
    """
    association = Association.objects.filter(pk=association_id).first()
    if association is None:
        return "association inconnue"
    try:
        report = payouts_sync(association=association)
    except gateway.GatewayError as exc:
        logger.warning("payouts of association %s not synced: %s", association_id, exc)
        return f"échec : {exc}"
    return f"{report.payouts} virements, {report.transactions} mouvements"
