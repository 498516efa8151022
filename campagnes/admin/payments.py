"""The treasurers' "Paiements" admin: listing, detail with refunds, exports, dashboard panel.

Payments are read-only records: they change only through ``campagnes.services`` (which log
every change), so the admin offers no add, edit or delete form. Who sees what is decided by
``campagnes.permissions.PaymentPermissionPolicy``; the reads are ``campagnes.selectors``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView

from campagnes import exports
from campagnes import stripe_gateway as gateway
from campagnes.admin.forms import RefundForm
from campagnes.admin.listing import (
    AssociationFilterSet,
    AssociationListingMixin,
    ReadOnlyRecordViewSet,
    association_filter,
)
from campagnes.models import Payment, PaymentKind, PaymentStatus, Receipt
from campagnes.money import format_eur
from campagnes.monthly import monthly_holder, monthly_next_charge
from campagnes.permissions import PaymentPermissionPolicy
from campagnes.selectors import (
    WeekBar,
    campaign_totals,
    campaigns_of,
    payment_net_cents,
    payment_refundable_cents,
    visible_payments,
    weekly_payments,
)
from campagnes.services import payment_refund
from campagnes.services.monthly import AlreadyStopped, monthly_gift_stop
from campagnes.services.payments import payment_refund_tickets
from kernel.formats.french import french_datetime

# URL namespace of the payments area: associations.admin_guard knows its "pk" names a payment.
PAYMENTS_NAMESPACE = "paiements"


# --- listing ------------------------------------------------------------------------------


def _campaigns_for(request):
    return campaigns_of(visible_payments(request.user), "campaign_id")


PAID_CHOICE = "payes"
ALL_CHOICE = "tous"


class PaymentFilterSet(AssociationFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Campagne"), queryset=_campaigns_for, empty_label=gettext_lazy("Toutes")
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Type"),
        choices=PaymentKind.choices,
        empty_label=gettext_lazy("Tous"),
        widget=forms.RadioSelect,
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Statut"),
        choices=[
            (PAID_CHOICE, gettext_lazy("Payés (remboursés compris)")),
            *PaymentStatus.choices,
            (ALL_CHOICE, gettext_lazy("Tous")),
        ],
        empty_label=None,
        method="filter_status",
        widget=forms.RadioSelect,
    )
    created_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("Date"), widget=DateRangePickerWidget)
    association = association_filter(Payment)

    class Meta:
        model = Payment
        fields = ["campaign", "kind", "status", "created_at", "association"]

    def __init__(self, data=None, *args, **kwargs):
        # the treasurer's default view (and export): the payments that brought money, not every
        # attempt left pending, abandoned or refused ("Tous" shows them)
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = PAID_CHOICE
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == PAID_CHOICE:
            return queryset.filter(status__in=PaymentStatus.PAID_OR_REFUNDED)
        if value == ALL_CHOICE or not value:
            return queryset
        return queryset.filter(status=value)


SECONDARY_COLUMN = "kollektif-col-secondary"


class AmountColumn(Column):
    def get_value(self, instance):
        return format_eur(instance.total_cents)


class PaymentIndexView(AssociationListingMixin, IndexView):
    """The payments of the user's associations (all of them for staff), filtered and exported."""

    export_name = "paiements"
    export_title = gettext_lazy("Paiements")

    def export_table(self, queryset):
        return exports.payments_table(queryset)

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
            Column(
                "created_at", label=_("Date"), accessor=lambda p: french_datetime(p.created_at), sort_key="created_at"
            ),
            TitleColumn("payer_name", label=_("Payeur"), get_url=self.get_inspect_url, sort_key="last_name"),
            # Secondary columns step aside on a phone (site_kollektif/css/admin.css); the payment's
            # page shows them all.
            Column("email", label=_("E-mail"), sort_key="email", classname=SECONDARY_COLUMN),
            Column("kind", label=_("Type"), accessor="get_kind_display", sort_key="kind", classname=SECONDARY_COLUMN),
            Column(
                "campaign",
                label=_("Campagne"),
                accessor="campaign.title",
                sort_key="campaign__title",
                classname=SECONDARY_COLUMN,
            ),
            AmountColumn("amount", label=_("Montant"), sort_key="amount_cents"),
            StatusTagColumn(
                "status",
                label=_("Statut"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda p: p.status == PaymentStatus.SUCCEEDED,
            ),
        ]
        if self.shows_association:
            columns.insert(
                5,
                Column(
                    "association",
                    label=_("Association"),
                    accessor="association.name",
                    sort_key="association__name",
                    classname=SECONDARY_COLUMN,
                ),
            )
        return columns


# --- detail and refund --------------------------------------------------------------------

LOG_ACTIONS = {
    "start": gettext_lazy("Paiement commencé"),
    "succeeded": gettext_lazy("Paiement réussi"),
    "failed": gettext_lazy("Paiement échoué"),
    "canceled": gettext_lazy("Paiement annulé"),
    "refunded": gettext_lazy("Remboursement"),
    "tickets_refunded": gettext_lazy("Billets annulés"),
    "receipt_issued": gettext_lazy("Reçu émis"),
    "receipt_corrected": gettext_lazy("Reçu corrigé émis"),
    "manual_gift": gettext_lazy("Don enregistré à la main"),
    "payer_erased": gettext_lazy("Données du payeur effacées"),
    "declined": gettext_lazy("Carte refusée par la banque"),
    "resumed": gettext_lazy("Même formulaire renvoyé : tentative reprise"),
    "monthly_stopped": gettext_lazy("Don mensuel arrêté"),
    "monthly_card_changed": gettext_lazy("Carte du don mensuel changée"),
    "monthly_amount_changed": gettext_lazy("Montant du don mensuel changé"),
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
        lines.append(
            {
                "at": french_datetime(log.at),
                "action": LOG_ACTIONS.get(log.action, log.action),
                "from_status": statuses.get(log.from_status, log.from_status),
                "to_status": statuses.get(log.to_status, log.to_status),
                "source": source,
                "refunded_cents": detail.get("refunded_cents"),
                "reason": detail.get("reason", "")
                or (_("n° %(number)s") % {"number": detail["number"]} if detail.get("number") else ""),
            }
        )
    return lines


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
        refundable = payment.status in PaymentStatus.SETTLED and payment_refundable_cents(payment) > 0
        holder = monthly_holder(payment)
        context.update(
            {
                "payment": payment,
                "logs": log_lines(payment),
                "remaining_cents": payment_refundable_cents(payment),
                "net_cents": payment_net_cents(payment),
                "can_refund": refundable and self.can_refund(),
                "refund_form": kwargs.get("refund_form") or RefundForm(payment=payment),
                "refund_error": kwargs.get("refund_error", ""),
                "created_at": french_datetime(payment.created_at),
                "paid_at": french_datetime(payment.paid_at),
                "receipts": Receipt.objects.filter(items__payment=payment).order_by("issued_at", "pk"),
                "monthly_holder": holder,
                "monthly_next_charge": monthly_next_charge(holder) if holder else None,
                "can_stop_monthly": holder is not None
                and holder.subscription_stopped_at is None
                and holder.status in PaymentStatus.PAID_OR_REFUNDED
                and self.can_refund(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_refund():
            raise PermissionDenied
        if request.POST.get("action") == "stop_monthly":
            return self.stop_monthly(request)
        payment = Payment.objects.select_related("association").get(pk=self.object.pk)  # the current state
        self.object = payment
        form = RefundForm(request.POST, payment=payment)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(refund_form=form), status=400)
        amount_cents = form.cleaned_data["amount"]
        tickets = form.cleaned_data.get("tickets") if form.sells_tickets else None
        try:
            if tickets is not None:  # a ticketing payment: the chosen tickets are cancelled too
                self.object = payment_refund_tickets(
                    payment=payment, tickets=tickets, amount_cents=amount_cents, by=request.user
                )
            else:
                self.object = payment_refund(payment=payment, amount_cents=amount_cents, by=request.user)
        except ValueError:
            # the payment changed since the form was shown (another refund, a webhook)
            form = RefundForm(request.POST, payment=Payment.objects.get(pk=payment.pk))
            form.is_valid()
            form.add_error(None, _("Ce remboursement n'est plus possible : rechargez la page."))
            return self.render_to_response(self.get_context_data(refund_form=form), status=400)
        except gateway.GatewayError as exc:
            return self.render_to_response(self.get_context_data(refund_form=form, refund_error=str(exc)), status=503)
        message = _("%(amount)s remboursés à %(name)s.") % {
            "amount": format_eur(amount_cents),
            "name": payment.payer_name,
        }
        cancelled = self.object.tickets.filter(canceled_at__isnull=False).count() if tickets is not None else 0
        if cancelled:
            message += " " + ngettext(
                "%(count)s billet annulé au total, sa place est remise en vente.",
                "%(count)s billets annulés au total, leurs places sont remises en vente.",
                cancelled,
            ) % {"count": cancelled}
        messages.success(request, message)
        return redirect(request.path)

    def stop_monthly(self, request):
        """A treasurer stops a monthly gift: Stripe charges nothing more, both sides are e-mailed."""
        holder = monthly_holder(self.object)
        if holder is None:
            messages.error(request, _("Ce paiement n'est pas un don mensuel."))
            return redirect(request.path)
        try:
            monthly_gift_stop(payment=holder, source=f"admin {request.user.pk}")
        except AlreadyStopped:
            messages.warning(request, _("Ce don mensuel est déjà arrêté."))
            return redirect(request.path)
        except gateway.GatewayError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        messages.success(
            request,
            _("Le don mensuel de %(name)s est arrêté : plus rien ne sera prélevé. Le donateur est prévenu par e-mail.")
            % {"name": holder.payer_name},
        )
        return redirect(request.path)


# --- dashboard ----------------------------------------------------------------------------


def chart_geometry(bars: list[WeekBar], *, width: int = 480, height: int = 160) -> dict:
    """Coordinates for a plain SVG bar chart: no script, no external library."""
    top = max((bar.count for bar in bars), default=0) or 1
    slot = width / max(len(bars), 1)
    bar_width = slot * 0.7
    plot_height = height - 20
    drawn = []
    for index, bar in enumerate(bars):
        bar_height = round(plot_height * bar.count / top, 1)
        drawn.append(
            {
                "bar": bar,
                "x": round(index * slot + (slot - bar_width) / 2, 1),
                "y": round(plot_height - bar_height, 1),
                "width": round(bar_width, 1),
                "height": bar_height,
                "label_x": round(index * slot + slot / 2, 1),
            }
        )
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
