"""Retry the e-mailing of receipts still not sent (for queues without deferred retries)."""

from django.core.management.base import BaseCommand

from campagnes.receipts.delivery import resend_unsent


class Command(BaseCommand):
    help = "Renvoie par e-mail les reçus dont l'envoi a échoué."

    def handle(self, *args, **options):
        sent = resend_unsent()
        self.stdout.write(self.style.SUCCESS(f"{sent} reçu(s) envoyé(s)."))
