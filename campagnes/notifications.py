"""E-mails about payments: the payer's confirmation and the treasurers' notification."""

from __future__ import annotations

from django.utils.translation import gettext as _

from campagnes.money import format_eur
from site_kollektif.mail import send_templated_email


def notify_payment_succeeded(payment) -> None:
    association = payment.association
    context = {"payment": payment, "association": association, "amount": format_eur(payment.total_cents)}
    send_templated_email(
        to=[payment.email],
        subject=_("Merci pour votre soutien à %(name)s") % {"name": association.name},
        template="payment_confirmation",
        context=context,
        reply_to=[association.email],
    )
    treasurers = list(association.treasurers_group.user_set.values_list("email", flat=True)) if association.treasurers_group else []
    send_templated_email(
        to=treasurers,
        subject=_("Nouveau paiement : %(amount)s") % {"amount": format_eur(payment.total_cents)},
        template="payment_treasurer",
        context=context,
    )
