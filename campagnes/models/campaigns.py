"""Campaign pages under "Nous aider": dons, adhésions, billetterie, collectes.

Volunteers type amounts in euros (Decimal); payments are recorded in integer cents.
Stock and quota counters (``sold``, ``taken``) only change inside the payment services,
under ``select_for_update``, so concurrent buyers can never oversell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from types import ModuleType
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, Panel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from associations.models.pages import INTRO_FEATURES, AssociationPageMixin
from campagnes.money import MAX_AMOUNT_EUROS
from kernel.blocks import BaseStreamBlock

# Every amount an editor sets stays within what Stripe accepts for one payment (campagnes/money.py).
EURO = {
    "max_digits": 9,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT_EUROS)],
}


class CampaignState(models.TextChoices):
    UPCOMING = "a-venir", _("À venir")
    OPEN = "ouverte", _("Ouverte")
    FULL = "complete", _("Complète")
    CLOSED = "terminee", _("Terminée")


class CampaignPage(AssociationPageMixin, Page):
    """What every campaign has: text, image, optional goal, dates, state, progress."""

    # campagnes.page_views (forms, progress, payment start), set by CampagnesConfig.ready(): those
    # modules import these models, so the models reach them through this seam, not an import.
    public_views: ClassVar[ModuleType]

    introduction = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    goal = models.DecimalField(_("objectif (€)"), null=True, blank=True, **EURO)
    opens_at = models.DateTimeField(_("ouverture"), default=timezone.now)
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True)

    common_panels = [
        FieldPanel("image"),
        FieldPanel("introduction"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]), FieldPanel("goal")],
            heading=_("Dates et objectif"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["associations.SupportPage"]
    subpage_types: list[str] = []
    kind_label = ""
    serving_select_related = ("image",)  # joined when served (kernel/serving.py)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("La clôture doit suivre l'ouverture.")})

    # Dons and collectes show what they collected; a membership or a ticket page would only show
    # "0,00 € collectés · 0 contributeurs", which tells a member or a buyer nothing.
    shows_progress = False

    def is_full(self) -> bool:
        return False

    def days_left(self, now=None) -> int | None:
        """Whole days until the deadline, counted in the local calendar (0 on its last day)."""
        if not self.closes_at:
            return None
        today = timezone.localdate(now or timezone.now())
        return max((timezone.localtime(self.closes_at).date() - today).days, 0)

    def state(self, now=None) -> CampaignState:
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return CampaignState.UPCOMING
        if self.closes_at and now >= self.closes_at:
            return CampaignState.CLOSED
        if self.is_full():
            return CampaignState.FULL
        return CampaignState.OPEN

    @property
    def is_open(self) -> bool:
        return self.state() == CampaignState.OPEN

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["progress"] = self.public_views.progress(self)
        context["state"] = self.state()
        context["supporters"] = self.public_views.supporters(self) if self.shows_progress else []
        if "form" not in context:
            context["form"] = self.public_views.blank_form(self)
        return context

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            self.check_public(request)
            return self.public_views.post(request, self)
        return super().serve(request, *args, **kwargs)


class DonationCampaignPage(CampaignPage):
    suggested_amounts = models.CharField(
        _("montants proposés (€)"),
        max_length=100,
        default="10, 20, 50, 100",
        help_text=_("Séparés par des virgules, par exemple : 10, 20, 50"),
    )
    min_amount = models.DecimalField(_("don minimum (€)"), default=Decimal("1"), **EURO)
    max_amount = models.DecimalField(_("don maximum (€)"), default=Decimal("10000"), **EURO)
    allow_monthly = models.BooleanField(_("proposer le don mensuel"), default=True)

    content_panels = [
        *Page.content_panels,
        *CampaignPage.common_panels,
        MultiFieldPanel(
            [
                FieldPanel("suggested_amounts"),
                FieldRowPanel([FieldPanel("min_amount"), FieldPanel("max_amount")]),
                FieldPanel("allow_monthly"),
            ],
            heading=_("Montants"),
        ),
        InlinePanel(
            "amount_notes",
            label=_("Ce que finance un montant proposé"),
            help_text=_("Facultatif : une ligne sous un montant proposé, par exemple « 20 € : une bobine de fil »."),
        ),
    ]
    template = "campagnes/campaign_page.html"
    kind_label = _("Don")
    shows_progress = True

    class Meta:
        verbose_name = _("campagne de dons")
        verbose_name_plural = _("campagnes de dons")

    def clean(self):
        super().clean()
        try:
            amounts = self.suggested_amount_list()
        except ValueError as exc:
            raise ValidationError({"suggested_amounts": _("Indiquez des montants séparés par des virgules.")}) from exc
        if self.min_amount and self.max_amount and self.min_amount > self.max_amount:
            raise ValidationError({"max_amount": _("Le maximum doit dépasser le minimum.")})
        if any(not (self.min_amount <= amount <= self.max_amount) for amount in amounts):
            raise ValidationError(
                {"suggested_amounts": _("Les montants proposés doivent respecter le minimum et le maximum.")}
            )

    def suggested_amount_list(self) -> list[Decimal]:
        try:
            return [Decimal(part.strip()) for part in self.suggested_amounts.split(",") if part.strip()]
        except InvalidOperation as exc:
            raise ValueError(self.suggested_amounts) from exc

    def suggested_amounts_for_display(self) -> list[Decimal]:
        try:
            return self.suggested_amount_list()
        except ValueError:
            return []

    def amount_descriptions(self) -> dict[Decimal, str]:
        """What each suggested amount funds, as the editor wrote it (amounts without a line are absent).

        A line whose amount is no longer proposed is simply not shown: refusing it in ``clean()``
        would fail on save (Wagtail's ``Page.save`` runs ``full_clean`` with the new child rows), not
        in the form."""
        return {note.amount: note.description for note in self.amount_notes.all()}


class SuggestedAmountNote(Orderable):
    """One line under a suggested amount: what it pays for ("20 € : une bobine de fil")."""

    page = ParentalKey(DonationCampaignPage, related_name="amount_notes", on_delete=models.CASCADE)
    amount = models.DecimalField(_("montant proposé (€)"), **EURO)
    description = models.CharField(_("ce qu'il finance"), max_length=120)

    panels = [FieldRowPanel([FieldPanel("amount"), FieldPanel("description")])]

    def __str__(self) -> str:
        return f"{self.amount} € : {self.description}"


MONTH_CHOICES = [
    (1, _("janvier")),
    (2, _("février")),
    (3, _("mars")),
    (4, _("avril")),
    (5, _("mai")),
    (6, _("juin")),
    (7, _("juillet")),
    (8, _("août")),
    (9, _("septembre")),
    (10, _("octobre")),
    (11, _("novembre")),
    (12, _("décembre")),
]


class MembershipValidity(models.TextChoices):
    CALENDAR_YEAR = "annee-civile", _("Année civile")
    ROLLING_YEAR = "douze-mois", _("12 mois à partir du paiement")
    SEASON = "saison", _("Saison (dates fixes)")


class MembershipCampaignPage(CampaignPage):
    validity = models.CharField(
        _("validité"), max_length=20, choices=MembershipValidity.choices, default=MembershipValidity.CALENDAR_YEAR
    )
    season_start = models.DateField(_("début de saison"), null=True, blank=True)
    season_end = models.DateField(
        _("fin de saison"),
        null=True,
        blank=True,
        help_text=_("La saison revient chaque année aux mêmes dates : indiquez la première."),
    )
    # From this day of the year, a new member's calendar-year or season membership counts for the
    # next year or season, valid at once (campagnes.memberships): "adhésion 2027 valable dès maintenant".
    switch_day = models.PositiveSmallIntegerField(
        _("jour de bascule"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_(
            "Par exemple 1 (avec le mois de septembre) : à partir du 1er septembre, une adhésion compte "
            "pour l'année (ou la saison) suivante, valable dès le paiement. Vide : pas de bascule."
        ),
    )
    switch_month = models.PositiveSmallIntegerField(_("mois de bascule"), null=True, blank=True, choices=MONTH_CHOICES)

    content_panels = [
        *Page.content_panels,
        *CampaignPage.common_panels,
        MultiFieldPanel(
            [
                FieldPanel("validity"),
                FieldRowPanel([FieldPanel("season_start"), FieldPanel("season_end")]),
                FieldRowPanel([FieldPanel("switch_day"), FieldPanel("switch_month")]),
            ],
            heading=_("Validité de l'adhésion"),
        ),
        InlinePanel("tiers", label=_("Formules d'adhésion"), min_num=1),
    ]
    template = "campagnes/campaign_page.html"
    kind_label = _("Adhésion")

    class Meta:
        verbose_name = _("campagne d'adhésion")
        verbose_name_plural = _("campagnes d'adhésion")

    def serve(self, request, *args, **kwargs):
        if request.method == "GET" and "renouveler" in request.GET:
            self.check_public(request)
            return self.public_views.renewal(request, self)
        return super().serve(request, *args, **kwargs)

    def clean(self):
        super().clean()
        if self.validity == MembershipValidity.SEASON:
            if not (self.season_start and self.season_end) or self.season_end <= self.season_start:
                raise ValidationError({"season_end": _("Indiquez le début et la fin de la saison.")})
            if (self.season_end - self.season_start).days > 366:
                raise ValidationError({"season_end": _("Une saison dure un an au plus.")})
        if bool(self.switch_day) != bool(self.switch_month):
            raise ValidationError({"switch_month": _("Indiquez le jour et le mois de bascule, ou aucun des deux.")})
        if self.switch_day and self.switch_month:
            try:
                date(2025, self.switch_month, self.switch_day)
            except ValueError as exc:
                raise ValidationError({"switch_day": _("Ce jour n'existe pas dans ce mois.")}) from exc


class MembershipTier(Orderable):
    page = ParentalKey(MembershipCampaignPage, related_name="tiers", on_delete=models.CASCADE)
    name = models.CharField(_("formule"), max_length=100)
    description = models.CharField(_("description"), max_length=250, blank=True)
    price = models.DecimalField(_("cotisation (€)"), **EURO)
    free_price = models.BooleanField(_("prix libre"), default=False, help_text=_("Le montant est alors un minimum."))

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("price"), FieldPanel("free_price")]),
    ]

    def __str__(self) -> str:
        return self.name


class TicketingCampaignPage(CampaignPage):
    event_starts_at = models.DateTimeField(_("date de l'événement"))
    place = models.CharField(_("lieu"), max_length=250)

    content_panels = [
        *Page.content_panels,
        *CampaignPage.common_panels,
        MultiFieldPanel([FieldPanel("event_starts_at"), FieldPanel("place")], heading=_("Événement")),
        InlinePanel("ticket_types", label=_("Types de billets"), min_num=1),
    ]
    template = "campagnes/campaign_page.html"
    kind_label = _("Billetterie")

    class Meta:
        verbose_name = _("billetterie")
        verbose_name_plural = _("billetteries")

    def is_full(self) -> bool:
        types = list(self.ticket_types.all())
        return bool(types) and all(t.remaining == 0 for t in types)


class TicketType(Orderable):
    page = ParentalKey(TicketingCampaignPage, related_name="ticket_types", on_delete=models.CASCADE)
    name = models.CharField(_("billet"), max_length=100)
    price = models.DecimalField(_("prix (€)"), **EURO)
    quota = models.PositiveIntegerField(_("nombre de places"))
    sold = models.PositiveIntegerField(_("vendus ou réservés"), default=0, editable=False)

    panels = [FieldPanel("name"), FieldRowPanel([FieldPanel("price"), FieldPanel("quota")])]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> int:
        return max(self.quota - self.sold, 0)


class CrowdfundingCampaignPage(CampaignPage):
    content_panels = [
        *Page.content_panels,
        *CampaignPage.common_panels,
        InlinePanel("counterparts", label=_("Contreparties")),
    ]
    template = "campagnes/campaign_page.html"
    kind_label = _("Collecte")
    shows_progress = True

    class Meta:
        verbose_name = _("collecte")
        verbose_name_plural = _("collectes")

    def clean(self):
        super().clean()
        if not self.goal:
            raise ValidationError({"goal": _("Une collecte a un objectif.")})
        if not self.closes_at:
            raise ValidationError({"closes_at": _("Une collecte a une date limite.")})


class CounterpartTolerancePanel(Panel):
    """Under each counterpart of the campaign form: does it keep the donor's tax receipt?

    The sentence comes from ``Counterpart.tolerance_verdict`` (campagnes.receipts.counterparts,
    set in ready()): the same rule the receipt's issue applies.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "campagnes/admin/counterpart_tolerance_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            counterpart = self.instance
            keeps, sentence = True, ""
            page = getattr(counterpart, "page", None) if counterpart is not None else None
            association = page.association if page is not None and page.path else None
            if association is not None and not association.issues_tax_receipts:
                sentence = _("L'association ne délivre pas de reçus fiscaux : pas de tolérance à vérifier.")
            elif counterpart is not None and counterpart.pk and counterpart.min_amount is not None:
                keeps, sentence = Counterpart.tolerance_verdict(counterpart)
            else:
                sentence = _(
                    "Une contrepartie garde le reçu fiscal du donateur si sa valeur ne dépasse pas le quart du don, "
                    "dans la limite annuelle fixée par l'administration (vérifiée à l'enregistrement)."
                )
            context.update(keeps=keeps, sentence=sentence)
            return context


class Counterpart(Orderable):
    # campagnes.receipts.counterparts.counterpart_verdict, set by CampagnesConfig.ready(): the
    # receipts' rules import these models, so the models reach them through this seam.
    tolerance_verdict: ClassVar[Callable]

    page = ParentalKey(CrowdfundingCampaignPage, related_name="counterparts", on_delete=models.CASCADE)
    name = models.CharField(_("contrepartie"), max_length=100)
    description = models.CharField(_("description"), max_length=250, blank=True)
    min_amount = models.DecimalField(_("à partir de (€)"), **EURO)
    value = models.DecimalField(
        _("valeur (€)"),
        default=Decimal("0"),
        **EURO,
        help_text=_(
            "Valeur réelle pour l'association. Le don garde son reçu fiscal, pour son montant entier, si cette "
            "valeur ne dépasse pas le quart du don et la limite annuelle de l'administration ; sinon le donateur "
            "reçoit une confirmation de paiement."
        ),
    )
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Vide : illimité."))
    taken = models.PositiveIntegerField(_("attribuées ou réservées"), default=0, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("min_amount"), FieldPanel("value"), FieldPanel("stock")]),
        CounterpartTolerancePanel(heading=_("Reçu fiscal")),
    ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.value is not None and self.min_amount is not None and self.value > self.min_amount:
            raise ValidationError(
                {
                    "value": _(
                        "La valeur de la contrepartie (%(value)s €) ne peut pas dépasser son prix, le don "
                        "minimum de %(min)s € : ce serait une vente à perte, pas un don."
                    )
                    % {"value": _euros(self.value), "min": _euros(self.min_amount)}
                }
            )

    @property
    def remaining(self) -> int | None:
        return None if self.stock is None else max(self.stock - self.taken, 0)


def _euros(value: Decimal) -> str:
    """12.5 → "12,50" (the form's own French way of writing amounts)."""
    return f"{value:.2f}".replace(".", ",")
