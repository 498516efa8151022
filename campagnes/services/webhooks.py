"""Stripe's webhook events, processed exactly once: read Stripe first, then lock and apply.

An event is only a trigger: the object it names is read again from Stripe (on the account the
event came from) and only Stripe's answer is used, never the payload's fields. The reading
happens before any transaction (``_read``): no row, neither the event's nor a payment's, stays
locked while Stripe is called. Then the event row is locked, and what was read is applied
(``apply()``), so two deliveries of the same event run one after the other and the second
finds it done. If applying fails, the transaction (event row included) rolls back and Stripe's
retry processes it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from associations.services import association_stripe_account_update
from campagnes import stripe_gateway as gateway
from campagnes.models import Payment, PaymentStatus, StripeEvent
from campagnes.services.ledger import apply_refunds, payment_close_pending
from campagnes.services.monthly import monthly_gift_mark_stopped, monthly_renewal_failed
from campagnes.services.payouts import payouts_sync_task
from campagnes.services.stripe_sync import (
    apply_invoice,
    apply_payment_intent,
    payment_for_invoice,
    payment_link_intent,
    stripe_field,
)

Apply = Callable[[], str]

ALREADY_DONE = "déjà traité"

# A payout created, paid, failed, changed or reconciled: the association's payouts are read
# again from Stripe by a task (``services/payouts.py``), the event is answered at once.
PAYOUT_EVENTS = frozenset(
    {
        "payout.created",
        "payout.updated",
        "payout.paid",
        "payout.failed",
        "payout.canceled",
        "payout.reconciliation_completed",
    }
)


def webhook_handle(event: Any) -> str:
    """Process a verified event exactly once; returns a short outcome for the log."""
    if StripeEvent.objects.filter(event_id=event.id, processed_at__isnull=False).exists():
        return ALREADY_DONE  # a redelivery: not even read from Stripe again
    apply = _read(event)  # network calls, nothing locked
    with transaction.atomic():
        record, _created = StripeEvent.objects.get_or_create(
            event_id=event.id, defaults={"type": event.type, "account": stripe_field(event, "account") or ""}
        )
        record = StripeEvent.objects.select_for_update().get(pk=record.pk)
        if record.processed_at:
            return ALREADY_DONE
        outcome = apply()
        record.processed_at = timezone.now()
        record.outcome = outcome[:255]
        record.save(update_fields=["processed_at", "outcome"])
    return outcome


def _outcome(text: str) -> Apply:
    return lambda: text


def _read(event: Any) -> Apply:
    """Read from Stripe what the event is about; return what applies it (under the event's lock)."""
    obj = event.data.object
    source = f"webhook {event.id}"
    account = stripe_field(event, "account") or ""
    try:
        if event.type in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            return _read_payment_intent(obj.id, account=account, source=source)
        if event.type in ("invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"):
            invoice = gateway.retrieve_invoice(obj.id, account=account)
            failed = event.type == "invoice.payment_failed"
            reason = _renewal_refusal(invoice, account=account) if failed else ""
            return lambda: _apply_invoice(invoice, account=account, source=source, failed=failed, reason=reason)
        if event.type == "customer.subscription.deleted":
            return _read_subscription_deleted(obj.id, account=account, source=source)
        if event.type == "account.updated":
            return _read_account(obj.id)
        if event.type == "charge.refunded":
            return _read_charge_refunded(obj.id, account=account, source=source)
        if event.type in PAYOUT_EVENTS:
            return _read_payout(account)
    except gateway.NotFound:
        return _outcome("inconnu chez Stripe")  # a retry would not change it
    return _outcome("ignoré")


def _payment_for_intent(intent: Any) -> Payment | None:
    """The payment of a PaymentIntent read from Stripe: by the intent it was charged with,
    else by the reference we put in the intent's metadata (the webhook may come first)."""
    payment = Payment.objects.filter(stripe_payment_intent=intent.id).first()
    reference = stripe_field(stripe_field(intent, "metadata") or {}, "payment")
    if payment is None and reference:
        payment = Payment.objects.filter(uuid=reference).first() if _is_uuid(reference) else None
    return payment


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _on_the_account(payment: Payment, account: str) -> bool:
    """With Connect, an event about an association's payment comes from that association's
    account, never from another one (whose owner could write any metadata)."""
    return not settings.STRIPE_CONNECT_ENABLED or payment.association.stripe_account_id == account


def _read_payment_intent(intent_id: str, *, account: str, source: str) -> Apply:
    intent = gateway.retrieve_payment_intent(intent_id, account=account)

    def apply() -> str:
        payment = _payment_for_intent(intent)
        if payment is None or not _on_the_account(payment, account):
            return "paiement inconnu"
        payment = apply_payment_intent(payment=payment, intent=intent, source=source)
        if payment.stripe_payment_intent != intent.id:
            return f"paiement {payment.pk} : non conforme"
        return f"paiement {payment.pk}"

    return apply


def _renewal_refusal(invoice: Any, *, account: str) -> str:
    """The bank's reason for a refused month, in French, read from the invoice's charge."""
    charge_id = gateway.object_id(stripe_field(invoice, "charge"))
    if not charge_id:
        return ""
    try:
        charge = gateway.retrieve_charge(charge_id, account=account)
    except gateway.NotFound:
        return ""
    outcome = stripe_field(charge, "outcome") or {}
    return gateway.decline_message(
        code=stripe_field(charge, "failure_code") or "", decline_code=stripe_field(outcome, "reason") or ""
    )


def _apply_invoice(invoice: Any, *, account: str, source: str, failed: bool, reason: str = "") -> str:
    payment = payment_for_invoice(invoice)
    if payment is None or not _on_the_account(payment, account):
        return "abonnement inconnu"
    if failed and invoice["status"] != "paid":
        was_pending = payment.status == PaymentStatus.PENDING
        payment = payment_close_pending(
            payment=payment,
            status=PaymentStatus.FAILED,
            reason=_("Prélèvement mensuel refusé. %(reason)s") % {"reason": reason}
            if reason
            else _("Prélèvement mensuel refusé"),
            source=source,
        )
        if was_pending and payment.status == PaymentStatus.FAILED:
            monthly_renewal_failed(payment)  # the donor gets a link to give another card
    else:
        apply_invoice(payment=payment, invoice=invoice, source=source)
    return f"échéance {payment.pk}"


def _read_subscription_deleted(subscription_id: str, *, account: str, source: str) -> Apply:
    """A monthly gift canceled on Stripe's side (the dashboard, or after the last failed retry):
    recorded as stopped, and both sides told, once (stopping it here also brings this event)."""
    if not Payment.objects.filter(stripe_subscription=subscription_id).exists():
        return _outcome("abonnement inconnu")
    subscription = gateway.retrieve_subscription(subscription_id, account=account)

    def apply() -> str:
        holder = Payment.objects.filter(stripe_subscription=subscription_id).order_by("created_at", "pk").first()
        if holder is None or not _on_the_account(holder, account):
            return "abonnement inconnu"
        if subscription["status"] != "canceled":
            return "abonnement toujours actif"
        monthly_gift_mark_stopped(holder=holder, source=source)
        return f"don mensuel {holder.pk} arrêté"

    return apply


def _read_account(account_id: str) -> Apply:
    """Re-read the account: events may arrive late and out of order, and an old "enabled"
    payload must not enable payments again on an account Stripe has since restricted."""
    if not Association.objects.filter(stripe_account_id=account_id).exists():
        return _outcome("compte inconnu")
    account = gateway.retrieve_account(account_id)

    def apply() -> str:
        association_stripe_account_update(account=account)
        return "compte mis à jour"

    return apply


def _read_payout(account: str) -> Apply:
    """Nothing is read here: the sync task reads the payouts and their lines once the event
    is recorded (a payout holds hundreds of lines; Stripe waits for no one's answer)."""
    association = (
        Association.objects.filter(stripe_account_id=account).only("pk").first()
        if account and settings.STRIPE_CONNECT_ENABLED
        else None
    )
    if association is None:
        return _outcome("compte inconnu")

    def apply() -> str:
        transaction.on_commit(lambda: payouts_sync_task.enqueue(association_id=association.pk))
        return "virements à actualiser"

    return apply


def _payment_for_charge(charge: Any, intent_id: str) -> Payment | None:
    return Payment.objects.filter(stripe_charge=charge.id).first() or (
        Payment.objects.filter(stripe_payment_intent=intent_id).first() if intent_id else None
    )


def _read_charge_refunded(charge_id: str, *, account: str, source: str) -> Apply:
    """Find the payment through the charge as Stripe has it (its PaymentIntent, then the
    intent's invoice or our reference in its metadata), so a refund that arrives before the
    payment has recorded its intent still ends in the right state. Nothing to retry: what
    Stripe answers is enough (answering 5xx would only delay the same lookup)."""
    charge = gateway.retrieve_charge(charge_id, account=account)
    intent_id = gateway.object_id(stripe_field(charge, "payment_intent"))
    intent = invoice = None
    if _payment_for_charge(charge, intent_id) is None and intent_id:
        intent = gateway.retrieve_payment_intent(intent_id, account=account)
        invoice_id = gateway.object_id(stripe_field(intent, "invoice"))
        if invoice_id:  # a month of a monthly gift: its payment row may not exist yet
            invoice = gateway.retrieve_invoice(invoice_id, account=account)

    def apply() -> str:
        payment = _payment_for_charge(charge, intent_id)
        if payment is None and invoice is not None:
            _apply_invoice(invoice, account=account, source=source, failed=False)
            payment = Payment.objects.filter(stripe_invoice=invoice.id).first()
        elif payment is None and intent is not None:
            payment = _payment_for_intent(intent)
            if payment is not None and _on_the_account(payment, account):
                payment = payment_link_intent(payment=payment, intent=intent, source=source)
        if payment is None or not _on_the_account(payment, account):
            return "paiement inconnu"
        if intent_id and payment.stripe_payment_intent != intent_id:
            return f"paiement {payment.pk} : non conforme"
        apply_refunds(payment=payment, refunded_cents=stripe_field(charge, "amount_refunded") or 0, source=source)
        return f"remboursement {payment.pk}"

    return apply
