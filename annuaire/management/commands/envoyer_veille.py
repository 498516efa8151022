"""manage.py envoyer_veille [--forcer]: this week's digest of the réseau de veille to the animators.

For a cron (weekly) or by hand. With the database task queue, the worker already sends it every
week by itself (``annuaire.tasks.send_watch_digest``); this command also makes sure that weekly
task is queued. A digest sent less than 6 days ago is not sent again unless ``--forcer``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from annuaire.tasks import watch_digest_schedule
from annuaire.watch import watch_digest_send


class Command(BaseCommand):
    help = (
        "Envoie aux animateurs la liste des ambassadeurs sans nouvelles depuis KOLLEKTIF_WATCH_MONTHS mois, "
        "avec les liens « appelé·e », « rencontré·e », « tout va bien ». Une fois par semaine au plus."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--forcer", action="store_true", help="Envoie même si un récapitulatif est parti cette semaine."
        )

    def handle(self, *args, forcer: bool, **options):
        count = watch_digest_send(force=forcer)
        scheduled = watch_digest_schedule()
        self.stdout.write(self.style.SUCCESS(f"{count} e-mail(s) de veille mis en file."))
        if scheduled:
            self.stdout.write("Prochain récapitulatif planifié dans 7 jours (tâche du worker).")
