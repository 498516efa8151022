"""Payment forms: the payer, then what they choose. No account needed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from associations.validators import validate_siren
from campagnes.money import to_cents

CONSENT_TEXT = _(
    "J'accepte que mes coordonnées soient transmises à l'association pour traiter mon paiement et "
    "m'envoyer mon reçu. Elles ne sont visibles que par l'association et l'équipe Kollektif."
)


class PayerForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             error_messages={"invalid": _("Cette adresse e-mail n'est pas valide.")})
    street_address = forms.CharField(label=_("Adresse"), max_length=300, required=False,
                                     widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    postal_code = forms.CharField(label=_("Code postal"), max_length=10, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))
    city = forms.CharField(label=_("Ville"), max_length=150, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    phone = forms.CharField(label=_("Téléphone (facultatif)"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    company_name = forms.CharField(label=_("Entreprise (si vous donnez au nom d'une entreprise)"), max_length=200, required=False)
    company_siren = forms.CharField(label=_("SIREN de l'entreprise"), max_length=11, required=False)
    cover_fees = forms.BooleanField(label=_("Je couvre les frais bancaires"), required=False)
    consent = forms.BooleanField(label=CONSENT_TEXT, error_messages={"required": _("Votre accord est nécessaire pour payer.")})

    address_required = True

    def clean_company_siren(self):
        siren = (self.cleaned_data.get("company_siren") or "").replace(" ", "")
        if siren:
            validate_siren(siren)
        return siren

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("company_siren") and not cleaned.get("company_name"):
            self.add_error("company_name", _("Indiquez le nom de l'entreprise."))
        if self.address_required:
            for field in ("street_address", "postal_code", "city"):
                if not (cleaned.get(field) or "").strip():
                    self.add_error(field, _("L'adresse est nécessaire pour établir votre reçu fiscal."))
        return cleaned


class DonationForm(PayerForm):
    amount = forms.CharField(
        label=_("Montant du don (€)"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "transaction-amount"}),
    )
    frequency = forms.ChoiceField(
        label=_("Fréquence"), choices=[("once", _("Une fois")), ("monthly", _("Tous les mois"))],
        initial="once", widget=forms.RadioSelect,
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if not campaign.allow_monthly:
            self.fields["frequency"].choices = [("once", _("Une fois"))]

    def clean_amount(self):
        raw = self.cleaned_data["amount"]
        try:
            cents = to_cents(raw)
        except ValueError as exc:
            raise ValidationError(_("Indiquez un montant en euros, par exemple 20 ou 12,50.")) from exc
        if cents <= 0:
            raise ValidationError(_("Le montant doit être positif."))
        minimum, maximum = to_cents(self.campaign.min_amount), to_cents(self.campaign.max_amount)
        if cents < minimum:
            raise ValidationError(_("Le don minimum est de %(min)s €.") % {"min": _fmt(self.campaign.min_amount)})
        if cents > maximum:
            raise ValidationError(_("Le don maximum est de %(max)s €.") % {"max": _fmt(self.campaign.max_amount)})
        return cents


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",").replace(",00", "")


def payment_form_for(campaign, data=None):
    from campagnes.models import DonationCampaignPage

    if isinstance(campaign, DonationCampaignPage):
        return DonationForm(data, campaign=campaign)
    return None
