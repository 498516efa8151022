"""Payment attempts end cleanly: a form sent twice reuses its attempt, and an attempt left
unpaid expires on its own through a task the worker runs (nothing to remember to run)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from campagnes.models import Payment, PaymentStatus
from campagnes.services.expiry import expire_abandoned_payments
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_donation import DONOR

pytestmark = pytest.mark.django_db


def _age(payment, minutes):
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_the_same_form_sent_twice_reuses_its_attempt(donation_campaign):
    client = Client()
    first = client.post(donation_campaign.url, DONOR).content.decode()
    second = client.post(donation_campaign.url, DONOR).content.decode()
    assert Payment.objects.count() == 1
    secret = re.compile(r'data-client-secret="([^"]+)"')
    assert secret.search(first).group(1) == secret.search(second).group(1)
    # another amount is another attempt
    client.post(donation_campaign.url, {**DONOR, "amount": "30"})
    assert Payment.objects.count() == 2
    # another browser never gets this one's card form
    Client().post(donation_campaign.url, DONOR)
    assert Payment.objects.count() == 3


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection, as in production
def test_an_abandoned_attempt_expires_through_the_worker(
    donation_campaign, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    settings.KOLLEKTIF_PAYMENT_EXPIRY_MINUTES = 120
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(donation_campaign.url, DONOR)
    payment = Payment.objects.get()
    # starting the payment queued the sweep, deferred to when the attempt is stale
    sweep = DBTaskResult.objects.get(task_path="campagnes.services.expiry.expire_abandoned_payments")
    assert sweep.status == "READY" and sweep.run_after > timezone.now() + timedelta(minutes=119)
    # a second attempt does not queue a second sweep
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(donation_campaign.url, {**DONOR, "amount": "40"})
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    # two hours later the worker runs it: the first attempt is closed, the younger one is kept
    _age(payment, 121)
    DBTaskResult.objects.filter(pk=sweep.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert payment.failure_reason == "Paiement abandonné : rien n'a été débité."
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1
    # and the sweep came back for the one left
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_refused_attempt_expires_as_refused_with_the_banks_reason(donation_campaign):
    Client().post(donation_campaign.url, DONOR)
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(failure_reason="Carte refusée : provision insuffisante.")
    _age(payment, 200)
    assert expire_abandoned_payments.call() == "1 paiement(s) expiré(s)"
    payment.refresh_from_db()
    assert (
        payment.status == PaymentStatus.FAILED and payment.failure_reason == "Carte refusée : provision insuffisante."
    )


def test_a_paid_or_young_attempt_is_never_expired(donation_campaign, stripe_client, django_capture_on_commit_callbacks):
    client = Client()
    body = client.post(donation_campaign.url, DONOR).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    paid = Payment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/paiement/{paid.public_token}/confirmer/")
    Client().post(donation_campaign.url, {**DONOR, "amount": "12"})
    _age(paid, 500)
    call_command("liberer_paiements_abandonnes")
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.SUCCEEDED
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1
