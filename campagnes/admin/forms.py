"""The forms of the treasurers' admin: a refund, and the check-in at the door."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campagnes.models import Payment, PaymentKind, PaymentStatus, TicketingCampaignPage
from campagnes.money import AmountField, format_eur, to_cents, to_euros
from campagnes.selectors import payment_refundable_cents, ticketing_campaigns_for
from campagnes.services.tickets import refundable_tickets, ticket_refund_total_cents
from kernel.formats.french import french_date, french_datetime


def euros_for_input(cents: int) -> str:
    """2563 → "25,63": what a French treasurer types, without thousands separator."""
    return f"{to_euros(cents):.2f}".replace(".", ",")


class RefundForm(forms.Form):
    amount = AmountField(
        label=gettext_lazy("Montant à rembourser (€)"),
        help_text=gettext_lazy(
            "Par défaut, tout ce qui reste. Indiquez un montant plus petit pour un remboursement partiel."
        ),
        error_messages={
            "required": gettext_lazy("Indiquez le montant à rembourser."),
            "min_value": gettext_lazy("Le montant à rembourser doit être positif."),
        },
    )

    def __init__(self, *args: Any, payment: Payment, **kwargs: Any) -> None:
        self.payment = payment
        self.sells_tickets = payment.kind == PaymentKind.TICKETS
        if self.sells_tickets:
            kwargs.setdefault("initial", {})  # the amount follows the tickets chosen
        else:
            kwargs.setdefault("initial", {"amount": euros_for_input(payment_refundable_cents(payment))})
        super().__init__(*args, **kwargs)
        if self.sells_tickets:
            self.fields["tickets"] = TicketChoiceField(
                label=gettext_lazy("Billets remboursés"),
                queryset=refundable_tickets(payment),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=gettext_lazy(
                    "Les billets cochés sont annulés : leurs places sont remises en vente et ils ne permettent "
                    "plus d'entrer. Un remboursement de tout ce qui reste annule tous les billets."
                ),
            )
            self.fields["amount"].required = False
            self.fields["amount"].help_text = gettext_lazy(
                "Laissez vide pour rembourser le prix des billets cochés. Indiquez un montant pour un geste "
                "commercial sans annuler de billet, ou pour rembourser un autre montant."
            )
            self.order_fields(["tickets", "amount"])

    def clean_amount(self) -> int | None:
        cents = self.cleaned_data["amount"]
        if cents is None:
            return None
        left = payment_refundable_cents(self.payment)
        if cents > left:
            raise forms.ValidationError(
                _("Le montant dépasse ce qui reste à rembourser (%(remaining)s).") % {"remaining": format_eur(left)}
            )
        return cents

    def clean(self):
        cleaned = super().clean()
        if self.payment.status not in PaymentStatus.SETTLED:
            raise forms.ValidationError(_("Seul un paiement réussi peut être remboursé."))
        if self.sells_tickets and "amount" not in self.errors and "tickets" not in self.errors:
            tickets = list(cleaned.get("tickets") or [])
            cleaned["tickets"] = tickets
            if cleaned.get("amount") is None:
                if not tickets:
                    self.add_error("amount", _("Cochez les billets à rembourser, ou indiquez un montant."))
                    return cleaned
                left = payment_refundable_cents(self.payment)
                # never more than what is left (fees the buyer covered stay with the last tickets)
                cleaned["amount"] = min(ticket_refund_total_cents(tickets), left)
                if len(tickets) == refundable_tickets(self.payment).count():
                    cleaned["amount"] = left  # every ticket given back: everything left
                if cleaned["amount"] <= 0:
                    self.add_error("tickets", _("Ces billets n'ont rien à rembourser."))
        return cleaned


class TicketChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        label = _("%(type)s — %(price)s — code %(code)s…") % {
            "type": obj.ticket_type.name,
            "price": format_eur(to_cents(obj.ticket_type.price)),
            "code": obj.code[:6],
        }
        if obj.checked_in_at:
            label += " " + _("(entrée validée le %(date)s)") % {"date": french_datetime(obj.checked_in_at)}
        return label


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} — {french_date(obj.event_starts_at)}"


class CheckInForm(forms.Form):
    evenement = EventChoiceField(
        label=gettext_lazy("Événement contrôlé"),
        queryset=TicketingCampaignPage.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous mes événements"),
        help_text=gettext_lazy("Si vous choisissez un événement, seuls ses billets sont acceptés."),
    )
    code = forms.CharField(
        label=gettext_lazy("Code du billet"),
        max_length=200,
        help_text=gettext_lazy(
            "Scannez le QR code du billet avec une douchette (lecteur USB ou Bluetooth) : elle tape son contenu "
            "dans ce champ, comme un clavier, puis valide. Pas besoin de caméra ni d'application. Sans douchette, "
            "tapez le code indiqué dans l'e-mail du billet et appuyez sur Entrée. Le contenu du QR code "
            "« KOLLEKTIF-BILLET:… » et le code seul sont acceptés ; les majuscules comptent."
        ),
        error_messages={"required": gettext_lazy("Scannez ou tapez le code du billet.")},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "off",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "class": "kollektif-checkin__input",
            }
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evenement"].queryset = ticketing_campaigns_for(user)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de l'annulation"),
        max_length=300,
        error_messages={"required": gettext_lazy("Indiquez le motif de l'annulation.")},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"), error_messages={"required": gettext_lazy("Choisissez un fichier.")}
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Importer pour de bon (sinon : vérification seulement)"), required=False
    )
