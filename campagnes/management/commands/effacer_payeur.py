"""Right to erasure: a payer's personal data goes, their legal receipts stay (6 years)."""

from django.core.management.base import BaseCommand

from campagnes.privacy import payer_data_erase


class Command(BaseCommand):
    help = "Efface les données personnelles d'un payeur ; ses reçus, documents légaux, sont conservés."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        count = payer_data_erase(email=email)
        self.stdout.write(self.style.SUCCESS(f"{count} paiement(s) anonymisé(s) ; reçus conservés."))
