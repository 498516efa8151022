"""Platform pages: the Kollektif home, the /association/ index and simple content pages.

The e-mail outbox (``OutgoingEmail``) keeps the app label ``site_kollektif`` but lives in the kernel
(``kernel/models.py``), next to the mail code that writes it: see docs/architecture.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from associations.search import AssociationSearchForm
from associations.selectors import association_search, featured_associations
from kernel.blocks import BaseStreamBlock
from kernel.pagination import paginate

ASSOCIATIONS_PER_PAGE = 12


class HomePage(Page):
    """The Kollektif home: what the platform offers, featured associations, a call to join."""

    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        FieldPanel("body"),
        InlinePanel("featured_associations", label=_("Associations à la une")),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["site_kollektif.ContentPage", "site_kollektif.AssociationIndexPage"]
    max_count = 1
    template = "site_kollektif/home_page.html"

    class Meta:
        verbose_name = _("accueil de la plateforme")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured"] = featured_associations(home=self)
        context["association_index"] = AssociationIndexPage.objects.live().first()
        return context


class HomePageFeaturedAssociation(Orderable):
    page = ParentalKey(HomePage, related_name="featured_associations", on_delete=models.CASCADE)
    association = models.ForeignKey(
        "associations.Association", verbose_name=_("association"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("association")]


class ContentPage(Page):
    """Mentions légales, confidentialité, à propos…"""

    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["site_kollektif.HomePage", "site_kollektif.ContentPage"]
    subpage_types = ["site_kollektif.ContentPage"]
    template = "site_kollektif/content_page.html"

    class Meta:
        verbose_name = _("page de contenu")
        verbose_name_plural = _("pages de contenu")

    # The platform's legal pages: what the law requires is printed after the editable text, from
    # the operator's settings (KOLLEKTIF_OPERATOR_*, KOLLEKTIF_HOST_*), so it cannot be lost by an edit.
    LEGAL_TEMPLATES = {
        "mentions-legales": "site_kollektif/legal/mentions_legales.html",
        "confidentialite": "site_kollektif/legal/confidentialite.html",
    }

    def get_context(self, request, *args, **kwargs):
        from django.conf import settings

        context = super().get_context(request, *args, **kwargs)
        legal_template = self.LEGAL_TEMPLATES.get(self.slug) if self.get_parent().specific_class is HomePage else None
        if legal_template:
            context["legal_template"] = legal_template
            context["operator"] = {
                name.removeprefix("KOLLEKTIF_").lower(): getattr(settings, name)
                for name in dir(settings)
                if name.startswith(("KOLLEKTIF_OPERATOR_", "KOLLEKTIF_HOST_"))
            }
            context["receipt_retention_years"] = settings.KOLLEKTIF_RECEIPT_RETENTION_YEARS
            context["email_retention_days"] = settings.KOLLEKTIF_EMAIL_RETENTION_DAYS
        return context


class AssociationIndexPage(Page):
    """/association/: every active association, searchable and filterable."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["site_kollektif.HomePage"]
    subpage_types = ["associations.AssociationHomePage"]
    max_count = 1
    template = "site_kollektif/association_index_page.html"

    class Meta:
        verbose_name = _("index des associations")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        form = AssociationSearchForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        results = association_search(**filters)
        paginator, page_obj = paginate(request, results, ASSOCIATIONS_PER_PAGE)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(form=form, associations=page_obj, paginator=paginator, querystring=query.urlencode())
        return context
