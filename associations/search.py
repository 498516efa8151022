"""The public search form of /association/ (the platform's index page, site_kollektif).

Apart from the other forms: it imports no Wagtail admin form, so the project's page models may
import it while Django loads the models.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from associations.models import Commune, Epci, Sector


class AssociationSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom de l'association"), required=False, max_length=100)
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.all(),
        required=False,
        empty_label=_("Toutes"),
        to_field_name="code",
        # 895 communes: annuaire/js/typeahead.js turns it into a type-ahead field (accent-insensitive)
        widget=forms.Select(attrs={"data-typeahead": "", "data-typeahead-placeholder": _("Tapez quelques lettres…")}),
    )
    epci = forms.ModelChoiceField(
        label=_("Intercommunalité (EPCI)"), queryset=Epci.objects.all(), required=False, empty_label=_("Toutes")
    )
    sector = forms.ModelChoiceField(
        label=_("Secteur"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("Tous"),
        to_field_name="slug",
    )
