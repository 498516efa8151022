"""E-mails about payments: the payer's confirmation and the treasurers' notification."""

from __future__ import annotations

import io

import segno
from django.urls import reverse
from django.utils.translation import gettext as _

from associations.domains import association_home_url, association_origin
from campagnes.money import format_eur
from kernel.mail import attachment, send_templated_email


def ticket_qr_png(ticket) -> bytes:
    """The QR code scanned at the entrance: it carries the ticket's unguessable code."""
    buffer = io.BytesIO()
    segno.make(f"KOLLEKTIF-BILLET:{ticket.code}", error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def notify_payment_succeeded(payment) -> None:
    association = payment.association
    tickets = list(payment.tickets.select_related("ticket_type")) if payment.kind == "billetterie" else []
    context = {
        "payment": payment,
        "association": association,
        "amount": format_eur(payment.total_cents),
        "tickets": tickets,
        "campaign": payment.campaign.specific,
        # the association's own domain when it has one, else its pages on the platform
        "association_url": association_home_url(association),
        "my_receipts_url": association_origin(association) + reverse("campagnes:my_receipts"),
    }
    send_templated_email(
        to=[payment.email],
        subject=(_("Vos billets : %(title)s") % {"title": context["campaign"].title})
        if tickets
        else _("Merci pour votre soutien à %(name)s") % {"name": association.name},
        template="payment_confirmation",
        context=context,
        reply_to=[association.email],
        attachments=[
            attachment(f"billet-{number}-{ticket.code[:6]}.png", ticket_qr_png(ticket), "image/png")
            for number, ticket in enumerate(tickets, start=1)
        ],
        about=payment,  # a failure shows on the payment's page (and in the staff's "E-mails")
    )
    treasurers = (
        list(association.treasurers_group.user_set.values_list("email", flat=True))
        if association.treasurers_group
        else []
    )
    send_templated_email(
        to=treasurers,
        subject=_("Nouveau paiement : %(amount)s") % {"amount": format_eur(payment.total_cents)},
        template="payment_treasurer",
        context=context,
        about=payment,
    )
