"""Monthly gifts, write side: stop one (donor, treasurer or Stripe), give it a new card, tell
the donor when a month is refused. The read side (links, dates) is ``campagnes.monthly``."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campagnes import stripe_gateway as gateway
from campagnes.models import Payment
from campagnes.monthly import monthly_holder
from campagnes.notifications import (
    notify_monthly_amount_changed,
    notify_monthly_renewal_failed,
    notify_monthly_stopped,
)
from campagnes.services.ledger import payment_log

logger = logging.getLogger("kollektif.payments")


class AlreadyStopped(Exception):
    """The gift was already stopped: nothing was done (the message is shown as is)."""


# --- stopping -------------------------------------------------------------------------------


def monthly_gift_stop(*, payment: Payment, source: str) -> Payment:
    """Stop the monthly gift of ``payment``: Stripe cancels the subscription, nothing more is
    charged; the donor and the association's treasurers are told by e-mail.

    Raises ``AlreadyStopped`` if it was stopped before (the link used twice), and
    ``gateway.GatewayError`` if Stripe could not cancel it (then nothing is recorded).
    """
    holder = monthly_holder(payment)
    if holder is None:
        raise ValueError("not a monthly gift")
    if holder.subscription_stopped_at:
        raise AlreadyStopped(_("Ce don mensuel est déjà arrêté."))
    # Stripe first, with no row locked; a subscription Stripe no longer knows bills nothing either.
    try:
        gateway.cancel_subscription(holder.stripe_subscription, account=holder.association.stripe_account_id)
    except gateway.NotFound:
        logger.warning("subscription %s unknown to Stripe when stopped", holder.stripe_subscription)
    return monthly_gift_mark_stopped(holder=holder, source=source)


@transaction.atomic
def monthly_gift_mark_stopped(*, holder: Payment, source: str) -> Payment:
    """Record that the subscription is canceled (by us or by Stripe); once, with its e-mails."""
    holder = Payment.objects.select_for_update().select_related("association").get(pk=holder.pk)
    if holder.subscription_stopped_at:
        return holder
    now = timezone.now()
    Payment.objects.filter(stripe_subscription=holder.stripe_subscription).update(subscription_stopped_at=now)
    holder.subscription_stopped_at = now
    payment_log(holder, "monthly_stopped", source=source, detail={"subscription": holder.stripe_subscription})
    notify_monthly_stopped(holder, by_treasurer=source.startswith("admin "))
    return holder


# --- a new monthly amount --------------------------------------------------------------------


def monthly_gift_change_amount(*, holder: Payment, amount_cents: int, source: str) -> Payment:
    """Charge ``amount_cents`` each month from the next charge on: Stripe moves the subscription
    to that amount's plan with no proration and charges nothing now; we record the amount (each
    later month's payment expects it) and tell the donor and the treasurers.

    Raises ``AlreadyStopped`` for a stopped gift, ``gateway.GatewayError`` if Stripe refused
    (then nothing is recorded).
    """
    if holder.subscription_stopped_at:
        raise AlreadyStopped(_("Ce don mensuel est déjà arrêté."))
    if amount_cents == holder.monthly_cents:
        return holder  # the form sent twice, or the same amount: nothing to change, no e-mail
    account = holder.association.stripe_account_id
    plan = gateway.monthly_plan(amount_cents=amount_cents, account=account)
    gateway.change_subscription_plan(holder.stripe_subscription, plan=plan, account=account)
    return monthly_gift_record_amount(holder=holder, amount_cents=amount_cents, source=source)


@transaction.atomic
def monthly_gift_record_amount(*, holder: Payment, amount_cents: int, source: str) -> Payment:
    holder = Payment.objects.select_for_update().select_related("association").get(pk=holder.pk)
    old_cents = holder.monthly_cents
    holder.subscription_amount_cents = amount_cents
    holder.save(update_fields=["subscription_amount_cents", "updated_at"])
    payment_log(
        holder,
        "monthly_amount_changed",
        source=source,
        detail={"subscription": holder.stripe_subscription, "from_cents": old_cents, "to_cents": amount_cents},
    )
    notify_monthly_amount_changed(holder, old_cents=old_cents)
    return holder


# --- a card that fails at renewal -------------------------------------------------------------


def monthly_card_setup(*, holder: Payment) -> str:
    """Prepare the donor's new card (a SetupIntent on the gift's customer); its client secret."""
    setup_intent = gateway.create_card_setup_intent(
        customer=holder.stripe_customer,
        account=holder.association.stripe_account_id,
        metadata={"payment": str(holder.uuid), "purpose": "new-card"},
    )
    return setup_intent.client_secret


def monthly_card_apply(*, holder: Payment, setup_intent_id: str) -> int:
    """After Stripe.js confirmed the new card: make it the gift's card and try again the months
    left unpaid (their invoices' events then mark them paid). Returns how many were retried.

    Raises ``gateway.GatewayError`` when the SetupIntent is not this gift's or not confirmed.
    """
    account = holder.association.stripe_account_id
    setup_intent = gateway.retrieve_setup_intent(setup_intent_id, account=account)
    customer = gateway.object_id(setup_intent["customer"] if "customer" in setup_intent else "")
    if customer != holder.stripe_customer:
        raise gateway.GatewayError(_("Cette carte n'est pas celle de ce don mensuel."))
    if setup_intent.status != "succeeded" or not setup_intent.payment_method:
        raise gateway.GatewayError(_("La carte n'a pas été confirmée."))
    gateway.set_default_payment_method(
        customer=holder.stripe_customer, payment_method=gateway.object_id(setup_intent.payment_method), account=account
    )
    payment_log(holder, "monthly_card_changed", source="donateur")
    retried = 0
    for invoice in gateway.list_open_invoices(
        customer=holder.stripe_customer, subscription=holder.stripe_subscription, account=account
    ):
        try:
            gateway.pay_invoice(invoice.id, account=account)
            retried += 1
        except gateway.CardDeclined as exc:
            raise gateway.GatewayError(str(exc)) from exc
    return retried


def monthly_renewal_failed(payment: Payment) -> None:
    """A month was refused: e-mail the donor a link to give a new card (once per month)."""
    holder = monthly_holder(payment)
    if holder is None or holder.pk == payment.pk or holder.subscription_stopped_at:
        return  # the first month is refused on the payer's own screen
    notify_monthly_renewal_failed(payment, holder=holder)
