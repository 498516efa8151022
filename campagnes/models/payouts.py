"""Stripe payouts and balance transactions: what the bank statement shows, and what makes it up.

Stripe pays an association's balance to its bank in payouts; each payout is the sum of balance
transactions (charges, refunds, Stripe's fees, adjustments). The fee of a payment is the fee of
its balance transaction as Stripe reports it, never a formula: that is the figure the
treasurer's accountant reconciles against Stripe's own statements.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    IN_TRANSIT = "in_transit", _("En cours de virement")
    PAID = "paid", _("Versé")
    FAILED = "failed", _("Échoué")
    CANCELED = "canceled", _("Annulé")


class StripePayout(models.Model):
    """One transfer from Stripe to the association's bank account, as on the bank statement."""

    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="stripe_payouts")
    stripe_id = models.CharField(max_length=255, unique=True)  # po_…
    amount_cents = models.IntegerField(_("montant (centimes)"))  # negative: a debit of the bank account
    currency = models.CharField(max_length=3, default="eur")
    status = models.CharField(_("statut"), max_length=20, choices=PayoutStatus.choices)
    arrival_date = models.DateField(_("date sur le relevé bancaire"))
    created_at = models.DateTimeField(_("créé le"))
    statement_descriptor = models.CharField(_("libellé sur le relevé"), max_length=255, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-arrival_date", "-created_at"]
        verbose_name = _("virement Stripe")
        verbose_name_plural = _("virements Stripe")

    def __str__(self) -> str:
        return self.stripe_id


class BalanceTransaction(models.Model):
    """One movement of the association's Stripe balance (``txn_…``), with Stripe's own fee.

    ``payout`` is the payout that carried it to the bank; empty while it is still pending.
    ``payment`` links charges and refunds to the Kollektif payment they belong to.
    """

    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, related_name="balance_transactions"
    )
    stripe_id = models.CharField(max_length=255, unique=True)  # txn_…
    type = models.CharField(_("type"), max_length=40)  # charge, payment, refund, payment_refund, stripe_fee, payout…
    amount_cents = models.IntegerField(_("montant brut (centimes)"))
    fee_cents = models.IntegerField(_("frais Stripe (centimes)"), default=0)
    net_cents = models.IntegerField(_("net (centimes)"))
    currency = models.CharField(max_length=3, default="eur")
    created_at = models.DateTimeField(_("date"))
    available_on = models.DateField(_("disponible le"))
    source_id = models.CharField(max_length=255, blank=True, db_index=True)  # ch_…, re_…, po_…
    description = models.CharField(max_length=500, blank=True)
    payment = models.ForeignKey(
        "campagnes.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="balance_transactions"
    )
    payout = models.ForeignKey(
        StripePayout, null=True, blank=True, on_delete=models.SET_NULL, related_name="balance_transactions"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["association", "created_at"])]
        verbose_name = _("mouvement du solde Stripe")
        verbose_name_plural = _("mouvements du solde Stripe")

    def __str__(self) -> str:
        return self.stripe_id
