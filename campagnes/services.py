"""Payments as named operations: start, charge, confirm, fail, refund, handle a webhook.

Each operation is one transaction, locks the payment row, checks its current state before
changing it and writes a PaymentLog line. The webhook only *triggers* them: it re-reads the
object from Stripe and the operations are idempotent, so events arriving twice, late or in
any order end in the same state.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campagnes import stripe_gateway as gateway
from campagnes.models import Payment, PaymentKind, PaymentLog, PaymentStatus, StripeEvent

logger = logging.getLogger("kollektif.payments")


def estimated_fee_cents(amount_cents: int) -> int:
    percent = Decimal(settings.KOLLEKTIF_CARD_FEE_PERCENT)
    return int((Decimal(amount_cents) * percent / 100).to_integral_value()) + settings.KOLLEKTIF_CARD_FEE_FIXED_CENTS


def _log(payment: Payment, action: str, *, source: str, from_status: str = "", detail: dict | None = None) -> None:
    PaymentLog.objects.create(
        payment=payment, action=action, from_status=from_status, to_status=payment.status, source=source,
        detail=detail or {},
    )


@transaction.atomic
def payment_start(*, campaign, association, kind: str, amount_cents: int, payer: dict, offer: dict | None = None,
                  cover_fees: bool = False) -> tuple[Payment, str]:
    """Record the pending payment and prepare the card form (a SetupIntent)."""
    payment = Payment.objects.create(
        association=association,
        campaign_id=campaign.pk,
        kind=kind,
        amount_cents=amount_cents,
        fee_cents=estimated_fee_cents(amount_cents) if cover_fees else 0,
        offer=offer or {},
        **payer,
    )
    account = association.stripe_account_id
    customer = gateway.create_customer(email=payment.email, name=payment.payer_name, account=account, key=str(payment.uuid))
    setup_intent = gateway.create_setup_intent(
        customer=customer.id, account=account, key=str(payment.uuid), metadata={"payment": str(payment.uuid)}
    )
    payment.stripe_customer = customer.id
    payment.stripe_setup_intent = setup_intent.id
    payment.save(update_fields=["stripe_customer", "stripe_setup_intent", "updated_at"])
    _log(payment, "start", source="navigateur")
    return payment, setup_intent.client_secret


def payment_charge(*, payment: Payment) -> Payment:
    """After the browser confirmed the card: charge it server-side (or start the monthly gift)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.PENDING or payment.stripe_payment_intent or payment.stripe_subscription:
            return payment
        account = payment.association.stripe_account_id
        setup_intent = gateway.retrieve_setup_intent(payment.stripe_setup_intent, account=account)
        if setup_intent.status != "succeeded" or not setup_intent.payment_method:
            raise gateway.GatewayError("La carte n'a pas été confirmée.")
    if payment.kind == PaymentKind.MONTHLY_DONATION:
        return _start_subscription(payment=payment, payment_method=gateway.object_id(setup_intent.payment_method))
    try:
        intent = gateway.charge(
            amount_cents=payment.total_cents,
            customer=payment.stripe_customer,
            payment_method=setup_intent.payment_method,
            account=account,
            key=str(payment.uuid),
            metadata={"payment": str(payment.uuid), "association": str(payment.association_id)},
        )
    except gateway.CardDeclined as exc:
        return payment_fail(payment=payment, reason=str(exc), source="navigateur")
    return apply_payment_intent(payment=payment, intent=intent, source="navigateur")


def _start_subscription(*, payment: Payment, payment_method: str) -> Payment:
    account = payment.association.stripe_account_id
    try:
        gateway.set_default_payment_method(customer=payment.stripe_customer, payment_method=payment_method, account=account)
        plan = gateway.monthly_plan(amount_cents=payment.total_cents, account=account)
        subscription = gateway.create_subscription(
            customer=payment.stripe_customer, plan=plan, account=account, key=str(payment.uuid),
            metadata={"payment": str(payment.uuid), "association": str(payment.association_id)},
        )
    except gateway.CardDeclined as exc:
        return payment_fail(payment=payment, reason=str(exc), source="navigateur")
    invoice_id = gateway.object_id(subscription["latest_invoice"] if "latest_invoice" in subscription else None)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.stripe_subscription = subscription.id
        payment.stripe_invoice = invoice_id or None
        payment.save(update_fields=["stripe_subscription", "stripe_invoice", "updated_at"])
    if invoice_id:
        invoice = gateway.retrieve_invoice(invoice_id, account=account)
        return apply_invoice(payment=payment, invoice=invoice, source="navigateur")
    return payment


@transaction.atomic
def apply_invoice(*, payment: Payment, invoice, source: str) -> Payment:
    """Bring the payment of one monthly invoice in line with the invoice's current state."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    status = invoice["status"]
    if status == "paid":
        charge_id = gateway.object_id(invoice["charge"] if "charge" in invoice else None)
        if not payment.stripe_payment_intent and "payment_intent" in invoice and invoice["payment_intent"]:
            payment.stripe_payment_intent = gateway.object_id(invoice["payment_intent"])
            payment.save(update_fields=["stripe_payment_intent", "updated_at"])
        return _mark_succeeded(payment, charge_id=charge_id, source=source)
    attempted = bool(invoice["attempted"]) if "attempted" in invoice else False
    if status in ("uncollectible", "void") or (status == "open" and attempted):
        return payment_fail(payment=payment, reason="Prélèvement mensuel refusé", source=source)
    return payment


def _payment_for_invoice(invoice) -> Payment | None:
    """The payment of this invoice; a new one (copy of the first) for each later month."""
    existing = Payment.objects.filter(stripe_invoice=invoice.id).first()
    if existing is not None:
        return existing
    subscription_id = gateway.object_id(invoice["subscription"] if "subscription" in invoice else None)
    first = Payment.objects.filter(stripe_subscription=subscription_id).order_by("created_at").first()
    if first is None:
        return None
    snapshot = {
        field.name: getattr(first, field.name)
        for field in Payment._meta.concrete_fields
        if field.name in {"association", "campaign", "kind", "amount_cents", "fee_cents", "currency", "offer",
                          "first_name", "last_name", "email", "street_address", "postal_code", "city", "country",
                          "phone", "company_name", "company_siren", "stripe_customer", "stripe_subscription"}
    }
    payment, _created = Payment.objects.get_or_create(stripe_invoice=invoice.id, defaults=snapshot)
    return payment


@transaction.atomic
def apply_payment_intent(*, payment: Payment, intent, source: str) -> Payment:
    """Bring the payment in line with the PaymentIntent's current state."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if not payment.stripe_payment_intent:
        payment.stripe_payment_intent = intent.id
        payment.save(update_fields=["stripe_payment_intent", "updated_at"])
    if intent.status == "succeeded":
        return _mark_succeeded(payment, charge_id=gateway.charge_id_of(intent), source=source)
    if intent.status in ("requires_payment_method", "canceled"):
        error = getattr(intent, "last_payment_error", None)
        reason = getattr(error, "message", "") if error else ""
        return payment_fail(payment=payment, reason=reason or "Paiement refusé", source=source)
    return payment


def _mark_succeeded(payment: Payment, *, charge_id: str, source: str) -> Payment:
    if payment.status != PaymentStatus.PENDING and payment.status != PaymentStatus.FAILED:
        return payment  # already succeeded, or refunded meanwhile: nothing to do
    previous = payment.status
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = payment.paid_at or timezone.now()
    if charge_id and not payment.stripe_charge:
        payment.stripe_charge = charge_id
    payment.failure_reason = ""
    payment.save(update_fields=["status", "paid_at", "stripe_charge", "failure_reason", "updated_at"])
    _log(payment, "succeeded", source=source, from_status=previous)
    from campagnes.notifications import notify_payment_succeeded

    notify_payment_succeeded(payment)
    return payment


@transaction.atomic
def payment_fail(*, payment: Payment, reason: str, source: str) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = PaymentStatus.FAILED
    payment.failure_reason = reason[:255]
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    _log(payment, "failed", source=source, from_status=PaymentStatus.PENDING, detail={"reason": reason})
    return payment


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
    _log(payment, "refunded", source=source, from_status=previous, detail={"refunded_cents": refunded_cents})
    return payment


def payment_refund(*, payment: Payment, amount_cents: int, by) -> Payment:
    """A treasurer refunds all or part of a payment from the admin."""
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        raise ValueError("Seul un paiement réussi peut être remboursé.")
    if not 0 < amount_cents <= payment.total_cents - payment.refunded_cents:
        raise ValueError("Montant de remboursement impossible.")
    gateway.refund(
        payment_intent=payment.stripe_payment_intent, amount_cents=amount_cents,
        account=payment.association.stripe_account_id, key=f"{payment.uuid}-{payment.refunded_cents + amount_cents}",
    )
    return apply_refunds(payment=payment, refunded_cents=payment.refunded_cents + amount_cents, source=f"admin {by.pk}")


# --- webhooks ----------------------------------------------------------------------------

def _payment_for_intent(intent_id: str, metadata) -> Payment | None:
    payment = Payment.objects.filter(stripe_payment_intent=intent_id).first()
    if payment is None and metadata and metadata.get("payment"):
        payment = Payment.objects.filter(uuid=metadata["payment"]).first()
    return payment


def webhook_handle(event) -> str:
    """Process a verified event exactly once. Returns a short outcome for the log."""
    with transaction.atomic():
        record, created = StripeEvent.objects.get_or_create(
            event_id=event.id, defaults={"type": event.type, "account": getattr(event, "account", "") or ""}
        )
        if not created and record.processed_at:
            return "déjà traité"
    outcome = _dispatch(event)
    StripeEvent.objects.filter(pk=record.pk).update(processed_at=timezone.now(), outcome=outcome[:255])
    return outcome


def _dispatch(event) -> str:
    obj = event.data.object
    source = f"webhook {event.id}"
    if event.type in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        payment = _payment_for_intent(obj.id, getattr(obj, "metadata", None))
        if payment is None:
            return "paiement inconnu"
        # the event is only a trigger: read the current state
        intent = gateway.retrieve_payment_intent(obj.id, account=payment.association.stripe_account_id)
        apply_payment_intent(payment=payment, intent=intent, source=source)
        return f"paiement {payment.pk}"
    if event.type in ("invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"):
        with transaction.atomic():
            payment = _payment_for_invoice(obj)
        if payment is None:
            return "abonnement inconnu"
        invoice = gateway.retrieve_invoice(obj.id, account=payment.association.stripe_account_id)
        if event.type == "invoice.payment_failed" and invoice["status"] != "paid":
            payment_fail(payment=payment, reason="Prélèvement mensuel refusé", source=source)
        else:
            apply_invoice(payment=payment, invoice=invoice, source=source)
        return f"échéance {payment.pk}"
    if event.type == "account.updated":
        from associations.services import association_stripe_account_update

        updated = association_stripe_account_update(account=obj)
        return "compte mis à jour" if updated else "compte inconnu"
    if event.type == "charge.refunded":
        payment = _payment_for_intent(getattr(obj, "payment_intent", "") or "", getattr(obj, "metadata", None))
        if payment is None:
            return "paiement inconnu"
        charge = gateway.retrieve_charge(obj.id, account=payment.association.stripe_account_id)
        apply_refunds(payment=payment, refunded_cents=charge.amount_refunded, source=source)
        return f"remboursement {payment.pk}"
    return "ignoré"


PAYMENT_KIND_FOR_FREQUENCY = {"once": PaymentKind.DONATION, "monthly": PaymentKind.MONTHLY_DONATION}
