"""The association: the platform's tenant, and the legal identity later printed on receipts."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from associations.embedding import parse_embed_origins
from associations.validators import (
    normalize_rna,
    normalize_siren,
    validate_rna,
    validate_signature_png,
    validate_siren,
)
from kernel.palette import DEFAULT_THEME, THEME_CHOICES, get_theme
from kernel.storage import private_storage
from kernel.text_search import fold_join
from kernel.validators import validate_single_line

# Metropolitan France and Corsica: a location outside is a typing mistake.
LATITUDE_RANGE = (Decimal("41.0"), Decimal("51.5"))
LONGITUDE_RANGE = (Decimal("-5.5"), Decimal("10.0"))


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association loi 1901")
    SCIC = "scic", _("SCIC (société coopérative d'intérêt collectif)")
    SCOP = "scop", _("SCOP (société coopérative et participative)")
    FONDATION = "fondation", _("Fondation")
    FONDS_DOTATION = "fonds-dotation", _("Fonds de dotation")
    MUTUELLE = "mutuelle", _("Mutuelle")
    ENTREPRISE_ESUS = "esus", _("Entreprise solidaire d'utilité sociale (ESUS)")
    AUTRE = "autre", _("Autre structure de l'ESS")


class AssociationStatus(models.TextChoices):
    PENDING = "en-attente", _("En attente")
    ACTIVE = "active", pgettext_lazy("statut d'une association", "Active")
    SUSPENDED = "suspendue", _("Suspendue")
    REFUSED = "refusee", _("Refusée")


class TaxStatus(models.TextChoices):
    NOT_ELIGIBLE = "non-eligible", _("Non éligible : attestations de paiement, jamais de reçu fiscal")
    GENERAL_INTEREST = "interet-general", _("Intérêt général (articles 200 et 238 bis du CGI)")
    PUBLIC_UTILITY = "rup", _("Reconnue d'utilité publique")
    OTHER = "autre", _("Autre organisme listé sur le Cerfa")


class TaxOtherType(models.TextChoices):
    """The other boxes of Cerfa 11580*05 an association of the department may tick."""

    FOOD_CARE_HOUSING = (
        "aide-personnes",
        _("Aide alimentaire, soins médicaux ou logement gratuits pour des personnes en difficulté"),
    )
    # CGI art. 200, 1 ter, as extended by loi n° 2025-127 du 14 février 2025 (loi de finances pour
    # 2025), art. 20: the 75 % rate for gifts to the bodies helping victims of domestic violence
    DOMESTIC_VIOLENCE = (
        "violences-domestiques",
        _("Organisme d'aide aux victimes de violences domestiques (75 %)"),
    )
    FESTIVAL = "festival", _("Organisme ayant pour activité principale l'organisation de festivals")
    INSERTION = "insertion", _("Atelier et chantier d'insertion, entreprise d'insertion, association intermédiaire")
    EDUCATION = "enseignement", _("Établissement d'enseignement supérieur ou artistique d'intérêt général")
    RESEARCH = "recherche", _("Établissement de recherche d'intérêt général")
    WORSHIP = "culte", _("Association cultuelle ou de bienfaisance (Alsace-Moselle)")
    OTHER = "autre", _("Autre (préciser)")


class TaxBasis(models.TextChoices):
    RESCRIT = "rescrit", _("Rescrit fiscal de l'administration")
    SELF_ASSESSMENT = "auto-evaluation", _("Auto-évaluation par l'association")


class AssociationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=AssociationStatus.ACTIVE)


class Association(models.Model):
    name = models.CharField(_("nom"), max_length=200, validators=[validate_single_line])  # in e-mail subjects
    slug = models.SlugField(
        _("adresse du site"),
        max_length=80,
        unique=True,
        help_text=_("Le site sera à l'adresse /association/<adresse>/"),
        error_messages={"unique": _("Cette adresse est déjà prise par une autre association.")},
    )
    legal_form = models.CharField(
        _("forme juridique"), max_length=20, choices=LegalForm.choices, default=LegalForm.ASSOCIATION
    )
    rna = models.CharField(
        _("numéro RNA"),
        max_length=10,
        blank=True,
        validators=[validate_rna],
        help_text=_("W suivi de 9 chiffres, sur le récépissé de la préfecture."),
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    objet = models.TextField(_("objet social"), help_text=_("L'objet tel qu'il figure dans les statuts."))
    street_address = models.CharField(_("adresse"), max_length=250)
    postal_code = models.CharField(_("code postal"), max_length=5)
    commune = models.ForeignKey(
        "associations.Commune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="associations",
    )
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
    email = models.EmailField(_("e-mail de contact"))
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    website = models.URLField(_("autre site web"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    theme = models.CharField(_("couleurs du site"), max_length=20, choices=THEME_CHOICES, default=DEFAULT_THEME)
    sectors = models.ManyToManyField("associations.Sector", verbose_name=_("secteurs"), blank=True)
    facebook_url = models.URLField(_("page Facebook"), blank=True)
    instagram_url = models.URLField(_("compte Instagram"), blank=True)
    linkedin_url = models.URLField(_("page LinkedIn"), blank=True)
    mastodon_url = models.URLField(_("compte Mastodon"), blank=True)
    youtube_url = models.URLField(_("chaîne YouTube ou PeerTube"), blank=True)

    status = models.CharField(
        _("statut"),
        max_length=12,
        choices=AssociationStatus.choices,
        default=AssociationStatus.PENDING,
        db_index=True,
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    featured = models.BooleanField(_("mise en avant sur l'accueil"), default=False)
    custom_domain = models.CharField(
        _("nom de domaine personnalisé"),
        max_length=253,
        blank=True,
        help_text=_("Par exemple www.mon-asso.fr, une fois le domaine pointé vers Kollektif."),
    )
    # the other websites that may show its campaigns in an iframe (associations/embedding.py)
    embed_origins = models.TextField(
        _("sites autorisés à intégrer vos campagnes"),
        blank=True,
        default="",
        help_text=_(
            "Une adresse par ligne, par exemple https://www.mon-asso.fr : seuls ces sites pourront "
            "afficher vos formulaires de don, d'adhésion ou de billetterie."
        ),
    )

    # --- receipts (issue #4): what the association may issue, and who signs ---------------
    tax_status = models.CharField(
        _("statut fiscal"),
        max_length=20,
        choices=TaxStatus.choices,
        default=TaxStatus.NOT_ELIGIBLE,
        blank=True,
        help_text=_(
            "Seule une association éligible émet des reçus fiscaux ; sinon ses donateurs reçoivent "
            "une attestation de paiement."
        ),
    )
    tax_other_type = models.CharField(
        _("type d'organisme"),
        max_length=30,
        choices=TaxOtherType.choices,
        blank=True,
        help_text=_("Si « Autre organisme listé sur le Cerfa »."),
    )
    tax_other_label = models.CharField(_("précision sur le type d'organisme"), max_length=200, blank=True)
    tax_basis = models.CharField(
        _("fondement"),
        max_length=20,
        choices=TaxBasis.choices,
        blank=True,
    )
    tax_rescrit_date = models.DateField(_("date du rescrit fiscal"), null=True, blank=True)
    rup_decree_date = models.DateField(_("date du décret de reconnaissance d'utilité publique"), null=True, blank=True)
    rup_journal_date = models.DateField(_("date de publication au Journal officiel"), null=True, blank=True)
    tax_ifi_eligible = models.BooleanField(
        _("dons éligibles à la réduction d'IFI (article 978 du CGI)"),
        default=False,
        help_text=_(
            "Uniquement pour les organismes que l'article 978 désigne (fondations reconnues d'utilité "
            "publique, insertion…)."
        ),
    )
    membership_tax_eligible = models.BooleanField(
        _("cotisations ouvrant droit à un reçu fiscal"),
        default=False,
        help_text=_(
            "Cochez seulement si l'adhésion ne donne aucune contrepartie au-delà de celle tolérée "
            "(bulletin, voix à l'assemblée générale). Sinon les adhérents reçoivent une attestation "
            "d'adhésion."
        ),
    )
    monthly_annual_summary = models.BooleanField(
        _("un reçu annuel récapitulatif pour les dons mensuels"),
        default=False,
        help_text=_(
            "Les donateurs mensuels reçoivent en janvier un seul reçu pour l'année écoulée, au lieu d'un reçu par mois."
        ),
    )
    # CGI art. 222 bis: the yearly declaration covers the calendar year, or the accounting year
    # ("exercice") when it does not coincide with it. 1 January: the calendar year.
    accounting_year_start_month = models.PositiveSmallIntegerField(
        _("début de l'exercice comptable : mois"),
        default=1,
        blank=True,  # a form without the "Reçus fiscaux" tab leaves it out: 1 January, the calendar year
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 pour janvier ; 9 pour un exercice qui commence en septembre."),
    )
    accounting_year_start_day = models.PositiveSmallIntegerField(
        _("début de l'exercice comptable : jour"),
        default=1,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Le plus souvent 1 (jusqu'à 28)."),
    )
    receipt_signatory_name = models.CharField(_("nom du signataire des reçus"), max_length=150, blank=True)
    receipt_signatory_capacity = models.CharField(
        _("qualité du signataire"), max_length=100, blank=True, help_text=_("Président, trésorière…")
    )
    receipt_signature = models.FileField(
        _("signature (image PNG)"),
        upload_to="signatures/",
        storage=private_storage,
        blank=True,
        validators=[FileExtensionValidator(["png"]), validate_signature_png],
        help_text=_("Image PNG sur fond blanc, conservée hors du site public."),
    )

    stripe_account_id = models.CharField(_("compte Stripe"), max_length=255, blank=True, editable=False)
    stripe_charges_enabled = models.BooleanField(_("paiements par carte activés"), default=False, editable=False)
    stripe_details_submitted = models.BooleanField(default=False, editable=False)

    home_page = models.OneToOneField(
        "associations.AssociationHomePage",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="association_record",
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="association",
    )
    editors_group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="edited_association",
    )
    treasurers_group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="treasured_association",
    )
    # the volunteers at the door of its events: check-in only, no money (issue #13, item 6)
    door_group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="door_association",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    approved_at = models.DateTimeField(_("validée le"), null=True, blank=True, editable=False)
    # What the association is found by, folded (kernel/text_search.py): name, objet, commune,
    # postal code, RNA, SIREN. Kept by save(); the public index and the admin search read it.
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]
        permissions = [
            ("moderate_association", _("Peut valider ou refuser une association")),
            # held by the "Trésoriers" groups: see associations.selectors.associations_with_money_of
            ("handle_money", _("Peut voir les paiements, adhérents, billets et reçus, les exporter et rembourser")),
            # held by the "Accueil" groups (volunteers at the door) and the "Trésoriers" groups:
            # see associations.selectors.associations_checking_in_of
            ("check_in_tickets", _("Peut contrôler les billets à l'entrée des événements")),
        ]
        # the public index lists active associations by name: no sort of the whole table
        indexes = [models.Index(fields=["status", "name", "id"], name="association_status_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["custom_domain"],
                condition=~models.Q(custom_domain=""),
                name="association_unique_custom_domain",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == AssociationStatus.ACTIVE

    def build_search_text(self) -> str:
        commune = self.commune if self.commune_id else None
        return fold_join(self.name, commune.name if commune else "", self.postal_code, self.rna, self.siren, self.objet)

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def theme_colours(self):
        return get_theme(self.theme)

    @property
    def url(self) -> str:
        return f"/association/{self.slug}/"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.rna = normalize_rna(self.rna)
        self.siren = normalize_siren(self.siren)
        if not self.rna and not self.siren:
            errors["rna"] = _("Indiquez le numéro RNA ou le SIREN de la structure.")
        if self.legal_form in (LegalForm.SCIC, LegalForm.SCOP) and not self.siren:
            errors["siren"] = _("Une coopérative doit indiquer son SIREN.")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = _("Indiquez à la fois la latitude et la longitude, ou aucune des deux.")
        if self.commune_id and self.postal_code:
            codes = self.commune.postal_codes or []
            if codes and self.postal_code not in codes:
                errors["postal_code"] = _("Le code postal ne correspond pas à la commune (%(codes)s).") % {
                    "codes": ", ".join(codes)
                }
        errors.update(self._custom_domain_errors())
        errors.update(self._embed_origins_errors())
        self.accounting_year_start_month = self.accounting_year_start_month or 1
        self.accounting_year_start_day = self.accounting_year_start_day or 1
        errors.update(self._tax_errors())
        if errors:
            raise ValidationError(errors)

    def _custom_domain_errors(self) -> dict[str, str]:
        """A bare, lower-case host name nobody else uses (associations/domains.py says why)."""
        from associations.domains import domain_taken, validate_custom_domain

        try:
            self.custom_domain = validate_custom_domain(self.custom_domain)
        except ValidationError as exc:
            return {"custom_domain": exc.messages[0]}
        if self.custom_domain and domain_taken(self.custom_domain, association=self):
            return {"custom_domain": _("Ce nom de domaine est déjà utilisé par un autre site de Kollektif.")}
        return {}

    def _embed_origins_errors(self) -> dict[str, list[str]]:
        """One normalised origin a line (associations/embedding.py), or every wrong line said."""
        try:
            self.embed_origins = "\n".join(parse_embed_origins(self.embed_origins))
        except ValidationError as exc:
            return {"embed_origins": exc.messages}
        return {}

    @property
    def embed_origin_list(self) -> list[str]:
        """The listed origins as stored (already normalised by ``clean()``)."""
        return [line.strip() for line in (self.embed_origins or "").splitlines() if line.strip()]

    @property
    def issues_tax_receipts(self) -> bool:
        return self.tax_status not in ("", TaxStatus.NOT_ELIGIBLE)

    def _tax_errors(self) -> dict[str, str]:
        """What a tax receipt needs to be legal, asked for once the association says it is eligible."""
        self.tax_status = self.tax_status or TaxStatus.NOT_ELIGIBLE  # a form without the "Reçus" tab
        if not self.issues_tax_receipts:
            return {}
        errors: dict[str, str] = {}
        if not self.tax_basis:
            errors["tax_basis"] = _("Indiquez si l'éligibilité repose sur un rescrit fiscal ou une auto-évaluation.")
        elif self.tax_basis == TaxBasis.RESCRIT and not self.tax_rescrit_date:
            errors["tax_rescrit_date"] = _("Indiquez la date du rescrit fiscal.")
        if self.tax_status == TaxStatus.PUBLIC_UTILITY and not (self.rup_decree_date and self.rup_journal_date):
            errors["rup_decree_date"] = _("Indiquez la date du décret et celle de sa publication au Journal officiel.")
        if self.tax_status == TaxStatus.OTHER and not self.tax_other_type:
            errors["tax_other_type"] = _("Choisissez le type d'organisme tel qu'il figure sur le Cerfa.")
        if self.tax_other_type == TaxOtherType.OTHER and not self.tax_other_label.strip():
            errors["tax_other_label"] = _("Précisez le type d'organisme.")
        if not self.receipt_signatory_name.strip():
            errors["receipt_signatory_name"] = _("Un reçu fiscal doit porter le nom de son signataire.")
        if not self.receipt_signatory_capacity.strip():
            errors["receipt_signatory_capacity"] = _("Indiquez la qualité du signataire.")
        return errors


class InvitationRole(models.TextChoices):
    EDITOR = "editeur", _("Éditeur ou éditrice")
    TREASURER = "tresorier", _("Trésorier ou trésorière")
    DOOR = "accueil", _("Bénévole à l'accueil (billetterie)")


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An e-mailed invitation to join an association's volunteers; the token is single use."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("rôle"), max_length=12, choices=InvitationRole.choices, default=InvitationRole.EDITOR)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.association}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
