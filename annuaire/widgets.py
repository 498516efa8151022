"""Type-ahead fields: a plain <select> that annuaire/js/typeahead.js turns into a combobox.

Without JavaScript the select works as before; with it, people type "lievin" and choose
Liévin by keyboard or finger. ``source`` names the JSON suggestions (annuaire:suggestions),
which add the server's typo tolerance to the local, accent-insensitive filter."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MEDIA = forms.Media(js=["annuaire/js/typeahead.js"], css={"all": ["annuaire/css/typeahead.css"]})


class TypeaheadMixin:
    source = ""

    def __init__(self, *args, source: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        extra = {
            "data-typeahead": "",
            "data-typeahead-placeholder": str(_("Tapez quelques lettres…")),
            "data-typeahead-none": str(_("Aucun résultat.")),
            "data-typeahead-one": str(_("résultat")),
            "data-typeahead-many": str(_("résultats")),
            "data-typeahead-remove": str(_("Retirer")),
        }
        if self.source:
            extra["data-typeahead-source"] = reverse("annuaire:suggestions", args=[self.source])
        context["widget"]["attrs"] = {**extra, **context["widget"]["attrs"]}
        return context

    @property
    def media(self):
        return MEDIA


class TypeaheadSelect(TypeaheadMixin, forms.Select):
    pass


class TypeaheadSelectMultiple(TypeaheadMixin, forms.SelectMultiple):
    pass
