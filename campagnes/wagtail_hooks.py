"""Admin integration for campaigns: the treasurers' "Paiements" area and dashboard panel."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from associations import selectors
from campagnes.admin_members import AssociationRecordPermissionPolicy, member_viewset
from campagnes.admin_tickets import TicketPermissionPolicy, check_in_menu_item, ticket_viewset
from campagnes.admin_views import (
    PaymentDetailView,
    PaymentFilterSet,
    PaymentIndexView,
    PaymentPermissionPolicy,
    PaymentsDashboardPanel,
)
from campagnes.models import Membership, Payment, Ticket

register_permission_policy(Payment, PaymentPermissionPolicy(Payment))
register_permission_policy(Membership, AssociationRecordPermissionPolicy(Membership))
register_permission_policy(Ticket, TicketPermissionPolicy(Ticket))

# URL namespace of the payments area: associations.admin_guard knows its "pk" names a payment.
PAYMENTS_NAMESPACE = "paiements"


class PaymentViewSet(ModelViewSet):
    """Read-only: a payment changes only through campagnes.services (refund included)."""

    model = Payment
    name = PAYMENTS_NAMESPACE
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Paiements")
    menu_name = "paiements"
    menu_order = 160
    add_to_admin_menu = True
    add_to_reference_index = False  # records, not content: no reference index work on every save
    index_view_class = PaymentIndexView
    inspect_view_class = PaymentDetailView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = PaymentFilterSet
    list_per_page = 50
    ordering = "-created_at"

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_permissions_to_register(self):
        # access follows the association (see PaymentPermissionPolicy), not group permissions
        return Permission.objects.none()

    @cached_property
    def url_finder_class(self):
        inspect_url_name = self.get_url_name("inspect")

        class PaymentAdminURLFinder(ModelAdminURLFinder):
            edit_url_name = inspect_url_name

            def get_edit_url(self, instance):
                policy = PaymentPermissionPolicy(Payment)
                if self.user and not policy.user_has_permission_for_instance(self.user, "view", instance):
                    return None
                return self.construct_edit_url(instance)

        return PaymentAdminURLFinder

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
        ]


payment_viewset = PaymentViewSet()


@hooks.register("register_admin_viewset")
def register_payment_viewset():
    return payment_viewset


@hooks.register("register_admin_viewset")
def register_member_and_ticket_viewsets():
    # "Adhérents" (namespace "adherents") and "Billets" (namespace "billets", check-in page included)
    return [member_viewset, ticket_viewset]


@hooks.register("register_admin_menu_item")
def register_check_in_menu_item():
    return check_in_menu_item()


@hooks.register("construct_homepage_panels")
def add_payments_panel(request, panels):
    if selectors.associations_for_user(request.user).exists():
        panels.append(PaymentsDashboardPanel(request, index_url=reverse(payment_viewset.get_url_name("index"))))
