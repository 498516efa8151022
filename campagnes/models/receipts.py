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
