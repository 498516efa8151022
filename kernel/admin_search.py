"""The admin's listings and choosers search the folded ``search_text`` column (kernel/text_search.py).

Wagtail's generic listing searches a non-indexed model with ``icontains`` on ``search_fields``:
"bethune" misses "Béthune" on PostgreSQL. A viewset sets ``index_view_class`` to a view with
``FoldedSearchIndexMixin`` and its chooser's views ``filter_form_class`` to
``folded_search_filter_form(vocabulary)``; both read the same column as the public pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm

from kernel.text_search import search_filter


def _no_vocabulary() -> set[str]:
    return set()


class FoldedSearchIndexMixin:
    """For a generic ``IndexView``: search ignoring case and accents, a typo tolerated."""

    search_vocabulary: Callable[[], set[str]] = staticmethod(_no_vocabulary)
    # Provided by Wagtail's IndexView, which the mixin is combined with (annotations only).
    index_results_url: str | None
    search_url: str | None
    is_searching: bool
    search_query: str | None

    @property
    def is_searchable(self) -> bool:
        return bool(self.index_results_url or self.search_url)

    def search_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_searching:
            return queryset
        return search_filter(queryset, self.search_query, self.search_vocabulary)[0]


def folded_search_filter_form(vocabulary: Callable[[], set[str]] = _no_vocabulary) -> type[BaseFilterForm]:
    """A chooser's search form (Wagtail offers none for a model outside its search index)."""

    class FoldedSearchFilterForm(BaseFilterForm):
        q = forms.CharField(
            label=_("Rechercher"),
            widget=forms.TextInput(attrs={"placeholder": _("Rechercher")}),
            required=False,
        )

        def filter(self, objects: QuerySet[Any]) -> QuerySet[Any]:
            objects = super().filter(objects)
            query = self.cleaned_data.get("q")
            if query:
                objects = search_filter(objects, query, vocabulary)[0]
                self.is_searching = True
                self.search_query = query
            return objects

    return FoldedSearchFilterForm
