"""What the treasurers' listings (payments, members, tickets) share: word-by-word search,
an association column when the user sees several, and their CSV/XLSX export."""

from __future__ import annotations

import django_filters
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSet

from associations.models import Association
from associations.selectors import associations_with_money_of, user_is_platform_staff
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
        return user_is_platform_staff(user) or associations_with_money_of(user).count() > 1

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


class ReadOnlyRecordViewSet(ModelViewSet):
    """Payments, memberships and tickets in the admin: listed and inspected, never edited
    through a generic form (they change only through campagnes.services). Access follows the
    association through ``record_policy``, not Django group permissions."""

    record_policy = None  # a permission policy instance, set by subclasses
    add_to_admin_menu = True
    add_to_reference_index = False  # records, not content: no reference index work on every save
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_permissions_to_register(self):
        return Permission.objects.none()

    @cached_property
    def url_finder_class(self):
        return inspect_url_finder(self.get_url_name("inspect"), self.record_policy)

    def extra_urlpatterns(self) -> list:
        return []

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            *self.extra_urlpatterns(),
            path("<int:pk>/", self.inspect_view, name="inspect"),
        ]


def inspect_url_finder(inspect_url_name: str, policy):
    """An admin URL finder that points at the read-only detail view, for those allowed to see it."""

    class InspectAdminURLFinder(ModelAdminURLFinder):
        edit_url_name = inspect_url_name

        def get_edit_url(self, instance):
            if self.user and not policy.user_has_permission_for_instance(self.user, "view", instance):
                return None
            return self.construct_edit_url(instance)

    return InspectAdminURLFinder


def association_filter(record_model) -> django_filters.ModelChoiceFilter:
    """The "Association" filter of a listing: the associations the user sees records of."""

    def associations(request):
        if user_is_platform_staff(request.user):
            return Association.objects.filter(pk__in=record_model.objects.values("association_id")).order_by("name")
        return associations_with_money_of(request.user).order_by("name")

    return django_filters.ModelChoiceFilter(
        label=gettext_lazy("Association"), queryset=associations, empty_label=gettext_lazy("Toutes")
    )


class AssociationFilterSet(WagtailFilterSet):
    """Drops the association filter for a user of one association: it would offer one choice."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and not user_is_platform_staff(request.user):
            if associations_with_money_of(request.user).count() < 2:
                self.filters.pop("association", None)
