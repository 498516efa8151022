"""The "Billets" admin: tickets sold, and the check-in page used at the door.

Tickets are records produced by a payment (see ``campagnes.services``). The treasurers of
the ticket's association (the money permission) and platform staff see them; the only
change anyone makes is the check-in, done by ``campagnes.services.checkin.ticket_check_in``.

A code that is unknown, or names a ticket of another association, gets the same answer,
"Billet inconnu" (404): the check-in page never tells that a ticket exists elsewhere.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton

from campagnes import exports
from campagnes.admin.forms import CheckInForm
from campagnes.admin.listing import (
    AssociationFilterSet,
    AssociationListingMixin,
    ReadOnlyRecordViewSet,
    association_filter,
    words_filter,
)
from campagnes.models import Payment, PaymentStatus, Ticket
from campagnes.permissions import PaymentPermissionPolicy, TicketPermissionPolicy
from campagnes.selectors import campaigns_of, ticketing_campaigns_for, visible_tickets
from campagnes.services.checkin import (
    CheckInResult,
    ticket_check_in,
    ticket_check_in_by_pk,
    ticket_code_candidates,
)
from kernel.formats.french import french_datetime
from kernel.params import int_param

TICKETS_NAMESPACE = "billets"
CHECK_IN_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "usb=(), interest-cohort=()"
)


# --- check-in ---------------------------------------------------------------------------


class CheckInView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """One field, autofocused: scan or type, Enter, read the big answer, scan the next one."""

    model = Ticket
    any_permission_required = ["check_in"]
    template_name = "campagnes/admin/tickets_checkin.html"
    page_title = gettext_lazy("Contrôle des entrées")
    header_icon = "tick"
    index_url_name = None

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # the site's Permissions-Policy (site_kollektif.security, which only sets it when absent)
        # forbids the camera everywhere; this page reads QR codes with it, from this origin only
        response.headers["Permissions-Policy"] = CHECK_IN_PERMISSIONS_POLICY
        return response

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": _("Billets")})
        return [*items, {"url": "", "label": self.get_page_title()}]

    def _form(self, data=None, *, event=None):
        initial = {"evenement": event.pk} if event else None
        return CheckInForm(data, user=self.request.user, initial=initial)

    def _event_from_query(self):
        event_id = int_param(self.request, "evenement", minimum=1)
        if event_id is None:
            return None
        return ticketing_campaigns_for(self.request.user).filter(pk=event_id).first()

    def get(self, request, *args, **kwargs):
        event = self._event_from_query()
        return self.render_to_response(self.get_context_data(form=self._form(event=event), event=event))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if not form.is_valid():
            event = form.cleaned_data.get("evenement") if "evenement" not in form.errors else None
            return self.render_to_response(self.get_context_data(form=form, event=event), status=400)
        event = form.cleaned_data["evenement"]
        result = ticket_check_in(user=request.user, code=form.cleaned_data["code"], event=event)
        fresh = self._form(event=event)  # the next scan starts on an empty field
        return self.render_to_response(
            self.get_context_data(form=fresh, event=event, result=result), status=result.status_code
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = kwargs.get("event")
        result = kwargs.get("result")
        if event is not None:
            tickets = (
                visible_tickets(self.request.user, action="check_in")
                .filter(ticket_type__page=event)
                .exclude(payment__status=PaymentStatus.REFUNDED)
                .filter(canceled_at__isnull=True)
            )
            context["event_total"] = tickets.count()
            context["event_checked_in"] = tickets.filter(checked_in_at__isnull=False).count()
        if result is not None:
            context["result"] = result
            context["result_context"] = check_in_result_context(result)
        return context


def check_in_result_context(result: CheckInResult) -> dict:
    """What the page shows: a headline, a tone (ok, warning, error) and the ticket's details."""
    ticket = result.ticket
    headlines = {
        CheckInResult.ADMITTED: (_("Entrée validée"), "ok"),
        CheckInResult.ALREADY_USED: (_("Billet déjà utilisé"), "warning"),
        CheckInResult.UNKNOWN: (_("Billet inconnu"), "error"),
        CheckInResult.REFUNDED: (_("Billet remboursé"), "error"),
        CheckInResult.OTHER_EVENT: (_("Billet pour un autre événement"), "warning"),
    }
    headline, tone = headlines[result.outcome]
    detail = ""
    if result.outcome == CheckInResult.ALREADY_USED:
        detail = _("Ce billet a déjà servi le %(date)s. Ne laissez pas entrer une seconde fois.") % {
            "date": french_datetime(ticket.checked_in_at)
        }
    elif result.outcome == CheckInResult.UNKNOWN:
        detail = _("Aucun billet de vos événements ne porte ce code. Vérifiez-le, ou scannez à nouveau.")
    elif result.outcome == CheckInResult.REFUNDED:
        detail = _("Ce billet a été remboursé et annulé : il ne permet plus d'entrer.")
    elif result.outcome == CheckInResult.OTHER_EVENT:
        detail = _("Ce billet est pour « %(title)s ». Il n'a pas été validé.") % {
            "title": ticket.ticket_type.page.title
        }
    return {
        "headline": headline,
        "tone": tone,
        "detail": detail,
        "ticket_type": ticket.ticket_type.name if ticket else "",
        "buyer": ticket.payment.payer_name if ticket else "",
        "event_title": ticket.payment.campaign.title if ticket else "",
    }


# --- listing ------------------------------------------------------------------------------


def _campaigns_for(request):
    return campaigns_of(visible_tickets(request.user), "payment__campaign_id")


class TicketFilterSet(AssociationFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Événement"),
        field_name="payment__campaign",
        queryset=_campaigns_for,
        empty_label=gettext_lazy("Tous"),
    )
    checked_in = django_filters.ChoiceFilter(
        label=gettext_lazy("Entrée"),
        method="filter_checked_in",
        empty_label=gettext_lazy("Tous"),
        choices=[("oui", gettext_lazy("Entrée validée")), ("non", gettext_lazy("Pas encore utilisé"))],
        widget=forms.RadioSelect,
    )
    association = association_filter(Ticket)

    class Meta:
        model = Ticket
        fields = ["campaign", "checked_in", "association"]

    def filter_checked_in(self, queryset, name, value):
        if value == "oui":
            return queryset.filter(checked_in_at__isnull=False)
        if value == "non":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


class TicketIndexView(AssociationListingMixin, IndexView):
    export_name = "billets"
    export_title = gettext_lazy("Billets")

    def export_table(self, queryset):
        return exports.tickets_table(queryset)

    page_title = gettext_lazy("Billets")
    search_fields = ["payment__first_name", "payment__last_name", "payment__company_name", "payment__email"]
    search_backend_name = None
    default_ordering = "-pk"
    show_export_buttons = True
    any_permission_required = ["view"]
    check_in_url_name = None

    def get_base_queryset(self):
        return visible_tickets(self.request.user).select_related(
            "payment", "payment__campaign", "ticket_type", "association"
        )

    def search_queryset(self, queryset):
        """The exact code (typed or scanned), or every word matching the buyer's name or e-mail."""
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        by_code = Q(code__in=ticket_code_candidates(query))
        return queryset.filter(by_code | words_filter(query, self.search_fields))

    @cached_property
    def columns(self):
        columns = [
            TitleColumn(
                "buyer",
                label=_("Acheteur"),
                accessor="payment.payer_name",
                get_url=self.get_inspect_url,
                sort_key="payment__last_name",
            ),
            Column("email", label=_("E-mail"), accessor="payment.email", sort_key="payment__email"),
            Column("ticket_type", label=_("Billet"), accessor="ticket_type.name", sort_key="ticket_type__name"),
            Column(
                "event", label=_("Événement"), accessor="payment.campaign.title", sort_key="payment__campaign__title"
            ),
            Column("code", label=_("Code"), accessor="code"),
            StatusTagColumn(
                "checked_in_at",
                label=_("Entrée"),
                accessor=lambda t: exports.ticket_state(t)[0],
                sort_key="checked_in_at",
                primary=lambda t: exports.ticket_state(t)[1],
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

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.check_in_url_name and self.user_has_permission("check_in"):
            url = reverse(self.check_in_url_name)
            campaign = int_param(self.request, "campaign", minimum=1)
            if campaign is not None:
                url += f"?evenement={campaign}"
            buttons.append(HeaderButton(_("Contrôle des entrées"), url=url, icon_name="tick"))
        return buttons


# --- detail, with a check-in button for a buyer who cannot show their ticket ----------------


class TicketDetailView(InspectView):
    template_name = "campagnes/admin/tickets_detail.html"
    page_title = gettext_lazy("Billet")
    any_permission_required = ["view"]

    def get_fields(self):
        return []

    def get_object(self, queryset=None):
        queryset = visible_tickets(self.request.user).select_related(
            "payment", "payment__campaign", "ticket_type", "ticket_type__page", "association"
        )
        return get_object_or_404(queryset, pk=self.pk)

    def get_page_subtitle(self):
        return f"{self.object.ticket_type.name} — {self.object.payment.payer_name}"

    def can_check_in(self) -> bool:
        return TicketPermissionPolicy(Ticket).user_has_permission_for_instance(
            self.request.user, "check_in", self.object
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.object
        label, good = exports.ticket_state(ticket)
        payment_url = None
        if PaymentPermissionPolicy(Payment).user_has_permission_for_instance(self.request.user, "view", ticket.payment):
            payment_url = reverse("paiements:inspect", args=[ticket.payment_id])
        context.update(
            {
                "ticket": ticket,
                "payment": ticket.payment,
                "event": ticket.ticket_type.page,
                "state_label": label,
                "state_is_ok": good,
                "payment_url": payment_url,
                "can_check_in": self.can_check_in() and not ticket.checked_in_at and not ticket.is_canceled,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_check_in():
            raise PermissionDenied
        result = ticket_check_in_by_pk(user=request.user, ticket_id=self.object.pk)
        self.object = self.get_object()  # as it is now
        context = self.get_context_data(result=result, result_context=check_in_result_context(result))
        return self.render_to_response(context, status=result.status_code)


# --- viewset ------------------------------------------------------------------------------


class TicketViewSet(ReadOnlyRecordViewSet):
    """Read-only but for the check-in: a ticket comes from a payment."""

    record_policy = TicketPermissionPolicy(Ticket)

    model = Ticket
    name = TICKETS_NAMESPACE
    icon = "tag"
    menu_label = gettext_lazy("Billets")
    menu_name = "billets"
    menu_order = 162
    index_view_class = TicketIndexView
    inspect_view_class = TicketDetailView
    filterset_class = TicketFilterSet
    ordering = "-pk"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(check_in_url_name=self.get_url_name("check_in"), **kwargs)

    @property
    def check_in_view(self):
        return self.construct_view(CheckInView)

    def extra_urlpatterns(self) -> list:
        return [path("controle/", self.check_in_view, name="check_in")]


ticket_viewset = TicketViewSet()


class CheckInMenuItem(MenuItem):
    """A direct way to the door's page, from a phone."""

    def is_shown(self, request):
        return TicketPermissionPolicy(Ticket).user_has_permission(request.user, "check_in")


def check_in_menu_item() -> CheckInMenuItem:
    return CheckInMenuItem(
        gettext_lazy("Contrôle des entrées"),
        reverse_lazy(ticket_viewset.get_url_name("check_in")),
        name="controle-entrees",
        icon_name="tick",
        order=163,
    )


class CheckInDashboardPanel(Component):
    """The door volunteers' dashboard: their next events, each one tap away from the check-in page."""

    name = "controle_entrees"
    order = 40
    template_name = "campagnes/admin/checkin_dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        events = list(ticketing_campaigns_for(self.request.user)[:10])
        return {
            "events": events,
            "check_in_url": reverse(ticket_viewset.get_url_name("check_in")),
            "request": self.request,
        }
