"""The "Adhérents" admin: who is a member of the association, until when, and who must renew.

Memberships are records produced by a payment (see ``campagnes.services``): the admin only
lists, shows and exports them. Access follows the same rule as the payments: the treasurers
of the membership's association (the money permission), and platform staff.

The renewal state is computed by the database, so that it can be filtered and sorted:
"à jour" (ends in more than 30 days), "expire bientôt" (within 30 days), "expirée", and
"renouvelée" for an ending or ended membership whose member already holds a later one.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db import models
from django.db.models import Case, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.models import Page

from associations import tenancy
from associations.selectors import user_is_platform_staff
from campagnes import exports
from campagnes.admin_listing import (
    AssociationFilterSet,
    AssociationListingMixin,
    ReadOnlyRecordViewSet,
    association_filter,
)
from campagnes.admin_views import PaymentPermissionPolicy
from campagnes.memberships_reminders import held_memberships, later_membership_exists
from campagnes.models import Membership, Payment

MEMBERS_NAMESPACE = "adherents"
EXPIRING_WITHIN_DAYS = 30


class AssociationRecordPermissionPolicy(PaymentPermissionPolicy):
    """The payments' rule for any record with an ``association``: its treasurers, and staff."""

    VOLUNTEER_ACTIONS = frozenset({"view"})

    def instances_user_has_any_permission_for(self, user, actions):
        return self.scope(self.model.objects.all(), user, actions)

    def scope(self, queryset, user, actions):
        """``queryset`` narrowed to the records the user may act on."""
        if user_is_platform_staff(user):
            return queryset
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        return tenancy.scope(queryset, user)  # as declared in campagnes/tenancy.py


class MemberState(models.TextChoices):
    CURRENT = "a-jour", gettext_lazy("À jour")
    EXPIRING = "expire-bientot", gettext_lazy("Expire bientôt")
    EXPIRED = "expiree", gettext_lazy("Expirée")
    RENEWED = "renouvelee", gettext_lazy("Renouvelée")


def with_member_state(queryset, *, today: datetime.date | None = None):
    """Annotate ``member_state`` (a MemberState value) on rows of ``held_memberships()``."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    return queryset.annotate(renewed=later_membership_exists()).annotate(
        member_state=Case(
            When(valid_until__gt=soon, then=Value(MemberState.CURRENT.value)),
            When(renewed=True, then=Value(MemberState.RENEWED.value)),
            When(valid_until__lt=today, then=Value(MemberState.EXPIRED.value)),
            default=Value(MemberState.EXPIRING.value),
            output_field=models.CharField(),
        )
    )


def visible_memberships(user):
    """Memberships that hold, of the user's associations (all for staff), with their state."""
    policy = AssociationRecordPermissionPolicy(Membership)
    return with_member_state(policy.scope(held_memberships(), user, ["view"]))


def member_state_label(value: str) -> str:
    return str(dict(MemberState.choices).get(value, ""))


def french_date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# --- listing ------------------------------------------------------------------------------

def _campaigns_for(request):
    memberships = visible_memberships(request.user)
    return Page.objects.filter(pk__in=memberships.values("payment__campaign_id")).order_by("title")



class MemberFilterSet(AssociationFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("État"), choices=MemberState.choices, empty_label=gettext_lazy("Tous"),
        method="filter_state", widget=forms.RadioSelect,
    )
    campaign = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Campagne"), field_name="payment__campaign", queryset=_campaigns_for,
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
        return members_table(queryset)

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
            TitleColumn("member", label=_("Adhérent"), accessor="payment.payer_name", get_url=self.get_inspect_url,
                        sort_key="payment__last_name"),
            Column("email", label=_("E-mail"), accessor="payment.email", sort_key="payment__email"),
            Column("tier_name", label=_("Formule"), sort_key="tier_name"),
            Column("campaign", label=_("Campagne"), accessor="payment.campaign.title", sort_key="payment__campaign__title"),
            Column("valid_from", label=_("Valable du"), accessor=lambda m: french_date(m.valid_from),
                   sort_key="valid_from"),
            Column("valid_until", label=_("Jusqu'au"), accessor=lambda m: french_date(m.valid_until),
                   sort_key="valid_until"),
            StatusTagColumn(
                "member_state", label=_("État"), accessor=lambda m: member_state_label(m.member_state),
                sort_key="member_state",
                primary=lambda m: m.member_state in (MemberState.CURRENT, MemberState.RENEWED),
            ),
        ]
        if self.shows_association:
            columns.insert(4, Column(
                "association", label=_("Association"), accessor="association.name", sort_key="association__name",
            ))
        return columns



# --- export -------------------------------------------------------------------------------

def member_headers() -> list[str]:
    return [
        _("Nom"),
        _("Prénom"),
        _("Entreprise"),
        _("E-mail"),
        _("Téléphone"),
        _("Adresse"),
        _("Code postal"),
        _("Ville"),
        _("Pays"),
        _("Association"),
        _("Campagne"),
        _("Formule"),
        _("Valable du"),
        _("Valable jusqu'au"),
        _("État"),
        _("Rappel envoyé le"),
        _("N° de paiement"),
    ]


def member_row(membership: Membership) -> list:
    payment = membership.payment
    return [
        payment.last_name,
        payment.first_name,
        payment.company_name,
        payment.email,
        payment.phone,
        payment.street_address,
        payment.postal_code,
        payment.city,
        payment.country,
        membership.association.name,
        payment.campaign.title,
        membership.tier_name,
        french_date(membership.valid_from),
        french_date(membership.valid_until),
        member_state_label(getattr(membership, "member_state", "")),
        exports.french_datetime(membership.reminder_sent_at),
        payment.pk,
    ]


def members_table(queryset) -> tuple[list[str], list[list]]:
    """French headers and one row per membership, in the queryset's order."""
    memberships = queryset.select_related("payment", "payment__campaign", "association")
    return member_headers(), [member_row(m) for m in memberships.iterator(chunk_size=2000)]


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
        context.update({
            "membership": membership,
            "payment": membership.payment,
            "state_label": member_state_label(membership.member_state),
            "state_is_ok": membership.member_state in (MemberState.CURRENT, MemberState.RENEWED),
            "history": [
                {"membership": item, "state_label": member_state_label(item.member_state),
                 "valid_from": french_date(item.valid_from), "valid_until": french_date(item.valid_until),
                 "url": reverse(f"{MEMBERS_NAMESPACE}:inspect", args=[item.pk]), "current": item.pk == membership.pk}
                for item in history
            ],
            "valid_from": french_date(membership.valid_from),
            "valid_until": french_date(membership.valid_until),
            "reminder_sent_at": exports.french_datetime(membership.reminder_sent_at),
            "payment_url": payment_url,
        })
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
