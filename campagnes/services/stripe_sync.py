"""Bring a payment in line with a Stripe object *already read* from Stripe.

The caller reads the PaymentIntent or the invoice first (a network call, no row locked), then
calls one of these, which lock the payment row, check Stripe's own figures against it and
apply the change through ``ledger``. Only Stripe's answer counts, never a webhook's payload.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import mail_admins
from django.db import transaction
from django.utils.translation import gettext as _

from campagnes import stripe_gateway as gateway
from campagnes.models import Payment, PaymentStatus
from campagnes.services.ledger import mark_succeeded, payment_close_pending, payment_log

logger = logging.getLogger("kollektif.payments")


def stripe_field(obj: Any, name: str) -> Any:
    """A field of a Stripe object, or None: Stripe objects are not dicts (no ``.get``)."""
    try:
        return obj[name] if name in obj else None
    except TypeError:
        return None


@transaction.atomic
def apply_invoice(*, payment: Payment, invoice: Any, source: str) -> Payment:
    """Bring the payment of one monthly invoice in line with the invoice's current state."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    status = invoice["status"]
    if status == "paid":
        paid = stripe_field(invoice, "amount_paid")
        currency = str(stripe_field(invoice, "currency") or "").lower()
        if paid != payment.total_cents or currency != payment.currency.lower():
            return _record_mismatch(
                payment,
                stripe_object=invoice.id,
                amount=paid,
                currency=currency,
                source=source,
                reason=_("montant ou devise de l'échéance"),
            )
        charge_id = gateway.object_id(stripe_field(invoice, "charge"))
        if not payment.stripe_payment_intent and stripe_field(invoice, "payment_intent"):
            payment.stripe_payment_intent = gateway.object_id(invoice["payment_intent"])
            payment.save(update_fields=["stripe_payment_intent", "updated_at"])
        return mark_succeeded(payment, charge_id=charge_id, source=source)
    attempted = bool(stripe_field(invoice, "attempted"))
    if status in ("uncollectible", "void") or (status == "open" and attempted):
        return payment_close_pending(
            payment=payment, status=PaymentStatus.FAILED, reason=_("Prélèvement mensuel refusé"), source=source
        )
    return payment


def payment_for_invoice(invoice: Any) -> Payment | None:
    """The payment of this invoice; a new one (copy of the first) for each later month."""
    existing = Payment.objects.filter(stripe_invoice=invoice.id).first()
    if existing is not None:
        return existing
    subscription_id = gateway.object_id(stripe_field(invoice, "subscription"))
    first = Payment.objects.filter(stripe_subscription=subscription_id).order_by("created_at").first()
    if first is None:
        return None
    snapshot = {
        field.name: getattr(first, field.name)
        for field in Payment._meta.concrete_fields
        if field.name
        in {
            "association",
            "campaign",
            "kind",
            "amount_cents",
            "fee_cents",
            "currency",
            "offer",
            "first_name",
            "last_name",
            "email",
            "street_address",
            "postal_code",
            "city",
            "country",
            "phone",
            "company_name",
            "company_siren",
            "company_legal_form",
            "stripe_customer",
            "stripe_subscription",
        }
    }
    if first.subscription_amount_cents:
        # the donor changed the monthly amount from their link: later months are charged that much
        snapshot["amount_cents"], snapshot["fee_cents"] = first.subscription_amount_cents, 0
    payment, _created = Payment.objects.get_or_create(stripe_invoice=invoice.id, defaults=snapshot)
    return payment


def _intent_mismatch(payment: Payment, intent: Any) -> str:
    """Why this PaymentIntent (as read from Stripe) is not the payment's, or "".

    Metadata is written by whoever creates the intent: an intent of 0,50 € naming a 10 €
    payment must not pay it. Only Stripe's own figures count: the amount and currency charged,
    and the intent the payment was charged with."""
    if payment.stripe_payment_intent and payment.stripe_payment_intent != intent.id:
        return _("autre PaymentIntent que celui du paiement")
    reference = stripe_field(stripe_field(intent, "metadata") or {}, "payment")
    if reference and reference != str(payment.uuid):
        return _("le PaymentIntent désigne un autre paiement")
    if stripe_field(intent, "amount") != payment.total_cents:
        return _("montant différent")
    if str(stripe_field(intent, "currency") or "").lower() != payment.currency.lower():
        return _("devise différente")
    return ""


def _record_mismatch(
    payment: Payment, *, stripe_object: str, amount: Any, currency: str, source: str, reason: str
) -> Payment:
    """Record (once per Stripe object) that Stripe's figures do not match the payment, and
    alert the platform's staff: nothing is marked paid, no receipt is issued. A human looks
    (a fraud attempt, or a bug in how the intent was created)."""
    detail = {
        "reason": reason,
        "stripe_object": stripe_object,
        "stripe_amount": amount,
        "stripe_currency": currency,
        "expected_amount": payment.total_cents,
        "expected_currency": payment.currency,
    }
    if any((log.detail or {}).get("stripe_object") == stripe_object for log in payment.logs.filter(action="mismatch")):
        return payment
    payment_log(payment, "mismatch", source=source, from_status=payment.status, detail=detail)
    logger.error("payment %s: Stripe object %s does not match (%s): %s", payment.pk, stripe_object, reason, detail)
    subject = _("Paiement %(pk)s : objet Stripe non conforme (%(reason)s)") % {"pk": payment.pk, "reason": reason}
    message = _(
        "Le paiement %(pk)s (%(association)s) attend %(expected)s centimes en %(expected_currency)s. "
        "Stripe indique pour %(object)s : %(amount)s centimes en %(currency)s.\n"
        "Source : %(source)s. Le paiement n'a pas été marqué payé et aucun reçu n'a été émis."
    ) % {
        "pk": payment.pk,
        "association": payment.association,
        "expected": payment.total_cents,
        "expected_currency": payment.currency,
        "object": stripe_object,
        "amount": amount,
        "currency": currency or "?",
        "source": source,
    }
    transaction.on_commit(lambda: mail_admins(subject, message, fail_silently=True))
    return payment


def _mismatch_of_intent(payment: Payment, intent: Any, *, source: str) -> Payment | None:
    reason = _intent_mismatch(payment, intent)
    if not reason:
        return None
    return _record_mismatch(
        payment,
        stripe_object=intent.id,
        amount=stripe_field(intent, "amount"),
        currency=str(stripe_field(intent, "currency") or ""),
        source=source,
        reason=reason,
    )


def _link(payment: Payment, intent: Any) -> None:
    if not payment.stripe_payment_intent:
        payment.stripe_payment_intent = intent.id
        payment.save(update_fields=["stripe_payment_intent", "updated_at"])


@transaction.atomic
def apply_payment_intent(*, payment: Payment, intent: Any, source: str) -> Payment:
    """Bring the payment in line with the PaymentIntent's current state."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    mismatched = _mismatch_of_intent(payment, intent, source=source)
    if mismatched is not None:
        return mismatched
    _link(payment, intent)
    if intent.status == "succeeded":
        return mark_succeeded(payment, charge_id=gateway.charge_id_of(intent), source=source)
    if intent.status == "requires_action":
        # the bank wants the payer again (3-D Secure): the browser finishes it with this secret
        payment.next_action_secret = intent.client_secret  # type: ignore[attr-defined]  # for the view, not stored
        return payment
    if intent.status in ("requires_payment_method", "canceled"):
        # the bank's reason in French (Stripe's ``message`` is English whatever the locale)
        error = stripe_field(intent, "last_payment_error")
        reason = gateway.decline_of(error) if error else ""
        if not reason and intent.status == "canceled":
            reason = _("Paiement annulé : aucun montant n'a été débité.")
        return payment_close_pending(
            payment=payment, status=PaymentStatus.FAILED, reason=reason or gateway.decline_message(), source=source
        )
    return payment


@transaction.atomic
def payment_link_intent(*, payment: Payment, intent: Any, source: str) -> Payment:
    """Record which PaymentIntent charged the payment, after the same checks as a success
    (a refund event may be the first news of the intent). Its state is left to the intent's
    own events."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    mismatched = _mismatch_of_intent(payment, intent, source=source)
    if mismatched is not None:
        return mismatched
    _link(payment, intent)
    return payment
