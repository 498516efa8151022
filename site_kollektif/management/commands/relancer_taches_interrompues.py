"""Put back in the queue the tasks whose worker died while running them (deploy, OOM, kill -9).

django-tasks-db marks a task RUNNING when a worker takes it; if that worker is killed the row
stays RUNNING for ever. Every task of the platform is safe to run again (receipts are claimed
before sending, e-mails are rendered before queueing), so requeueing is the right recovery.
Run it from cron every few minutes, next to the workers.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Remet en file les tâches restées « en cours » après l'arrêt brutal d'un worker."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=15, help="Durée au-delà de laquelle une tâche est perdue.")

    def handle(self, *args, minutes: int, **options):
        from django_tasks_db.models import DBTaskResult

        stuck = DBTaskResult.objects.filter(
            status="RUNNING", started_at__lt=timezone.now() - timedelta(minutes=minutes)
        )
        count = stuck.update(status="READY", started_at=None, worker_ids=[])
        self.stdout.write(self.style.SUCCESS(f"{count} tâche(s) interrompue(s) remise(s) en file."))
