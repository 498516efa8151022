"""Payment attempts expire on their own: nobody has to remember to run anything.

Every attempt ("Continuer vers le paiement") is a pending payment. One left pending longer than
``KOLLEKTIF_PAYMENT_EXPIRY_MINUTES`` (card form abandoned, card refused, 3-D Secure never
finished) is closed: "Échoué" with the bank's reason if a refusal was recorded, "Annulé"
otherwise, and its tickets and counterpart go back on sale.

How it runs by itself: starting a payment schedules the sweep (a django-tasks task deferred to
when that attempt becomes stale) unless one is already waiting; each sweep closes what is stale
and schedules the next one for the oldest attempt still pending. The task worker
(``manage.py db_worker``, which the demo starts) is all it needs. With a backend that cannot
defer a task (the immediate one, the default without a worker), the sweep runs from the
5-minute timer's ``manage.py liberer_paiements_abandonnes`` (docs/deploy.md).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from campagnes import stripe_gateway as gateway
from campagnes.models import Payment, PaymentKind, PaymentStatus
from campagnes.services.ledger import payment_close_pending
from campagnes.services.stripe_sync import apply_payment_intent

logger = logging.getLogger("kollektif.payments")

SWEEP_MARGIN = datetime.timedelta(minutes=1)


def expiry_delay() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.KOLLEKTIF_PAYMENT_EXPIRY_MINUTES)


def _close(payment: Payment) -> Payment:
    """Close a stale attempt: refused (with the bank's reason) if the bank refused a card, else abandoned."""
    if payment.failure_reason:
        return payment_close_pending(
            payment=payment, status=PaymentStatus.FAILED, reason=payment.failure_reason, source="expiration"
        )
    return payment_close_pending(
        payment=payment,
        status=PaymentStatus.CANCELED,
        reason=_("Paiement abandonné : rien n'a été débité."),
        source="expiration",
    )


def _expire_one(payment: Payment) -> bool:
    """Stripe first (nothing locked): an attempt Stripe may still charge is cancelled there, so
    that a late 3-D Secure can never charge a payment already closed here."""
    account = payment.association.stripe_account_id
    if payment.stripe_payment_intent:
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent, account=account)
        if intent.status in ("succeeded", "processing"):
            apply_payment_intent(payment=payment, intent=intent, source="expiration")
            return False
        if intent.status != "canceled":
            intent = gateway.cancel_payment_intent(payment.stripe_payment_intent, account=account)
        if intent.status == "succeeded":
            apply_payment_intent(payment=payment, intent=intent, source="expiration")
            return False
    elif payment.stripe_subscription and payment.kind == PaymentKind.MONTHLY_DONATION:
        # a first month never paid (3-D Secure not finished): nothing more may be billed
        try:
            gateway.cancel_subscription(payment.stripe_subscription, account=account)
        except gateway.NotFound:
            pass
    return _close(payment).status != PaymentStatus.PENDING


def expirable_payments() -> QuerySet[Payment]:
    """Attempts that may go stale: every pending payment except a later month of a monthly gift
    (its invoice is Stripe's to retry; such rows have an invoice and no card form of their own)."""
    return Payment.objects.filter(status=PaymentStatus.PENDING).exclude(
        kind=PaymentKind.MONTHLY_DONATION, stripe_invoice__isnull=False, stripe_setup_intent=""
    )


def payments_expire_stale(*, older_than: datetime.datetime) -> int:
    """Close every attempt left pending since before ``older_than``; returns how many were closed.

    An attempt Stripe cannot be asked about right now is left for the next sweep."""
    count = 0
    stale = expirable_payments().select_related("association").filter(created_at__lt=older_than)
    for payment in stale.order_by("created_at"):
        try:
            count += _expire_one(payment)
        except gateway.GatewayError as exc:
            logger.warning("payment %s not expired now (Stripe: %s); next sweep", payment.pk, exc)
    return count


# --- the schedule ---------------------------------------------------------------------------


def _sweep_waiting() -> bool:
    """Is a sweep already queued? Only the database backend can say; others may queue twice
    (harmless: a sweep is idempotent)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status="READY", task_path=f"{expire_abandoned_payments.func.__module__}.expire_abandoned_payments"
    ).exists()


def expiry_schedule(*, at: datetime.datetime) -> bool:
    """Make sure a sweep runs at ``at`` at the latest; returns whether one was queued."""
    if not default_task_backend.supports_defer or _sweep_waiting():
        return False
    expire_abandoned_payments.using(run_after=at).enqueue()
    return True


def expiry_schedule_for(payment: Payment) -> None:
    """After a payment starts: its attempt is swept when it becomes stale (after commit)."""
    due = payment.created_at + expiry_delay() + SWEEP_MARGIN
    transaction.on_commit(lambda: expiry_schedule(at=due))


@task()
def expire_abandoned_payments() -> str:
    """The sweep: close the stale attempts, then come back for the oldest one left."""
    now = timezone.now()
    count = payments_expire_stale(older_than=now - expiry_delay())
    oldest = expirable_payments().order_by("created_at").first()
    if oldest is not None:
        due = max(oldest.created_at + expiry_delay(), now) + SWEEP_MARGIN
        # this run's own row is RUNNING, not READY: the next one can be queued
        expiry_schedule(at=due)
    return f"{count} paiement(s) expiré(s)"
