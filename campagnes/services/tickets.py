"""Refunded tickets: cancelled one by one, their seats back on sale (as pretix's order positions).

A partial refund of a ticketing payment names the tickets it gives back: those are cancelled
(``Ticket.canceled_at``), each one's seat returns to its type's quota (``TicketType.sold``),
and the door refuses them ("Billet remboursé"). A payment refunded in full cancels every ticket
it still holds. Each change runs on locked rows, once: a ticket already cancelled is skipped,
so its seat is never given back twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campagnes.models import Payment, PaymentLog, PaymentStatus, Ticket, TicketType
from campagnes.money import to_cents


def refundable_tickets(payment: Payment) -> QuerySet[Ticket]:
    """The tickets of this payment that a refund may still cancel."""
    return payment.tickets.filter(canceled_at__isnull=True).select_related("ticket_type").order_by("pk")


def tickets_cancel(*, payment: Payment, tickets: Iterable[Ticket] | None, source: str) -> list[Ticket]:
    """Cancel these tickets of ``payment`` (all it holds when it is refunded in full); seats back on sale.

    Returns the tickets cancelled now. Raises ``ValueError`` (French) for a ticket of another payment.
    """
    wanted = None if tickets is None else {ticket.pk for ticket in tickets}
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if wanted is not None and Ticket.objects.filter(pk__in=wanted).exclude(payment=payment).exists():
            raise ValueError(_("Ces billets ne sont pas ceux de ce paiement."))
        rows = Ticket.objects.select_for_update().filter(payment=payment, canceled_at__isnull=True).order_by("pk")
        if payment.status != PaymentStatus.REFUNDED and wanted is not None:
            rows = rows.filter(pk__in=wanted)
        cancelled = list(rows.select_related("ticket_type"))
        if not cancelled:
            return []
        now = timezone.now()
        Ticket.objects.filter(pk__in=[t.pk for t in cancelled]).update(canceled_at=now)
        for type_id, count in sorted(Counter(t.ticket_type_id for t in cancelled).items()):
            TicketType.objects.filter(pk=type_id).update(sold=Greatest(F("sold") - count, Value(0)))
        for ticket in cancelled:
            ticket.canceled_at = now
        reason = ngettext(
            "%(count)s billet annulé, remis en vente : %(list)s",
            "%(count)s billets annulés, remis en vente : %(list)s",
            len(cancelled),
        ) % {
            "count": len(cancelled),
            "list": ", ".join(f"{t.ticket_type.name} ({t.code[:6]}…)" for t in cancelled),
        }
        # written here, not through ledger.payment_log: the ledger calls this module on a full refund
        PaymentLog.objects.create(
            payment=payment,
            action="tickets_refunded",
            from_status=payment.status,
            to_status=payment.status,
            source=source,
            detail={"reason": reason},
        )
    return cancelled


def ticket_refund_total_cents(tickets: Iterable[Ticket]) -> int:
    """What the chosen tickets cost, at their type's price (integer cents)."""
    return sum(to_cents(ticket.ticket_type.price) for ticket in tickets)
