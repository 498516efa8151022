"""Payment forms: the payer, then what they choose. No account needed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from associations.validators import validate_siren
from campagnes.models.campaigns import (
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    MembershipCampaignPage,
    TicketingCampaignPage,
)
from campagnes.models.offers import PaymentOffer
from campagnes.money import MAX_PAYMENT_CENTS, AmountField, to_cents

CONSENT_TEXT = _(
    "J'accepte que mes coordonnées soient transmises à l'association pour traiter mon paiement et "
    "m'envoyer mon reçu. Elles ne sont visibles que par l'association et l'équipe Kollektif."
)


class PayerForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Cette adresse e-mail n'est pas valide.")},
    )
    street_address = forms.CharField(
        label=_("Adresse"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        label=_("Code postal"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("Ville"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    company_name = forms.CharField(
        label=_("Entreprise (si vous donnez au nom d'une entreprise)"), max_length=200, required=False
    )
    company_siren = forms.CharField(label=_("SIREN de l'entreprise"), max_length=11, required=False)
    company_legal_form = forms.CharField(
        label=_("Forme juridique de l'entreprise (si SIREN)"),
        help_text=_("SARL, SAS, SA, EURL, SCIC, SCOP…"),
        max_length=100,
        required=False,
    )
    cover_fees = forms.BooleanField(label=_("Je couvre les frais bancaires"), required=False)
    consent = forms.BooleanField(
        label=CONSENT_TEXT, error_messages={"required": _("Votre accord est nécessaire pour payer.")}
    )

    address_required = False
    tax_receipt = False
    CLOSING_FIELDS = ("cover_fees", "consent")

    def gives_tax_receipt(self, association) -> bool:
        """Whether this payment earns a reçu fiscal: gifts, when the association is eligible."""
        return bool(association and association.issues_tax_receipts)

    def setup_receipt(self, campaign) -> None:
        """A tax receipt needs the donor's address (Cerfa 11580*05): asked only when one is due."""
        self.tax_receipt = self.gives_tax_receipt(campaign.association)
        self.address_required = self.tax_receipt
        for name in ("street_address", "postal_code", "city"):
            self.fields[name].required = self.address_required

    def offer_fields(self):
        """What the payer chooses (amount, formula, tickets…), shown first."""
        return [self[name] for name in self.fields if name not in PayerForm.base_fields]

    def payer_fields(self):
        return [self[name] for name in PayerForm.base_fields if name not in self.CLOSING_FIELDS]

    def clean_company_siren(self):
        siren = (self.cleaned_data.get("company_siren") or "").replace(" ", "")
        if siren:
            validate_siren(siren)
        return siren

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("company_siren") and not cleaned.get("company_name"):
            self.add_error("company_name", _("Indiquez le nom de l'entreprise."))
        if self.tax_receipt and cleaned.get("company_siren") and not (cleaned.get("company_legal_form") or "").strip():
            self.add_error(
                "company_legal_form",
                _("Indiquez la forme juridique de l'entreprise : elle figure sur son reçu fiscal."),
            )
        if self.address_required:
            for field in ("street_address", "postal_code", "city"):
                if not (cleaned.get(field) or "").strip():
                    self.add_error(field, _("L'adresse est nécessaire pour établir votre reçu fiscal."))
        return cleaned


class DonationForm(PayerForm):
    preset = forms.ChoiceField(label=_("Montant"), required=False, widget=forms.RadioSelect)
    amount = AmountField(
        label=_("Montant du don (€)"),
        required=False,
        help_text=_("Un autre montant, si aucun de ceux proposés ne vous convient."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "transaction-amount"}),
    )
    frequency = forms.ChoiceField(
        label=_("Fréquence"),
        choices=[("once", _("Une fois")), ("monthly", _("Tous les mois"))],
        initial="once",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.setup_receipt(campaign)
        if not campaign.allow_monthly:
            self.fields["frequency"].choices = [("once", _("Une fois"))]
        presets = campaign.suggested_amounts_for_display()
        if presets:
            self.fields["preset"].choices = [(str(to_cents(a)), f"{_fmt(a)} €") for a in presets] + [
                ("autre", _("Autre montant"))
            ]
        else:
            del self.fields["preset"]
            self.fields["amount"].help_text = ""

    def payment_request(self) -> tuple[str, int, PaymentOffer]:
        frequency = self.cleaned_data.get("frequency", "once")
        kind = "don-mensuel" if frequency == "monthly" else "don"
        return kind, self.cleaned_data["amount"], PaymentOffer(frequency=frequency)

    def clean_amount(self):
        preset = self.cleaned_data.get("preset") or ""
        cents = self.cleaned_data.get("amount")
        if cents is None and preset.isascii() and preset.isdigit():
            return int(preset)
        if cents is None:
            raise ValidationError(_("Choisissez ou indiquez un montant."))
        minimum, maximum = to_cents(self.campaign.min_amount), to_cents(self.campaign.max_amount)
        if cents < minimum:
            raise ValidationError(_("Le don minimum est de %(min)s €.") % {"min": _fmt(self.campaign.min_amount)})
        if cents > maximum:
            raise ValidationError(_("Le don maximum est de %(max)s €.") % {"max": _fmt(self.campaign.max_amount)})
        return cents


class MembershipForm(PayerForm):
    def gives_tax_receipt(self, association) -> bool:
        return super().gives_tax_receipt(association) and association.membership_tax_eligible

    def payment_request(self) -> tuple[str, int, PaymentOffer]:
        tier = self.cleaned_data["tier"]
        return "adhesion", self.cleaned_data["amount_cents"], PaymentOffer(tier_id=tier.pk, tier_name=tier.name)

    tier = forms.ModelChoiceField(label=_("Formule"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    amount = AmountField(
        label=_("Montant si prix libre (€)"),
        required=False,
        max_cents=MAX_PAYMENT_CENTS,
        error_messages={"max_value": _("Pour un montant aussi important, contactez l'association.")},
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.setup_receipt(campaign)
        self.fields["tier"].queryset = campaign.tiers.all()
        self.fields["tier"].label_from_instance = lambda tier: (
            f"{tier.name} — {_fmt(tier.price)} €" + (f" {_('minimum, prix libre')}" if tier.free_price else "")
        )

    def clean(self):
        cleaned = super().clean()
        tier = cleaned.get("tier")
        if tier is None:
            return cleaned
        price = to_cents(tier.price)
        if "amount" in self.errors:
            return cleaned
        if tier.free_price and cleaned.get("amount") is not None:
            cents = cleaned["amount"]
            if cents < price:
                self.add_error(
                    "amount", _("Le minimum pour cette formule est de %(min)s €.") % {"min": _fmt(tier.price)}
                )
            cleaned["amount_cents"] = cents
        else:
            cleaned["amount_cents"] = price
        if cleaned.get("amount_cents", 0) <= 0:
            self.add_error("tier", _("Cette formule n'a pas de montant à payer."))
        return cleaned


class TicketForm(PayerForm):
    MAX_PER_TYPE = 10

    def payment_request(self) -> tuple[str, int, PaymentOffer]:
        lines = {int(type_id): quantity for type_id, quantity in self.cleaned_data["lines"].items()}
        return "billetterie", self.cleaned_data["amount_cents"], PaymentOffer(tickets=lines)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.ticket_types = list(campaign.ticket_types.all())
        for ticket_type in self.ticket_types:
            self.fields[f"billets_{ticket_type.pk}"] = forms.IntegerField(
                label=f"{ticket_type.name} — {_fmt(ticket_type.price)} €",
                min_value=0,
                max_value=self.MAX_PER_TYPE,
                initial=0,
                required=False,
                help_text=_("%(n)s place(s) restante(s)") % {"n": ticket_type.remaining},
                error_messages={
                    "invalid": _("Indiquez un nombre de billets."),
                    "min_value": _("Le nombre de billets ne peut pas être négatif."),
                    "max_value": _("%(max)s billets au plus par commande.") % {"max": self.MAX_PER_TYPE},
                },
            )

    def ticket_fields(self):
        return [self[f"billets_{ticket_type.pk}"] for ticket_type in self.ticket_types]

    def clean(self):
        cleaned = super().clean()
        lines = {}
        for ticket_type in self.ticket_types:
            quantity = cleaned.get(f"billets_{ticket_type.pk}") or 0
            if quantity:
                lines[str(ticket_type.pk)] = quantity
                if quantity > ticket_type.remaining:
                    self.add_error(
                        f"billets_{ticket_type.pk}",
                        _("Il ne reste que %(n)s place(s) pour « %(name)s ».")
                        % {"n": ticket_type.remaining, "name": ticket_type.name},
                    )
        if not lines:
            raise ValidationError(_("Choisissez au moins un billet."))
        cleaned["lines"] = lines
        cleaned["amount_cents"] = sum(to_cents(t.price) * lines.get(str(t.pk), 0) for t in self.ticket_types)
        if cleaned["amount_cents"] <= 0:
            raise ValidationError(_("Ces billets sont gratuits : pas besoin de payer en ligne."))
        if cleaned["amount_cents"] > MAX_PAYMENT_CENTS:
            raise ValidationError(_("Pour un montant aussi important, contactez l'association."))
        return cleaned


class CrowdfundingForm(PayerForm):
    def payment_request(self) -> tuple[str, int, PaymentOffer]:
        counterpart = self.cleaned_data.get("counterpart")
        offer = PaymentOffer()
        if counterpart is not None:
            offer = PaymentOffer(
                counterpart_id=counterpart.pk,
                counterpart_name=counterpart.name,
                counterpart_value_cents=to_cents(counterpart.value),
            )
        return "collecte", self.cleaned_data["amount_cents"], offer

    amount = AmountField(
        label=_("Montant de votre contribution (€)"),
        max_cents=MAX_PAYMENT_CENTS,
        error_messages={
            "max_value": _("Pour un montant aussi important, contactez l'association."),
            "required": _("Indiquez un montant."),
        },
    )
    counterpart = forms.ModelChoiceField(
        label=_("Contrepartie"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("Sans contrepartie"),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.setup_receipt(campaign)
        self.fields["counterpart"].queryset = campaign.counterparts.all()
        self.fields["counterpart"].label_from_instance = lambda c: (
            f"{c.name} — {_('dès')} {_fmt(c.min_amount)} €"
            + (f" ({c.remaining} {_('restantes')})" if c.stock is not None else "")
        )

    def clean(self):
        cleaned = super().clean()
        counterpart = cleaned.get("counterpart")
        if counterpart is not None and cleaned.get("amount"):
            if cleaned["amount"] < to_cents(counterpart.min_amount):
                self.add_error(
                    "counterpart",
                    _("Cette contrepartie demande au moins %(min)s €.") % {"min": _fmt(counterpart.min_amount)},
                )
            if counterpart.remaining == 0:
                self.add_error("counterpart", _("Cette contrepartie n'est plus disponible."))
        cleaned["amount_cents"] = cleaned.get("amount")
        return cleaned


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",").replace(",00", "")


def payment_form_for(campaign, data=None):
    form_classes = {
        DonationCampaignPage: DonationForm,
        MembershipCampaignPage: MembershipForm,
        TicketingCampaignPage: TicketForm,
        CrowdfundingCampaignPage: CrowdfundingForm,
    }
    form_class = form_classes.get(type(campaign))
    return form_class(data, campaign=campaign) if form_class else None
