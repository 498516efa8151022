"""Retry the e-mails whose sending failed (for queues without deferred retries); forget old ones."""

from django.core.management.base import BaseCommand

from kernel.mail import resend_unsent


class Command(BaseCommand):
    help = "Renvoie les e-mails (invitations, confirmations de paiement…) dont l'envoi a échoué."

    def handle(self, *args, **options):
        sent = resend_unsent()
        self.stdout.write(self.style.SUCCESS(f"{sent} e-mail(s) envoyé(s)."))
