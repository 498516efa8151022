"""Admin integration: the association record, tenant isolation hooks, moderation, invitations."""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets import ListingButton
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView, SnippetViewSet

from associations import selectors, services, tenancy
from associations.admin_api import use_rule_aware_pages_endpoint
from associations.admin_views import invite_view, moderate_view
from associations.forms import AssociationAdminForm
from associations.models import Association, AssociationStatus
from associations.permissions import AssociationPermissionPolicy
from kernel.admin_search import FoldedSearchIndexMixin, folded_search_filter_form

register_permission_policy(Association, AssociationPermissionPolicy(Association))

FORM_FIELDS_HANDLED_APART = {"location", "sectors"}


class AssociationCreateView(CreateView):
    """Creating an association in the admin goes through onboarding, like any other way."""

    def save_instance(self):
        data = {
            name: value
            for name, value in self.form.cleaned_data.items()
            if name not in FORM_FIELDS_HANDLED_APART and name in {f.name for f in Association._meta.fields}
        }
        data.setdefault("status", AssociationStatus.ACTIVE)
        return services.association_onboard(
            created_by=None,
            sectors=self.form.cleaned_data.get("sectors") or [],
            latitude=self.form.instance.latitude,
            longitude=self.form.instance.longitude,
            notify=False,
            **{k: v for k, v in data.items() if k not in {"latitude", "longitude"}},
        )

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class AssociationEditView(EditView):
    def save_instance(self):
        instance = super().save_instance()
        services.association_record_saved(association=instance)
        return instance

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class AssociationIndexView(FoldedSearchIndexMixin, IndexView):
    """ "bookkafe" finds BookKafé: the folded column, as on the public index."""

    search_vocabulary = staticmethod(selectors.association_vocabulary)


class AssociationViewSet(SnippetViewSet):
    model = Association
    index_view_class = AssociationIndexView
    icon = "group"
    menu_label = gettext_lazy("Associations")
    menu_name = "associations"
    menu_order = 150
    add_to_admin_menu = True
    add_view_class = AssociationCreateView
    edit_view_class = AssociationEditView
    list_display = ["name", "commune", "legal_form", "status", "created_at"]
    list_filter = ["status", "legal_form", "sectors"]
    search_fields = ["name", "rna", "siren", "commune__name"]
    list_per_page = 50
    copy_view_enabled = False
    inspect_view_enabled = True

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("slug", permission="associations.moderate_association"),
                    FieldPanel("legal_form"),
                    FieldRowPanel([FieldPanel("rna"), FieldPanel("siren")]),
                    FieldPanel("objet"),
                    FieldPanel("sectors"),
                ],
                heading=gettext_lazy("Identité"),
            ),
            ObjectList(
                [
                    FieldPanel("street_address"),
                    FieldRowPanel([FieldPanel("postal_code"), FieldPanel("commune")]),
                    FieldPanel("location"),
                    FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
                    FieldPanel("website"),
                ],
                heading=gettext_lazy("Adresse et contacts"),
            ),
            ObjectList(
                [
                    FieldPanel("logo"),
                    FieldPanel("theme"),
                    MultiFieldPanel(
                        [
                            FieldPanel("facebook_url"),
                            FieldPanel("instagram_url"),
                            FieldPanel("linkedin_url"),
                            FieldPanel("mastodon_url"),
                            FieldPanel("youtube_url"),
                        ],
                        heading=gettext_lazy("Réseaux sociaux"),
                    ),
                ],
                heading=gettext_lazy("Apparence"),
            ),
            ObjectList(
                [FieldPanel("embed_origins", widget=forms.Textarea(attrs={"rows": 4}))],
                heading=gettext_lazy("Intégration sur vos sites"),
            ),
            ObjectList(
                [
                    FieldPanel("tax_status"),
                    MultiFieldPanel(
                        [
                            FieldPanel("tax_other_type"),
                            FieldPanel("tax_other_label"),
                            FieldRowPanel([FieldPanel("tax_basis"), FieldPanel("tax_rescrit_date")]),
                            FieldRowPanel([FieldPanel("rup_decree_date"), FieldPanel("rup_journal_date")]),
                            FieldPanel("tax_ifi_eligible"),
                        ],
                        heading=gettext_lazy("Fondement de l'éligibilité"),
                    ),
                    FieldPanel("membership_tax_eligible"),
                    FieldPanel("monthly_annual_summary"),
                    FieldRowPanel(
                        [FieldPanel("accounting_year_start_day"), FieldPanel("accounting_year_start_month")],
                        heading=gettext_lazy("Exercice comptable (déclaration annuelle des dons)"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldRowPanel(
                                [FieldPanel("receipt_signatory_name"), FieldPanel("receipt_signatory_capacity")]
                            ),
                            FieldPanel("receipt_signature"),
                        ],
                        heading=gettext_lazy("Signataire des reçus"),
                    ),
                ],
                heading=gettext_lazy("Reçus fiscaux"),
            ),
            ObjectList(
                [
                    FieldPanel("status", permission="associations.moderate_association"),
                    FieldPanel("refusal_reason", permission="associations.moderate_association"),
                    FieldPanel("featured", permission="associations.moderate_association"),
                    FieldPanel("custom_domain", permission="associations.moderate_association"),
                ],
                heading=gettext_lazy("Plateforme"),
                permission="associations.moderate_association",
            ),
        ],
        base_form_class=AssociationAdminForm,
    )

    def get_queryset(self, request):
        return tenancy.scope(Association.objects.select_related("commune"), request.user)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("moderer/<int:pk>/", moderate_view, name="moderate"),
            path("inviter/<int:pk>/", invite_view, name="invite"),
        ]


def choosable_associations(request):
    """The chooser serves the public home page's featured associations: active ones only, and
    only those the user may see (an editor's own)."""
    return AssociationViewSet.get_queryset(None, request).filter(status=AssociationStatus.ACTIVE)


AssociationSearchForm = folded_search_filter_form(selectors.association_vocabulary)


class AssociationChooseView(ChooseView):
    filter_form_class = AssociationSearchForm

    def get_object_list(self):
        return choosable_associations(self.request)


class AssociationChooseResultsView(ChooseResultsView):
    filter_form_class = AssociationSearchForm

    def get_object_list(self):
        return choosable_associations(self.request)


class AssociationChosenView(SnippetChosenView):
    def get_object(self, pk):
        try:
            return choosable_associations(self.request).get(pk=int(pk))
        except ValueError as exc:
            raise Association.DoesNotExist from exc


class AssociationChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return choosable_associations(self.request).filter(pk__in=[pk for pk in pks if str(pk).isdigit()])


class AssociationChooserViewSet(SnippetChooserViewSet):
    """Wagtail's snippet chooser lists ``Model.objects.all()``: every association, whatever its
    status or its editors. Each view here starts from what the user may choose."""

    choose_view_class = AssociationChooseView
    choose_results_view_class = AssociationChooseResultsView
    chosen_view_class = AssociationChosenView
    chosen_multiple_view_class = AssociationChosenMultipleView


AssociationViewSet.chooser_viewset_class = AssociationChooserViewSet
association_viewset = AssociationViewSet()
register_snippet(association_viewset)


@hooks.register("register_snippet_listing_buttons")
def association_listing_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, Association):
        return
    yield ListingButton(
        _("Inviter un bénévole"),
        reverse(association_viewset.get_url_name("invite"), args=[snippet.pk]),
        icon_name="user",
        priority=20,
    )
    if not (
        selectors.user_is_platform_staff(user)
        or selectors.associations_with_money_of(user).filter(pk=snippet.pk).exists()
    ):
        return  # the Stripe account is the treasurers' business
    yield ListingButton(
        _("Paiements en ligne (Stripe)"),
        reverse("kollektif_stripe:status", args=[snippet.pk]),
        icon_name="form",
        priority=30,
    )
    if selectors.user_is_platform_staff(user) and snippet.status == AssociationStatus.PENDING:
        yield ListingButton(
            _("Valider ou refuser"),
            reverse(association_viewset.get_url_name("moderate"), args=[snippet.pk]),
            icon_name="tick",
            priority=10,
        )


# --- Pages: keep every editor inside their own association's site --------------------------


@hooks.register("construct_page_chooser_queryset")
def restrict_page_chooser(pages, request):
    """Wagtail's page chooser lists the whole tree (wagtail#9714): show only the user's pages."""
    return tenancy.scope(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def restrict_explorer(parent_page, pages, request):
    return tenancy.scope(pages, request.user)


# The four-page rule (no deleting, moving, copying or unpublishing the Accueil and its sections;
# no page crossing to another association) is held by the pages' permission tester,
# associations.page_rules, which Wagtail asks on every path: it hides the buttons, filters
# bulk actions and refuses admin API actions. The admin guard words the page views' refusal.
hooks.register("construct_admin_api", use_rule_aware_pages_endpoint)


@hooks.register("construct_reports_menu")
def hide_cross_tenant_reports(request, menu_items):
    if selectors.user_is_platform_staff(request.user):
        return
    menu_items[:] = [item for item in menu_items if item.name == "locked-pages"]


@hooks.register("construct_main_menu")
def hide_staff_menus(request, menu_items):
    if selectors.user_is_platform_staff(request.user):
        return
    menu_items[:] = [item for item in menu_items if item.name not in {"snippets", "settings", "help"}]


class MyAssociationsPanel(Component):
    name = "my_associations"
    order = 50
    template_name = "associations/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        associations = selectors.associations_for_user(user).select_related("home_page")
        editable = associations if selectors.user_is_platform_staff(user) else selectors.associations_edited_by(user)
        return {
            "associations": associations,
            "edited_ids": set(editable.values_list("pk", flat=True)),
            "invite_url_name": association_viewset.get_url_name("invite"),
            "edit_url_name": association_viewset.get_url_name("edit"),
            "request": self.request,
        }


@hooks.register("construct_homepage_panels")
def add_my_associations_panel(request, panels):
    if selectors.associations_for_user(request.user).exists():
        panels.insert(0, MyAssociationsPanel(request))


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("site_kollektif/css/admin.css"))


# --- After an action on a page: land on a page the editor may see -------------------------
#
# Wagtail sends the editor to the explorer of the page's *parent* after publishing, submitting,
# deleting or unpublishing. For an association's Accueil that parent is the platform's
# /association/ index, which the admin guard hides from her: she landed on a 404 right after
# her first "Publier". These hooks run after Wagtail has queued its own (French) confirmation
# message; when the parent is out of her reach they send her to her Accueil's explorer instead.

# The edit view's actions that end with Wagtail's "redirect away" (the others stay on the form).
ACTIONS_LEAVING_THE_EDITOR = ("action-publish", "action-submit", "action-restart-workflow", "action-workflow-action")


def user_may_see_page(user, page: Page) -> bool:
    """Whether the admin guard lets this user open the page (its explorer, its edit view)."""
    if selectors.user_is_platform_staff(user):
        return True
    declaration = tenancy.tenant_model(Page)
    return declaration is None or tenancy.object_is_users(user, declaration, page.pk)


def landing_for(request, page: Page, parent: Page | None):
    """A redirect to the page's own explorer when Wagtail's default target (the parent's
    explorer, or a ``next`` URL) is a page this user may not see; ``None`` to keep Wagtail's."""
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url or parent is None or user_may_see_page(request.user, parent):
        return None
    target = page if page.pk and Page.objects.filter(pk=page.pk).exists() else None
    if target is None or not user_may_see_page(request.user, target):
        return redirect("wagtailadmin_home")
    return redirect("wagtailadmin_explore", target.pk)


@hooks.register("after_edit_page")
def land_after_edit(request, page):
    if not any(request.POST.get(action) for action in ACTIONS_LEAVING_THE_EDITOR):
        return None  # "Enregistrer le brouillon" keeps her on the form
    if request.POST.get("action-publish") and not page.permissions_for_user(request.user).can_publish():
        return None  # Wagtail saved a draft instead and stays on the form
    return landing_for(request, page, page.get_parent())


@hooks.register("after_create_page")
def land_after_create(request, page):
    if not any(request.POST.get(action) for action in ACTIONS_LEAVING_THE_EDITOR):
        return None
    return landing_for(request, page, page.get_parent())


@hooks.register("after_delete_page")
def land_after_delete(request, page):
    return landing_for(request, page, page.get_parent())


@hooks.register("after_unpublish_page")
def land_after_unpublish(request, page):
    response = landing_for(request, page, page.get_parent())
    if response is not None:
        # Wagtail adds its message after this hook: say it here, in Wagtail's own words.
        messages.success(
            request,
            _("Page '%(page_title)s' unpublished.") % {"page_title": page.get_admin_display_title()},
        )
    return response
