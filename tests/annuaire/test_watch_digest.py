"""The watch network takes news by itself (issue #14, item 6): a weekly digest to the animators
with one-click actions (signed link → confirmation page → POST), and moderators told of each
new proposal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from annuaire.models import Actor, ContactKind
from annuaire.tasks import send_watch_digest
from kernel.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet(actors, animator):
    """Indelab (ambassador) silent for 7 months; Le Coron des arts (ambassador) heard 2 months ago."""
    Actor.objects.filter(pk=actors["indelab"].pk).update(last_contact_at=timezone.now() - timedelta(days=213))
    Actor.objects.filter(pk=actors["coron"].pk).update(last_contact_at=timezone.now() - timedelta(days=60))
    return actors


def _digest_links(message) -> dict[str, str]:
    """``{label: path}`` of the first actor's actions in the text digest."""
    return dict(re.findall(r"^\s+(Appelé·e|Rencontré·e|Tout va bien) : https?://[^/\s]+(/\S+)$", message.body, re.M))


def test_the_weekly_digest_lists_ambassadors_without_news_for_6_months(
    quiet, animator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = send_watch_digest.call()
    assert result == "1 e-mail(s) de veille"
    (message,) = mail.outbox
    assert message.to == [animator.email]
    assert "sans nouvelles depuis 6 mois" in message.subject
    assert "Indelab" in message.body and "Le Coron des arts" not in message.body
    assert "Brunö" not in message.body  # not an ambassador
    assert set(_digest_links(message)) == {"Appelé·e", "Rencontré·e", "Tout va bien"}
    html = message.alternatives[0][0]
    assert "Indelab" in html and "Tout va bien" in html

    # not twice in the same week (the weekly task and a cron)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_watch_digest.call() == "0 e-mail(s) de veille"


def test_an_action_link_records_the_date_and_the_actor_leaves_the_next_digest(
    client, quiet, animator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("envoyer_veille", verbosity=0)
    path = _digest_links(mail.outbox[0])["Appelé·e"]

    # opening the link (a mail scanner does) changes nothing
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Indelab" in body and "Enregistrer : Appelé·e" in body and 'method="post"' in body
    indelab = Actor.objects.get(name="Indelab")
    assert indelab.last_contact_at < timezone.now() - timedelta(days=200)

    done = client.post(path)
    assert done.status_code == 200
    assert "C&#x27;est noté" in done.content.decode() or "C'est noté" in done.content.decode()
    indelab.refresh_from_db()
    assert timezone.now() - indelab.last_contact_at < timedelta(minutes=1)
    assert indelab.last_contact_kind == ContactKind.CALLED

    # next week: nobody left to ask about, nothing is sent
    OutgoingEmail.objects.update(created_at=timezone.now() - timedelta(days=7))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("envoyer_veille", verbosity=0)
    assert mail.outbox == []

    # a forged link changes nothing and says so in French
    forged = client.post(path[:-5] + "abcd/")
    assert forged.status_code == 400 and "invalide" in forged.content.decode()


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection, as in production
def test_the_digest_task_queues_itself_a_week_later(quiet, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        call_command("envoyer_veille", verbosity=0)
    queued = DBTaskResult.objects.get(task_path="annuaire.tasks.send_watch_digest", status="READY")
    assert queued.run_after > timezone.now() + timedelta(days=6, hours=23)
    call_command("envoyer_veille", verbosity=0)  # already queued: not twice
    assert DBTaskResult.objects.filter(task_path="annuaire.tasks.send_watch_digest").count() == 1

    # a week later the worker sends it, and queues the next one
    OutgoingEmail.objects.update(created_at=timezone.now() - timedelta(days=7))
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert OutgoingEmail.objects.filter(template="annuaire_watch_digest").count() == 2
    following = DBTaskResult.objects.get(task_path="annuaire.tasks.send_watch_digest", status="READY")
    assert following.run_after > timezone.now() + timedelta(days=6, hours=23)


def test_migrate_starts_the_weekly_digest_once(settings, mailoutbox):
    """A fresh install: no `envoyer_veille` to remember, `migrate` queues the first digest a week ahead."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    digests = DBTaskResult.objects.filter(task_path="annuaire.tasks.send_watch_digest", status="READY")
    assert not digests.exists()
    call_command("migrate", verbosity=0)
    assert digests.count() == 1
    assert digests.get().run_after > timezone.now() + timedelta(days=6, hours=23)
    call_command("migrate", verbosity=0)  # the next deploy: still one waiting, not two
    assert digests.count() == 1
    assert mailoutbox == [] and not OutgoingEmail.objects.exists()  # nothing sent by a migrate


def test_migrate_queues_nothing_without_the_database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django_tasks_db.models import DBTaskResult

    call_command("migrate", verbosity=0)
    assert not DBTaskResult.objects.exists() and not OutgoingEmail.objects.exists()


def test_moderators_are_emailed_when_a_proposal_is_submitted(
    client, animator, actors, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/annuaire/proposer/",
            {
                "name": "Meloko",
                "kind": "entreprise-engagee",
                "commune": "62178",
                "street_address": "",
                "latitude": "50.48",
                "longitude": "2.55",
                "description": "Livraison d'épicerie locale",
                "website": "",
                "public_email": "",
                "submitter_name": "Camille",
                "submitter_email": "camille@exemple.org",
            },
        )
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if animator.email in m.to]
    assert "nouvelle proposition à modérer" in message.subject
    assert "Meloko" in message.body and "Camille" in message.body
    assert "/admin/snippets/annuaire/proposal/moderer/" in message.body
