"""Platform pages: the Kollektif home, the /association/ index and simple content pages; the e-mail outbox."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from site_kollektif.blocks import BaseStreamBlock
from site_kollektif.pagination import paginate

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
        from associations.selectors import featured_associations

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
        from associations.forms import AssociationSearchForm
        from associations.selectors import association_search

        context = super().get_context(request, *args, **kwargs)
        form = AssociationSearchForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        results = association_search(**filters)
        paginator, page_obj = paginate(request, results, ASSOCIATIONS_PER_PAGE)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(form=form, associations=page_obj, paginator=paginator, querystring=query.urlencode())
        return context


class EmailStatus(models.TextChoices):
    QUEUED = "en-file", _("En file d'attente")
    SENT = "envoye", _("Envoyé")
    RETRYING = "a-reessayer", _("Échec, nouvel essai prévu")
    ABANDONED = "abandonne", _("Échec définitif")


class OutgoingEmail(models.Model):
    """An e-mail the platform sends, kept until it has left (``site_kollektif.mail``).

    A mail server failure must never be silent: it is recorded here, retried, and shown to
    staff (the "E-mails" admin) and on the object the e-mail is about (an invitation, a
    payment). The body is dropped once sent: only what is needed to follow up stays (GDPR
    art. 5(1)(c), data minimisation).
    """

    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)
    template = models.CharField(_("type"), max_length=100)
    subject = models.CharField(_("objet"), max_length=255)
    to = models.JSONField(_("destinataires"), default=list)
    reply_to = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(_("état"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    # what the e-mail is about (an invitation, a payment…), to show its state there
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("e-mail envoyé")
        verbose_name_plural = _("e-mails envoyés")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="outgoing_email_about"),
            models.Index(fields=["status", "created_at"], name="outgoing_email_status"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def failed(self) -> bool:
        return self.status in (EmailStatus.RETRYING, EmailStatus.ABANDONED)
