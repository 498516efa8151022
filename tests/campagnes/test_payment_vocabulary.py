"""Payment vocabulary in one place (issue 11, item 4): status sets, the typed offer, one way to
close a pending payment, French formats, and Stripe never called while a row is locked."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from campagnes import stripe_gateway
from campagnes.models import Payment, PaymentOffer, PaymentStatus
from campagnes.services import payment_charge, payment_close_pending
from campagnes.stripe_gateway import charge_id_of
from kernel.formats.french import format_eur, french_date, french_datetime, french_year
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_donation import DONOR, _event, _signed

pytestmark = pytest.mark.django_db

STRIPE_CALLS = (
    "create_customer",
    "create_setup_intent",
    "retrieve_setup_intent",
    "charge",
    "retrieve_payment_intent",
    "retrieve_invoice",
    "retrieve_charge",
    "retrieve_account",
    "refund",
    "set_default_payment_method",
    "monthly_plan",
    "create_subscription",
)


@pytest.fixture
def stripe_depths(monkeypatch):
    """For each call to Stripe: how many transactions (savepoints) were open beyond the test's own.

    A row lock lives as long as the transaction that took it: a call made at depth 0 holds none.
    """
    baseline = len(connection.savepoint_ids)
    calls: list[tuple[str, int]] = []
    for name in STRIPE_CALLS:
        original = getattr(stripe_gateway, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            calls.append((_name, len(connection.savepoint_ids) - baseline))
            return _original(*args, **kwargs)

        monkeypatch.setattr(stripe_gateway, name, spy)
    return calls


def _confirmed_payment(donation_campaign, stripe_client) -> Payment:
    body = Client().post(donation_campaign.url, {**DONOR, "amount": "10"}).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    return Payment.objects.get()


def test_charging_reads_stripe_before_locking_the_payment(donation_campaign, stripe_client, stripe_depths):
    payment = _confirmed_payment(donation_campaign, stripe_client)
    payment = payment_charge(payment=payment)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert ("retrieve_setup_intent", 0) in stripe_depths
    assert all(depth == 0 for _name, depth in stripe_depths), stripe_depths


def test_a_webhook_reads_stripe_before_locking_anything(donation_campaign, stripe_client, stripe_depths, settings):
    payment = _confirmed_payment(donation_campaign, stripe_client)
    setup_intent = stripe_client.v1.setup_intents.retrieve(payment.stripe_setup_intent)
    intent = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "customer": payment.stripe_customer,
            "payment_method": setup_intent.payment_method,
            "confirm": True,
            "off_session": True,
            "metadata": {"payment": str(payment.uuid)},
        }
    )
    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    charge = json.loads(json.dumps(stripe_client.v1.charges.retrieve(charge_id_of(intent)).to_dict()))
    stripe_depths.clear()
    response = Client().post(
        "/stripe/webhook/", **_signed(_event("evt_refund", "charge.refunded", charge), settings.STRIPE_WEBHOOK_SECRET)
    )
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.refunded_cents == 300 and payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert [name for name, _depth in stripe_depths] == ["retrieve_charge", "retrieve_payment_intent"]
    assert all(depth == 0 for _name, depth in stripe_depths), stripe_depths


def test_the_status_sets_say_what_counts_as_paid():
    assert set(PaymentStatus.SETTLED) == {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED}
    assert set(PaymentStatus.PAID_OR_REFUNDED) == set(PaymentStatus.SETTLED) | {PaymentStatus.REFUNDED}
    assert PaymentStatus.SUCCEEDED in PaymentStatus.SETTLED and "reussi" in PaymentStatus.SETTLED
    assert PaymentStatus.REFUNDED not in PaymentStatus.SETTLED
    assert len(PaymentStatus.choices) == 6  # the sets are not statuses


@pytest.mark.parametrize(
    "stored",
    [
        {},
        {"frequency": "monthly"},
        {"tier": 3, "tier_name": "Soutien"},
        {"tickets": {"2": 1, "10": 3}},
        {"counterpart": 7, "counterpart_name": "Tote bag", "counterpart_value_cents": 800},
        {"manuel": True},
    ],
)
def test_the_offer_reads_and_writes_the_json_the_field_has_always_held(stored):
    offer = PaymentOffer.from_dict(stored)
    assert offer.to_dict() == stored
    assert PaymentOffer.from_dict(offer.to_dict()) == offer


def test_the_offer_of_tickets_is_typed():
    offer = PaymentOffer.from_dict({"tickets": {"10": 3, "2": 1}})
    assert offer.ticket_lines() == [(2, 1), (10, 3)]  # in id order: rows are locked in one order


def test_closing_a_pending_payment_happens_once_and_only_without_money(donation_campaign, association_a):
    payment = Payment.objects.create(
        association=association_a,
        campaign_id=donation_campaign.pk,
        kind="don",
        amount_cents=1000,
        first_name="Léa",
        last_name="Dupont",
        email="lea@exemple.org",
    )
    closed = payment_close_pending(payment=payment, status=PaymentStatus.FAILED, reason="Carte refusée", source="test")
    assert closed.status == PaymentStatus.FAILED and closed.failure_reason == "Carte refusée"
    again = payment_close_pending(payment=payment, status=PaymentStatus.CANCELED, reason="trop tard", source="test")
    assert again.status == PaymentStatus.FAILED  # only a pending payment closes
    assert list(payment.logs.values_list("action", flat=True)) == ["failed"]
    with pytest.raises(ValueError):
        payment_close_pending(payment=payment, status=PaymentStatus.SUCCEEDED, reason="", source="test")


def test_french_formats_live_in_one_module():
    assert french_year(2026) == "2026" and french_year(datetime.date(2026, 1, 1)) == "2026"
    assert french_date(datetime.date(2026, 11, 23)) == "23/11/2026" and french_date(None) == ""
    moment = timezone.make_aware(datetime.datetime(2026, 11, 23, 13, 5), datetime.UTC)
    assert french_datetime(moment) == timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
    assert format_eur(123456) == "1\u202f234,56\u00a0€"
