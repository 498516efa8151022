"""A payment's state changes, with no call to Stripe: what every other service ends in.

Each function runs inside the caller's transaction on a locked payment row (or locks it),
checks the current state before changing it and writes a PaymentLog line. Nothing here waits
on the network: Stripe is read *before* a row is locked (see ``stripe_sync`` and ``payments``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from campagnes.memberships import period_for_payment
from campagnes.models import (
    Counterpart,
    Membership,
    Payment,
    PaymentKind,
    PaymentLog,
    PaymentOffer,
    PaymentStatus,
    Ticket,
    TicketType,
)
from campagnes.notifications import notify_payment_succeeded
from campagnes.receipts.services import receipt_issue_for_payment, receipts_apply_refund
from campagnes.services.tickets import tickets_cancel

logger = logging.getLogger("kollektif.payments")


class SoldOut(Exception):
    """A quota or a stock ran out between the form and the payment: the message is shown as is."""


def payment_log(
    payment: Payment, action: str, *, source: str, from_status: str = "", detail: Mapping[str, Any] | None = None
) -> None:
    PaymentLog.objects.create(
        payment=payment,
        action=action,
        from_status=from_status,
        to_status=payment.status,
        source=source,
        detail=dict(detail or {}),
    )


def offer_reserve(offer: PaymentOffer) -> None:
    """Take tickets and counterparts for a pending payment; rows locked, never oversold."""
    for type_id, quantity in offer.ticket_lines():
        ticket_type = TicketType.objects.select_for_update().get(pk=type_id)
        if ticket_type.quota - ticket_type.sold < quantity:
            raise SoldOut(
                _("Il ne reste que %(count)s place(s) pour « %(name)s ».")
                % {
                    "count": max(ticket_type.quota - ticket_type.sold, 0),
                    "name": ticket_type.name,
                }
            )
        TicketType.objects.filter(pk=type_id).update(sold=F("sold") + quantity)
    if offer.counterpart_id is not None:
        counterpart = Counterpart.objects.select_for_update().get(pk=offer.counterpart_id)
        if counterpart.stock is not None and counterpart.stock - counterpart.taken < 1:
            raise SoldOut(_("La contrepartie « %(name)s » n'est plus disponible.") % {"name": counterpart.name})
        Counterpart.objects.filter(pk=counterpart.pk).update(taken=F("taken") + 1)


def offer_release(offer: PaymentOffer) -> None:
    for type_id, quantity in offer.ticket_lines():
        TicketType.objects.filter(pk=type_id).update(sold=Greatest(F("sold") - quantity, Value(0)))
    if offer.counterpart_id is not None:
        Counterpart.objects.filter(pk=offer.counterpart_id).update(taken=Greatest(F("taken") - 1, Value(0)))


@transaction.atomic
def payment_close_pending(*, payment: Payment, status: str, reason: str, source: str) -> Payment:
    """Close a pending payment without money: ``FAILED`` (the bank refused) or ``CANCELED``
    (abandoned, or impossible). Its reservations go back on sale; any other state is left as is."""
    if status not in PaymentStatus.CLOSED_UNPAID:
        raise ValueError(f"not a closing status: {status!r}")
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = status
    payment.failure_reason = str(reason)[:255]
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    offer_release(payment.offer_details)
    action = "failed" if status == PaymentStatus.FAILED else "canceled"
    payment_log(payment, action, source=source, from_status=PaymentStatus.PENDING, detail={"reason": str(reason)})
    return payment


def mark_succeeded(payment: Payment, *, charge_id: str, source: str) -> Payment:
    """On a locked row: the payment is paid. Fulfils it, thanks the payer, issues the receipt."""
    if payment.status != PaymentStatus.PENDING and payment.status != PaymentStatus.FAILED:
        return payment  # already succeeded, or refunded meanwhile: nothing to do
    previous = payment.status
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = payment.paid_at or timezone.now()
    if charge_id and not payment.stripe_charge:
        payment.stripe_charge = charge_id
    payment.failure_reason = ""
    payment.save(update_fields=["status", "paid_at", "stripe_charge", "failure_reason", "updated_at"])
    if previous == PaymentStatus.FAILED:
        try:
            offer_reserve(payment.offer_details)  # a late success after a failure takes its places again
        except SoldOut as exc:
            # the card was charged: honour the payment, and tell the treasurer through the log
            logger.warning("payment %s succeeded late but its places are gone: %s", payment.pk, exc)
            payment_log(payment, "oversold", source=source, detail={"reason": str(exc)})
    _fulfil(payment)
    payment_log(payment, "succeeded", source=source, from_status=previous)
    notify_payment_succeeded(payment)  # the thank-you e-mail (tickets attached) goes before the receipt
    receipt = receipt_issue_for_payment(payment)
    if receipt is not None:
        payment_log(payment, "receipt_issued", source=source, detail={"number": receipt.number, "kind": receipt.kind})
    return payment


def _fulfil(payment: Payment) -> None:
    """What a successful payment produces: a membership, tickets. Idempotent."""
    offer = payment.offer_details
    if payment.kind == PaymentKind.MEMBERSHIP and not Membership.objects.filter(payment=payment).exists():
        valid_from, valid_until = period_for_payment(payment, paid_on=timezone.localdate(payment.paid_at))
        Membership.objects.create(
            payment=payment,
            association=payment.association,
            tier_name=offer.tier_name,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    if payment.kind == PaymentKind.TICKETS and not payment.tickets.exists():
        Ticket.objects.bulk_create(
            Ticket(payment=payment, association=payment.association, ticket_type_id=type_id)
            for type_id, quantity in offer.ticket_lines()
            for _number in range(quantity)
        )


@transaction.atomic
def apply_refunds(*, payment: Payment, refunded_cents: int, source: str) -> Payment:
    """Record what Stripe says was refunded in total (events may come in any order)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if refunded_cents <= payment.refunded_cents:
        return payment
    previous = payment.status
    payment.refunded_cents = min(refunded_cents, payment.total_cents)
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        payment.paid_at = payment.paid_at or timezone.now()  # a refund proves it was paid
    payment.status = (
        PaymentStatus.REFUNDED if payment.refunded_cents >= payment.total_cents else PaymentStatus.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_cents", "status", "paid_at", "updated_at"])
    payment_log(payment, "refunded", source=source, from_status=previous, detail={"refunded_cents": refunded_cents})
    if payment.status == PaymentStatus.REFUNDED and payment.kind == PaymentKind.TICKETS:
        tickets_cancel(payment=payment, tickets=None, source=source)  # refunded in full, from anywhere: seats back
    corrected = receipts_apply_refund(payment)
    if corrected is not None:
        payment_log(payment, "receipt_corrected", source=source, detail={"number": corrected.number})
    return payment
