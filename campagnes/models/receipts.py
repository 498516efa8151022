"""Receipts: legal documents, numbered without gaps, never edited once issued.

A Receipt stores the full snapshot of what its PDF shows (``document``): regenerating the PDF
years later gives the same content whatever became of the association record or the payer's
other data. A correction is a new receipt that names the one it replaces; a cancelled
receipt keeps its number, its date and the reason.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campagnes.receipts.document import DocumentKind
from kernel.storage import private_storage


class ReceiptKind(models.TextChoices):
    TAX_INDIVIDUAL = DocumentKind.TAX_INDIVIDUAL, _("Reçu fiscal (particulier)")
    TAX_COMPANY = DocumentKind.TAX_COMPANY, _("Reçu fiscal (entreprise)")
    MEMBERSHIP_CERTIFICATE = DocumentKind.MEMBERSHIP_CERTIFICATE, _("Attestation d'adhésion")
    PAYMENT_CONFIRMATION = DocumentKind.PAYMENT_CONFIRMATION, _("Confirmation de paiement")


class ReceiptStatus(models.TextChoices):
    ISSUED = "emis", _("Émis")
    CANCELLED = "annule", _("Annulé")


class ReceiptCounter(models.Model):
    """The last number given in a series, per association and year: locked while allocating."""

    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=10)  # "" for tax receipts, "ADH", "CP"
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "series", "year"], name="receipt_counter_unique")]


class ReceiptQuerySet(models.QuerySet):
    def tax(self):
        return self.filter(kind__in=DocumentKind.TAX_KINDS)


def _receipt_path(instance: Receipt, filename: str) -> str:
    return f"recus/{instance.association_id}/{instance.year}/{instance.uuid}.pdf"


class Receipt(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="receipts")
    kind = models.CharField(_("type"), max_length=30, choices=ReceiptKind.choices)
    status = models.CharField(_("statut"), max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.ISSUED)
    number = models.CharField(_("numéro"), max_length=20)
    series = models.CharField(max_length=10, blank=True)
    year = models.PositiveSmallIntegerField(_("année d'émission"))
    sequence = models.PositiveIntegerField()
    gift_year = models.PositiveSmallIntegerField(_("année des dons"), db_index=True)
    summary_year = models.PositiveSmallIntegerField(_("reçu annuel de l'année"), null=True, blank=True)

    donor_name = models.CharField(_("donateur"), max_length=300)
    donor_email = models.EmailField(_("e-mail du donateur"), db_index=True)  # lower-cased
    amount_cents = models.PositiveIntegerField(_("montant versé (centimes)"))
    deductible_cents = models.PositiveIntegerField(_("montant déductible (centimes)"))
    document = models.JSONField(_("contenu du reçu"))  # the ReceiptDocument snapshot, see receipts.snapshot

    issued_at = models.DateTimeField(_("émis le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancellation_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("remplace le reçu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    pdf = models.FileField(upload_to=_receipt_path, storage=private_storage, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    emailed_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)  # claimed by a worker (see delivery.py)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    last_email_error = models.CharField(max_length=300, blank=True)

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("reçu")
        verbose_name_plural = _("reçus")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["association", "number"], name="receipt_number_unique"),
            models.UniqueConstraint(
                fields=["association", "series", "year", "sequence"], name="receipt_sequence_unique"
            ),
        ]
        indexes = [models.Index(fields=["association", "year", "kind"], name="receipt_asso_year_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.number}"

    @property
    def is_tax_receipt(self) -> bool:
        return self.kind in DocumentKind.TAX_KINDS

    @property
    def is_cancelled(self) -> bool:
        return self.status == ReceiptStatus.CANCELLED

    @property
    def filename(self) -> str:
        return f"{self.get_kind_display()} {self.number}.pdf".replace(" ", "-").replace("'", "").lower()


class ReceiptItem(models.Model):
    """One payment covered by a receipt: one for a single gift, one per month for an annual summary."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="items")
    payment = models.ForeignKey("campagnes.Payment", on_delete=models.PROTECT, related_name="receipt_items")
    amount_cents = models.PositiveIntegerField()
    received_on = models.DateField()

    class Meta:
        ordering = ["received_on", "pk"]


class ReceiptAccessToken(models.Model):
    """A one-time "Mes reçus" link: only its hash is stored, it opens a short session once."""

    email = models.EmailField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class NonCashGiftKind(models.TextChoices):
    """A gift that is not money paid, recorded by a treasurer."""

    # CGI art. 200-1, 2nd paragraph; BOI-IR-RICI-250-10-20-20: expenses a volunteer incurs for the
    # association and expressly gives up being repaid are a gift ("Frais engagés par les bénévoles,
    # dont ils renoncent expressément au remboursement", box of the 2041-RD).
    VOLUNTEER_EXPENSES = "abandon-frais", _("Abandon de frais d'un bénévole")
    # A gift of goods or services (BOI-IS-RICI-20-30-10-20: valued by the giver; the receipt
    # describes it exhaustively, 2041-MEC-SD "dons en nature").
    IN_KIND = "nature", _("Don en nature")


def _renunciation_path(instance: NonCashGift, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "pdf"
    return f"abandons-de-frais/{instance.payment.association_id}/{instance.payment.uuid}.{suffix[:5]}"


class NonCashGift(models.Model):
    """What a non-cash gift was, kept with its payment (the payment carries the amount and the giver).

    For a volunteer's expenses, the signed statement of renunciation is kept here: without it no
    receipt is issued (the renunciation must be express, BOI-IR-RICI-250-10-20-20 § 90).
    """

    payment = models.OneToOneField("campagnes.Payment", on_delete=models.PROTECT, related_name="non_cash")
    kind = models.CharField(_("nature"), max_length=20, choices=NonCashGiftKind.choices)
    description = models.TextField(_("description"))
    valuation_method = models.CharField(_("méthode de valorisation"), max_length=300, blank=True)
    # Volunteer's expenses: what they were, when, and how the amount was found.
    expense_dates = models.CharField(_("date(s) des frais"), max_length=300, blank=True)
    kilometres = models.PositiveIntegerField(_("kilomètres parcourus"), null=True, blank=True)
    vehicle_power = models.PositiveSmallIntegerField(_("puissance fiscale (CV)"), null=True, blank=True)
    mileage_scale_year = models.PositiveSmallIntegerField(_("année du barème"), null=True, blank=True)
    other_expenses_cents = models.PositiveIntegerField(_("autres frais (centimes)"), default=0)
    renunciation_statement = models.FileField(
        _("déclaration de renonciation signée"), upload_to=_renunciation_path, storage=private_storage, blank=True
    )
    renunciation_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("don non monétaire")
        verbose_name_plural = _("dons non monétaires")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.description[:60]}"
