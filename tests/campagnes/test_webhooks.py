"""Webhooks trust nothing but Stripe's own objects (issue #10, items 7 and 8).

Signed events are replayed against a real localstripe; Connect accounts, which localstripe
lacks, come from the recorded Stripe responses.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import stripe
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campagnes.models import Payment, PaymentStatus, Receipt, StripeEvent
from campagnes.stripe_gateway import charge_id_of
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_connect import recorded  # noqa: F401 (fixture)
from tests.campagnes.test_donation import DONOR, _event, _signed

pytestmark = pytest.mark.django_db


def _post(client, event: dict, secret: str):
    return client.post("/stripe/webhook/", **_signed(event, secret))


def _signed_raw(body: str, secret: str) -> dict:
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", secret)
    return {"data": body, "content_type": "application/json", "HTTP_STRIPE_SIGNATURE": f"t={timestamp},v1={signature}"}


@pytest.fixture
def ten_euro_payment(donation_campaign, stripe_client):
    """A 10 € donation whose donor confirmed the card; the server has not charged it yet."""
    client = Client()
    body = client.post(donation_campaign.url, {**DONOR, "amount": "10"}).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    payment = Payment.objects.get()
    assert payment.total_cents == 1000
    return payment


def _intent(stripe_client, payment: Payment, *, amount: int, currency: str = "eur", metadata: dict | None = None):
    """A PaymentIntent created directly at Stripe with the donor's card."""
    setup_intent = stripe_client.v1.setup_intents.retrieve(payment.stripe_setup_intent)
    return stripe_client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency,
            "customer": payment.stripe_customer,
            "payment_method": setup_intent.payment_method,
            "confirm": True,
            "off_session": True,
            "metadata": metadata if metadata is not None else {"payment": str(payment.uuid)},
        }
    )


# --- 7. A signed but malformed event is a 400 -------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        "{}",
        '"evt"',
        '{"id": "evt_1", "object": "event"}',
        '{"id": "evt_1", "type": "payment_intent.succeeded"}',
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": "x"}',
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {}}',
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": []}}',
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"object": "payment_intent"}}}',
        '{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"id": 12}}}',
        '{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"id": "ch_1/../../v1/accounts"}}}',
        '{"id": 1, "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}}',
        '{"id": "evt_1", "type": ["payment_intent.succeeded"], "data": {"object": {"id": "pi_1"}}}',
        '{"id": "evt_1", "type": "account.updated", "account": 3, "data": {"object": {"id": "acct_1"}}}',
        "{not json",
    ],
)
def test_a_signed_but_malformed_event_answers_400(body, settings):
    client = Client(raise_request_exception=False)
    response = client.post("/stripe/webhook/", **_signed_raw(body, settings.STRIPE_WEBHOOK_SECRET))
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_event_about_an_object_stripe_does_not_know_is_answered_once(settings):
    event = _event("evt_ghost", "charge.refunded", {"id": "ch_doesnotexist", "object": "charge"})
    response = _post(Client(), event, settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200 and "inconnu chez Stripe" in response.content.decode()


# --- 8a. Amount and currency are Stripe's ------------------------------------------------


@pytest.mark.parametrize(("amount", "currency"), [(50, "eur"), (1000, "usd")])
def test_a_cheaper_intent_naming_a_payment_does_not_pay_it(
    ten_euro_payment, stripe_client, settings, amount, currency, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Équipe Kollektif", "equipe@kollektif.example")]
    payment = ten_euro_payment
    cheap = _intent(stripe_client, payment, amount=amount, currency=currency)
    assert cheap.status == "succeeded"
    event = _event(
        "evt_cheap",
        "payment_intent.succeeded",
        {
            "id": cheap.id,
            "object": "payment_intent",
            "amount": 1000,
            "currency": "eur",
            "metadata": {"payment": str(payment.uuid)},
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(Client(), event, settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.paid_at is None
    assert not payment.stripe_payment_intent
    assert not Receipt.objects.exists()
    mismatch = payment.logs.get(action="mismatch")
    assert mismatch.detail["stripe_amount"] == amount and mismatch.detail["expected_amount"] == 1000
    alert = [message for message in mail.outbox if message.to == ["equipe@kollektif.example"]]
    assert len(alert) == 1 and "non conforme" in alert[0].subject
    assert [message for message in mail.outbox if "lea@exemple.org" in message.to] == []  # no thank-you, no receipt

    # the same event again: nothing more, one alert
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), {**event, "id": "evt_cheap_again"}, settings.STRIPE_WEBHOOK_SECRET)
    assert payment.logs.filter(action="mismatch").count() == 1 and len(mail.outbox) == 1

    # the real charge still pays it
    real = _intent(stripe_client, payment, amount=1000)
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            Client(),
            _event("evt_real", "payment_intent.succeeded", {"id": real.id, "object": "payment_intent"}),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.stripe_payment_intent == real.id
    assert Receipt.objects.get().items.get().payment == payment


def test_the_treasurer_sees_the_refused_intent_in_the_payment_history(
    ten_euro_payment, stripe_client, settings, association_a
):
    from associations.factories import UserFactory

    payment = ten_euro_payment
    cheap = _intent(stripe_client, payment, amount=50)
    _post(
        Client(),
        _event("evt_cheap", "payment_intent.succeeded", {"id": cheap.id, "object": "payment_intent"}),
        settings.STRIPE_WEBHOOK_SECRET,
    )
    treasurer = UserFactory(email="tresoriere@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    client = Client()
    client.force_login(treasurer)
    page = client.get(f"/admin/paiements/{payment.pk}/")
    assert page.status_code == 200
    assert "Paiement Stripe non conforme" in page.content.decode()


def test_an_intent_naming_another_payment_in_its_metadata_does_not_pay_this_one(
    ten_euro_payment, stripe_client, settings
):
    """The browser path reads the same intent: the one charged for this payment, nothing else."""
    payment = ten_euro_payment
    other = _intent(stripe_client, payment, amount=1000, metadata={"payment": "0b7e8f7a-6a4e-4b7a-9d57-2f2b1f0c9e11"})
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent=other.id)
    response = Client().post(f"/paiement/{payment.public_token}/verifier/")
    payment.refresh_from_db()
    assert response.status_code in (200, 302)
    assert payment.status == PaymentStatus.PENDING and payment.logs.filter(action="mismatch").exists()


# --- 8b. account.updated re-reads the account ---------------------------------------------


def test_an_old_enabled_account_event_cannot_enable_payments_again(association_a, settings, recorded):  # noqa: F811
    association_a.stripe_account_id = "acct_1QKollektifRestricted"
    association_a.stripe_charges_enabled = False
    association_a.save()
    old = _event(
        "evt_acct_old",
        "account.updated",
        {"id": "acct_1QKollektifRestricted", "object": "account", "charges_enabled": True, "details_submitted": True},
    )
    response = _post(Client(), old, settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200
    association_a.refresh_from_db()
    assert not association_a.stripe_charges_enabled
    assert ("GET", "/v1/accounts/acct_1QKollektifRestricted") in [request[:2] for request in recorded.requests]


def test_an_account_event_for_an_unknown_account_calls_nobody(settings, recorded):  # noqa: F811
    event = _event(
        "evt_acct_x", "account.updated", {"id": "acct_unknown", "object": "account", "charges_enabled": True}
    )
    response = _post(Client(), event, settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200 and "compte inconnu" in response.content.decode()
    assert recorded.requests == []


# --- 8c. A refund before the payment knows its intent ---------------------------------------


def test_a_refund_arriving_before_the_payment_knows_its_intent_is_recorded(ten_euro_payment, stripe_client, settings):
    payment = ten_euro_payment
    intent = _intent(stripe_client, payment, amount=1000)
    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 400})
    charge = stripe_client.v1.charges.retrieve(charge_id_of(intent))
    payload = json.loads(json.dumps(charge.to_dict()))
    # the payload as Stripe sends it: the charge, with its intent's id and no reference of ours
    # (Stripe does not copy the intent's metadata onto its charge)
    assert payload["payment_intent"] == intent.id and not payload.get("metadata")
    assert not Payment.objects.get().stripe_payment_intent
    response = _post(Client(), _event("evt_refund_first", "charge.refunded", payload), settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200 and "remboursement" in response.content.decode()
    payment.refresh_from_db()
    assert payment.stripe_payment_intent == intent.id
    assert payment.refunded_cents == 400 and payment.status == PaymentStatus.PARTIALLY_REFUNDED
    # the success arrives afterwards and changes nothing
    _post(
        Client(),
        _event("evt_success_late", "payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}),
        settings.STRIPE_WEBHOOK_SECRET,
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_cents == 400


def test_a_refund_event_cannot_claim_more_than_stripe_refunded(ten_euro_payment, stripe_client, settings):
    payment = ten_euro_payment
    intent = _intent(stripe_client, payment, amount=1000)
    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 100})
    event = _event(
        "evt_refund_lie",
        "charge.refunded",
        {
            "id": charge_id_of(intent),
            "object": "charge",
            "amount_refunded": 1000,
            "payment_intent": intent.id,
            "metadata": {"payment": str(payment.uuid)},
        },
    )
    assert _post(Client(), event, settings.STRIPE_WEBHOOK_SECRET).status_code == 200
    payment.refresh_from_db()
    assert payment.refunded_cents == 100


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
EVENT_TYPES = st.sampled_from(
    [
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "invoice.paid",
        "invoice.payment_failed",
        "account.updated",
        "charge.refunded",
        "customer.created",
    ]
)


def test_signed_events_of_any_shape_never_cause_a_500(settings):
    client = Client(raise_request_exception=False)
    ids = st.one_of(st.sampled_from(["pi_unknown", "ch_unknown", "in_unknown", "acct_unknown"]), JSON)

    @hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.one_of(
            JSON,
            st.fixed_dictionaries(
                {
                    "id": JSON | st.just("evt_fuzz"),
                    "type": EVENT_TYPES | JSON,
                    "data": JSON
                    | st.fixed_dictionaries(
                        {
                            "object": JSON
                            | st.fixed_dictionaries({"id": ids}, optional={"metadata": JSON, "payment_intent": JSON})
                        }
                    ),
                },
                optional={"account": JSON},
            ),
        )
    )
    def check(payload):
        StripeEvent.objects.all().delete()
        response = client.post("/stripe/webhook/", **_signed_raw(json.dumps(payload), settings.STRIPE_WEBHOOK_SECRET))
        assert response.status_code in (200, 400), (payload, response.status_code)

    check()


def test_with_connect_an_event_from_another_account_cannot_pay_a_payment(
    ten_euro_payment, stripe_client, settings, association_a
):
    """Another association's owner can create real intents on its own account with any metadata."""
    settings.STRIPE_CONNECT_ENABLED = True  # localstripe ignores the Stripe-Account header
    association_a.stripe_account_id = "acct_popeline"
    association_a.save()
    payment = ten_euro_payment
    intent = _intent(stripe_client, payment, amount=1000)
    event = {
        **_event(
            "evt_other_account",
            "payment_intent.succeeded",
            {"id": intent.id, "object": "payment_intent", "metadata": {"payment": str(payment.uuid)}},
        ),
        "account": "acct_someone_else",
    }
    response = _post(Client(), event, settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200 and "paiement inconnu" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not Receipt.objects.exists()
    # from the association's own account, it pays
    _post(Client(), {**event, "id": "evt_own_account", "account": "acct_popeline"}, settings.STRIPE_WEBHOOK_SECRET)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_a_refund_of_a_month_arriving_before_its_invoice_event_is_recorded(donation_campaign, stripe_client, settings):
    """The month's payment row does not exist yet: the refund finds it through the charge's
    intent and its invoice, records the month, then the refund."""
    client = Client()
    body = client.post(donation_campaign.url, {**DONOR, "amount": "15", "frequency": "monthly"}).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    first = Payment.objects.get()
    client.post(f"/paiement/{first.public_token}/confirmer/")
    first.refresh_from_db()
    invoice = stripe_client.v1.invoices.create(
        params={"customer": first.stripe_customer, "subscription": first.stripe_subscription}
    )
    invoice = stripe_client.v1.invoices.pay(invoice.id)
    intent_id = invoice.payment_intent if isinstance(invoice.payment_intent, str) else invoice.payment_intent.id
    stripe_client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 500})
    charge_id = charge_id_of(stripe_client.v1.payment_intents.retrieve(intent_id))
    event = _event(
        "evt_month_refund", "charge.refunded", {"id": charge_id, "object": "charge", "payment_intent": intent_id}
    )
    response = _post(client, event, settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200 and "remboursement" in response.content.decode()
    month = Payment.objects.exclude(pk=first.pk).get()
    assert month.stripe_invoice == invoice.id and month.stripe_payment_intent == intent_id
    assert month.refunded_cents == 500 and month.status == PaymentStatus.PARTIALLY_REFUNDED
