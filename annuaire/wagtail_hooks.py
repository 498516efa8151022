"""Admin of the directory for the network's animators and platform staff.

One "Annuaire" menu (actors, links, meetings, labels, savoir-faire, proposals, réseau de
veille). Association editors have none of these permissions, so they see no such menu; the
admin guard refuses them every URL of these viewsets as well.
"""

from __future__ import annotations

import csv
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView, SnippetViewSet, SnippetViewSetGroup

from annuaire import meetings as meeting_services
from annuaire import selectors, services
from annuaire.forms import ActorAdminForm, LinkAdminForm, RefusalForm
from annuaire.meeting_forms import MeetingDateTimeField, MeetingSeriesForm
from annuaire.models import Actor, Label, Link, Meeting, MeetingStatus, Proposal, ProposalStatus, Topic
from annuaire.views import import_views  # noqa: F401  (registers the admin import: URLs and menu item)
from annuaire.widgets import TypeaheadSelect, TypeaheadSelectMultiple
from kernel.admin_search import FoldedSearchIndexMixin, folded_search_filter_form
from kernel.formats.french import french_datetime
from kernel.mail import email_retry, latest_emails_about
from kernel.models import OutgoingEmail
from kernel.pagination import paginate


class InvalidIs400:
    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class CreateView400(InvalidIs400, CreateView):
    pass


class EditView400(InvalidIs400, EditView):
    pass


class ActorCreateView(InvalidIs400, CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.actor_create(
            name=data["name"],
            commune=data["commune"],
            kind=data["kind"],
            street_address=data.get("street_address", ""),
            description=data.get("description", ""),
            website=data.get("website", ""),
            public_email=data.get("public_email", ""),
            public_phone=data.get("public_phone", ""),
            latitude=self.form.instance.latitude,
            longitude=self.form.instance.longitude,
            is_public=data.get("is_public", True),
            labels=data.get("labels"),
            sectors=data.get("sectors"),
            can_help=data.get("can_help"),
            looking_for=data.get("looking_for"),
            created_by=self.request.user,
        )


class ActorEditView(InvalidIs400, EditView):
    def save_instance(self):
        instance = super().save_instance()
        if instance.association_id:
            # name, address, contacts and logo of an association come from its record: the
            # record wins, so the directory never drifts from it.
            services.actor_sync_from_association(instance.association)
        services.directory_changed()
        return instance


class ActorIndexView(FoldedSearchIndexMixin, IndexView):
    """ "bethune", "EPICERIE", "bethnue" find what the public directory finds (folded column)."""

    search_vocabulary = staticmethod(selectors.actor_vocabulary)


ActorSearchForm = folded_search_filter_form(selectors.actor_vocabulary)


class ActorChooseView(ChooseView):
    filter_form_class = ActorSearchForm


class ActorChooseResultsView(ChooseResultsView):
    filter_form_class = ActorSearchForm


class ActorChooserViewSet(SnippetChooserViewSet):
    """The chooser of a link's two ends: searchable, ignoring case and accents."""

    choose_view_class = ActorChooseView
    choose_results_view_class = ActorChooseResultsView


class ActorViewSet(SnippetViewSet):
    model = Actor
    icon = "site"
    menu_label = gettext_lazy("Acteurs")
    index_view_class = ActorIndexView
    chooser_viewset_class = ActorChooserViewSet
    add_view_class = ActorCreateView
    edit_view_class = ActorEditView
    list_display = ["name", "kind", "commune", "is_public", "last_contact_at"]
    list_filter = ["kind", "labels", "is_public", "sectors"]
    search_fields = ["name", "description"]
    list_per_page = 50
    copy_view_enabled = False
    inspect_view_enabled = True
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("kind"),
                    FieldPanel("sectors"),
                    FieldPanel("description"),
                    FieldPanel("labels"),
                    FieldPanel("can_help"),
                    FieldPanel("looking_for"),
                    FieldPanel("is_public"),
                ],
                heading=gettext_lazy("Fiche"),
            ),
            ObjectList(
                [
                    FieldPanel("street_address"),
                    FieldPanel("commune", widget=TypeaheadSelect()),
                    FieldPanel("location"),
                    FieldRowPanel([FieldPanel("public_email"), FieldPanel("public_phone")]),
                    FieldPanel("website"),
                    FieldPanel("logo"),
                ],
                heading=gettext_lazy("Adresse et contacts publics"),
            ),
            ObjectList([FieldPanel("owners")], heading=gettext_lazy("Gestion")),
        ],
        base_form_class=ActorAdminForm,
    )

    def get_queryset(self, request):
        return Actor.objects.select_related("commune")


class LinkCreateView(InvalidIs400, CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.link_create(
            source=data["source"],
            target=data["target"],
            kind=data["kind"],
            started_on=data.get("started_on"),
            description=data.get("description", ""),
            meeting=data.get("meeting"),
            added_by=self.request.user,
        )


class LinkEditView(InvalidIs400, EditView):
    def save_instance(self):
        instance = super().save_instance()
        services.directory_changed()
        return instance


class LinkViewSet(SnippetViewSet):
    model = Link
    icon = "link"
    menu_label = gettext_lazy("Liens")
    add_view_class = LinkCreateView
    edit_view_class = LinkEditView
    list_display = ["source", "target", "kind", "started_on", "meeting", "added_by"]
    list_filter = ["kind"]
    search_fields = ["description"]
    list_per_page = 50
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("source"), FieldPanel("target")]),
        FieldPanel("kind"),
        FieldPanel("started_on"),
        FieldPanel("description"),
        FieldPanel("meeting"),
    ]

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        return type("LinkForm", (LinkAdminForm, form_class), {})

    def get_queryset(self, request):
        return Link.objects.select_related("source", "target", "meeting", "added_by")


class FeuilleRecipientsPanel(HelpPanel):
    """In the meeting's "Publication" tab: who received the feuille de chou, failures first."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "annuaire/admin/feuille_recipients_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            meeting = self.instance
            if meeting is None or not meeting.pk:
                return {**context, "recipients": [], "meeting": None}
            recipients = list(meeting.feuille_recipients.order_by("email"))
            latest = latest_emails_about(recipients)
            rows = [(recipient, latest.get(str(recipient.pk))) for recipient in recipients]
            return {
                **context,
                "meeting": meeting,
                "rows": rows,
                "failed": sum(1 for _recipient, email in rows if email is not None and email.failed),
                "url": reverse("annuaire_feuille_recipients", args=[meeting.pk]),
            }


class MeetingIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("Planifier une série"),
                url=reverse(meeting_viewset.get_url_name("series")),
                icon_name="date",
            ),
        ]


class MeetingViewSet(SnippetViewSet):
    index_view_class = MeetingIndexView
    add_view_class = CreateView400
    edit_view_class = EditView400
    model = Meeting
    icon = "date"
    menu_label = gettext_lazy("Rencontres")
    list_display = ["title", "kind", "starts_at", "commune", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "theme", "summary"]
    list_per_page = 50
    copy_view_enabled = False
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("kind"),
                    FieldPanel("title"),
                    FieldPanel("slug"),
                    FieldPanel("theme"),
                    FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                    FieldRowPanel([FieldPanel("place"), FieldPanel("commune")]),
                    FieldPanel("host"),
                    MultiFieldPanel(
                        [FieldPanel("expert_actor"), FieldPanel("expert"), FieldPanel("expert_presentation")],
                        heading=gettext_lazy("Expert·e invité·e"),
                        help_text=gettext_lazy("Un acteur du réseau, ou une personne avec une courte présentation."),
                    ),
                    FieldRowPanel([FieldPanel("capacity"), FieldPanel("registration_open")]),
                    FieldPanel("participants", widget=TypeaheadSelectMultiple()),
                ],
                heading=gettext_lazy("Rencontre"),
            ),
            ObjectList(
                [FieldPanel("summary"), FieldPanel("leads"), FieldPanel("contacts")],
                heading=gettext_lazy("Feuille de chou"),
            ),
            ObjectList(
                [
                    MultiFieldPanel([FieldPanel("status")], heading=gettext_lazy("Publication")),
                    FeuilleRecipientsPanel(heading=gettext_lazy("Destinataires de la feuille de chou")),
                ],
                heading=gettext_lazy("Publication"),
                help_text=gettext_lazy(
                    "Publier la feuille de chou relie les participants entre eux sur la carte du réseau."
                ),
            ),
        ]
    )

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)

        def clean(form):
            cleaned = form_class.clean(form)
            if cleaned.get("status") == MeetingStatus.PUBLISHED and not (cleaned.get("summary") or "").strip():
                form.add_error("summary", _("La feuille de chou doit avoir un résumé avant d'être publiée."))
            if "starts_at" not in form.errors and "ends_at" not in form.errors:
                errors = meeting_services.meeting_times_errors(
                    starts_at=cleaned.get("starts_at"), ends_at=cleaned.get("ends_at")
                )
                for field, message in errors.items():
                    form.add_error(field, message)
            for field, message in meeting_services.expert_errors(
                expert_actor=cleaned.get("expert_actor"),
                expert=cleaned.get("expert", ""),
                expert_presentation=cleaned.get("expert_presentation", ""),
            ).items():
                form.add_error(field, message)
            return cleaned

        # French or ISO dates; never replaced by "now" in the browser (see annuaire/meeting_forms.py).
        attrs = {
            "clean": clean,
            "starts_at": MeetingDateTimeField(label=_("Date et heure de début")),
            "ends_at": MeetingDateTimeField(
                label=_("Fin"), required=False, help_text=_("Une rencontre dure de 2 à 4 heures.")
            ),
        }
        return type("MeetingForm", (form_class,), attrs)

    def get_queryset(self, request):
        return Meeting.objects.select_related("commune")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("serie/", meeting_series_view, name="series"),
            path("inscriptions/<int:pk>/", meeting_registrations_view, name="registrations"),
        ]


class LabelViewSet(SnippetViewSet):
    add_view_class = CreateView400
    edit_view_class = EditView400
    model = Label
    icon = "tag"
    menu_label = gettext_lazy("Labels")
    list_display = ["name", "slug"]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]


class TopicViewSet(SnippetViewSet):
    add_view_class = CreateView400
    edit_view_class = EditView400
    model = Topic
    icon = "pick"
    menu_label = gettext_lazy("Savoir-faire")
    list_display = ["name", "slug"]
    panels = [FieldPanel("name"), FieldPanel("slug")]


class ProposalViewSet(SnippetViewSet):
    model = Proposal
    icon = "mail"
    menu_label = gettext_lazy("Propositions")
    list_display = ["summary", "kind", "status", "submitter_name", "created_at"]
    list_filter = ["status", "kind"]
    list_per_page = 50
    copy_view_enabled = False
    inspect_view_enabled = True
    add_view_enabled = False
    panels = [FieldPanel("refusal_message", read_only=True)]

    def get_queryset(self, request):
        return Proposal.objects.select_related("actor", "user")

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("moderer/<int:pk>/", moderate_proposal, name="moderate")]


class AnnuaireGroup(SnippetViewSetGroup):
    items = (ActorViewSet, LinkViewSet, MeetingViewSet, ProposalViewSet, LabelViewSet, TopicViewSet)
    menu_icon = "site"
    menu_label = gettext_lazy("Annuaire")
    menu_name = "annuaire"
    menu_order = 160


annuaire_group = AnnuaireGroup()
register_snippet(annuaire_group)
proposal_viewset = next(viewset for viewset in annuaire_group.registerables if viewset.model is Proposal)
meeting_viewset = next(viewset for viewset in annuaire_group.registerables if viewset.model is Meeting)


def _require_animator(request) -> None:
    if not selectors.user_is_animator(request.user):
        raise PermissionDenied


def moderate_proposal(request, pk: int):
    """Approve a contribution, or refuse it with a message e-mailed back to its author."""
    _require_animator(request)
    proposal = get_object_or_404(Proposal.objects.select_related("actor", "user"), pk=pk)
    form = RefusalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if proposal.status != ProposalStatus.PENDING:
            form.add_error(None, _("Cette proposition a déjà été traitée."))
        elif form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.proposal_approve(proposal=proposal, approved_by=request.user)
                    messages.success(request, _("Proposition acceptée : l'annuaire est à jour."))
                else:
                    services.proposal_refuse(
                        proposal=proposal, refused_by=request.user, message=form.cleaned_data["message"]
                    )
                    messages.success(request, _("Proposition refusée : la personne est prévenue par e-mail."))
                return redirect(proposal_viewset.get_url_name("list"))
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
        status = 400
    rows = []
    for key, value in proposal.data.items():
        rows.append((key, value))
    return TemplateResponse(
        request,
        "annuaire/admin/moderate.html",
        {"proposal": proposal, "form": form, "rows": rows, "page_title": _("Modérer une proposition")},
        status=status,
    )


def meeting_series_view(request):
    """Plan a series of meetings: a start, a count or an end date, a period, ordered communes."""
    _require_animator(request)
    form = MeetingSeriesForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                series = meeting_services.meeting_series_create(
                    title=data["title"],
                    kind=data["kind"],
                    theme=data["theme"],
                    start=data["start"],
                    count=data["count"],
                    until=data["until"],
                    period_days=data["period_days"],
                    duration=timedelta(minutes=int(data["duration_hours"] * 60)),
                    communes=data["communes"],
                    capacity=data["capacity"],
                    status=data["status"],
                    created_by=request.user,
                )
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("%(count)s rencontres créées : chacune se déplace ensuite seule.")
                    % {"count": series.meetings.count()},
                )
                return redirect(meeting_viewset.get_url_name("list"))
        status = 400
    return TemplateResponse(
        request,
        "annuaire/admin/meeting_series.html",
        {"form": form, "page_title": _("Planifier une série de rencontres"), "media": form.media},
        status=status,
    )


def meeting_registrations_view(request, pk: int):
    """Who signed up to a meeting (and who cancelled), with a CSV export for the animator."""
    _require_animator(request)
    meeting = get_object_or_404(Meeting.objects.select_related("commune"), pk=pk)
    registrations = list(meeting_services.registrations_for_admin(meeting))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="inscriptions-{meeting.slug}.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 with a BOM
        writer = csv.writer(response, delimiter=";")
        writer.writerow([_("Nom"), _("E-mail"), _("Structure"), _("Inscrit·e le"), _("Annulée le")])
        for registration in registrations:
            writer.writerow(
                [
                    csv_safe(registration.name),
                    csv_safe(registration.email),
                    csv_safe(registration.structure),
                    french_datetime(registration.created_at),
                    french_datetime(registration.cancelled_at),
                ]
            )
        return response
    return TemplateResponse(
        request,
        "annuaire/admin/meeting_registrations.html",
        {
            "meeting": meeting,
            "registrations": registrations,
            "places": meeting_services.meeting_places(meeting),
            "when": meeting_services.meeting_when(meeting),
            "page_title": _("Inscriptions"),
        },
    )


def csv_safe(value: str) -> str:
    """A cell typed by the public never starts a spreadsheet formula (CSV injection)."""
    value = value or ""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def watch_view(request):
    """Réseau de veille: ambassadors nobody has heard from for N months."""
    _require_animator(request)
    try:
        months = max(1, min(int(request.GET.get("mois") or selectors.watch_months()), 60))
    except ValueError:
        months = selectors.watch_months()
    if request.method == "POST":
        actor = get_object_or_404(Actor, pk=request.POST.get("actor") or 0)
        services.actor_news_taken(actor=actor, by=request.user)
        messages.success(request, _("Nouvelles prises de %(name)s : c'est noté.") % {"name": actor.name})
        return redirect(f"{reverse('annuaire_watch')}?mois={months}")
    paginator, page_obj = paginate(request, selectors.watch_list(months=months), 50)
    return TemplateResponse(
        request,
        "annuaire/admin/watch.html",
        {
            "actors": page_obj,
            "paginator": paginator,
            "months": months,
            "querystring": f"mois={months}",
            "page_title": _("Réseau de veille"),
        },
    )


def feuille_recipients_view(request, pk: int):
    """Who received a meeting's feuille de chou: recipient, why, sent or failed, and when.

    A failed send is never silent: it is listed here with its error, and can be sent again
    (as by ``manage.py renvoyer_emails``)."""
    if not selectors.user_is_animator(request.user):
        raise Http404  # as the admin guard answers for what one may not see: recipients are personal data
    meeting = get_object_or_404(Meeting.objects.select_related("commune"), pk=pk)
    if request.method == "POST":
        email = OutgoingEmail.objects.filter(
            pk=request.POST.get("email") or 0, template="annuaire_feuille_de_chou"
        ).first()
        if email is None or not email.failed:
            messages.error(request, _("Cet e-mail n'est pas en échec : rien à renvoyer."))
        else:
            result = email_retry(email_id=email.pk)
            messages.success(request, _("Nouvel essai : %(result)s.") % {"result": result})
        return redirect("annuaire_feuille_recipients", pk=meeting.pk)
    recipients = list(meeting.feuille_recipients.select_related("actor").order_by("reason", "email"))
    latest = latest_emails_about(recipients)
    rows = [(recipient, latest.get(str(recipient.pk))) for recipient in recipients]
    return TemplateResponse(
        request,
        "annuaire/admin/feuille_recipients.html",
        {
            "meeting": meeting,
            "rows": rows,
            "failed": sum(1 for _recipient, email in rows if email is not None and email.failed),
            "page_title": _("Destinataires de la feuille de chou"),
        },
    )


@hooks.register("register_admin_urls")
def annuaire_admin_urls():
    return [
        path("annuaire/veille/", watch_view, name="annuaire_watch"),
        path(
            "annuaire/rencontres/<int:pk>/destinataires/",
            feuille_recipients_view,
            name="annuaire_feuille_recipients",
        ),
    ]


class AnimatorMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.user_is_animator(request.user)


@hooks.register("register_admin_menu_item")
def watch_menu_item():
    return AnimatorMenuItem(
        gettext_lazy("Réseau de veille"), reverse("annuaire_watch"), icon_name="view", order=161, name="veille"
    )


@hooks.register("register_snippet_listing_buttons")
def meeting_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Meeting):
        yield ListingButton(_("Feuille de chou"), snippet.get_absolute_url(), icon_name="view", priority=20)
        yield ListingButton(
            _("Inscriptions"),
            reverse(meeting_viewset.get_url_name("registrations"), args=[snippet.pk]),
            icon_name="group",
            priority=25,
        )
        yield ListingButton(
            _("Imprimer"), reverse("annuaire:meeting_print", args=[snippet.slug]), icon_name="doc-full", priority=30
        )
        if snippet.status == MeetingStatus.PUBLISHED:
            yield ListingButton(
                _("Destinataires"),
                reverse("annuaire_feuille_recipients", args=[snippet.pk]),
                icon_name="mail",
                priority=40,
            )
    if isinstance(snippet, Proposal) and snippet.status == ProposalStatus.PENDING:
        yield ListingButton(
            _("Accepter ou refuser"),
            reverse(proposal_viewset.get_url_name("moderate"), args=[snippet.pk]),
            icon_name="tick",
            priority=10,
        )


# --- Explicit calls after the admin saves ------------------------------------------------


def _after_save(request, instance):
    # An association's record is followed through associations.events (annuaire/receivers.py).
    if isinstance(instance, Meeting):
        if instance.status == MeetingStatus.PUBLISHED:
            links = services.meeting_publish(meeting=instance, published_by=request.user)
            if links:
                messages.success(
                    request,
                    _("%(count)s nouveaux liens « rencontre » entre les participants.") % {"count": len(links)},
                )
        else:
            services.directory_changed()
    elif isinstance(instance, (Label, Topic)):
        services.directory_changed()


@hooks.register("after_create_snippet")
def after_create_snippet(request, instance):
    _after_save(request, instance)


@hooks.register("after_edit_snippet")
def after_edit_snippet(request, instance):
    _after_save(request, instance)


@hooks.register("after_delete_snippet")
def after_delete_snippet(request, instances):
    if any(isinstance(instance, (Actor, Link, Meeting, Label, Topic)) for instance in instances):
        services.directory_changed()
