"""Admin integration for campaigns: the treasurers' "Paiements" area and dashboard panel."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from associations import selectors
from campagnes.admin_listing import ReadOnlyRecordViewSet
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


class PaymentViewSet(ReadOnlyRecordViewSet):
    """Read-only: a payment changes only through campagnes.services (refund included)."""

    record_policy = PaymentPermissionPolicy(Payment)

    model = Payment
    name = PAYMENTS_NAMESPACE
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Paiements")
    menu_name = "paiements"
    menu_order = 160
    index_view_class = PaymentIndexView
    inspect_view_class = PaymentDetailView
    filterset_class = PaymentFilterSet
    ordering = "-created_at"



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
