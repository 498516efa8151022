""" "Mes reçus": a payer proves they own an e-mail address by opening a one-time link.

Only the token's hash is stored; opening the link marks it used and opens a short session
bound to that address. Asking for a link answers the same way, with the same work, whether or
not the address has receipts (a task looks it up), so nobody can learn who gave to whom.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from campagnes.models import Receipt, ReceiptAccessToken
from campagnes.monthly import monthly_gifts_of, monthly_next_charge, monthly_token
from kernel.mail import send_templated_email

SESSION_EMAIL = "my_receipts_email"
SESSION_UNTIL = "my_receipts_until"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def access_link_request(*, email: str) -> None:
    """What the page does for any address: enqueue the same task after commit, nothing else.

    Looking the address up here would make an address with receipts answer slower than one
    without (a timing oracle on who gave to whom): the lookup and the e-mail are the worker's.
    """
    email = email.strip().lower()
    transaction.on_commit(lambda: send_access_link.enqueue(email=email))


@task()
def send_access_link(*, email: str) -> str:
    return "lien envoyé" if access_link_send(email=email) else "aucun reçu pour cette adresse"


@transaction.atomic
def access_link_send(*, email: str) -> bool:
    """E-mail a one-time link, only if the address has receipts (the page says the same either way)."""
    email = email.strip().lower()
    # a monthly donor may have no receipt yet (the year's receipt comes in January): the link
    # still opens the page where the gift can be stopped
    if not Receipt.objects.filter(donor_email=email).exists() and not monthly_gifts_of(email):
        return False
    token = secrets.token_urlsafe(32)
    ReceiptAccessToken.objects.create(
        email=email,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(minutes=settings.KOLLEKTIF_RECEIPT_LINK_MINUTES),
    )
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("campagnes:my_receipts_open", args=[token])
    send_templated_email(
        to=[email],
        subject=_("Vos reçus sur Kollektif"),
        template="my_receipts_link",
        context={"link": link, "minutes": settings.KOLLEKTIF_RECEIPT_LINK_MINUTES},
    )
    return True


@transaction.atomic
def access_link_open(*, token: str) -> str | None:
    """The e-mail address the link proves, or None if it is unknown, used or expired."""
    record = ReceiptAccessToken.objects.select_for_update().filter(token_hash=_hash(token)).first()
    if record is None or record.used_at or record.expires_at < timezone.now():
        return None
    record.used_at = timezone.now()
    record.save(update_fields=["used_at"])
    return record.email


def session_open(session, email: str) -> None:
    session.cycle_key()
    session[SESSION_EMAIL] = email
    until = timezone.now() + timedelta(minutes=settings.KOLLEKTIF_RECEIPT_SESSION_MINUTES)
    session[SESSION_UNTIL] = until.isoformat()


def session_email(session) -> str | None:
    email, until = session.get(SESSION_EMAIL), session.get(SESSION_UNTIL)
    if not email or not until or datetime.fromisoformat(until) < timezone.now():
        return None
    return email


def receipts_of(email: str):
    return Receipt.objects.filter(donor_email=email).select_related("association").order_by("-issued_at", "-pk")


def monthly_gifts_with_links(email: str) -> list[dict]:
    """The monthly gifts given from this address, each with its signed page (stop, new card)."""
    return [
        {
            "holder": holder,
            "manage_url": reverse("campagnes:monthly_manage", args=[monthly_token(holder)]),
            "next_charge": monthly_next_charge(holder),
        }
        for holder in monthly_gifts_of(email)
    ]
