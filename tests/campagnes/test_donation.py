"""A one-off donation through the campaign page, against a real localstripe server."""

from __future__ import annotations

import json
import re
import time

import pytest
import stripe
from django.core import mail
from django.test import Client

from campagnes.models import Payment, PaymentStatus, StripeEvent
from tests.campagnes.conftest import confirm_card_in_browser

pytestmark = pytest.mark.django_db

DONOR = {
    "amount": "25",
    "frequency": "once",
    "first_name": "Léa",
    "last_name": "Dupont-Ørsted",
    "email": "lea@exemple.org",
    "street_address": "3 rue des Lilas",
    "postal_code": "62400",
    "city": "Béthune",
    "phone": "",
    "company_name": "",
    "company_siren": "",
    "consent": "on",
}


def _start(client, campaign, **overrides):
    return client.post(campaign.url, {**DONOR, **overrides})


def test_a_donor_gives_25_euros_and_sees_the_thank_you_page(
    donation_campaign, stripe_client, django_capture_on_commit_callbacks
):
    client = Client()
    response = _start(client, donation_campaign, cover_fees="on")
    assert response.status_code == 200
    body = response.content.decode()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING
    assert payment.amount_cents == 2500 and payment.fee_cents == 25 + 38  # 1.5 % + 0.25 €
    client_secret = re.search(r'data-client-secret="([^"]+)"', body).group(1)
    assert confirm_card_in_browser(stripe_client, client_secret).status == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/paiement/{payment.public_token}/confirmer/")
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.stripe_payment_intent.startswith("pi_")
    intent = stripe_client.v1.payment_intents.retrieve(payment.stripe_payment_intent)
    assert intent.amount == 2563 and intent.status == "succeeded"
    thanks = client.get(response["Location"])
    assert "Merci" in thanks.content.decode() and "25,63" in thanks.content.decode()
    assert [m.to for m in mail.outbox][0] == ["lea@exemple.org"]
    # the progress bar counts the gift, not the fees
    page = client.get(donation_campaign.url).content.decode()
    assert "25,00" in page and "1 contributeur" in page
    # confirming twice never charges twice
    client.post(f"/paiement/{payment.public_token}/confirmer/")
    assert Payment.objects.get().stripe_payment_intent == payment.stripe_payment_intent


def test_a_declined_card_charges_nothing(donation_campaign, stripe_client):
    client = Client()
    body = _start(client, donation_campaign).content.decode()
    client_secret = re.search(r'data-client-secret="([^"]+)"', body).group(1)
    with pytest.raises(stripe.CardError):
        confirm_card_in_browser(stripe_client, client_secret, number="4000000000000002")
    payment = Payment.objects.get()
    response = client.post(f"/paiement/{payment.public_token}/confirmer/")
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not payment.stripe_payment_intent


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "0"}, "positif"),
        ({"amount": "-5"}, "positif"),
        ({"amount": "douze"}, "montant en euros"),
        ({"amount": "2"}, "minimum est de 5"),
        ({"amount": "5000"}, "maximum est de 2000"),
        ({"street_address": ""}, "reçu fiscal"),
        ({"consent": ""}, "accord"),
        ({"email": "pas-un-email"}, "pas valide"),
        ({"company_name": "Indelab", "company_siren": "123456789"}, "clé de contrôle"),
    ],
)
def test_bad_input_charges_nothing(donation_campaign, overrides, message):
    response = _start(Client(), donation_campaign, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_a_closed_or_upcoming_campaign_takes_no_payment(donation_campaign):
    from datetime import timedelta

    from django.utils import timezone

    donation_campaign.opens_at = timezone.now() + timedelta(days=3)
    donation_campaign.save_revision().publish()
    response = _start(Client(), donation_campaign)
    assert response.status_code == 400 and "pas ouverte" in response.content.decode()
    donation_campaign.opens_at = timezone.now() - timedelta(days=10)
    donation_campaign.closes_at = timezone.now() - timedelta(days=1)
    donation_campaign.save_revision().publish()
    assert _start(Client(), donation_campaign).status_code == 400
    assert not Payment.objects.exists()


def test_payment_attempts_are_rate_limited(donation_campaign, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}}
    client = Client()
    statuses = [_start(client, donation_campaign).status_code for _ in range(9)]
    assert statuses[:8] == [200] * 8
    assert statuses[8] == 429


def _signed(payload: dict, secret: str) -> dict:
    body = json.dumps(payload)
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", secret)
    return {"data": body, "content_type": "application/json", "HTTP_STRIPE_SIGNATURE": f"t={timestamp},v1={signature}"}


def _event(event_id: str, event_type: str, obj: dict) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "data": {"object": obj},
        "api_version": "2020-08-27",
        "created": int(time.time()),
    }


def test_webhooks_forged_replayed_and_out_of_order(donation_campaign, stripe_client, settings):
    client = Client()
    body = _start(client, donation_campaign).content.decode()
    client_secret = re.search(r'data-client-secret="([^"]+)"', body).group(1)
    confirm_card_in_browser(stripe_client, client_secret)
    payment = Payment.objects.get()
    # charge it directly at Stripe, as if our confirmation request had been lost
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
    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1000})
    from campagnes.stripe_gateway import charge_id_of

    charge_id = charge_id_of(intent)

    # forged: wrong secret → 400, nothing recorded
    forged = _signed(
        _event("evt_forged", "payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}), "whsec_wrong"
    )
    assert client.post("/stripe/webhook/", **forged).status_code == 400
    assert not StripeEvent.objects.exists()

    # out of order: the refund arrives before the success it refunds
    refund_event = _event(
        "evt_refund",
        "charge.refunded",
        {"id": charge_id, "object": "charge", "payment_intent": intent.id, "metadata": {"payment": str(payment.uuid)}},
    )
    payment.stripe_payment_intent = intent.id
    payment.save(update_fields=["stripe_payment_intent"])
    assert client.post("/stripe/webhook/", **_signed(refund_event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    success_event = _event(
        "evt_success",
        "payment_intent.succeeded",
        {"id": intent.id, "object": "payment_intent", "metadata": {"payment": str(payment.uuid)}},
    )
    assert client.post("/stripe/webhook/", **_signed(success_event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert payment.refunded_cents == 1000

    # replayed: processed once
    response = client.post("/stripe/webhook/", **_signed(success_event, settings.STRIPE_WEBHOOK_SECRET))
    assert response.status_code == 200 and "déjà traité" in response.content.decode()
    assert StripeEvent.objects.count() == 2
    assert payment.logs.filter(action="succeeded").count() == 0  # never marked succeeded after its refund


def test_open_campaigns_are_listed_on_nous_aider_and_accueil(donation_campaign):
    from datetime import timedelta

    from django.utils import timezone

    from campagnes.models import DonationCampaignPage

    support = donation_campaign.get_parent()
    closed = DonationCampaignPage(
        title="Ancienne campagne",
        slug="ancienne",
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    support.add_child(instance=closed)
    client = Client()
    for url in ("/association/popeline/nous-aider/", "/association/popeline/"):
        body = client.get(url).content.decode()
        assert "Une machine à coudre pour l&#x27;atelier" in body or "Une machine à coudre pour l'atelier" in body
        assert "Ancienne campagne" not in body


def test_a_suggested_amount_is_one_tap(donation_campaign, stripe_client):
    client = Client()
    page = client.get(donation_campaign.url).content.decode()
    assert 'value="2000"' in page and "20 €" in page and "Autre montant" in page
    response = client.post(donation_campaign.url, {**DONOR, "amount": "", "preset": "5000"})
    assert response.status_code == 200
    assert Payment.objects.get().amount_cents == 5000
    response = client.post(donation_campaign.url, {**DONOR, "amount": "", "preset": "autre"})
    assert response.status_code == 400 and "Choisissez ou indiquez un montant" in response.content.decode()
    # a forged preset is not a way around the minimum
    response = client.post(donation_campaign.url, {**DONOR, "amount": "", "preset": "1"})
    assert response.status_code == 400


def test_a_webhook_alone_records_the_payment_when_the_browser_never_came_back(
    donation_campaign, stripe_client, settings
):
    """The donor closed the tab after Stripe.js: only the webhook can record the payment."""
    client = Client()
    body = _start(client, donation_campaign).content.decode()
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
    event = _event(
        "evt_alone",
        "payment_intent.succeeded",
        {"id": intent.id, "object": "payment_intent", "metadata": {"payment": str(payment.uuid)}},
    )
    assert client.post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.stripe_payment_intent == intent.id


def test_a_failure_while_processing_lets_stripe_retry(donation_campaign, settings, monkeypatch):
    from campagnes.services import webhooks

    def broken():
        raise RuntimeError("database went away")

    # Stripe was read; applying it fails inside the transaction that holds the event row
    monkeypatch.setattr(webhooks, "_read", lambda event: broken)
    event = _event("evt_retry", "payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})
    client = Client(raise_request_exception=False)
    assert client.post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 500
    assert not StripeEvent.objects.exists()  # nothing half-recorded: the retry will process it
    monkeypatch.undo()
    assert client.post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    assert StripeEvent.objects.get().processed_at is not None
