"""What the treasurers' listings (payments, members, tickets) share: word-by-word search,
an association column when the user sees several, and their CSV/XLSX export."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property

from associations.selectors import associations_for_user, user_is_platform_staff
from campagnes import exports

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def words_filter(query: str, fields: list[str]) -> Q:
    """Every word typed must match one of the fields ("Léa Dupont" finds Léa Dupont)."""
    condition = Q()
    for word in query.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


class AssociationListingMixin:
    """Mixed into a Wagtail generic IndexView; subclasses set ``export_name`` and ``export_title``
    and implement ``export_table(queryset) -> (headers, rows)``."""

    export_name = "export"
    export_title = ""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(words_filter(self.search_query, self.search_fields))

    @cached_property
    def shows_association(self) -> bool:
        user = self.request.user
        return user_is_platform_staff(user) or associations_for_user(user).count() > 1

    def get_filename(self):
        return f"{self.export_name}-{timezone.localdate():%Y-%m-%d}"

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.as_spreadsheet(self.get_queryset(), request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def export_table(self, queryset) -> tuple[list[str], list[list]]:
        raise NotImplementedError

    def as_spreadsheet(self, queryset, spreadsheet_format):
        headers, rows = self.export_table(queryset)
        if spreadsheet_format == self.FORMAT_XLSX:
            content, content_type = exports.render_xlsx(headers, rows, title=str(self.export_title)), XLSX_CONTENT_TYPE
        else:
            content, content_type = exports.render_csv(headers, rows), "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.{spreadsheet_format}"'
        return response
