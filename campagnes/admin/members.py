"""The "Adhérents" admin: who is a member of the association, until when, and who must renew.

Memberships are records produced by a payment (see ``campagnes.services``): the admin only
lists, shows and exports them. Access follows the same rule as the payments (see
``campagnes.permissions``); the renewal state is computed by ``campagnes.selectors.with_member_state``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView

from campagnes import exports
from campagnes.admin.listing import (
    AssociationFilterSet,
    AssociationListingMixin,
    ReadOnlyRecordViewSet,
    association_filter,
)
from campagnes.models import Membership, Payment
from campagnes.permissions import AssociationRecordPermissionPolicy, PaymentPermissionPolicy
from campagnes.selectors import MemberState, campaigns_of, visible_memberships
from kernel.formats.french import french_date, french_datetime

MEMBERS_NAMESPACE = "adherents"


def _campaigns_for(request):
    return campaigns_of(visible_memberships(request.user), "payment__campaign_id")


class MemberFilterSet(AssociationFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("État"),
        choices=MemberState.choices,
        empty_label=gettext_lazy("Tous"),
        method="filter_state",
        widget=forms.RadioSelect,
    )
    campaign = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Campagne"),
        field_name="payment__campaign",
        queryset=_campaigns_for,
        empty_label=gettext_lazy("Toutes"),
    )
    association = association_filter(Membership)

    class Meta:
        model = Membership
        fields = ["state", "campaign", "association"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(member_state=value) if value else queryset


class MemberIndexView(AssociationListingMixin, IndexView):
    export_name = "adherents"
    export_title = gettext_lazy("Adhérents")

    def export_table(self, queryset):
        return exports.members_table(queryset)

    page_title = gettext_lazy("Adhérents")
    search_fields = ["payment__first_name", "payment__last_name", "payment__company_name", "payment__email"]
    search_backend_name = None
    default_ordering = "-valid_until"
    show_export_buttons = True
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return visible_memberships(self.request.user).select_related("payment", "payment__campaign", "association")

    @cached_property
    def columns(self):
        columns = [
            TitleColumn(
                "member",
                label=_("Adhérent"),
                accessor="payment.payer_name",
                get_url=self.get_inspect_url,
                sort_key="payment__last_name",
            ),
            Column("email", label=_("E-mail"), accessor="payment.email", sort_key="payment__email"),
            Column("tier_name", label=_("Formule"), sort_key="tier_name"),
            Column(
                "campaign", label=_("Campagne"), accessor="payment.campaign.title", sort_key="payment__campaign__title"
            ),
            Column(
                "valid_from", label=_("Valable du"), accessor=lambda m: french_date(m.valid_from), sort_key="valid_from"
            ),
            Column(
                "valid_until",
                label=_("Jusqu'au"),
                accessor=lambda m: french_date(m.valid_until),
                sort_key="valid_until",
            ),
            StatusTagColumn(
                "member_state",
                label=_("État"),
                accessor=lambda m: exports.member_state_label(m.member_state),
                sort_key="member_state",
                primary=lambda m: m.member_state in (MemberState.CURRENT, MemberState.RENEWED),
            ),
        ]
        if self.shows_association:
            columns.insert(
                4,
                Column(
                    "association",
                    label=_("Association"),
                    accessor="association.name",
                    sort_key="association__name",
                ),
            )
        return columns


# --- detail -------------------------------------------------------------------------------


class MemberDetailView(InspectView):
    """The member as they typed it, this membership, and their memberships of the association."""

    template_name = "campagnes/admin/members_detail.html"
    page_title = gettext_lazy("Adhérent")
    any_permission_required = ["view"]

    def get_fields(self):
        return []

    def get_object(self, queryset=None):
        queryset = visible_memberships(self.request.user).select_related("payment", "payment__campaign", "association")
        return get_object_or_404(queryset, pk=self.pk)

    def get_page_subtitle(self):
        return self.object.payment.payer_name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.object
        history = (
            visible_memberships(self.request.user)
            .filter(association_id=membership.association_id, email_key=membership.email_key)
            .select_related("payment", "payment__campaign")
            .order_by("-valid_until", "-pk")
        )
        payment_url = None
        if PaymentPermissionPolicy(Payment).user_has_permission_for_instance(
            self.request.user, "view", membership.payment
        ):
            payment_url = reverse("paiements:inspect", args=[membership.payment_id])
        context.update(
            {
                "membership": membership,
                "payment": membership.payment,
                "state_label": exports.member_state_label(membership.member_state),
                "state_is_ok": membership.member_state in (MemberState.CURRENT, MemberState.RENEWED),
                "history": [
                    {
                        "membership": item,
                        "state_label": exports.member_state_label(item.member_state),
                        "valid_from": french_date(item.valid_from),
                        "valid_until": french_date(item.valid_until),
                        "url": reverse(f"{MEMBERS_NAMESPACE}:inspect", args=[item.pk]),
                        "current": item.pk == membership.pk,
                    }
                    for item in history
                ],
                "valid_from": french_date(membership.valid_from),
                "valid_until": french_date(membership.valid_until),
                "reminder_sent_at": french_datetime(membership.reminder_sent_at),
                "payment_url": payment_url,
            }
        )
        return context


# --- viewset ------------------------------------------------------------------------------


class MemberViewSet(ReadOnlyRecordViewSet):
    """Read-only: a membership comes from a payment and changes only with it."""

    record_policy = AssociationRecordPermissionPolicy(Membership)

    model = Membership
    name = MEMBERS_NAMESPACE
    icon = "group"
    menu_label = gettext_lazy("Adhérents")
    menu_name = "adherents"
    menu_order = 161
    index_view_class = MemberIndexView
    inspect_view_class = MemberDetailView
    filterset_class = MemberFilterSet
    ordering = "-valid_until"


member_viewset = MemberViewSet()
