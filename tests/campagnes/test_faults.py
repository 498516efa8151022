"""Faults: Stripe down, the database down under a webhook, a worker killed mid-task.

Each fault is real where it can be: a closed port for Stripe, the database refusing every
query (a connection wrapper raising OperationalError, as when PostgreSQL goes away), a task
row left RUNNING as by a killed worker, run again by the real django-tasks-db worker.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from campagnes.models import Payment, PaymentStatus, Receipt, StripeEvent
from site_kollektif.localstripe_server import free_port
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_donation import DONOR, _event, _signed

pytestmark = pytest.mark.django_db


def test_stripe_down_while_a_donor_pays_then_paying_again_works(
    donation_campaign, stripe_client, settings, django_capture_on_commit_callbacks
):
    localstripe = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    client = Client()
    down = client.post(donation_campaign.url, DONOR)
    assert down.status_code == 503
    assert "Le service de paiement ne répond pas. Rien n'a été débité" in down.content.decode().replace("&#x27;", "'")
    failed = Payment.objects.get()
    assert failed.status == PaymentStatus.CANCELED and failed.logs.filter(action="canceled").exists()
    settings.STRIPE_API_BASE = localstripe
    body = client.post(donation_campaign.url, DONOR).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    paid = Payment.objects.exclude(pk=failed.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/paiement/{paid.public_token}/confirmer/").status_code == 302
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.SUCCEEDED and Receipt.objects.get().items.get().payment == paid


def test_a_webhook_while_the_database_is_down_is_completed_by_stripes_retry(donation_campaign, stripe_client, settings):
    client = Client()
    body = client.post(donation_campaign.url, DONOR).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    payment = Payment.objects.get()
    setup_intent = stripe_client.v1.setup_intents.retrieve(payment.stripe_setup_intent)
    intent = stripe_client.v1.payment_intents.create(
        params={
            "amount": 2500,
            "currency": "eur",
            "customer": payment.stripe_customer,
            "payment_method": setup_intent.payment_method,
            "confirm": True,
            "off_session": True,
            "metadata": {"payment": str(payment.uuid)},
        }
    )
    event = _signed(
        _event(
            "evt_db_down",
            "payment_intent.succeeded",
            {"id": intent.id, "object": "payment_intent", "metadata": {"payment": str(payment.uuid)}},
        ),
        settings.STRIPE_WEBHOOK_SECRET,
    )

    def database_down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server: Connection refused")

    with connection.execute_wrapper(database_down):
        response = client.post("/stripe/webhook/", **event)
    assert response.status_code == 503  # Stripe retries any non-2xx answer
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not StripeEvent.objects.exists()
    retry = client.post("/stripe/webhook/", **event)
    assert retry.status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and Receipt.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the real worker closes its database connection between tasks
def test_a_worker_killed_during_a_task_runs_it_again_without_duplicate(
    settings, donation_campaign, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from tests.receipts.conftest import pay

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        pay(donation_campaign, amount_cents=4200)
    receipt = Receipt.objects.get()
    task = DBTaskResult.objects.get(task_path="campagnes.receipts.delivery.deliver_receipt")
    # a worker took the task, claimed the receipt, and was killed before sending
    long_ago = timezone.now() - timedelta(minutes=30)
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING", started_at=long_ago, worker_ids=["tué"])
    Receipt.objects.filter(pk=receipt.pk).update(sending_since=long_ago)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert not any(receipt.number in message.subject for message in mail.outbox)  # still stuck: RUNNING
    call_command("relancer_taches_interrompues", minutes=15)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    sent = [message for message in mail.outbox if receipt.number in message.subject]
    assert len(sent) == 1 and Receipt.objects.count() == 1
    receipt.refresh_from_db()
    assert receipt.emailed_at is not None and receipt.sending_since is None
    # the same task delivered twice (a retry racing the original) sends nothing more
    from campagnes.receipts.delivery import deliver_receipt

    assert deliver_receipt.call(receipt_id=receipt.pk) == "déjà envoyé ou en cours d'envoi"
    assert len([message for message in mail.outbox if receipt.number in message.subject]) == 1
