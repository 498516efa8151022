"""Cancel payments whose card form was abandoned, so their tickets and counterparts go back on sale."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from campagnes.services import payments_expire_stale


class Command(BaseCommand):
    help = "Annule les paiements restés en attente (formulaire de carte abandonné) et libère leurs places."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=None, help="défaut : KOLLEKTIF_PAYMENT_EXPIRY_MINUTES")

    def handle(self, *args, minutes: int | None, **options):
        minutes = settings.KOLLEKTIF_PAYMENT_EXPIRY_MINUTES if minutes is None else minutes
        count = payments_expire_stale(older_than=timezone.now() - timedelta(minutes=minutes))
        self.stdout.write(self.style.SUCCESS(f"{count} paiement(s) abandonné(s) annulé(s)."))
