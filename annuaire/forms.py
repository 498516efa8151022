"""Forms of the directory: filters, contributions ("la carte à compléter"), admin forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from annuaire.models import Actor, ActorKind, Label, LinkKind, Topic
from annuaire.services import link_exists
from annuaire.widgets import TypeaheadSelect
from associations.forms import parse_point
from associations.geocoding import locate
from associations.models import Commune, Epci, Sector
from associations.models.association import LATITUDE_RANGE, LONGITUDE_RANGE
from associations.widgets import LocalLeafletField

OUTSIDE_FRANCE = _("Ce point est hors de France : vérifiez la latitude et la longitude.")


class DirectoryFilterForm(forms.Form):
    """The filters shared by the list, the map and the GeoJSON: one URL describes the view."""

    # SearchInput renders type="search" once (a TextInput with a "type" attr rendered it twice).
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100, widget=forms.SearchInput)
    epci = forms.ModelChoiceField(
        label=_("Intercommunalité (EPCI)"),
        queryset=Epci.objects.all(),
        required=False,
        empty_label=_("Toutes"),
        error_messages={"invalid_choice": _("Cette intercommunalité n'existe pas.")},
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.all(),
        required=False,
        empty_label=_("Toutes"),
        to_field_name="code",
        widget=TypeaheadSelect(source="communes"),
        error_messages={"invalid_choice": _("Cette commune n'est pas dans le Pas-de-Calais.")},
    )
    sector = forms.ModelChoiceField(
        label=_("Secteur"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("Tous"),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Ce secteur n'existe pas.")},
    )
    kind = forms.ChoiceField(
        label=_("Type de structure"), required=False, choices=[("", _("Tous")), *ActorKind.choices]
    )
    label = forms.ModelChoiceField(
        label=_("Label"),
        queryset=Label.objects.all(),
        required=False,
        empty_label=_("Tous"),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Ce label n'existe pas.")},
    )
    aide = forms.ModelChoiceField(
        label=_("Peut aider sur"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("Tout"),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Ce savoir-faire n'existe pas.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(placeholder=_("Nom, ville, activité…"))


class NetworkFilterForm(forms.Form):
    epci = DirectoryFilterForm.base_fields["epci"]
    commune = DirectoryFilterForm.base_fields["commune"]
    kinds = forms.MultipleChoiceField(
        label=_("Types de liens"),
        required=False,
        choices=LinkKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Ce type de lien n'existe pas.")},
    )
    acteur = forms.ModelChoiceField(
        label=_("Ton réseau : choisis un acteur"),
        queryset=Actor.objects.public().only("pk", "name", "slug"),
        required=False,
        to_field_name="slug",
        empty_label=_("Tout le réseau"),
        widget=TypeaheadSelect(source="acteurs"),
        error_messages={"invalid_choice": _("Cet acteur n'est pas dans l'annuaire.")},
    )


class HoneypotMixin(forms.Form):
    """A field hidden from people; robots fill it in, and their submission is refused."""

    site_internet_bis = forms.CharField(
        label=_("Ne pas remplir ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_site_internet_bis(self):
        if self.cleaned_data.get("site_internet_bis"):
            raise ValidationError(_("Votre proposition n'a pas pu être enregistrée."))
        return ""


class SubmitterMixin(forms.Form):
    submitter_name = forms.CharField(label=_("Votre nom"), max_length=200)
    submitter_email = forms.EmailField(
        label=_("Votre e-mail"),
        help_text=_("Pour vous répondre ; il ne sera pas publié."),
        error_messages={"invalid": _("Cette adresse e-mail n'est pas valide.")},
    )


class ActorProposalForm(HoneypotMixin, SubmitterMixin, forms.Form):
    name = forms.CharField(
        label=_("Nom de la structure"),
        max_length=200,
        error_messages={"required": _("Indiquez le nom de la structure.")},
    )
    kind = forms.ChoiceField(label=_("Type de structure"), choices=ActorKind.choices)
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.all(),
        to_field_name="code",
        widget=TypeaheadSelect(source="communes"),
        error_messages={
            "invalid_choice": _("Cette commune n'est pas dans le Pas-de-Calais."),
            "required": _("Choisissez la commune."),
        },
    )
    street_address = forms.CharField(
        label=_("Adresse"),
        max_length=250,
        required=False,
        help_text=_(
            "Elle sert à placer la structure sur la carte ; sans adresse, elle apparaît au centre de la commune "
            "(position approximative)."
        ),
    )
    description = forms.CharField(label=_("Présentation"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    public_email = forms.EmailField(label=_("E-mail de contact public de la structure"), required=False)
    sectors = forms.ModelMultipleChoiceField(
        label=_("Secteurs"), queryset=Sector.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    can_help = forms.ModelMultipleChoiceField(
        label=_("Peut aider sur"), queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    looking_for = forms.ModelMultipleChoiceField(
        label=_("Cherche"), queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = [
        "name",
        "kind",
        "commune",
        "street_address",
        "description",
        "website",
        "public_email",
        "sectors",
        "can_help",
        "looking_for",
        "submitter_name",
        "submitter_email",
        "site_internet_bis",
    ]

    def proposal_data(self) -> dict:
        """The proposal as stored; the position comes from the address (or stays empty: the
        map then shows the actor at its commune's centre), never typed by the public."""
        data = self.cleaned_data
        position = locate(data["street_address"], data["commune"].code)
        return {
            "name": data["name"].strip(),
            "kind": data["kind"],
            "commune": data["commune"].code,
            "street_address": data["street_address"],
            "description": data["description"],
            "website": data["website"],
            "public_email": data["public_email"],
            "latitude": str(position[0]) if position else None,
            "longitude": str(position[1]) if position else None,
            "sectors": [s.pk for s in data["sectors"]],
            "can_help": [t.pk for t in data["can_help"]],
            "looking_for": [t.pk for t in data["looking_for"]],
        }


class LinkProposalForm(HoneypotMixin, SubmitterMixin, forms.Form):
    source = forms.ModelChoiceField(
        label=_("Premier acteur"),
        queryset=Actor.objects.public(),
        to_field_name="slug",
        widget=TypeaheadSelect(source="acteurs"),
        error_messages={"invalid_choice": _("Cet acteur n'est pas dans l'annuaire.")},
    )
    target = forms.ModelChoiceField(
        label=_("Second acteur"),
        queryset=Actor.objects.public(),
        to_field_name="slug",
        widget=TypeaheadSelect(source="acteurs"),
        error_messages={"invalid_choice": _("Cet acteur n'est pas dans l'annuaire.")},
    )
    kind = forms.ChoiceField(label=_("Type de lien"), choices=LinkKind.choices)
    started_on = forms.DateField(label=_("Depuis le"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("Ce qu'ils font ensemble"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["source", "target", "kind", "started_on", "description", "submitter_name", "submitter_email"]

    def clean(self):
        cleaned = super().clean()
        source, target, kind = cleaned.get("source"), cleaned.get("target"), cleaned.get("kind")
        if source and target and source.pk == target.pk:
            self.add_error("target", _("Un acteur ne peut pas être relié à lui-même."))
        elif source and target and kind and link_exists(source=source, target=target, kind=kind):
            self.add_error(None, _("Ces deux acteurs sont déjà reliés par ce type de lien."))
        return cleaned

    def proposal_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": f"{data['source'].name} — {data['target'].name}",
            "source": data["source"].pk,
            "target": data["target"].pk,
            "kind": data["kind"],
            "started_on": data["started_on"].isoformat() if data["started_on"] else "",
            "description": data["description"],
        }


class ClaimForm(HoneypotMixin, forms.Form):
    message = forms.CharField(
        label=_("Votre lien avec la structure"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : « je suis la coordinatrice de l'association »."),
    )


class ActorOwnerForm(forms.ModelForm):
    """What the people who manage an entry may change themselves."""

    class Meta:
        model = Actor
        fields = ["description", "website", "public_email", "public_phone", "can_help", "looking_for"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "can_help": forms.CheckboxSelectMultiple,
            "looking_for": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.association_id:
            for name in ("website", "public_email", "public_phone"):
                self.fields.pop(name)


class RefusalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("Accepter")), ("refuse", _("Refuser, avec un message"))],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message envoyé à la personne (en cas de refus)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("message") or "").strip():
            self.add_error("message", _("Expliquez le refus : ce message sera envoyé à la personne."))
        return cleaned


class ActorAdminForm(WagtailAdminModelForm):
    """Admin form of an actor: the map widget (wagtailgeowidget) fills latitude and longitude."""

    location = forms.CharField(label=_("Position sur la carte"), required=False, widget=LocalLeafletField())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance and instance.latitude is not None and instance.longitude is not None:
            self.initial["location"] = f"SRID=4326;POINT({instance.longitude} {instance.latitude})"

    def clean(self):
        cleaned = super().clean()
        if "location" in self.fields and cleaned.get("location"):
            point = parse_point(cleaned["location"])
            if point is None:
                self.add_error("location", _("Position illisible : cliquez sur la carte pour la placer."))
            elif not (
                LATITUDE_RANGE[0] <= point[0] <= LATITUDE_RANGE[1]
                and LONGITUDE_RANGE[0] <= point[1] <= LONGITUDE_RANGE[1]
            ):
                self.add_error("location", OUTSIDE_FRANCE)
            else:
                self.instance.latitude, self.instance.longitude = point
        return cleaned


class LinkAdminForm(WagtailAdminModelForm):
    """Admin links go through ``link_create``'s rules: no self-link, one per pair and type."""

    def clean(self):
        cleaned = super().clean()
        source, target, kind = cleaned.get("source"), cleaned.get("target"), cleaned.get("kind")
        if source and target and source.pk == target.pk:
            self.add_error("target", _("Un acteur ne peut pas être relié à lui-même."))
        elif (
            source
            and target
            and kind
            and self.instance.pk is None
            and link_exists(source=source, target=target, kind=kind)
        ):
            self.add_error(None, _("Ces deux acteurs sont déjà reliés par ce type de lien."))
        return cleaned
