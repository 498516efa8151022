"""E-mails a treasurer sends to a list of her members or donors, and who asked to hear no more.

A ``Mailing`` is written once, with one ``MailingRecipient`` per address it goes to (the list
as it was at the moment of sending: people who consented at payment, minus those who opted
out). The recipients are the mailing's outbox: a task sends them in batches and records on each
row whether it left, failed (and why) or bounced, so a failure is never silent.

A ``ContactOptOut`` is per association and per address (lower case): an unsubscription from a
link, or an address the mail provider reported as bouncing. Every later mailing skips it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class MailingStatus(models.TextChoices):
    QUEUED = "en-file", _("En file d'attente")
    SENDING = "en-cours", _("En cours d'envoi")
    SENT = "envoye", _("Envoyé")


class RecipientStatus(models.TextChoices):
    QUEUED = "en-file", _("En file d'attente")
    SENT = "envoye", _("Envoyé")
    FAILED = "echec", _("Échec")
    BOUNCED = "rebond", _("Adresse en erreur (rebond)")


class OptOutReason(models.TextChoices):
    UNSUBSCRIBED = "desabonnement", _("Désabonnement")
    BOUNCED = "rebond", _("Adresse en erreur (rebond)")


class Mailing(models.Model):
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="mailings")
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    audience = models.CharField(_("liste"), max_length=40)
    audience_label = models.CharField(_("liste"), max_length=200)
    status = models.CharField(
        _("statut"), max_length=12, choices=MailingStatus.choices, default=MailingStatus.QUEUED, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class MailingRecipient(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("nom"), max_length=310, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_unsubscribe_token, editable=False)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.QUEUED
    )
    error = models.CharField(_("motif"), max_length=300, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        ordering = ["pk"]
        indexes = [models.Index(fields=["mailing", "status"], name="mailing_recipient_status")]


class ContactOptOut(models.Model):
    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, related_name="opt_outs")
    email = models.EmailField(_("e-mail"))  # lower case
    reason = models.CharField(_("motif"), max_length=15, choices=OptOutReason.choices)
    detail = models.CharField(_("détail"), max_length=300, blank=True)
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("refus de contact")
        verbose_name_plural = _("refus de contact")
        constraints = [models.UniqueConstraint(fields=["association", "email"], name="one_opt_out_per_address")]
