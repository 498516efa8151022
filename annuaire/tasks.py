"""Background work of the directory (django-tasks, run by ``manage.py db_worker``).

* ``send_feuille_de_chou``: after a meeting is published, its feuille de chou leaves by e-mail
  (the PDF is drawn here, out of the admin's request).
* ``send_watch_digest``: every week the animators get the réseau de veille's digest; the task
  queues its own next run a week later, so nobody has to remember it (``envoyer_veille`` is the
  same for a cron, and for a backend that cannot defer a task). Every ``migrate`` (deploy,
  ``dev.py demo``) starts the cycle when none is waiting: a fresh install needs no first step.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

WEEK = datetime.timedelta(days=7)


@task()
def send_feuille_de_chou(*, meeting_id: int) -> str:
    from annuaire.feuille import feuille_send
    from annuaire.models import Meeting

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return "rencontre supprimée"
    return f"{feuille_send(meeting)} e-mail(s) en file"


def _digest_waiting() -> bool:
    """Is a weekly digest already queued? Only the database backend can say."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status="READY", task_path=f"{send_watch_digest.func.__module__}.send_watch_digest"
    ).exists()


def watch_digest_schedule(*, at: datetime.datetime | None = None) -> bool:
    """Make sure next week's digest is queued; returns whether one was queued now."""
    if not default_task_backend.supports_defer or _digest_waiting():
        return False
    send_watch_digest.using(run_after=at or timezone.now() + WEEK).enqueue()
    return True


def watch_digest_after_migrate(*, using: str, **kwargs) -> None:
    """``post_migrate`` receiver: start the weekly cycle if no digest is waiting.

    Only with the database task queue (the immediate backend of the tests cannot defer, and would
    not be asked: nothing is sent here), only on the database the queue writes to, and only once its
    table exists (``migrate <another app>`` may run before django_tasks_db's migrations).
    """
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return
    from django.db import connections, router
    from django_tasks_db.models import DBTaskResult

    if router.db_for_write(DBTaskResult) != using:
        return
    if DBTaskResult._meta.db_table not in connections[using].introspection.table_names():
        return
    watch_digest_schedule()


@task()
def send_watch_digest() -> str:
    """This week's digest to the animators, then the next run in a week."""
    from annuaire.watch import watch_digest_send

    sent = watch_digest_send()
    watch_digest_schedule()  # this run's own row is RUNNING, not READY: the next one can be queued
    return f"{sent} e-mail(s) de veille"
