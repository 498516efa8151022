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
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from associations.models import Association
from associations.services import association_stripe_account_update
from campagnes import stripe_gateway as gateway
from campagnes.models import (
    Counterpart,
    Membership,
    Payment,
    PaymentKind,
    PaymentLog,
    PaymentStatus,
    StripeEvent,
    Ticket,
    TicketType,
)
from campagnes.receipts.services import receipt_issue_for_payment, receipts_apply_refund
from kernel.page_cache import purge_after_commit

logger = logging.getLogger("kollektif.payments")


def estimated_fee_cents(amount_cents: int) -> int:
    percent = Decimal(settings.KOLLEKTIF_CARD_FEE_PERCENT)
    return int((Decimal(amount_cents) * percent / 100).to_integral_value()) + settings.KOLLEKTIF_CARD_FEE_FIXED_CENTS


def _log(payment: Payment, action: str, *, source: str, from_status: str = "", detail: dict | None = None) -> None:
    PaymentLog.objects.create(
        payment=payment, action=action, from_status=from_status, to_status=payment.status, source=source,
        detail=detail or {},
    )


class SoldOut(Exception):
    """A quota or a stock ran out between the form and the payment: the message is shown as is."""


def _reserve(offer: dict) -> None:
    """Take tickets and counterparts for a pending payment; rows locked, never oversold."""
    for type_id, quantity in sorted((offer.get("tickets") or {}).items()):
        ticket_type = TicketType.objects.select_for_update().get(pk=type_id)
        if ticket_type.quota - ticket_type.sold < quantity:
            raise SoldOut(f"Il ne reste que {max(ticket_type.quota - ticket_type.sold, 0)} place(s) pour « {ticket_type.name} ».")
        TicketType.objects.filter(pk=type_id).update(sold=F("sold") + quantity)
    if offer.get("counterpart"):
        counterpart = Counterpart.objects.select_for_update().get(pk=offer["counterpart"])
        if counterpart.stock is not None and counterpart.stock - counterpart.taken < 1:
            raise SoldOut(f"La contrepartie « {counterpart.name} » n'est plus disponible.")
        Counterpart.objects.filter(pk=counterpart.pk).update(taken=F("taken") + 1)


def _release(offer: dict) -> None:
    for type_id, quantity in (offer.get("tickets") or {}).items():
        TicketType.objects.filter(pk=type_id).update(sold=Greatest(F("sold") - quantity, Value(0)))
    if offer.get("counterpart"):
        Counterpart.objects.filter(pk=offer["counterpart"]).update(taken=Greatest(F("taken") - 1, Value(0)))


def payment_start(*, campaign, association, kind: str, amount_cents: int, payer: dict, offer: dict | None = None,
                  cover_fees: bool = False) -> tuple[Payment, str]:
    """Record the pending payment, hold its tickets or counterpart, prepare the card form."""
    offer = offer or {}
    with transaction.atomic():
        _reserve(offer)
        payment = Payment.objects.create(
            association=association,
            campaign_id=campaign.pk,
            kind=kind,
            amount_cents=amount_cents,
            fee_cents=estimated_fee_cents(amount_cents) if cover_fees else 0,
            offer=offer,
            **payer,
        )
        _log(payment, "start", source="navigateur")
    # Stripe is called outside the transaction: no row stays locked during a network call.
    account = association.stripe_account_id
    try:
        customer = gateway.create_customer(email=payment.email, name=payment.payer_name, account=account, key=str(payment.uuid))
        setup_intent = gateway.create_setup_intent(
            customer=customer.id, account=account, key=str(payment.uuid), metadata={"payment": str(payment.uuid)}
        )
    except gateway.GatewayError:
        payment_cancel(payment=payment, reason="service de paiement indisponible", source="navigateur")
        raise
    Payment.objects.filter(pk=payment.pk).update(stripe_customer=customer.id, stripe_setup_intent=setup_intent.id)
    payment.stripe_customer, payment.stripe_setup_intent = customer.id, setup_intent.id
    return payment, setup_intent.client_secret


@transaction.atomic
def payment_cancel(*, payment: Payment, reason: str, source: str) -> Payment:
    """An abandoned or impossible payment: nothing was charged; its reservations go back."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = PaymentStatus.CANCELED
    payment.failure_reason = reason[:255]
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    _release(payment.offer)
    _log(payment, "canceled", source=source, from_status=PaymentStatus.PENDING, detail={"reason": reason})
    return payment


def payments_expire_stale(*, older_than) -> int:
    """Cancel payments left pending (card form abandoned) so their places go back on sale."""
    count = 0
    for payment in Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lt=older_than, stripe_payment_intent=None,
                                          stripe_subscription=""):
        payment_cancel(payment=payment, reason="formulaire de carte abandonné", source="expiration")
        count += 1
    return count


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


def payment_verify(*, payment: Payment) -> Payment:
    """After the browser handled a 3-D Secure step: read the PaymentIntent again."""
    if not payment.stripe_payment_intent:
        return payment
    intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent, account=payment.association.stripe_account_id)
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
        paid = _field(invoice, "amount_paid")
        currency = str(_field(invoice, "currency") or "").lower()
        if paid != payment.total_cents or currency != payment.currency.lower():
            return _record_mismatch(payment, stripe_object=invoice.id, amount=paid, currency=currency, source=source,
                                    reason="montant ou devise de l'échéance")
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


def _intent_mismatch(payment: Payment, intent) -> str:
    """Why this PaymentIntent (as read from Stripe) is not the payment's, or "".

    Metadata is written by whoever creates the intent: an intent of 0,50 € naming a 10 €
    payment must not pay it. Only Stripe's own figures count: the amount and currency charged,
    and the intent the payment was charged with."""
    if payment.stripe_payment_intent and payment.stripe_payment_intent != intent.id:
        return "autre PaymentIntent que celui du paiement"
    reference = _field(_field(intent, "metadata") or {}, "payment")
    if reference and reference != str(payment.uuid):
        return "le PaymentIntent désigne un autre paiement"
    if _field(intent, "amount") != payment.total_cents:
        return "montant différent"
    if str(_field(intent, "currency") or "").lower() != payment.currency.lower():
        return "devise différente"
    return ""


def _record_mismatch(payment: Payment, *, stripe_object: str, amount, currency: str, source: str, reason: str) -> Payment:
    """Record (once per Stripe object) that Stripe's figures do not match the payment, and
    alert the platform's staff: nothing is marked paid, no receipt is issued. A human looks
    (a fraud attempt, or a bug in how the intent was created)."""
    detail = {"reason": reason, "stripe_object": stripe_object, "stripe_amount": amount, "stripe_currency": currency,
              "expected_amount": payment.total_cents, "expected_currency": payment.currency}
    if any((log.detail or {}).get("stripe_object") == stripe_object for log in payment.logs.filter(action="mismatch")):
        return payment
    _log(payment, "mismatch", source=source, from_status=payment.status, detail=detail)
    logger.error("payment %s: Stripe object %s does not match (%s): %s", payment.pk, stripe_object, reason, detail)
    subject = f"Paiement {payment.pk} : objet Stripe non conforme ({reason})"
    message = (
        f"Le paiement {payment.pk} ({payment.association}) attend {payment.total_cents} centimes en "
        f"{payment.currency}. Stripe indique pour {stripe_object} : {amount} centimes en {currency or '?'}.\n"
        f"Source : {source}. Le paiement n'a pas été marqué payé et aucun reçu n'a été émis."
    )
    transaction.on_commit(lambda: mail_admins(subject, message, fail_silently=True))
    return payment


@transaction.atomic
def apply_payment_intent(*, payment: Payment, intent, source: str) -> Payment:
    """Bring the payment in line with the PaymentIntent's current state."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    reason = _intent_mismatch(payment, intent)
    if reason:
        return _record_mismatch(payment, stripe_object=intent.id, amount=_field(intent, "amount"),
                                currency=str(_field(intent, "currency") or ""), source=source, reason=reason)
    if not payment.stripe_payment_intent:
        payment.stripe_payment_intent = intent.id
        payment.save(update_fields=["stripe_payment_intent", "updated_at"])
    if intent.status == "succeeded":
        return _mark_succeeded(payment, charge_id=gateway.charge_id_of(intent), source=source)
    if intent.status == "requires_action":
        # the bank wants the payer again (3-D Secure): the browser finishes it with this secret
        payment.next_action_secret = intent.client_secret
        return payment
    if intent.status in ("requires_payment_method", "canceled"):
        error = getattr(intent, "last_payment_error", None)
        reason = getattr(error, "message", "") if error else ""
        return payment_fail(payment=payment, reason=reason or "Paiement refusé", source=source)
    return payment


@transaction.atomic
def payment_link_intent(*, payment: Payment, intent, source: str) -> Payment:
    """Record which PaymentIntent charged the payment, after the same checks as a success
    (a refund event may be the first news of the intent). Its state is left to the intent's
    own events."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    reason = _intent_mismatch(payment, intent)
    if reason:
        return _record_mismatch(payment, stripe_object=intent.id, amount=_field(intent, "amount"),
                                currency=str(_field(intent, "currency") or ""), source=source, reason=reason)
    if not payment.stripe_payment_intent:
        payment.stripe_payment_intent = intent.id
        payment.save(update_fields=["stripe_payment_intent", "updated_at"])
    return payment


def _purge_progress(payment: Payment) -> None:
    """The association's cached pages show campaign progress: stale once a payment counts."""
    purge_after_commit(payment.association.slug)


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
    if previous == PaymentStatus.FAILED:
        try:
            _reserve(payment.offer)  # a late success after a failure takes its places again
        except SoldOut as exc:
            # the card was charged: honour the payment, and tell the treasurer through the log
            logger.warning("payment %s succeeded late but its places are gone: %s", payment.pk, exc)
            _log(payment, "oversold", source=source, detail={"reason": str(exc)})
    _fulfil(payment)
    _log(payment, "succeeded", source=source, from_status=previous)
    from campagnes.notifications import notify_payment_succeeded

    notify_payment_succeeded(payment)  # the thank-you e-mail (tickets attached) goes before the receipt
    _purge_progress(payment)
    receipt = receipt_issue_for_payment(payment)
    if receipt is not None:
        _log(payment, "receipt_issued", source=source, detail={"number": receipt.number, "kind": receipt.kind})
    return payment


@transaction.atomic
def payment_fail(*, payment: Payment, reason: str, source: str) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = PaymentStatus.FAILED
    payment.failure_reason = reason[:255]
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    _release(payment.offer)
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
    _purge_progress(payment)
    corrected = receipts_apply_refund(payment)
    if corrected is not None:
        _log(payment, "receipt_corrected", source=source, detail={"number": corrected.number})
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


def _fulfil(payment: Payment) -> None:
    """What a successful payment produces: a membership, tickets. Idempotent."""
    if payment.kind == PaymentKind.MEMBERSHIP and not Membership.objects.filter(payment=payment).exists():
        from campagnes.memberships import membership_period

        campaign = payment.campaign.specific
        valid_from, valid_until = membership_period(campaign=campaign, paid_on=timezone.localdate(payment.paid_at))
        Membership.objects.create(
            payment=payment, association=payment.association, tier_name=payment.offer.get("tier_name", ""),
            valid_from=valid_from, valid_until=valid_until,
        )
    if payment.kind == PaymentKind.TICKETS and not payment.tickets.exists():
        Ticket.objects.bulk_create(
            Ticket(payment=payment, association=payment.association, ticket_type_id=int(type_id))
            for type_id, quantity in sorted((payment.offer.get("tickets") or {}).items())
            for _number in range(quantity)
        )


# --- webhooks ----------------------------------------------------------------------------

def _field(obj, name: str):
    """A field of a Stripe object, or None: Stripe objects are not dicts (no ``.get``)."""
    try:
        return obj[name] if name in obj else None
    except TypeError:
        return None


def _payment_for_intent(intent) -> Payment | None:
    """The payment of a PaymentIntent read from Stripe: by the intent it was charged with,
    else by the reference we put in the intent's metadata (the webhook may come first)."""
    payment = Payment.objects.filter(stripe_payment_intent=intent.id).first()
    reference = _field(_field(intent, "metadata") or {}, "payment")
    if payment is None and reference:
        payment = Payment.objects.filter(uuid=reference).first() if _is_uuid(reference) else None
    return payment


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _on_the_account(payment: Payment, account: str) -> bool:
    """With Connect, an event about an association's payment comes from that association's
    account, never from another one (whose owner could write any metadata)."""
    return not settings.STRIPE_CONNECT_ENABLED or payment.association.stripe_account_id == account


def webhook_handle(event) -> str:
    """Process a verified event exactly once; returns a short outcome for the log.

    The event row is locked while it is processed, so two deliveries of the same event at the
    same moment run one after the other, and the second finds it done. If processing fails,
    the transaction (event row included) rolls back and Stripe's retry processes it again.
    """
    with transaction.atomic():
        record, _created = StripeEvent.objects.get_or_create(
            event_id=event.id, defaults={"type": event.type, "account": _field(event, "account") or ""}
        )
        record = StripeEvent.objects.select_for_update().get(pk=record.pk)
        if record.processed_at:
            return "déjà traité"
        outcome = _dispatch(event)
        record.processed_at = timezone.now()
        record.outcome = outcome[:255]
        record.save(update_fields=["processed_at", "outcome"])
    return outcome


def _dispatch(event) -> str:
    """Each event is a trigger: the object is read again from Stripe (on the account the
    event came from) and only what Stripe answers is used, never the payload's fields."""
    obj = event.data.object
    source = f"webhook {event.id}"
    account = _field(event, "account") or ""
    try:
        if event.type in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            return _on_payment_intent(obj.id, account=account, source=source)
        if event.type in ("invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"):
            return _on_invoice(obj.id, account=account, source=source, failed=event.type == "invoice.payment_failed")
        if event.type == "account.updated":
            return _on_account_updated(obj.id)
        if event.type == "charge.refunded":
            return _on_charge_refunded(obj.id, account=account, source=source)
    except gateway.NotFound:
        return "inconnu chez Stripe"  # a retry would not change it
    return "ignoré"


def _on_payment_intent(intent_id: str, *, account: str, source: str) -> str:
    intent = gateway.retrieve_payment_intent(intent_id, account=account)
    payment = _payment_for_intent(intent)
    if payment is None or not _on_the_account(payment, account):
        return "paiement inconnu"
    payment = apply_payment_intent(payment=payment, intent=intent, source=source)
    if payment.stripe_payment_intent != intent.id:
        return f"paiement {payment.pk} : non conforme"
    return f"paiement {payment.pk}"


def _on_invoice(invoice_id: str, *, account: str, source: str, failed: bool) -> str:
    invoice = gateway.retrieve_invoice(invoice_id, account=account)
    with transaction.atomic():
        payment = _payment_for_invoice(invoice)
    if payment is None or not _on_the_account(payment, account):
        return "abonnement inconnu"
    if failed and invoice["status"] != "paid":
        payment_fail(payment=payment, reason="Prélèvement mensuel refusé", source=source)
    else:
        apply_invoice(payment=payment, invoice=invoice, source=source)
    return f"échéance {payment.pk}"


def _on_account_updated(account_id: str) -> str:
    """Re-read the account: events may arrive late and out of order, and an old "enabled"
    payload must not enable payments again on an account Stripe has since restricted."""
    if not Association.objects.filter(stripe_account_id=account_id).exists():
        return "compte inconnu"
    account = gateway.retrieve_account(account_id)
    association_stripe_account_update(account=account)
    return "compte mis à jour"


def _on_charge_refunded(charge_id: str, *, account: str, source: str) -> str:
    """Find the payment through the charge as Stripe has it (its PaymentIntent, then the
    intent's invoice or our reference in its metadata), so a refund that arrives before the
    payment has recorded its intent still ends in the right state. Nothing to retry: what
    Stripe answers is enough (answering 5xx would only delay the same lookup)."""
    charge = gateway.retrieve_charge(charge_id, account=account)
    intent_id = gateway.object_id(_field(charge, "payment_intent"))
    payment = Payment.objects.filter(stripe_charge=charge.id).first() or (
        Payment.objects.filter(stripe_payment_intent=intent_id).first() if intent_id else None
    )
    if payment is None and intent_id:
        intent = gateway.retrieve_payment_intent(intent_id, account=account)
        invoice_id = gateway.object_id(_field(intent, "invoice"))
        if invoice_id:  # a month of a monthly gift: its payment row may not exist yet
            _on_invoice(invoice_id, account=account, source=source, failed=False)
            payment = Payment.objects.filter(stripe_invoice=invoice_id).first()
        else:
            payment = _payment_for_intent(intent)
            if payment is not None and _on_the_account(payment, account):
                payment = payment_link_intent(payment=payment, intent=intent, source=source)
    if payment is None or not _on_the_account(payment, account):
        return "paiement inconnu"
    if intent_id and payment.stripe_payment_intent != intent_id:
        return f"paiement {payment.pk} : non conforme"
    apply_refunds(payment=payment, refunded_cents=_field(charge, "amount_refunded") or 0, source=source)
    return f"remboursement {payment.pk}"
