"""The "Billets" admin: tickets sold, and the check-in page used at the door.

Tickets are records produced by a payment (see ``campagnes.services``). The treasurers of
the ticket's association (the money permission) and platform staff see them; the only
change anyone makes is the check-in, done by ``ticket_check_in`` in one transaction, the
ticket row locked, and conditional on ``checked_in_at IS NULL``: two scanners at the door
can never both let the same ticket in.

A code that is unknown, or names a ticket of another association, gets the same answer,
"Billet inconnu" (404): the check-in page never tells that a ticket exists elsewhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Page

from associations.selectors import pages_with_money_of, user_is_platform_staff
from campagnes import exports
from campagnes.admin_listing import (
    AssociationFilterSet,
    AssociationListingMixin,
    ReadOnlyRecordViewSet,
    association_filter,
    words_filter,
)
from campagnes.admin_members import AssociationRecordPermissionPolicy
from campagnes.admin_views import PaymentPermissionPolicy
from campagnes.models import Payment, PaymentStatus, Ticket, TicketingCampaignPage
from kernel.params import int_param

logger = logging.getLogger("kollektif.tickets")

STAFF_EVENTS_SINCE_DAYS = 7

TICKETS_NAMESPACE = "billets"
QR_PREFIX = "KOLLEKTIF-BILLET:"
# A handheld scanner set up as a US (QWERTY) keyboard on a French (AZERTY) computer types
# "KOLLEKTIF)BILLETM…" and changes digits and a few letters of the code: this undoes it.
AZERTY_QR_PREFIX = "KOLLEKTIF)BILLETM"
AZERTY_AS_QWERTY = str.maketrans("&é\"'(-è_çà)°aqAQzwZW,?mM", "1234567890-_qaQAwzWZmM;:")


class TicketPermissionPolicy(AssociationRecordPermissionPolicy):
    """Seeing and checking in tickets: the association's volunteers, and staff."""

    VOLUNTEER_ACTIONS = frozenset({"view", "check_in"})


def visible_tickets(user, *, action: str = "view"):
    return TicketPermissionPolicy(Ticket).scope(Ticket.objects.all(), user, [action])


def ticket_state(ticket: Ticket) -> tuple[str, bool]:
    """The ticket's state in words, and whether it is the "good" state for a listing tag."""
    if ticket.payment.status == PaymentStatus.REFUNDED:
        return _("Annulé (remboursé)"), False
    if ticket.checked_in_at:
        return _("Entrée validée le %(date)s") % {"date": exports.french_datetime(ticket.checked_in_at)}, True
    return _("Pas encore utilisé"), False


# --- check-in -----------------------------------------------------------------------------

def ticket_code_candidates(raw: str) -> list[str]:
    """The codes to look for, from what was typed or scanned ("KOLLEKTIF-BILLET:<code>" or the code).

    Spaces are ignored; the code itself is case-sensitive. Two scanner mishaps are undone: a
    scanner typing in QWERTY on an AZERTY computer, and caps lock (the prefix then arrives in
    lower case, and so does every letter of the code, inverted).
    """
    text = "".join((raw or "").split())
    if text.startswith(QR_PREFIX):
        return [text[len(QR_PREFIX):]]
    if text.startswith(QR_PREFIX.lower()):
        rest = text[len(QR_PREFIX):]
        return [rest.swapcase(), rest]
    if text.startswith(AZERTY_QR_PREFIX):
        return [text[len(AZERTY_QR_PREFIX):].translate(AZERTY_AS_QWERTY)]
    return [text] if text else []


@dataclass(frozen=True)
class CheckInResult:
    outcome: str  # ADMITTED, ALREADY_USED, UNKNOWN, REFUNDED, OTHER_EVENT
    ticket: Ticket | None = None

    ADMITTED = "admitted"
    ALREADY_USED = "already-used"
    UNKNOWN = "unknown"
    REFUNDED = "refunded"
    OTHER_EVENT = "other-event"

    @property
    def status_code(self) -> int:
        return {self.ADMITTED: 200, self.UNKNOWN: 404}.get(self.outcome, 409)

    @property
    def admitted(self) -> bool:
        return self.outcome == self.ADMITTED


def ticket_check_in(*, user, code: str, event: Page | None = None) -> CheckInResult:
    """Let in the ticket with this code (typed or scanned), once; only the user's tickets are found.

    With ``event``, a ticket for another event is refused (and not marked).
    """
    candidates = ticket_code_candidates(code)
    if not candidates:
        return CheckInResult(CheckInResult.UNKNOWN)
    return _check_in(visible_tickets(user, action="check_in").filter(code__in=candidates), user=user, event=event)


def ticket_check_in_by_pk(*, user, ticket_id: int) -> CheckInResult:
    """From the ticket's admin page, for a buyer who cannot show their ticket."""
    return _check_in(visible_tickets(user, action="check_in").filter(pk=ticket_id), user=user, event=None)


def _check_in(tickets, *, user, event: Page | None) -> CheckInResult:
    with transaction.atomic():
        ticket = (
            tickets.select_for_update(of=("self",))
            .select_related("ticket_type", "payment", "payment__campaign")
            .first()
        )
        if ticket is None:
            return CheckInResult(CheckInResult.UNKNOWN)
        if ticket.payment.status == PaymentStatus.REFUNDED:
            return CheckInResult(CheckInResult.REFUNDED, ticket)
        if event is not None and ticket.ticket_type.page_id != event.pk:
            return CheckInResult(CheckInResult.OTHER_EVENT, ticket)
        if ticket.checked_in_at is not None:
            return CheckInResult(CheckInResult.ALREADY_USED, ticket)
        now = timezone.now()
        # conditional as well as locked: safe even where the database has no row locks (SQLite)
        if not Ticket.objects.filter(pk=ticket.pk, checked_in_at__isnull=True).update(checked_in_at=now):
            ticket.refresh_from_db(fields=["checked_in_at"])
            return CheckInResult(CheckInResult.ALREADY_USED, ticket)
        ticket.checked_in_at = now
    logger.info("ticket %s checked in by user %s", ticket.pk, user.pk)
    return CheckInResult(CheckInResult.ADMITTED, ticket)


def ticketing_campaigns_for(user):
    """The ticketing campaigns whose tickets this user may check in, next events first."""
    campaigns = TicketingCampaignPage.objects.all()
    if user_is_platform_staff(user):
        # every association's events would make an endless list: only those of the last days and to come
        campaigns = campaigns.filter(event_starts_at__gte=timezone.now() - timedelta(days=STAFF_EVENTS_SINCE_DAYS))
    else:
        campaigns = campaigns.filter(pk__in=pages_with_money_of(user).values("pk"))
    return campaigns.order_by("-event_starts_at", "title")


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} — {timezone.localtime(obj.event_starts_at):%d/%m/%Y}"


class CheckInForm(forms.Form):
    evenement = EventChoiceField(
        label=gettext_lazy("Événement contrôlé"), queryset=TicketingCampaignPage.objects.none(), required=False,
        empty_label=gettext_lazy("Tous mes événements"),
        help_text=gettext_lazy("Si vous choisissez un événement, seuls ses billets sont acceptés."),
    )
    code = forms.CharField(
        label=gettext_lazy("Code du billet"), max_length=200,
        help_text=gettext_lazy(
            "Scannez le QR code du billet avec une douchette (lecteur USB ou Bluetooth) : elle tape son contenu "
            "dans ce champ, comme un clavier, puis valide. Pas besoin de caméra ni d'application. Sans douchette, "
            "tapez le code indiqué dans l'e-mail du billet et appuyez sur Entrée. Le contenu du QR code "
            "« KOLLEKTIF-BILLET:… » et le code seul sont acceptés ; les majuscules comptent."
        ),
        error_messages={"required": gettext_lazy("Scannez ou tapez le code du billet.")},
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "off", "autocapitalize": "off", "autocorrect": "off",
            "spellcheck": "false", "enterkeyhint": "go", "class": "kollektif-checkin__input",
        }),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evenement"].queryset = ticketing_campaigns_for(user)


class CheckInView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """One field, autofocused: scan or type, Enter, read the big answer, scan the next one."""

    model = Ticket
    any_permission_required = ["check_in"]
    template_name = "campagnes/admin/tickets_checkin.html"
    page_title = gettext_lazy("Contrôle des entrées")
    header_icon = "tick"
    index_url_name = None

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
            tickets = visible_tickets(self.request.user, action="check_in").filter(ticket_type__page=event).exclude(
                payment__status=PaymentStatus.REFUNDED
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
        CheckInResult.REFUNDED: (_("Billet annulé"), "error"),
        CheckInResult.OTHER_EVENT: (_("Billet pour un autre événement"), "warning"),
    }
    headline, tone = headlines[result.outcome]
    detail = ""
    if result.outcome == CheckInResult.ALREADY_USED:
        detail = _("Ce billet a déjà servi le %(date)s. Ne laissez pas entrer une seconde fois.") % {
            "date": exports.french_datetime(ticket.checked_in_at)
        }
    elif result.outcome == CheckInResult.UNKNOWN:
        detail = _("Aucun billet de vos événements ne porte ce code. Vérifiez-le, ou scannez à nouveau.")
    elif result.outcome == CheckInResult.REFUNDED:
        detail = _("Ce billet a été remboursé : il ne permet plus d'entrer.")
    elif result.outcome == CheckInResult.OTHER_EVENT:
        detail = _("Ce billet est pour « %(title)s ». Il n'a pas été validé.") % {"title": ticket.ticket_type.page.title}
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
    tickets = visible_tickets(request.user)
    return Page.objects.filter(pk__in=tickets.values("payment__campaign_id")).order_by("title")



class TicketFilterSet(AssociationFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Événement"), field_name="payment__campaign", queryset=_campaigns_for,
        empty_label=gettext_lazy("Tous"),
    )
    checked_in = django_filters.ChoiceFilter(
        label=gettext_lazy("Entrée"), method="filter_checked_in", empty_label=gettext_lazy("Tous"),
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
        return tickets_table(queryset)

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
            TitleColumn("buyer", label=_("Acheteur"), accessor="payment.payer_name", get_url=self.get_inspect_url,
                        sort_key="payment__last_name"),
            Column("email", label=_("E-mail"), accessor="payment.email", sort_key="payment__email"),
            Column("ticket_type", label=_("Billet"), accessor="ticket_type.name", sort_key="ticket_type__name"),
            Column("event", label=_("Événement"), accessor="payment.campaign.title", sort_key="payment__campaign__title"),
            Column("code", label=_("Code"), accessor="code"),
            StatusTagColumn(
                "checked_in_at", label=_("Entrée"), accessor=lambda t: ticket_state(t)[0], sort_key="checked_in_at",
                primary=lambda t: ticket_state(t)[1],
            ),
        ]
        if self.shows_association:
            columns.insert(4, Column(
                "association", label=_("Association"), accessor="association.name", sort_key="association__name",
            ))
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



def tickets_table(queryset) -> tuple[list[str], list[list]]:
    """The guest list: one row per ticket, for a printed list at the door."""
    headers = [_("Événement"), _("Billet"), _("Nom"), _("Prénom"), _("Entreprise"), _("E-mail"), _("Code"),
               _("État"), _("Entrée validée le"), _("N° de paiement")]
    rows = [
        [ticket.payment.campaign.title, ticket.ticket_type.name, ticket.payment.last_name, ticket.payment.first_name,
         ticket.payment.company_name, ticket.payment.email, ticket.code, ticket_state(ticket)[0],
         exports.french_datetime(ticket.checked_in_at), ticket.payment_id]
        for ticket in queryset.select_related("payment", "payment__campaign", "ticket_type").iterator(chunk_size=2000)
    ]
    return headers, rows


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
        return TicketPermissionPolicy(Ticket).user_has_permission_for_instance(self.request.user, "check_in", self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.object
        label, good = ticket_state(ticket)
        payment_url = None
        if PaymentPermissionPolicy(Payment).user_has_permission_for_instance(self.request.user, "view", ticket.payment):
            payment_url = reverse("paiements:inspect", args=[ticket.payment_id])
        context.update({
            "ticket": ticket,
            "payment": ticket.payment,
            "event": ticket.ticket_type.page,
            "state_label": label,
            "state_is_ok": good,
            "payment_url": payment_url,
            "can_check_in": self.can_check_in() and not ticket.checked_in_at
            and ticket.payment.status != PaymentStatus.REFUNDED,
        })
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
        gettext_lazy("Contrôle des entrées"), reverse_lazy(ticket_viewset.get_url_name("check_in")), name="controle-entrees",
        icon_name="tick", order=163,
    )
