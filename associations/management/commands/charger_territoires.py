from django.core.management.base import BaseCommand

from associations.models import Commune, Epci
from associations.territories import load_territories


class Command(BaseCommand):
    help = "Charge (ou met à jour) les communes et EPCI du Pas-de-Calais dans la base."

    def handle(self, *args, **options):
        epcis, communes = load_territories(Epci, Commune)
        self.stdout.write(self.style.SUCCESS(f"{communes} communes et {epcis} EPCI chargés."))
