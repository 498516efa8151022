"""Cancel payments whose card form was abandoned, so their tickets and counterparts go back on sale."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from campagnes.services import payments_expire_stale


class Command(BaseCommand):
    help = "Annule les paiements restés en attente (formulaire de carte abandonné) et libère leurs places."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=30)

    def handle(self, *args, minutes: int, **options):
        count = payments_expire_stale(older_than=timezone.now() - timedelta(minutes=minutes))
        self.stdout.write(self.style.SUCCESS(f"{count} paiement(s) abandonné(s) annulé(s)."))
