"""The directory of ESS actors, the links between them, the meetings and the contributions.

An actor is either an association of the platform (kept in sync with its record, never
retyped) or an outside structure: an ambassador labelled by the department, a SCOP, a
local authority... Links and meetings only ever point at actors, so the map and the network
treat both alike.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models.association import LATITUDE_RANGE, LONGITUDE_RANGE, AssociationStatus
from kernel.text_search import fold_join


class ActorKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    SCIC = "scic", _("SCIC")
    SCOP = "scop", _("SCOP")
    ENTREPRISE = "entreprise-engagee", _("Entreprise engagée")
    COLLECTIVITE = "collectivite", _("Collectivité")
    RESEAU = "reseau", _("Réseau")
    AUTRE = "autre", _("Autre structure de l'ESS")


class Label(models.Model):
    """A label given by the department or the network: "Ambassadeur ESS", "Budget citoyen 2025"…"""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """Something an actor can help with ("peut aider sur") or looks for ("cherche")."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("savoir-faire")
        verbose_name_plural = _("savoir-faire")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def public_actor_q(prefix: str = "") -> models.Q:
    """The one rule for naming an actor in public: shown in the directory *and*, for an
    association of the platform, active. A pending, refused or suspended association keeps its
    actor row (links, meetings) but is never named on a public page or in a public payload, even
    if someone ticked "visible dans l'annuaire" by hand. ``prefix`` reaches the actor through a
    relation (``"source__"`` for a link's source)."""
    return models.Q(**{f"{prefix}is_public": True}) & (
        models.Q(**{f"{prefix}association": None})
        | models.Q(**{f"{prefix}association__status": AssociationStatus.ACTIVE})
    )


class ActorQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_actor_q())


class ContactKind(models.TextChoices):
    """How the network last took news of an actor (the watch network's one-click actions)."""

    CALLED = "appel", _("Appelé·e")
    MET = "rencontre", _("Rencontré·e")
    ALL_FINE = "tout-va-bien", _("Tout va bien")
    NEWS = "nouvelles", _("Nouvelles prises")


class Actor(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("adresse de la fiche"), max_length=120, unique=True)
    kind = models.CharField(
        _("type de structure"), max_length=20, choices=ActorKind.choices, default=ActorKind.ASSOCIATION
    )
    sectors = models.ManyToManyField(
        "associations.Sector", verbose_name=_("secteurs"), blank=True, related_name="actors"
    )
    commune = models.ForeignKey(
        "associations.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="actors"
    )
    street_address = models.CharField(_("adresse"), max_length=250, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LATITUDE_RANGE[0]), MaxValueValidator(LATITUDE_RANGE[1])],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LONGITUDE_RANGE[0]), MaxValueValidator(LONGITUDE_RANGE[1])],
    )
    description = models.TextField(_("présentation"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    public_email = models.EmailField(
        _("e-mail de contact public"),
        blank=True,
        help_text=_("Une adresse de la structure (contact@…), jamais une adresse personnelle."),
    )
    public_phone = models.CharField(_("téléphone public"), max_length=20, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    labels = models.ManyToManyField(Label, verbose_name=_("labels"), blank=True, related_name="actors")
    can_help = models.ManyToManyField(Topic, verbose_name=_("peut aider sur"), blank=True, related_name="helpers")
    looking_for = models.ManyToManyField(Topic, verbose_name=_("cherche"), blank=True, related_name="seekers")
    association = models.OneToOneField(
        "associations.Association",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="actor",
    )
    is_public = models.BooleanField(_("visible dans l'annuaire"), default=True, db_index=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("comptes qui gèrent la fiche"), blank=True, related_name="actors"
    )
    import_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    last_contact_at = models.DateTimeField(
        _("dernières nouvelles"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Dernière rencontre, dernier lien, dernière mise à jour ou nouvelles prises."),
    )
    last_contact_kind = models.CharField(
        _("dernières nouvelles, comment"), max_length=20, choices=ContactKind.choices, blank=True, editable=False
    )
    feuille_opt_out = models.BooleanField(
        _("ne reçoit plus les feuilles de chou"),
        default=False,
        help_text=_("Coché quand la structure s'est désinscrite depuis le lien de l'e-mail."),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # What the actor is found by, folded (kernel/text_search.py): name, commune, kind, sectors,
    # "peut aider sur", presentation. Kept by save() and, for the many-to-many parts, by
    # ``actor_search_text_refresh`` (connected to m2m_changed in AnnuaireConfig.ready()).
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = ActorQuerySet.as_manager()

    class Meta:
        verbose_name = _("acteur")
        verbose_name_plural = _("acteurs")
        ordering = ["name"]
        permissions = [("animate_network", _("Anime le réseau (rencontres, veille, modération)"))]
        indexes = [models.Index(fields=["is_public", "name", "id"], name="actor_public_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("annuaire:actor", args=[self.slug])

    @property
    def kollektif_url(self) -> str:
        return self.association.url if self.association_id else ""

    @property
    def is_listed(self) -> bool:
        """Python twin of ``public_actor_q`` for an actor already loaded (same rule)."""
        if not self.is_public:
            return False
        return self.association_id is None or self.association.status == AssociationStatus.ACTIVE

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def build_search_text(self, *, sectors: list[str] | None = None, topics: list[str] | None = None) -> str:
        if sectors is None:
            sectors = list(self.sectors.values_list("name", flat=True)) if self.pk else []
        if topics is None:
            topics = list(self.can_help.values_list("name", flat=True)) if self.pk else []
        commune = self.commune if self.commune_id else None
        return fold_join(
            self.name,
            commune.name if commune else "",
            " ".join(commune.postal_codes or []) if commune else "",
            str(self.get_kind_display()),
            " ".join(sectors),
            " ".join(topics),
            self.description,
        )

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


def actor_search_text_refresh(actor_ids: list[int] | None = None) -> int:
    """Recompute the folded search column of these actors (all if None) in a fixed number of
    queries: after a bulk write that bypassed ``save()`` and by the data migration's twin."""
    actors = Actor.objects.select_related("commune")
    if actor_ids is not None:
        actors = actors.filter(pk__in=actor_ids)
    actors = list(actors)
    ids = [actor.pk for actor in actors]
    sectors: dict[int, list[str]] = {}
    topics: dict[int, list[str]] = {}
    for actor_id, name in Actor.sectors.through.objects.filter(actor_id__in=ids).values_list(
        "actor_id", "sector__name"
    ):
        sectors.setdefault(actor_id, []).append(name)
    for actor_id, name in Actor.can_help.through.objects.filter(actor_id__in=ids).values_list(
        "actor_id", "topic__name"
    ):
        topics.setdefault(actor_id, []).append(name)
    changed = []
    for actor in actors:
        text = actor.build_search_text(
            sectors=sorted(sectors.get(actor.pk, [])), topics=sorted(topics.get(actor.pk, []))
        )
        if text != actor.search_text:
            actor.search_text = text
            changed.append(actor)
    Actor.objects.bulk_update(changed, ["search_text"], batch_size=500)
    return len(changed)


class LinkKind(models.TextChoices):
    MUTUALISATION = "mutualisation", _("Mutualisation")
    PARTENARIAT = "partenariat", _("Partenariat de projet")
    COLLECTIF = "collectif", _("Collectif d'acteurs")
    REGROUPEMENT = "regroupement", _("Regroupement")
    MARRAINAGE = "marrainage", _("Marrainage")
    RENCONTRE = "rencontre", _("Rencontre")


DIRECTED_LINK_KINDS = {LinkKind.MARRAINAGE}


class Link(models.Model):
    """A typed link between two actors. Undirected kinds store the smaller id first, so that
    the unique constraint really means "one link per pair and type"; marrainage goes from the
    mentor (source) to the mentee (target)."""

    # Set by ``selectors.actor_links`` for the actor's page, never stored.
    other: Actor
    outgoing: bool
    public_meeting: Meeting | None

    source = models.ForeignKey(Actor, verbose_name=_("de"), on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Actor, verbose_name=_("vers"), on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("type de lien"), max_length=20, choices=LinkKind.choices)
    started_on = models.DateField(_("depuis le"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    meeting = models.ForeignKey(
        "annuaire.Meeting",
        verbose_name=_("rencontre d'origine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="links",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajouté par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("lien")
        verbose_name_plural = _("liens")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="link_one_per_pair_and_kind"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source} — {self.target} ({self.get_kind_display()})"


class MeetingKind(models.TextChoices):
    PAROLES = "paroles-de-comptoir", _("Paroles de comptoir")
    ATELIER = "atelier-de-reponse", _("Atelier de réponse")
    ECHANGE = "temps-d-echange", _("Temps d'échange")
    AUTRE = "autre", _("Autre rencontre")


class MeetingStatus(models.TextChoices):
    DRAFT = "brouillon", _("Brouillon")
    ANNOUNCED = "annoncee", _("Annoncée dans l'agenda")
    PUBLISHED = "publiee", _("Feuille de chou publiée")


# In the agenda: announced ahead, or held with its feuille de chou published. Only the latter
# shows the feuille itself (summary, leads, contacts).
MEETING_PUBLIC_STATUSES = (MeetingStatus.ANNOUNCED, MeetingStatus.PUBLISHED)


class MeetingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=MeetingStatus.PUBLISHED)

    def public(self):
        return self.filter(status__in=MEETING_PUBLIC_STATUSES)


class MeetingSeries(models.Model):
    """A plan of meetings ("tous les 15 jours, une commune différente à chaque fois").

    The series only records how the meetings were planned: each meeting is a full meeting of
    its own, moved or cancelled one by one without touching the others."""

    title = models.CharField(_("titre"), max_length=200)
    period_days = models.PositiveSmallIntegerField(_("tous les (jours)"), default=14)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("série de rencontres")
        verbose_name_plural = _("séries de rencontres")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A meeting of the network and its "feuille de chou" (summary, leads, contacts)."""

    kind = models.CharField(
        _("type de rencontre"), max_length=30, choices=MeetingKind.choices, default=MeetingKind.PAROLES
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=120, unique=True)
    theme = models.CharField(_("thème"), max_length=250, blank=True)
    starts_at = models.DateTimeField(_("date et heure"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=250, blank=True)
    commune = models.ForeignKey(
        "associations.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="meetings"
    )
    host = models.ForeignKey(
        Actor,
        verbose_name=_("structure d'accueil"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_meetings",
    )
    expert_actor = models.ForeignKey(
        Actor,
        verbose_name=_("expert·e invité·e : un acteur du réseau"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_meetings",
    )
    expert = models.CharField(
        _("expert·e invité·e : une personne"),
        max_length=200,
        blank=True,
        help_text=_("Nom de la personne, si l'expert·e n'est pas un acteur de l'annuaire."),
    )
    expert_presentation = models.CharField(
        _("présentation de l'expert·e"),
        max_length=300,
        blank=True,
        help_text=_("Une ou deux phrases : ce qu'elle ou il fait, ce qu'elle ou il apportera."),
    )
    capacity = models.PositiveIntegerField(
        _("nombre de places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Laissez vide pour ne pas limiter les inscriptions."),
    )
    registration_open = models.BooleanField(
        _("inscriptions ouvertes"),
        default=True,
        help_text=_("Le public peut s'inscrire depuis la page de la rencontre."),
    )
    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("série"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        editable=False,
    )
    participants = models.ManyToManyField(Actor, verbose_name=_("participants"), blank=True, related_name="meetings")
    summary = models.TextField(_("résumé"), blank=True, help_text=_("Ce qui s'est dit, en quelques paragraphes."))
    leads = models.TextField(_("pistes"), blank=True, help_text=_("Une piste par ligne."))
    contacts = models.TextField(
        _("contacts"),
        blank=True,
        help_text=_("Une ligne par contact. Contacts publics des structures uniquement."),
    )
    status = models.CharField(_("statut"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rencontre")
        verbose_name_plural = _("rencontres")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("annuaire:meeting", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == MeetingStatus.PUBLISHED

    @property
    def is_public(self) -> bool:
        """In the agenda (twin of ``MeetingQuerySet.public``): a link may name it in public."""
        return self.status in MEETING_PUBLIC_STATUSES

    @property
    def public_host(self) -> Actor | None:
        """The host, if it may be named in public (agenda cards, detail, print view)."""
        return self.host if self.host_id and self.host.is_listed else None

    @property
    def places(self):
        """Capacity and places taken (``annuaire.meetings.Places``), from the listing's annotation."""
        from annuaire.meetings import meeting_places

        return meeting_places(self)

    @property
    def expert_name(self) -> str:
        """Who the invited expert is, in one line (an actor of the network or a person)."""
        if self.expert_actor_id:
            return self.expert_actor.name
        return self.expert

    @property
    def lead_lines(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.leads.splitlines() if line.strip(" -•\t")]

    @property
    def contact_lines(self) -> list[str]:
        return [line.strip() for line in self.contacts.splitlines() if line.strip()]


class MeetingRegistration(models.Model):
    """Someone of the public signed up to a meeting. Cancelled registrations are kept (with the
    date) so the cancel link can say it was already used, and free their place."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("rencontre"), on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("e-mail"))
    structure = models.CharField(_("structure"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("accord donné le"))
    created_at = models.DateTimeField(_("inscrit·e le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("désinscrit·e le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=models.Q(cancelled_at__isnull=True),
                name="registration_one_active_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.meeting}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class ProposalKind(models.TextChoices):
    ACTOR = "acteur", _("Nouvel acteur")
    LINK = "lien", _("Nouveau lien")
    CLAIM = "revendication", _("Gestion d'une fiche")


class ProposalStatus(models.TextChoices):
    PENDING = "en-attente", _("En attente")
    APPROVED = "acceptee", _("Acceptée")
    REFUSED = "refusee", _("Refusée")


class Proposal(models.Model):
    """A contribution to "la carte à compléter", waiting for an animator's decision.

    The proposed data is kept as submitted (``data``) and only becomes an actor or a link
    when approved, through the same services as the admin."""

    kind = models.CharField(_("type"), max_length=20, choices=ProposalKind.choices)
    status = models.CharField(
        _("statut"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_index=True
    )
    data = models.JSONField(_("proposition"), default=dict)
    submitter_name = models.CharField(_("nom de la personne"), max_length=200)
    submitter_email = models.EmailField(_("e-mail de la personne"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        Actor, verbose_name=_("acteur"), null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    link = models.ForeignKey(Link, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    refusal_message = models.TextField(_("message de refus"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now)

    class Meta:
        verbose_name = _("proposition")
        verbose_name_plural = _("propositions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        name = self.data.get("name") or (self.actor.name if self.actor_id else "")
        return f"{self.get_kind_display()} : {name}" if name else str(self.get_kind_display())

    @property
    def summary(self) -> str:
        return str(self)


class FeuilleReason(models.TextChoices):
    PARTICIPANT = "participant", _("Présent·e à la rencontre")
    ABSENT = "absent", _("Ambassadeur de l'EPCI, absent·e")


class FeuilleRecipient(models.Model):
    """One e-mail of a published feuille de chou: to whom, why, and its unsubscribe link.

    The e-mail itself is an ``OutgoingEmail`` of the kernel's outbox "about" this row (its
    sent / failed state and date are read there): a failed send is shown to the animator."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("rencontre"), on_delete=models.CASCADE, related_name="feuille_recipients"
    )
    actor = models.ForeignKey(
        Actor, verbose_name=_("acteur"), null=True, on_delete=models.SET_NULL, related_name="feuilles_received"
    )
    email = models.EmailField(_("e-mail"))
    reason = models.CharField(_("pourquoi"), max_length=12, choices=FeuilleReason.choices)
    created_at = models.DateTimeField(_("mis en file le"), default=timezone.now)
    unsubscribed_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True)

    class Meta:
        verbose_name = _("destinataire de la feuille de chou")
        verbose_name_plural = _("destinataires de la feuille de chou")
        ordering = ["meeting", "reason", "email"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="feuille_one_email_per_address"),
        ]

    def __str__(self) -> str:
        return self.email
