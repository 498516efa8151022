"""The treasurers' admin: payments listing, detail with refunds, exports, dashboard figures.

Payments are read-only records: they change only through ``campagnes.services`` (which log
every change), so the admin offers no add, edit or delete form. Who sees what is decided by
``PaymentPermissionPolicy``: the treasurers of the payment's association (the groups holding
the money permission, see ``associations.selectors.associations_with_money_of``), and
platform staff. Editors edit the site and never see payers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.models import Page
from wagtail.permission_policies.base import BasePermissionPolicy

from associations import tenancy
from associations.models import Association
from associations.selectors import (
    MONEY_PERMISSION,
    associations_with_money_of,
    pages_with_money_of,
    user_is_platform_staff,
)
from campagnes import exports
from campagnes import stripe_gateway as gateway
from campagnes.admin_listing import AssociationFilterSet, AssociationListingMixin, association_filter
from campagnes.models import (
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    MembershipCampaignPage,
    Payment,
    PaymentKind,
    PaymentStatus,
    Receipt,
    TicketingCampaignPage,
)
from campagnes.money import AmountField, format_eur, to_euros
from campagnes.services import payment_refund

CAMPAIGN_MODELS = (DonationCampaignPage, MembershipCampaignPage, TicketingCampaignPage, CrowdfundingCampaignPage)
REFUNDABLE_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)
WEEKS_IN_CHART = 12


# --- who may see and refund a payment -----------------------------------------------------

class PaymentPermissionPolicy(BasePermissionPolicy):
    """View and refund for the association's treasurers; everything for staff.

    The groups hold no Django permission on Payment: the rule is the association-level money
    permission (``associations.handle_money``) and the association a payment belongs to,
    checked here for every instance.
    """

    VOLUNTEER_ACTIONS = frozenset({"view", "refund"})

    def _volunteer_action(self, actions) -> bool:
        return any(action in self.VOLUNTEER_ACTIONS for action in actions)

    def user_has_permission(self, user, action):
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user, actions):
        if user_is_platform_staff(user):
            return True
        if not user.is_authenticated or not user.is_active or not self._volunteer_action(actions):
            return False
        return associations_with_money_of(user).exists()

    def users_with_any_permission(self, actions):
        staff = Q(is_superuser=True) | Q(is_staff=True)
        if self._volunteer_action(actions):
            staff |= Q(groups__in=_money_groups())
        return get_user_model().objects.filter(staff, is_active=True).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if user_is_platform_staff(user):
            return True
        if not self.user_has_any_permission(user, actions):
            return False
        return tenancy.owns(user, instance)  # the payment's association, as declared in campagnes/tenancy.py

    def instances_user_has_any_permission_for(self, user, actions):
        if user_is_platform_staff(user):
            return Payment.objects.all()
        if not self.user_has_any_permission(user, actions):
            return Payment.objects.none()
        return tenancy.scope(Payment.objects.all(), user)

    def users_with_any_permission_for_instance(self, actions, instance):
        users = self.users_with_any_permission(actions)
        if not self._volunteer_action(actions):
            return users
        association = Q(groups__in=_money_groups().filter(
            Q(edited_association__pk=instance.association_id) | Q(treasured_association__pk=instance.association_id)
        ))
        return users.filter(Q(is_superuser=True) | Q(is_staff=True) | association).distinct()


def _money_groups():
    """The associations' groups that hold the money permission."""
    app_label, codename = MONEY_PERMISSION
    return Group.objects.filter(
        Q(edited_association__isnull=False) | Q(treasured_association__isnull=False),
        permissions__content_type__app_label=app_label, permissions__codename=codename,
    ).values("pk")


def visible_payments(user):
    return PaymentPermissionPolicy(Payment).instances_user_has_any_permission_for(user, ["view"])


# --- listing ------------------------------------------------------------------------------

def _campaigns_for(request):
    payments = visible_payments(request.user)
    return Page.objects.filter(pk__in=payments.values("campaign_id")).order_by("title")



class PaymentFilterSet(AssociationFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Campagne"), queryset=_campaigns_for, empty_label=gettext_lazy("Toutes")
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Type"), choices=PaymentKind.choices, empty_label=gettext_lazy("Tous"),
        widget=forms.RadioSelect,
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Statut"), choices=PaymentStatus.choices, empty_label=gettext_lazy("Tous"),
        widget=forms.RadioSelect,
    )
    created_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("Date"), widget=DateRangePickerWidget)
    association = association_filter(Payment)

    class Meta:
        model = Payment
        fields = ["campaign", "kind", "status", "created_at", "association"]


def _local_datetime(value) -> str:
    return exports.french_datetime(value)


class AmountColumn(Column):
    def get_value(self, instance):
        return format_eur(instance.total_cents)


class PaymentIndexView(AssociationListingMixin, IndexView):
    export_name = "paiements"
    export_title = gettext_lazy("Paiements")

    def export_table(self, queryset):
        return exports.payments_table(queryset)

    """The payments of the user's associations (all of them for staff), filtered and exported."""

    page_title = gettext_lazy("Paiements")
    search_fields = ["first_name", "last_name", "company_name", "email"]
    search_backend_name = None
    default_ordering = "-created_at"
    show_export_buttons = True
    export_filename = "paiements"

    def get_base_queryset(self):
        return visible_payments(self.request.user).select_related("campaign", "association")

    @cached_property
    def columns(self):
        columns = [
            Column("created_at", label=_("Date"), accessor=lambda p: _local_datetime(p.created_at),
                   sort_key="created_at"),
            TitleColumn("payer_name", label=_("Payeur"), get_url=self.get_inspect_url, sort_key="last_name"),
            Column("email", label=_("E-mail"), sort_key="email"),
            Column("kind", label=_("Type"), accessor="get_kind_display", sort_key="kind"),
            Column("campaign", label=_("Campagne"), accessor="campaign.title", sort_key="campaign__title"),
            AmountColumn("amount", label=_("Montant"), sort_key="amount_cents"),
            StatusTagColumn(
                "status", label=_("Statut"), accessor="get_status_display", sort_key="status",
                primary=lambda p: p.status == PaymentStatus.SUCCEEDED,
            ),
        ]
        if self.shows_association:
            columns.insert(5, Column(
                "association", label=_("Association"), accessor="association.name", sort_key="association__name",
            ))
        return columns



# --- detail and refund --------------------------------------------------------------------

class RefundForm(forms.Form):
    amount = AmountField(
        label=gettext_lazy("Montant à rembourser (€)"),
        help_text=gettext_lazy("Par défaut, tout ce qui reste. Indiquez un montant plus petit pour un remboursement partiel."),
        error_messages={"required": gettext_lazy("Indiquez le montant à rembourser."),
                        "min_value": gettext_lazy("Le montant à rembourser doit être positif.")},
    )

    def __init__(self, *args, payment: Payment, **kwargs):
        self.payment = payment
        kwargs.setdefault("initial", {"amount": euros_for_input(remaining_cents(payment))})
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> int:
        cents = self.cleaned_data["amount"]
        left = remaining_cents(self.payment)
        if cents > left:
            raise forms.ValidationError(
                _("Le montant dépasse ce qui reste à rembourser (%(remaining)s).") % {"remaining": format_eur(left)}
            )
        return cents

    def clean(self):
        cleaned = super().clean()
        if self.payment.status not in REFUNDABLE_STATUSES:
            raise forms.ValidationError(_("Seul un paiement réussi peut être remboursé."))
        return cleaned


LOG_ACTIONS = {
    "start": gettext_lazy("Paiement commencé"),
    "succeeded": gettext_lazy("Paiement réussi"),
    "failed": gettext_lazy("Paiement échoué"),
    "canceled": gettext_lazy("Paiement annulé"),
    "refunded": gettext_lazy("Remboursement"),
    "receipt_issued": gettext_lazy("Reçu émis"),
    "receipt_corrected": gettext_lazy("Reçu corrigé émis"),
    "manual_gift": gettext_lazy("Don enregistré à la main"),
    "payer_erased": gettext_lazy("Données du payeur effacées"),
    "mismatch": gettext_lazy("Paiement Stripe non conforme : rien n’est enregistré, l’équipe est prévenue"),
}


def log_lines(payment: Payment) -> list[dict]:
    """The PaymentLog history in words: what happened, from which status to which, and who did it."""
    statuses = dict(PaymentStatus.choices)
    logs = list(payment.logs.order_by("at", "pk"))
    admin_ids = {log.source.split()[1] for log in logs if log.source.startswith("admin ") and log.source[6:].isdigit()}
    emails = dict(get_user_model().objects.filter(pk__in=admin_ids).values_list("pk", "email"))
    lines = []
    for log in logs:
        detail = log.detail or {}
        source = log.source
        if source.startswith("admin ") and source[6:].isdigit():
            source = _("admin (%(who)s)") % {"who": emails.get(int(source[6:]), source[6:])}
        elif source.startswith("webhook "):
            source = _("Stripe (%(event)s)") % {"event": source[8:]}
        lines.append({
            "at": exports.french_datetime(log.at),
            "action": LOG_ACTIONS.get(log.action, log.action),
            "from_status": statuses.get(log.from_status, log.from_status),
            "to_status": statuses.get(log.to_status, log.to_status),
            "source": source,
            "refunded_cents": detail.get("refunded_cents"),
            "reason": detail.get("reason", "") or (_("n° %(number)s") % {"number": detail["number"]}
                                                  if detail.get("number") else ""),
        })
    return lines


def euros_for_input(cents: int) -> str:
    """2563 → "25,63": what a French treasurer types, without thousands separator."""
    return f"{to_euros(cents):.2f}".replace(".", ",")


def remaining_cents(payment: Payment) -> int:
    return max(payment.total_cents - payment.refunded_cents, 0)


class PaymentDetailView(InspectView):
    """Payer snapshot, amounts, Stripe ids, history, and the refund form."""

    template_name = "campagnes/admin/payment_detail.html"
    page_title = gettext_lazy("Paiement")
    any_permission_required = ["view"]

    def get_fields(self):
        return []

    def get_object(self, queryset=None):
        queryset = visible_payments(self.request.user).select_related("association", "campaign")
        return get_object_or_404(queryset, pk=self.pk)

    def get_page_subtitle(self):
        return f"{format_eur(self.object.total_cents)} — {self.object.payer_name}"

    def can_refund(self) -> bool:
        return self.permission_policy.user_has_permission_for_instance(self.request.user, "refund", self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.object
        refundable = payment.status in REFUNDABLE_STATUSES and remaining_cents(payment) > 0
        context.update({
            "payment": payment,
            "logs": log_lines(payment),
            "remaining_cents": remaining_cents(payment),
            "net_cents": (payment.total_cents - payment.refunded_cents)
            if payment.status in exports.PAID_STATUSES else 0,
            "can_refund": refundable and self.can_refund(),
            "refund_form": kwargs.get("refund_form") or RefundForm(payment=payment),
            "refund_error": kwargs.get("refund_error", ""),
            "created_at": exports.french_datetime(payment.created_at),
            "paid_at": exports.french_datetime(payment.paid_at),
            "receipts": Receipt.objects.filter(items__payment=payment).order_by("issued_at", "pk"),
        })
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_refund():
            raise PermissionDenied
        payment = Payment.objects.select_related("association").get(pk=self.object.pk)  # the current state
        self.object = payment
        form = RefundForm(request.POST, payment=payment)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(refund_form=form), status=400)
        amount_cents = form.cleaned_data["amount"]
        try:
            self.object = payment_refund(payment=payment, amount_cents=amount_cents, by=request.user)
        except ValueError:
            # the payment changed since the form was shown (another refund, a webhook)
            form = RefundForm(request.POST, payment=Payment.objects.get(pk=payment.pk))
            form.is_valid()
            form.add_error(None, _("Ce remboursement n'est plus possible : rechargez la page."))
            return self.render_to_response(self.get_context_data(refund_form=form), status=400)
        except gateway.GatewayError as exc:
            return self.render_to_response(
                self.get_context_data(refund_form=form, refund_error=str(exc)), status=503
            )
        messages.success(request, _("%(amount)s remboursés à %(name)s.") % {
            "amount": format_eur(amount_cents), "name": payment.payer_name,
        })
        return redirect(request.path)


# --- dashboard ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CampaignTotal:
    campaign: Page
    association: Association
    net_cents: int
    count: int


@dataclass(frozen=True)
class WeekBar:
    start: datetime.date
    count: int
    net_cents: int


def campaign_totals(user) -> list[CampaignTotal]:
    """Per campaign of the user's associations: net collected (after refunds), payments counted."""
    associations = {a.pk: a for a in associations_with_money_of(user).select_related("home_page")}
    campaigns = list(pages_with_money_of(user).type(*CAMPAIGN_MODELS).order_by("path"))
    rows = {
        row["campaign_id"]: row
        for row in Payment.objects.filter(association_id__in=associations.keys(), campaign__in=campaigns)
        .counted()
        .values("campaign_id", "association_id")
        .annotate(net=Sum(F("amount_cents") + F("fee_cents") - F("refunded_cents")), count=Count("pk"))
    }
    home_paths = sorted(
        ((a.home_page.path, a) for a in associations.values() if a.home_page_id), key=lambda item: -len(item[0])
    )
    result = []
    for campaign in campaigns:
        association = next((a for path, a in home_paths if campaign.path.startswith(path)), None)
        row = rows.get(campaign.pk, {})
        result.append(CampaignTotal(campaign, association, row.get("net") or 0, row.get("count") or 0))
    return result


def weekly_payments(user, *, weeks: int = WEEKS_IN_CHART, today: datetime.date | None = None) -> list[WeekBar]:
    """Payments received per week (Monday to Sunday, local time) over the last ``weeks`` weeks."""
    today = today or timezone.localdate()
    first_monday = today - datetime.timedelta(days=today.weekday(), weeks=weeks - 1)
    start = timezone.make_aware(datetime.datetime.combine(first_monday, datetime.time.min))
    buckets = {first_monday + datetime.timedelta(weeks=i): [0, 0] for i in range(weeks)}
    payments = Payment.objects.filter(
        association__in=associations_with_money_of(user).values("pk"), created_at__gte=start,
        status__in=exports.PAID_STATUSES,
    ).values_list("created_at", "amount_cents", "fee_cents", "refunded_cents")
    for created_at, amount, fee, refunded in payments.iterator():
        day = timezone.localtime(created_at).date()
        monday = day - datetime.timedelta(days=day.weekday())
        if monday in buckets:
            buckets[monday][0] += 1
            buckets[monday][1] += amount + fee - refunded
    return [WeekBar(monday, count, net) for monday, (count, net) in sorted(buckets.items())]


def chart_geometry(bars: list[WeekBar], *, width: int = 480, height: int = 160) -> dict:
    """Coordinates for a plain SVG bar chart: no script, no external library."""
    top = max((bar.count for bar in bars), default=0) or 1
    slot = width / max(len(bars), 1)
    bar_width = slot * 0.7
    plot_height = height - 20
    drawn = []
    for index, bar in enumerate(bars):
        bar_height = round(plot_height * bar.count / top, 1)
        drawn.append({
            "bar": bar,
            "x": round(index * slot + (slot - bar_width) / 2, 1),
            "y": round(plot_height - bar_height, 1),
            "width": round(bar_width, 1),
            "height": bar_height,
            "label_x": round(index * slot + slot / 2, 1),
        })
    return {"bars": drawn, "width": width, "height": height, "baseline": plot_height, "max": top}


class PaymentsDashboardPanel(Component):
    name = "paiements"
    order = 60
    template_name = "campagnes/admin/dashboard_panel.html"

    def __init__(self, request, *, index_url: str = ""):
        self.request = request
        self.index_url = index_url

    def get_context_data(self, parent_context=None):
        totals = campaign_totals(self.request.user)
        bars = weekly_payments(self.request.user)
        chart = chart_geometry(bars)
        total_count = sum(bar.count for bar in bars)
        return {
            "totals": totals,
            "chart": chart,
            "weeks": bars,
            "weeks_count": len(bars),
            "weeks_total": total_count,
            "busiest": max(bars, key=lambda bar: bar.count) if total_count else None,
            "index_url": self.index_url,
            "request": self.request,
        }
