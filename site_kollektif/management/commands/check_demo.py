"""Smoke-test the demo: the pages a first visitor opens answer 200."""

from django.core.management.base import BaseCommand, CommandError
from django.test import Client

DEMO_URLS = ["/", "/association/", "/association/ma-super-asso-demo/", "/association/ma-super-asso-demo/actualites/",
             "/association/ma-super-asso-demo/nous-aider/", "/association/ma-super-asso-demo/nos-projets/",
             "/a-propos/", "/comptes/login/"]


class Command(BaseCommand):
    help = "Vérifie que les pages de la démo répondent."

    def handle(self, *args, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        failures = []
        for url in DEMO_URLS:
            status = client.get(url).status_code
            self.stdout.write(f"  {status} {url}")
            if status != 200:
                failures.append(url)
        if failures:
            raise CommandError(f"Pages de la démo en erreur : {', '.join(failures)}")
        self.stdout.write(self.style.SUCCESS("La démo répond."))
