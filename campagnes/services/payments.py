"""Payments started and charged from the browser, expired, and refunded from the admin.

The rule of this module: Stripe is called while no payment row is locked. Each operation reads
or writes Stripe first (idempotency keys make a repeated call harmless), then locks the row
and applies the answer through ``stripe_sync`` or ``ledger``, in one short transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campagnes import stripe_gateway as gateway
from campagnes.models import Payment, PaymentKind, PaymentOffer, PaymentStatus, Ticket
from campagnes.services.expiry import expiry_delay, expiry_schedule_for
from campagnes.services.ledger import apply_refunds, offer_reserve, payment_close_pending, payment_log
from campagnes.services.stripe_sync import apply_invoice, apply_payment_intent, stripe_field
from campagnes.services.tickets import tickets_cancel


def estimated_fee_cents(amount_cents: int) -> int:
    percent = Decimal(settings.KOLLEKTIF_CARD_FEE_PERCENT)
    return int((Decimal(amount_cents) * percent / 100).to_integral_value()) + settings.KOLLEKTIF_CARD_FEE_FIXED_CENTS


def payment_start(
    *,
    campaign: Any,
    association: Any,
    kind: str,
    amount_cents: int,
    payer: Mapping[str, Any],
    offer: PaymentOffer | Mapping[str, Any] | None = None,
    cover_fees: bool = False,
) -> tuple[Payment, str]:
    """Record the pending payment, hold its tickets or counterpart, prepare the card form."""
    if not isinstance(offer, PaymentOffer):
        offer = PaymentOffer.from_dict(offer)
    with transaction.atomic():
        offer_reserve(offer)
        payment = Payment.objects.create(
            association=association,
            campaign_id=campaign.pk,
            kind=kind,
            amount_cents=amount_cents,
            fee_cents=estimated_fee_cents(amount_cents) if cover_fees else 0,
            offer=offer.to_dict(),
            # the date of the consent to be contacted is its proof (RGPD art. 7.1)
            contact_consent_at=timezone.now() if payer.get("contact_consent") else None,
            **payer,
        )
        payment_log(payment, "start", source="navigateur")
        expiry_schedule_for(payment)  # the attempt expires on its own if left unpaid
    # Stripe is called outside the transaction: no row stays locked during a network call.
    account = association.stripe_account_id
    try:
        customer = gateway.create_customer(
            email=payment.email, name=payment.payer_name, account=account, key=str(payment.uuid)
        )
        setup_intent = gateway.create_setup_intent(
            customer=customer.id, account=account, key=str(payment.uuid), metadata={"payment": str(payment.uuid)}
        )
    except gateway.GatewayError:
        payment_close_pending(
            payment=payment,
            status=PaymentStatus.CANCELED,
            reason=_("service de paiement indisponible"),
            source="navigateur",
        )
        raise
    Payment.objects.filter(pk=payment.pk).update(stripe_customer=customer.id, stripe_setup_intent=setup_intent.id)
    payment.stripe_customer, payment.stripe_setup_intent = customer.id, setup_intent.id
    return payment, setup_intent.client_secret


def payment_resume(*, payment: Payment) -> str | None:
    """The same form sent again (back button, double click): the pending attempt it started is
    reused if its card form is still untouched; returns its client secret, or None."""
    payment = Payment.objects.select_related("association").get(pk=payment.pk)
    fresh = payment.created_at > timezone.now() - expiry_delay() / 2
    if not (_chargeable(payment) and fresh and payment.stripe_setup_intent and not payment.failure_reason):
        return None
    try:
        setup_intent = gateway.retrieve_setup_intent(
            payment.stripe_setup_intent, account=payment.association.stripe_account_id
        )
    except gateway.GatewayError:
        return None
    if setup_intent.status != "requires_payment_method":
        return None
    payment_log(payment, "resumed", source="navigateur")
    return setup_intent.client_secret


def payment_record_decline(*, payment: Payment) -> tuple[Payment, str]:
    """The browser says the bank refused the card: read the SetupIntent from Stripe (never the
    browser's word) and record the bank's reason, in French, on the payment.

    The payer may try another card on the same page while Stripe keeps the SetupIntent open:
    the payment stays pending with its reason (expiry then closes it as refused). A SetupIntent
    Stripe has canceled cannot be tried again: the payment is closed as refused at once.
    Returns the payment and the French message to show.
    """
    payment = Payment.objects.select_related("association").get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING or not payment.stripe_setup_intent:
        return payment, payment.failure_reason or _("Carte refusée par la banque.")
    setup_intent = gateway.retrieve_setup_intent(
        payment.stripe_setup_intent, account=payment.association.stripe_account_id
    )
    error = stripe_field(setup_intent, "last_setup_error")
    if setup_intent.status == "succeeded":
        return payment, ""
    reason = gateway.decline_of(error) if error else gateway.decline_message()
    if setup_intent.status == "canceled":
        payment = payment_close_pending(
            payment=payment, status=PaymentStatus.FAILED, reason=reason, source="navigateur"
        )
        return payment, reason
    if not error:
        return payment, ""  # nothing refused (yet): a payer's typing error, not the bank's
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == PaymentStatus.PENDING:
            locked.failure_reason = reason[:255]
            locked.save(update_fields=["failure_reason", "updated_at"])
            payment_log(locked, "declined", source="navigateur", from_status=locked.status, detail={"reason": reason})
    return locked, reason


def _chargeable(payment: Payment) -> bool:
    return (
        payment.status == PaymentStatus.PENDING
        and not payment.stripe_payment_intent
        and not payment.stripe_subscription
    )


def payment_charge(*, payment: Payment) -> Payment:
    """After the browser confirmed the card: charge it server-side (or start the monthly gift).

    Stripe is read with no row locked: two requests charging at once send the same idempotency
    key (the payment's uuid) and Stripe answers both with the one PaymentIntent, which
    ``apply_payment_intent`` then applies under the row lock, once.
    """
    payment = Payment.objects.select_related("association").get(pk=payment.pk)  # its current state
    if not _chargeable(payment):
        return payment
    account = payment.association.stripe_account_id
    setup_intent = gateway.retrieve_setup_intent(payment.stripe_setup_intent, account=account)
    if setup_intent.status != "succeeded" or not setup_intent.payment_method:
        raise gateway.GatewayError(_("La carte n'a pas été confirmée."))
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
        return payment_close_pending(payment=payment, status=PaymentStatus.FAILED, reason=str(exc), source="navigateur")
    return apply_payment_intent(payment=payment, intent=intent, source="navigateur")


def payment_verify(*, payment: Payment) -> Payment:
    """After the browser handled a 3-D Secure step: read the PaymentIntent again."""
    if not payment.stripe_payment_intent:
        return payment
    intent = gateway.retrieve_payment_intent(
        payment.stripe_payment_intent, account=payment.association.stripe_account_id
    )
    return apply_payment_intent(payment=payment, intent=intent, source="navigateur")


def _start_subscription(*, payment: Payment, payment_method: str) -> Payment:
    account = payment.association.stripe_account_id
    try:
        gateway.set_default_payment_method(
            customer=payment.stripe_customer, payment_method=payment_method, account=account
        )
        plan = gateway.monthly_plan(amount_cents=payment.total_cents, account=account)
        subscription = gateway.create_subscription(
            customer=payment.stripe_customer,
            plan=plan,
            account=account,
            key=str(payment.uuid),
            metadata={"payment": str(payment.uuid), "association": str(payment.association_id)},
        )
    except gateway.CardDeclined as exc:
        return payment_close_pending(payment=payment, status=PaymentStatus.FAILED, reason=str(exc), source="navigateur")
    invoice_id = gateway.object_id(stripe_field(subscription, "latest_invoice"))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.stripe_subscription = subscription.id
        payment.stripe_invoice = invoice_id or None
        payment.save(update_fields=["stripe_subscription", "stripe_invoice", "updated_at"])
    if invoice_id:
        invoice = gateway.retrieve_invoice(invoice_id, account=account)
        return apply_invoice(payment=payment, invoice=invoice, source="navigateur")
    return payment


def payment_refund(*, payment: Payment, amount_cents: int, by: Any) -> Payment:
    """A treasurer refunds all or part of a payment from the admin.

    Raises ``ValueError`` (with a French message) when the payment cannot be refunded that much.
    """
    if payment.status not in PaymentStatus.SETTLED:
        raise ValueError(_("Seul un paiement réussi peut être remboursé."))
    if not 0 < amount_cents <= payment.total_cents - payment.refunded_cents:
        raise ValueError(_("Montant de remboursement impossible."))
    gateway.refund(
        payment_intent=payment.stripe_payment_intent or "",
        amount_cents=amount_cents,
        account=payment.association.stripe_account_id,
        key=f"{payment.uuid}-{payment.refunded_cents + amount_cents}",
    )
    return apply_refunds(payment=payment, refunded_cents=payment.refunded_cents + amount_cents, source=f"admin {by.pk}")


def payment_refund_tickets(*, payment: Payment, tickets: list[Ticket], amount_cents: int, by: Any) -> Payment:
    """A treasurer refunds a ticketing payment, all or part, choosing the tickets it gives back.

    The chosen tickets are cancelled and their seats go back on sale; a refund of everything
    left cancels every ticket. Raises ``ValueError`` (French) when it cannot be done.
    """
    if payment.status not in PaymentStatus.SETTLED:
        raise ValueError(_("Seul un paiement réussi peut être remboursé."))
    if not 0 < amount_cents <= payment.total_cents - payment.refunded_cents:
        raise ValueError(_("Montant de remboursement impossible."))
    if any(ticket.payment_id != payment.pk or ticket.canceled_at for ticket in tickets):
        raise ValueError(_("Ces billets ne peuvent plus être remboursés."))
    gateway.refund(
        payment_intent=payment.stripe_payment_intent or "",
        amount_cents=amount_cents,
        account=payment.association.stripe_account_id,
        key=f"{payment.uuid}-{payment.refunded_cents + amount_cents}",
    )
    source = f"admin {by.pk}"
    with transaction.atomic():
        payment = apply_refunds(payment=payment, refunded_cents=payment.refunded_cents + amount_cents, source=source)
        tickets_cancel(payment=payment, tickets=tickets, source=source)
    return payment
