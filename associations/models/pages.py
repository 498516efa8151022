"""The four pages of an association's site: Accueil, Actualités, Nous aider, Nos projets.

The page-type rules keep each site to exactly these sections: Accueil only lives under the
platform's /association/ index, each section exists once under its Accueil, and only news
posts can be added (under Actualités). Which association a page belongs to is read from the
tree (the Accueil among its ancestors), never stored twice.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site
from wagtail.search import index

from associations.feeds import NewsAtomFeed, NewsRssFeed
from associations.models.association import Association
from associations.page_rules import AssociationPagePermissionTester, SiteHomeMixin, StructurePageMixin
from kernel.blocks import BaseStreamBlock, ProjectsStreamBlock
from kernel.pagination import paginate

NEWS_PER_PAGE = 10
LATEST_NEWS_ON_HOME = 3
INTRO_FEATURES = ["bold", "italic", "link"]


def subtree_filter(page: Page, *, levels: int) -> Q:
    """Pages exactly ``levels`` below ``page``, as an indexable range on the tree path.

    ``descendant_of`` and ``child_of`` compile to ``path LIKE 'prefix%'``, which SQLite cannot
    serve from the index: with 10,000 associations every Accueil would scan 90,000 pages.
    """
    width = page.steplen * levels
    return Q(
        depth=page.depth + levels,
        path__range=(page.path + page.alphabet[0] * width, page.path + page.alphabet[-1] * width),
    )


class AssociationPageMixin:
    """Shared behaviour of the pages of an association's site."""

    @cached_property
    def association(self):
        steplen = self.steplen
        prefixes = [self.path[:end] for end in range(steplen, len(self.path) + 1, steplen)]
        return (
            Association.objects.select_related("logo", "home_page", "commune")
            .filter(home_page__path__in=prefixes)
            .first()
        )

    def check_public(self, request) -> None:
        """A site "en attente" or suspended is not public; its volunteers still preview it."""
        association = self.association
        if not getattr(request, "is_preview", False) and (association is None or not association.is_public):
            raise Http404

    def serve(self, request, *args, **kwargs):
        self.check_public(request)
        return super().serve(request, *args, **kwargs)

    def permissions_for_user(self, user):
        """Wagtail's tester narrowed by the four-page rule: every path that asks it obeys it
        (page views, bulk actions, admin API)."""
        return AssociationPagePermissionTester(user, self)

    def get_sitemap_urls(self, request=None):
        association = self.association
        if association is None or not association.is_public:
            return []
        if request is not None and self.canonical_site_id(request) != getattr(
            Site.find_for_request(request), "pk", None
        ):
            return []  # listed once, by the sitemap of the association's own domain
        return super().get_sitemap_urls(request)

    def canonical_site_id(self, request=None):
        """The Site whose URLs are canonical for this page: the association's own domain when it
        has one (Wagtail orders the most specific root first), else the platform."""
        parts = self._get_relevant_site_root_paths(request)
        return parts[0].site_id if parts else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        association = self.association
        context["association"] = association
        # on every host, search engines are told the page's address on the association's domain
        context["canonical_url"] = self.get_full_url()  # no request: the most specific site wins
        if association is not None and association.home_page_id:
            home = association.home_page
            context["association_home"] = home
            # the Accueil's live sections in one query: the menu, and the Accueil's links to them
            sections = list(home.get_children().live().specific(defer=True))
            context["sections"] = sections
            context["menu_pages"] = [home, *(section for section in sections if section.show_in_menus)]
            context["theme"] = association.theme_colours
        return context


class AssociationHomePage(SiteHomeMixin, AssociationPageMixin, Page):
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image de couverture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    introduction = models.TextField(_("introduction"), blank=True, max_length=600)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("cover_image"),
        FieldPanel("introduction"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]

    parent_page_types = ["site_kollektif.AssociationIndexPage"]
    subpage_types = ["associations.NewsIndexPage", "associations.SupportPage", "associations.ProjectsPage"]
    template = "associations/association_home_page.html"
    serving_select_related = ("cover_image",)  # joined when served (kernel/serving.py)

    class Meta:
        verbose_name = _("accueil d'association")
        verbose_name_plural = _("accueils d'association")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = (
            NewsPostPage.objects.live()
            .filter(subtree_filter(self, levels=2))
            .select_related("image")
            .prefetch_related("image__renditions")
            .order_by("-date", "-pk")[:LATEST_NEWS_ON_HOME]
        )
        sections = context.get("sections", [])
        # its open campaigns: {% open_campaigns %} (campagnes)
        context["support_page"] = next((page for page in sections if isinstance(page, SupportPage)), None)
        context["news_index"] = next((page for page in sections if isinstance(page, NewsIndexPage)), None)
        return context


class SectionPage(StructurePageMixin, AssociationPageMixin, Page):
    """Base of the three sections: exactly one of each under an Accueil."""

    parent_page_types = ["associations.AssociationHomePage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True


class NewsIndexPage(RoutablePageMixin, SectionPage):
    introduction = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    subpage_types = ["associations.NewsPostPage"]
    template = "associations/news_index_page.html"

    class Meta:
        verbose_name = _("actualités")
        verbose_name_plural = _("pages actualités")

    def posts(self):
        return (
            NewsPostPage.objects.live()
            .filter(subtree_filter(self, levels=1))
            .select_related("image")
            .prefetch_related("tags")
            .order_by("-date", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        posts = self.posts()
        tag = request.GET.get("etiquette", "").strip()
        if tag:
            posts = posts.filter(tags__slug=tag)
        paginator, page_obj = paginate(request, posts.prefetch_related("image__renditions"), NEWS_PER_PAGE)
        context.update(posts=page_obj, paginator=paginator, current_tag=tag)
        return context

    def serve(self, request, *args, **kwargs):
        # RoutablePageMixin.serve comes first in the MRO and would skip the mixin's check.
        self.check_public(request)
        return super().serve(request, *args, **kwargs)

    @path("")
    def index_route(self, request):
        return self.render(request)

    @path("flux/")
    def atom_feed(self, request):
        return NewsAtomFeed(self)(request)

    @path("rss/")
    def rss_feed(self, request):
        return NewsRssFeed(self)(request)


class NewsPostTag(TaggedItemBase):
    content_object = ParentalKey("associations.NewsPostPage", related_name="tagged_items", on_delete=models.CASCADE)


class NewsPostPage(AssociationPageMixin, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    introduction = models.TextField(_("chapeau"), blank=True, max_length=400)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)
    tags = ClusterTaggableManager(through=NewsPostTag, blank=True, verbose_name=_("étiquettes"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("tags")], heading=_("Informations")),
        FieldPanel("image"),
        FieldPanel("introduction"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]
    parent_page_types = ["associations.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "associations/news_post_page.html"
    serving_select_related = ("image",)  # joined when served (kernel/serving.py)

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")


class SupportPage(SectionPage):
    """ "Nous aider": why and how to support the association; campaigns live under it."""

    introduction = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    subpage_types = [
        "campagnes.DonationCampaignPage",
        "campagnes.MembershipCampaignPage",
        "campagnes.TicketingCampaignPage",
        "campagnes.CrowdfundingCampaignPage",
    ]
    template = "associations/support_page.html"

    class Meta:
        verbose_name = _("nous aider")
        verbose_name_plural = _("pages nous aider")


class ProjectsPage(SectionPage):
    introduction = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    body = StreamField(ProjectsStreamBlock(), verbose_name=_("projets"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    subpage_types: list[str] = []
    template = "associations/projects_page.html"

    class Meta:
        verbose_name = _("nos projets")
        verbose_name_plural = _("pages nos projets")
