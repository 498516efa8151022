"""Letting a ticket in at the door, once (as pretix's ``services/checkin.py``).

The check-in is one transaction, the ticket row locked, and conditional on
``checked_in_at IS NULL``: two scanners at the door can never both let the same ticket in.
Only the tickets the user may check in are looked up, so a code that is unknown and a code
of another association's ticket get the same answer (the page never tells that a ticket
exists elsewhere).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from campagnes.models import PaymentStatus, Ticket
from campagnes.selectors import visible_tickets

logger = logging.getLogger("kollektif.tickets")

QR_PREFIX = "KOLLEKTIF-BILLET:"
# A handheld scanner set up as a US (QWERTY) keyboard on a French (AZERTY) computer types
# "KOLLEKTIF)BILLETM…" and changes digits and a few letters of the code: this undoes it.
AZERTY_QR_PREFIX = "KOLLEKTIF)BILLETM"
AZERTY_AS_QWERTY = str.maketrans("&é\"'(-è_çà)°aqAQzwZW,?mM", "1234567890-_qaQAwzWZmM;:")


def ticket_code_candidates(raw: str) -> list[str]:
    """The codes to look for, from what was typed or scanned ("KOLLEKTIF-BILLET:<code>" or the code).

    Spaces are ignored; the code itself is case-sensitive. Two scanner mishaps are undone: a
    scanner typing in QWERTY on an AZERTY computer, and caps lock (the prefix then arrives in
    lower case, and so does every letter of the code, inverted).
    """
    text = "".join((raw or "").split())
    if text.startswith(QR_PREFIX):
        return [text[len(QR_PREFIX) :]]
    if text.startswith(QR_PREFIX.lower()):
        rest = text[len(QR_PREFIX) :]
        return [rest.swapcase(), rest]
    if text.startswith(AZERTY_QR_PREFIX):
        return [text[len(AZERTY_QR_PREFIX) :].translate(AZERTY_AS_QWERTY)]
    return [text] if text else []


@dataclass(frozen=True)
class CheckInResult:
    outcome: str  # ADMITTED, ALREADY_USED, UNKNOWN, REFUNDED, OTHER_EVENT
    ticket: Ticket | None = None

    ADMITTED = "admitted"
    ALREADY_USED = "already-used"
    UNKNOWN = "unknown"
    REFUNDED = "refunded"
    OTHER_EVENT = "other-event"

    @property
    def status_code(self) -> int:
        return {self.ADMITTED: 200, self.UNKNOWN: 404}.get(self.outcome, 409)

    @property
    def admitted(self) -> bool:
        return self.outcome == self.ADMITTED


def ticket_check_in(*, user: Any, code: str, event: Any | None = None) -> CheckInResult:
    """Let in the ticket with this code (typed or scanned), once; only the user's tickets are found.

    With ``event`` (a ticketing campaign page), a ticket for another event is refused (and not marked).
    """
    candidates = ticket_code_candidates(code)
    if not candidates:
        return CheckInResult(CheckInResult.UNKNOWN)
    return _check_in(visible_tickets(user, action="check_in").filter(code__in=candidates), user=user, event=event)


def ticket_check_in_by_pk(*, user: Any, ticket_id: int) -> CheckInResult:
    """From the ticket's admin page, for a buyer who cannot show their ticket."""
    return _check_in(visible_tickets(user, action="check_in").filter(pk=ticket_id), user=user, event=None)


def _check_in(tickets: QuerySet[Ticket], *, user: Any, event: Any | None) -> CheckInResult:
    with transaction.atomic():
        ticket = (
            tickets.select_for_update(of=("self",))
            .select_related("ticket_type", "payment", "payment__campaign")
            .first()
        )
        if ticket is None:
            return CheckInResult(CheckInResult.UNKNOWN)
        if ticket.canceled_at is not None or ticket.payment.status == PaymentStatus.REFUNDED:
            return CheckInResult(CheckInResult.REFUNDED, ticket)  # refunded alone, or with its whole payment
        if event is not None and ticket.ticket_type.page_id != event.pk:
            return CheckInResult(CheckInResult.OTHER_EVENT, ticket)
        if ticket.checked_in_at is not None:
            return CheckInResult(CheckInResult.ALREADY_USED, ticket)
        now = timezone.now()
        # conditional as well as locked: safe even where the database has no row locks (SQLite)
        if not Ticket.objects.filter(pk=ticket.pk, checked_in_at__isnull=True).update(checked_in_at=now):
            ticket.refresh_from_db(fields=["checked_in_at"])
            return CheckInResult(CheckInResult.ALREADY_USED, ticket)
        ticket.checked_in_at = now
    logger.info("ticket %s checked in by user %s", ticket.pk, user.pk)
    return CheckInResult(CheckInResult.ADMITTED, ticket)
