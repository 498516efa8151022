"""Payments and what they produce: memberships, tickets. Scoped by association.

A Payment keeps a snapshot of the payer as they typed it (receipts are legal documents and
must not change when a profile does). Status changes go through named service functions
that write a PaymentLog entry; the Stripe ids are unique so a webhook finds its payment.
"""

from __future__ import annotations

import enum
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campagnes.models.offers import PaymentOffer
from campagnes.money import STRIPE_MAX_CENTS, format_eur


class PaymentKind(models.TextChoices):
    DONATION = "don", _("Don")
    MONTHLY_DONATION = "don-mensuel", _("Don mensuel")
    MEMBERSHIP = "adhesion", _("Adhésion")
    TICKETS = "billetterie", _("Billetterie")
    CROWDFUNDING = "collecte", _("Collecte")


class PaymentStatus(models.TextChoices):
    PENDING = "en-attente", _("En attente")
    SUCCEEDED = "reussi", _("Réussi")
    FAILED = "echoue", _("Échoué")
    REFUNDED = "rembourse", _("Remboursé")
    PARTIALLY_REFUNDED = "rembourse-partiel", _("Remboursé en partie")
    CANCELED = "annule", _("Annulé")

    # Named sets of statuses (values, not members: ``status in PaymentStatus.SETTLED`` works for
    # both). Every rule about "paid" reads one of these, never a tuple of its own.
    SETTLED = enum.nonmember((SUCCEEDED[0], PARTIALLY_REFUNDED[0]))
    """Paid and not given back in full: counts in a campaign's progress, holds a membership or a
    ticket, may be refunded (what is left of it), and is what tax receipts are issued for."""
    PAID_OR_REFUNDED = enum.nonmember((SUCCEEDED[0], PARTIALLY_REFUNDED[0], REFUNDED[0]))
    """The money was actually received, even if given back since: the accountant's export, the
    payment's net figure and the dashboard's weekly figures (net of refunds) read these."""
    CLOSED_UNPAID = enum.nonmember((FAILED[0], CANCELED[0]))
    """What ``payment_close_pending`` may turn a pending payment into: no money, places released."""


class PaymentMethod(models.TextChoices):
    """How the money came: card through Stripe, or recorded by a treasurer (manual gifts)."""

    CARD = "carte", _("Carte bancaire")
    DIRECT_DEBIT = "prelevement", _("Prélèvement")
    CHEQUE = "cheque", _("Chèque")
    TRANSFER = "virement", _("Virement")
    CASH = "especes", _("Espèces")
    # A gift that is not money paid (volunteer's expenses given up, gift in kind): the
    # "autre" box of the company receipt's "Forme des versements" (Cerfa 16216).
    OTHER = "autre", _("Autre")


class PaymentQuerySet(models.QuerySet):
    def for_association(self, association):
        return self.filter(association=association)

    def counted(self):
        """Payments that count in a campaign's progress."""
        return self.filter(status__in=PaymentStatus.SETTLED)


def _token() -> str:
    return secrets.token_urlsafe(24)


class Payment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    public_token = models.CharField(max_length=64, default=_token, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="payments")
    campaign = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("type"), max_length=20, choices=PaymentKind.choices)
    status = models.CharField(
        _("statut"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"))
    fee_cents = models.PositiveIntegerField(_("frais couverts (centimes)"), default=0)
    refunded_cents = models.PositiveIntegerField(_("remboursé (centimes)"), default=0)
    currency = models.CharField(max_length=3, default="eur")
    method = models.CharField(
        _("moyen de paiement"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.CARD
    )
    offer = models.JSONField(_("choix"), default=dict, blank=True)

    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("e-mail"), db_index=True)
    street_address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=150, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    company_name = models.CharField(_("entreprise"), max_length=200, blank=True)
    company_siren = models.CharField(_("SIREN de l'entreprise"), max_length=9, blank=True)
    # The donor's choice on the form: their first name in the campaign's public list of supporters,
    # or "anonyme" (the default: nothing personal is published without a tick).
    public_supporter = models.BooleanField(_("prénom affiché parmi les soutiens"), default=False)
    # Printed on the company receipt (Cerfa 16216, "Forme juridique"): SARL, SAS, SCIC…
    company_legal_form = models.CharField(_("forme juridique de l'entreprise"), max_length=100, blank=True)
    # The payer's consent to hear from the association again (news, general assembly's
    # convocation): a box left unticked by default and its date, kept as proof (RGPD art. 6.1.a
    # and 7.1: the controller must be able to show that consent was given; CNIL, "Les bases
    # légales : le consentement"). Without it the payer is never in a mailing.
    contact_consent = models.BooleanField(_("accepte d'être contacté par l'association"), default=False)
    contact_consent_at = models.DateTimeField(_("accord de contact donné le"), null=True, blank=True)

    stripe_customer = models.CharField(max_length=255, blank=True)
    stripe_setup_intent = models.CharField(max_length=255, blank=True)
    stripe_payment_intent = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_subscription = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_invoice = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_charge = models.CharField(max_length=255, blank=True, db_index=True)
    failure_reason = models.CharField(_("motif de l'échec"), max_length=255, blank=True)
    # A monthly gift (all the payments of one Stripe subscription) stopped by the donor, a
    # treasurer or Stripe: set on every payment of the subscription, nothing more is charged.
    subscription_stopped_at = models.DateTimeField(_("don mensuel arrêté le"), null=True, blank=True)
    # The monthly amount the donor chose later from their link (on the subscription's first payment;
    # None: still the first payment's total). Each later month's payment is recorded at this amount.
    subscription_amount_cents = models.PositiveIntegerField(
        _("nouveau montant mensuel (centimes)"), null=True, blank=True
    )

    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["association", "status", "created_at"], name="payment_asso_status")]
        # Stripe's own limit, and far below PostgreSQL's integer: no code path may record more.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__lte=STRIPE_MAX_CENTS), name="payment_amount_within_stripe_limit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_eur(self.total_cents)} — {self.payer_name}"

    @property
    def payer_name(self) -> str:
        return self.company_name or f"{self.first_name} {self.last_name}".strip()

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.fee_cents

    @property
    def monthly_cents(self) -> int:
        """What a monthly gift charges each month now (read on the subscription's first payment)."""
        return self.subscription_amount_cents or self.total_cents

    @property
    def offer_details(self) -> PaymentOffer:
        """What the payer chose (``offer``), as a typed object."""
        return PaymentOffer.from_dict(self.offer)


class PaymentLog(models.Model):
    """One line per state change: who or what changed it, and why."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="logs")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=50)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=100, blank=True)  # "webhook evt_…", "admin user 3", "navigateur"
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class StripeEvent(models.Model):
    """Every webhook event id, stored once: the same event is processed at most once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at"]


class Membership(models.Model):
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="membership")
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="memberships")
    tier_name = models.CharField(_("formule"), max_length=100)
    valid_from = models.DateField(_("valable du"))
    valid_until = models.DateField(_("valable jusqu'au"))
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        ordering = ["-valid_until"]


def _ticket_code() -> str:
    """16 unguessable characters that never start with "-": a spreadsheet would read the code as
    a formula, and the exports (rightly) neutralise such cells, so the guest list would differ."""
    while True:
        code = secrets.token_urlsafe(12)
        if not code.startswith("-"):
            return code


class Ticket(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="tickets")
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="tickets")
    ticket_type = models.ForeignKey("campagnes.TicketType", on_delete=models.PROTECT, related_name="tickets")
    code = models.CharField(_("code"), max_length=32, unique=True, default=_ticket_code)
    checked_in_at = models.DateTimeField(_("entrée validée le"), null=True, blank=True)
    # set when a treasurer refunds this ticket (campagnes.services.tickets): its seat is back on
    # sale and the door refuses it, even if the payment is only partly refunded
    canceled_at = models.DateTimeField(_("remboursé le"), null=True, blank=True)

    @property
    def is_canceled(self) -> bool:
        """Refunded: on its own, or with the whole payment."""
        return self.canceled_at is not None or self.payment.status == PaymentStatus.REFUNDED

    class Meta:
        verbose_name = _("billet")
        verbose_name_plural = _("billets")
