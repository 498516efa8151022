"""The e-mail outbox, next to ``kernel.mail`` that writes it.

The model keeps the app label ``site_kollektif`` (its table, migrations and content type were
created there): moving a model between apps needs ``SeparateDatabaseAndState`` and a content
type rename for no gain. Only the Python module moved, so that the kernel imports nothing above it.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "en-file", _("En file d'attente")
    SENT = "envoye", _("Envoyé")
    RETRYING = "a-reessayer", _("Échec, nouvel essai prévu")
    ABANDONED = "abandonne", _("Échec définitif")


class OutgoingEmail(models.Model):
    """An e-mail the platform sends, kept until it has left (``kernel.mail``).

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
        app_label = "site_kollektif"
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
