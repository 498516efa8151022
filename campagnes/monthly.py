"""Monthly gifts, read side: the donor's signed link, the holder, the next charge date.

A monthly gift is a Stripe subscription; each month's invoice is a Payment of its own (see
``services.stripe_sync.payment_for_invoice``). The first payment of the subscription is its
*holder*: the donor's links name it, and stopping marks every payment of the subscription
(``services.monthly``).

The donor needs no account: every e-mail of the gift (and "Mes reçus") carries a link signed
with the project's secret (``django.core.signing``, its own salt) naming the holder's uuid.
A tampered or foreign link fails the signature and answers 404; it never names another gift.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from campagnes.models import Payment, PaymentKind, PaymentStatus

SALT = "campagnes.monthly-gift"


# --- the donor's link -----------------------------------------------------------------------


def monthly_holder(payment: Payment) -> Payment | None:
    """The first payment of the payment's subscription (the one the donor's links name)."""
    if payment.kind != PaymentKind.MONTHLY_DONATION or not payment.stripe_subscription:
        return None
    return (
        Payment.objects.select_related("association")
        .filter(stripe_subscription=payment.stripe_subscription)
        .order_by("created_at", "pk")
        .first()
    )


def monthly_token(holder: Payment) -> str:
    return signing.Signer(salt=SALT).sign(str(holder.uuid))


def monthly_holder_from_token(token: str) -> Payment | None:
    """The holder named by a signed link, or None for a tampered, foreign or unknown link."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    payment = (
        Payment.objects.select_related("association")
        .filter(uuid=value, kind=PaymentKind.MONTHLY_DONATION)
        .exclude(stripe_subscription="")
        .first()
    )
    if payment is None:
        return None
    return monthly_holder(payment)


def monthly_manage_url(holder: Payment) -> str:
    """The absolute link to the donor's page (stop the gift, change the card)."""
    path = reverse("campagnes:monthly_manage", args=[monthly_token(holder)])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def monthly_card_url(holder: Payment) -> str:
    path = reverse("campagnes:monthly_card", args=[monthly_token(holder)])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


# --- what the donor reads -------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """Stripe bills on the anchor's day of the month, or the month's last day if shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monthly_next_charge(holder: Payment, *, today: datetime.date | None = None) -> datetime.date | None:
    """The date of the next monthly charge, or None once the gift is stopped."""
    if holder.subscription_stopped_at:
        return None
    today = today or timezone.localdate()
    anchor = timezone.localdate(holder.paid_at or holder.created_at)
    months = 1
    while _add_months(anchor, months) <= today:
        months += 1
    return _add_months(anchor, months)


def monthly_gifts_of(email: str) -> list[Payment]:
    """The monthly gifts (their holders) given from this address, running ones first."""
    holders = {}
    payments = (
        Payment.objects.select_related("association", "campaign")
        .filter(email__iexact=email, kind=PaymentKind.MONTHLY_DONATION, status__in=PaymentStatus.PAID_OR_REFUNDED)
        .exclude(stripe_subscription="")
        .order_by("created_at", "pk")
    )
    for payment in payments:
        holders.setdefault(payment.stripe_subscription, payment)
    return sorted(holders.values(), key=lambda p: (p.subscription_stopped_at is not None, -p.pk))


def monthly_context(payment: Payment) -> dict[str, Any]:
    """What the thank-you page and e-mails of a monthly gift say (empty for other payments)."""
    holder = monthly_holder(payment)
    if holder is None:
        return {}
    return {
        "monthly": True,
        "monthly_stopped": bool(holder.subscription_stopped_at),
        "next_charge": monthly_next_charge(holder),
        "manage_url": monthly_manage_url(holder),
    }
