"""The forms of the treasurers' admin: a refund, and the check-in at the door."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campagnes.models import Payment, PaymentStatus, TicketingCampaignPage
from campagnes.money import AmountField, format_eur, to_euros
from campagnes.selectors import payment_refundable_cents, ticketing_campaigns_for
from kernel.formats.french import french_date


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
        kwargs.setdefault("initial", {"amount": euros_for_input(payment_refundable_cents(payment))})
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> int:
        cents = self.cleaned_data["amount"]
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
        return cleaned


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
