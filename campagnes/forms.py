"""Payment forms: the payer, then what they choose. No account needed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.validators import validate_siren
from campagnes import memberships
from campagnes.giving import GiftSummary, gift_summary, is_aid_organisation
from campagnes.models.campaigns import (
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    MembershipCampaignPage,
    TicketingCampaignPage,
)
from campagnes.models.offers import PaymentOffer
from campagnes.money import MAX_PAYMENT_CENTS, AmountField, to_cents
from campagnes.services import estimated_fee_cents

CONSENT_TEXT = _(
    "J'accepte que mes coordonnées soient transmises à l'association pour traiter mon paiement et "
    "m'envoyer mon reçu. Elles ne sont visibles que par l'association et l'équipe Kollektif."
)


ADDRESS_REQUIRED = _("L'adresse est nécessaire pour établir votre reçu fiscal.")
CONTACT_CONSENT_TEXT = _(
    "J'accepte que %(association)s me contacte par e-mail (actualités, convocation à l'assemblée "
    "générale). Facultatif : je pourrai me désabonner à tout moment par le lien de chaque message."
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
    is_company = forms.BooleanField(label=_("Je donne au nom d'une entreprise"), required=False)
    company_name = forms.CharField(
        label=_("Entreprise (si vous donnez au nom d'une entreprise)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    company_siren = forms.CharField(
        label=_("SIREN de l'entreprise"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    company_legal_form = forms.CharField(
        label=_("Forme juridique de l'entreprise"),
        help_text=_("SARL, SAS, SA, EURL, SCIC, SCOP…"),
        max_length=100,
        required=False,
    )
    cover_fees = forms.BooleanField(label=_("Je couvre les frais bancaires"), required=False)
    consent = forms.BooleanField(
        label=CONSENT_TEXT, error_messages={"required": _("Votre accord est nécessaire pour payer.")}
    )
    # Consent to later e-mails from the association: optional, never ticked in advance, apart
    # from the consent needed to pay (RGPD art. 7.4 and recital 43: freely given; art. 4.11:
    # a clear affirmative act, so no pre-ticked box — CJEU C-673/17 "Planet49"). Its label
    # names the association (``payment_form_for``).
    contact_consent = forms.BooleanField(label=CONTACT_CONSENT_TEXT % {"association": "l'association"}, required=False)

    address_required = False
    tax_receipt = False
    CLOSING_FIELDS = ("cover_fees", "consent", "contact_consent")
    # Shown behind the "Je donne au nom d'une entreprise" box (hidden by campaign-form.js until ticked).
    COMPANY_FIELDS = ("company_name", "company_siren", "company_legal_form")
    # A public list of supporters: only gifts (dons, collectes) offer the donor a place in it.
    offers_public_list = False

    def gives_tax_receipt(self, association) -> bool:
        """Whether this payment earns a reçu fiscal: gifts, when the association is eligible."""
        return bool(association and association.issues_tax_receipts)

    def setup_receipt(self, campaign) -> None:
        """A tax receipt needs the donor's address (Cerfa 11580*05): asked only when one is due."""
        self.tax_receipt = self.gives_tax_receipt(campaign.association)
        self.address_required = self.tax_receipt
        for name in ("street_address", "postal_code", "city"):
            self.fields[name].required = self.address_required
            # One message per empty field, the one that says why (not "Ce champ est obligatoire"
            # followed by a second line from ``clean``).
            self.fields[name].error_messages["required"] = ADDRESS_REQUIRED

    def visible_fields(self):
        """The fields in the order the page shows them, so that the error summary lists the
        errors in the order the payer meets the fields (RGAA 11.10, WCAG 3.3.1)."""
        shown = [
            *self.offer_fields(),
            *self.payer_fields(),
            self["is_company"],
            *self.company_fields(),
            *([self["public_supporter"]] if "public_supporter" in self.fields else []),
            *(self[name] for name in self.CLOSING_FIELDS),
        ]
        return [field for field in shown if not field.is_hidden]

    def offer_fields(self):
        """What the payer chooses (amount, formula, tickets…), shown first."""
        return [self[name] for name in self.fields if name not in PayerForm.base_fields and name != "public_supporter"]

    def payer_fields(self):
        excluded = {*self.CLOSING_FIELDS, "is_company", *self.COMPANY_FIELDS, "public_supporter"}
        return [self[name] for name in PayerForm.base_fields if name not in excluded]

    def company_fields(self):
        return [self[name] for name in self.COMPANY_FIELDS if name in self.fields]

    def fee_settings(self) -> dict[str, str]:
        """The fee estimate's rule, for the live summary (same rule as ``estimated_fee_cents``)."""
        return {
            "percent": str(settings.KOLLEKTIF_CARD_FEE_PERCENT),
            "fixed": str(settings.KOLLEKTIF_CARD_FEE_FIXED_CENTS),
        }

    def aid_organisation(self) -> bool:
        return is_aid_organisation(self.campaign.association)

    def _value(self, name: str):
        """A field's value as typed (bound) or its initial value: the summary is shown before and after a post."""
        if self.is_bound:
            if hasattr(self, "cleaned_data") and name in self.cleaned_data:
                return self.cleaned_data[name]
            return self.fields[name].widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return self.get_initial_for_field(self.fields[name], name)

    def _is_company(self) -> bool:
        return bool(self._value("is_company")) or bool((self._value("company_name") or "").strip())

    def chosen_amount_cents(self) -> int | None:
        """The amount the payer chose so far, or None: the base of the summary."""
        return None

    def summary(self) -> GiftSummary | None:
        """What will be charged, and the real cost after tax reduction, for the no-JavaScript page."""
        amount = self.chosen_amount_cents()
        if not amount:
            return None
        fee = estimated_fee_cents(amount) if self._value("cover_fees") else 0
        return gift_summary(
            amount_cents=amount,
            fee_cents=fee,
            monthly=self._value("frequency") == "monthly" if "frequency" in self.fields else False,
            tax_receipt=self.tax_receipt,
            company=self._is_company(),
            aid_organisation=self.aid_organisation(),
            counterpart_value_cents=self._counterpart_value_cents(),
        )

    def _counterpart_value_cents(self) -> int:
        return 0

    def clean_company_siren(self):
        siren = (self.cleaned_data.get("company_siren") or "").replace(" ", "")
        if siren:
            validate_siren(siren)
        return siren

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("company_name") or cleaned.get("company_siren"):
            cleaned["is_company"] = True  # typed without ticking the box (a browser without JavaScript)
        if cleaned.get("is_company") and not cleaned.get("company_name"):
            self.add_error("company_name", _("Indiquez le nom de l'entreprise."))
        if self.tax_receipt and cleaned.get("company_siren") and not (cleaned.get("company_legal_form") or "").strip():
            self.add_error(
                "company_legal_form",
                _("Indiquez la forme juridique de l'entreprise : elle figure sur son reçu fiscal."),
            )
        if self.address_required:
            for field in ("street_address", "postal_code", "city"):
                if field not in self.errors and not (cleaned.get(field) or "").strip():
                    self.add_error(field, ADDRESS_REQUIRED)
        return cleaned


class PublicSupporterMixin(forms.Form):
    public_supporter = forms.BooleanField(
        label=_("Afficher mon prénom dans la liste publique des soutiens (sinon : « anonyme »)"), required=False
    )
    offers_public_list = True


class DonationForm(PublicSupporterMixin, PayerForm):
    OTHER = "autre"
    preset = forms.ChoiceField(label=_("Montant"), required=False, widget=forms.RadioSelect)
    amount = AmountField(
        label=_("Autre montant (€)"),
        required=False,
        help_text=_("Pris en compte si vous avez choisi « Autre montant »."),
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
        notes = campaign.amount_descriptions() if campaign.pk else {}
        self.preset_notes = {str(to_cents(a)): notes.get(a, "") for a in presets}
        if presets:
            self.fields["preset"].choices = [(str(to_cents(a)), f"{_fmt(a)} €") for a in presets] + [
                (self.OTHER, _("Autre montant"))
            ]
            # One amount is chosen from the start (the second one, often the most given), as on
            # the best forms: a donor in a hurry pays in fewer taps.
            self.fields["preset"].initial = str(to_cents(presets[min(1, len(presets) - 1)]))
        else:
            del self.fields["preset"]
            self.fields["amount"].label = _("Montant du don (€)")
            self.fields["amount"].help_text = ""

    def preset_options(self):
        """The radio buttons of the suggested amounts with their optional line (what it funds)."""
        options = []
        for widget in self["preset"]:
            widget.note = self.preset_notes.get(widget.data["value"], "")
            widget.is_other = widget.data["value"] == self.OTHER
            value = widget.data["value"]
            widget.cost_after_tax_cents = None
            if self.tax_receipt and value.isdigit():
                widget.cost_after_tax_cents = gift_summary(
                    amount_cents=int(value), tax_receipt=True, aid_organisation=self.aid_organisation()
                ).cost_after_tax_cents
            options.append(widget)
        return options

    def payment_request(self) -> tuple[str, int, PaymentOffer]:
        frequency = self.cleaned_data.get("frequency", "once")
        kind = "don-mensuel" if frequency == "monthly" else "don"
        return kind, self.cleaned_data["amount"], PaymentOffer(frequency=frequency)

    def chosen_amount_cents(self) -> int | None:
        if self.is_bound and hasattr(self, "cleaned_data") and isinstance(self.cleaned_data.get("amount"), int):
            return self.cleaned_data["amount"]
        preset = str(self._value("preset") or "") if "preset" in self.fields else self.OTHER
        if preset.isascii() and preset.isdigit():
            return int(preset)
        try:
            return self.fields["amount"].clean(self._value("amount"))
        except ValidationError:
            return None

    def clean_amount(self):
        # The radio button is what the donor sees chosen: it decides, unless it is "Autre montant"
        # (an amount typed earlier and left in the hidden field must never replace it).
        preset = self.cleaned_data.get("preset") or ""
        cents = self.cleaned_data.get("amount")
        if preset.isascii() and preset.isdigit():
            return int(preset)
        if cents is None:
            raise ValidationError(_("Choisissez ou indiquez un montant."))
        minimum, maximum = to_cents(self.campaign.min_amount), to_cents(self.campaign.max_amount)
        if cents < minimum:
            raise ValidationError(_("Le don minimum est de %(min)s €.") % {"min": _fmt(self.campaign.min_amount)})
        if cents > maximum:
            raise ValidationError(_("Le don maximum est de %(max)s €.") % {"max": _fmt(self.campaign.max_amount)})
        return cents


class TierRadioSelect(forms.RadioSelect):
    """Each formula carries its price, for the live summary."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        tier = getattr(value, "instance", None)
        if tier is not None:
            option["attrs"]["data-price-cents"] = to_cents(tier.price)
        return option


class MembershipForm(PayerForm):
    def gives_tax_receipt(self, association) -> bool:
        return super().gives_tax_receipt(association) and association.membership_tax_eligible

    def payment_request(self) -> tuple[str, int, PaymentOffer]:
        tier = self.cleaned_data["tier"]
        period = self.member_period(self.cleaned_data["email"])
        offer = PaymentOffer(
            tier_id=tier.pk, tier_name=tier.name, valid_from=period.valid_from, valid_until=period.valid_until
        )
        return "adhesion", self.cleaned_data["amount_cents"], offer

    renouveler = forms.CharField(required=False, widget=forms.HiddenInput)
    renewing = None  # the membership a renewal link names (campagnes.memberships.membership_to_renew)

    @property
    def period(self):
        """The period shown before paying: a renewal's, or a new member's today."""
        if self.renewing is not None:
            return self.member_period(self.renewing.payment.email)
        return memberships.membership_period(campaign=self.campaign, paid_on=timezone.localdate())

    @property
    def period_note(self) -> str:
        """Why the period is not the one of today's year: a renewal, or the switch date passed."""
        if self.renewing is not None:
            return _("Votre adhésion actuelle court jusqu'au %(date)s : le renouvellement prend sa suite.") % {
                "date": memberships.long_french_date(self.renewing.valid_until)
            }
        campaign = self.campaign
        if campaign.switch_day and campaign.switch_month and campaign.validity != "douze-mois":
            period = self.period
            if period.valid_from == timezone.localdate():
                return _("Depuis le %(date)s, une nouvelle adhésion compte pour la période suivante.") % {
                    "date": memberships.long_french_date(
                        datetime.date(period.valid_from.year, campaign.switch_month, campaign.switch_day),
                        with_year=False,
                    )
                }
        return _("Déjà adhérent ? Votre nouvelle adhésion commencera à la fin de l'actuelle.")

    def member_period(self, email: str):
        return memberships.period_for_member(
            campaign=self.campaign, email=email, on=timezone.localdate(), renewing=self.renewing
        )

    def clean_renouveler(self):
        token = self.cleaned_data.get("renouveler") or ""
        if token:
            try:
                self.renewing = memberships.membership_to_renew(token=token, association=self.campaign.association)
            except memberships.NothingToRenew as exc:
                self.add_error(None, str(exc))  # a hidden field: the message goes on top of the form
                return ""
        return token

    tier = forms.ModelChoiceField(label=_("Formule"), queryset=None, widget=TierRadioSelect, empty_label=None)
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

    def chosen_amount_cents(self) -> int | None:
        if hasattr(self, "cleaned_data") and self.cleaned_data.get("amount_cents"):
            return self.cleaned_data["amount_cents"]
        chosen = self._value("tier")
        pk = getattr(chosen, "pk", chosen)
        tier = next((t for t in self.fields["tier"].queryset if str(t.pk) == str(pk)), None)
        return to_cents(tier.price) if tier else None

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
                widget=forms.NumberInput(
                    attrs={
                        "class": "stepper__input",
                        "inputmode": "numeric",
                        "data-price-cents": to_cents(ticket_type.price),
                        "min": 0,
                        "max": min(self.MAX_PER_TYPE, ticket_type.remaining),
                    }
                ),
                help_text=_("%(n)s place(s) restante(s)") % {"n": ticket_type.remaining},
                error_messages={
                    "invalid": _("Indiquez un nombre de billets."),
                    "min_value": _("Le nombre de billets ne peut pas être négatif."),
                    "max_value": _("%(max)s billets au plus par commande.") % {"max": self.MAX_PER_TYPE},
                },
            )

    def ticket_fields(self):
        return [self[f"billets_{ticket_type.pk}"] for ticket_type in self.ticket_types]

    def chosen_amount_cents(self) -> int | None:
        total = 0
        for ticket_type in self.ticket_types:
            try:
                quantity = int(self._value(f"billets_{ticket_type.pk}") or 0)
            except (TypeError, ValueError):
                return None
            total += to_cents(ticket_type.price) * max(quantity, 0)
        return total

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


class CrowdfundingForm(PublicSupporterMixin, PayerForm):
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
        # A radio list drops its empty choice unless "blank": without it, a counterpart once
        # chosen could never be given up.
        blank=True,
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

    def chosen_amount_cents(self) -> int | None:
        if hasattr(self, "cleaned_data") and isinstance(self.cleaned_data.get("amount"), int):
            return self.cleaned_data["amount"]
        try:
            return self.fields["amount"].clean(self._value("amount"))
        except ValidationError:
            return None

    def counterpart_values(self) -> dict[str, int]:
        """Each counterpart's value (deducted before the tax reduction), for the live summary."""
        return {str(c.pk): to_cents(c.value) for c in self.fields["counterpart"].queryset}

    def _counterpart_value_cents(self) -> int:
        chosen = self._value("counterpart")
        if not chosen:
            return 0
        pk = getattr(chosen, "pk", chosen)
        counterpart = next((c for c in self.fields["counterpart"].queryset if str(c.pk) == str(pk)), None)
        return to_cents(counterpart.value) if counterpart else 0


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
    if form_class is None:
        return None
    form = form_class(data, campaign=campaign)
    association = getattr(campaign, "association", None)
    if association is not None:
        form.fields["contact_consent"].label = CONTACT_CONSENT_TEXT % {"association": association.name}
    return form


class MonthlyAmountForm(forms.Form):
    """The donor's new monthly amount, from their signed link: the campaign's minimum and maximum,
    the same French messages as the donation form."""

    amount = AmountField(
        label=_("Nouveau montant mensuel (€)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "transaction-amount"}),
        error_messages={"required": _("Indiquez le nouveau montant mensuel.")},
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean_amount(self):
        cents = self.cleaned_data["amount"]
        minimum = getattr(self.campaign, "min_amount", None) or Decimal("1")
        maximum = getattr(self.campaign, "max_amount", None) or Decimal(MAX_PAYMENT_CENTS) / 100
        if cents < to_cents(minimum):
            raise ValidationError(_("Le don minimum est de %(min)s €.") % {"min": _fmt(minimum)})
        if cents > min(to_cents(maximum), MAX_PAYMENT_CENTS):
            raise ValidationError(_("Le don maximum est de %(max)s €.") % {"max": _fmt(Decimal(maximum))})
        return cents
