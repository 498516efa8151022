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
from campagnes.models import Membership, Payment, Receipt, Ticket
from campagnes.receipts.admin import policy as receipt_policy
from campagnes.receipts.admin import receipt_viewset

register_permission_policy(Payment, PaymentPermissionPolicy(Payment))
register_permission_policy(Membership, AssociationRecordPermissionPolicy(Membership))
register_permission_policy(Ticket, TicketPermissionPolicy(Ticket))
register_permission_policy(Receipt, receipt_policy)

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
    # "Adhérents" (namespace "adherents"), "Billets" (namespace "billets", check-in page included),
    # "Reçus" (namespace "recus": register, declaration, ZIP, manual gifts and import)
    return [member_viewset, ticket_viewset, receipt_viewset]


@hooks.register("register_admin_menu_item")
def register_check_in_menu_item():
    return check_in_menu_item()


@hooks.register("construct_homepage_panels")
def add_payments_panel(request, panels):
    if selectors.associations_with_money_of(request.user).exists():  # the treasurers' own campaigns
        panels.append(PaymentsDashboardPanel(request, index_url=reverse(payment_viewset.get_url_name("index"))))


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_generous_counterparts(request, page):
    """The campaign form warns (without refusing) when a counterpart exceeds the tax tolerance."""
    from django.contrib import messages

    from campagnes.receipts.counterparts import counterparts_over_tolerance

    for warning in counterparts_over_tolerance(page.specific):
        messages.warning(request, warning)
