"""A monthly donation is a Stripe Subscription; each paid invoice is a payment of its own."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from campagnes.models import Payment, PaymentKind, PaymentStatus
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_donation import DONOR, _event, _signed

pytestmark = pytest.mark.django_db


def test_monthly_donation_creates_a_subscription_and_records_each_invoice(donation_campaign, stripe_client, settings):
    client = Client()
    body = client.post(donation_campaign.url, {**DONOR, "amount": "15", "frequency": "monthly"}).content.decode()
    assert "chaque mois" in body
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    first = Payment.objects.get()
    assert first.kind == PaymentKind.MONTHLY_DONATION
    client.post(f"/paiement/{first.public_token}/confirmer/")
    first.refresh_from_db()
    assert first.status == PaymentStatus.SUCCEEDED
    assert first.stripe_subscription.startswith("sub_") and first.stripe_invoice.startswith("in_")
    subscription = stripe_client.v1.subscriptions.retrieve(first.stripe_subscription)
    assert subscription.status == "active"

    # the first invoice's webhook changes nothing more
    event = _event(
        "evt_inv_1",
        "invoice.paid",
        {"id": first.stripe_invoice, "object": "invoice", "subscription": first.stripe_subscription},
    )
    assert client.post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    assert Payment.objects.count() == 1

    # next month: Stripe bills the subscription again (here: an invoice created and paid by hand)
    # (localstripe bills the subscription's plan line: 15 €, what the payment expects; the
    # webhook refuses an invoice whose amount differs from the payment's)
    invoice = stripe_client.v1.invoices.create(
        params={"customer": first.stripe_customer, "subscription": first.stripe_subscription}
    )
    invoice = stripe_client.v1.invoices.pay(invoice.id)
    event = _event(
        "evt_inv_2", "invoice.paid", {"id": invoice.id, "object": "invoice", "subscription": first.stripe_subscription}
    )
    assert client.post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    second = Payment.objects.exclude(pk=first.pk).get()
    assert second.status == PaymentStatus.SUCCEEDED
    assert second.email == first.email and second.amount_cents == 1500 and second.stripe_invoice == invoice.id
    # replay: still two payments
    client.post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET))
    assert Payment.objects.count() == 2
