"""E-mails about payments: the payer's confirmation and the treasurers' notification."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from associations.domains import association_home_url, association_origin
from campagnes.money import format_eur
from campagnes.monthly import monthly_card_url, monthly_context, monthly_manage_url
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
        **monthly_context(payment),  # monthly: the next charge date and the link to stop it
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
    send_templated_email(
        to=_treasurers(association),
        subject=_("Nouveau paiement : %(amount)s") % {"amount": format_eur(payment.total_cents)},
        template="payment_treasurer",
        context=context,
        about=payment,
    )


def _treasurers(association) -> list[str]:
    if not association.treasurers_group:
        return []
    return list(association.treasurers_group.user_set.values_list("email", flat=True))


def notify_monthly_stopped(holder, *, by_treasurer: bool) -> None:
    """Both sides learn that a monthly gift is stopped: the donor, and the association's treasurers."""
    association = holder.association
    context = {
        "payment": holder,
        "association": association,
        "amount": format_eur(holder.monthly_cents),
        "campaign": holder.campaign.specific,
        "by_treasurer": by_treasurer,
        "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("paiements:inspect", args=[holder.pk]),
    }
    send_templated_email(
        to=[holder.email],
        subject=_("Votre don mensuel à %(name)s est arrêté") % {"name": association.name},
        template="monthly_stopped",
        context=context,
        reply_to=[association.email],
        about=holder,
    )
    send_templated_email(
        to=_treasurers(association),
        subject=_("Don mensuel arrêté : %(amount)s par mois, %(payer)s")
        % {"amount": format_eur(holder.monthly_cents), "payer": holder.payer_name},
        template="monthly_stopped_treasurer",
        context=context,
        about=holder,
    )


def notify_monthly_amount_changed(holder, *, old_cents: int) -> None:
    """Both sides learn the new monthly amount: the donor, and the association's treasurers."""
    association = holder.association
    context = {
        "payment": holder,
        "association": association,
        "old_amount": format_eur(old_cents),
        "amount": format_eur(holder.monthly_cents),
        "manage_url": monthly_manage_url(holder),
        "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("paiements:inspect", args=[holder.pk]),
    }
    send_templated_email(
        to=[holder.email],
        subject=_("Votre don mensuel à %(name)s passe à %(amount)s")
        % {"name": association.name, "amount": context["amount"]},
        template="monthly_amount_changed",
        context=context,
        reply_to=[association.email],
        about=holder,
    )
    send_templated_email(
        to=_treasurers(association),
        subject=_("Don mensuel modifié : %(amount)s par mois, %(payer)s")
        % {"amount": context["amount"], "payer": holder.payer_name},
        template="monthly_amount_changed_treasurer",
        context=context,
        about=holder,
    )


def notify_monthly_renewal_failed(payment, *, holder) -> None:
    """A month was refused by the bank: the donor gets a link to give another card."""
    association = payment.association
    send_templated_email(
        to=[holder.email],
        subject=_("Votre don mensuel à %(name)s n'a pas pu être prélevé") % {"name": association.name},
        template="monthly_renewal_failed",
        context={
            "payment": payment,
            "association": association,
            "amount": format_eur(payment.total_cents),
            "reason": payment.failure_reason,
            "card_url": monthly_card_url(holder),
            "manage_url": monthly_manage_url(holder),
        },
        reply_to=[association.email],
        about=payment,
    )
