"""Stripe Connect onboarding, tested with recorded Stripe responses (localstripe has no Connect)."""

from __future__ import annotations

import pytest
from django.test import Client

from campagnes import stripe_gateway
from tests.campagnes.recorded_stripe import RecordedStripe, load
from tests.campagnes.test_donation import _event, _signed

pytestmark = pytest.mark.django_db

RECORDED = load("connect.json")


@pytest.fixture
def recorded(monkeypatch):
    client = RecordedStripe(RECORDED)
    monkeypatch.setattr(stripe_gateway, "http_client_override", client)
    return client


def test_treasurer_connects_the_association_stripe_account(recorded, association_a):
    from associations.factories import UserFactory

    treasurer = UserFactory(email="tresoriere@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    client = Client()
    client.force_login(treasurer)
    assert "Connecter un compte Stripe" in client.get(f"/admin/stripe/{association_a.pk}/").content.decode()
    response = client.post(f"/admin/stripe/{association_a.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://connect.stripe.com/setup/")
    association_a.refresh_from_db()
    assert association_a.stripe_account_id == "acct_1QKollektifDemo01"
    create_account = next(r for r in recorded.requests if r[1] == "/v1/accounts")
    assert create_account[2]["type"] == ["standard"] and create_account[2]["country"] == ["FR"]
    assert create_account[3].get("Idempotency-Key") == f"acct-association-{association_a.pk}"
    link = next(r for r in recorded.requests if r[1] == "/v1/account_links")
    assert link[2]["type"] == ["account_onboarding"]
    assert link[2]["return_url"][0].endswith(f"/admin/stripe/{association_a.pk}/retour/")

    response = client.get(f"/admin/stripe/{association_a.pk}/retour/")
    assert response.status_code == 302
    association_a.refresh_from_db()
    assert association_a.stripe_charges_enabled and association_a.stripe_details_submitted


def test_account_updated_webhook_records_the_state(association_a, settings, recorded):
    """The event is a trigger: the state recorded is the account as Stripe answers it now."""
    association_a.stripe_account_id = "acct_1QKollektifDemo01"
    association_a.save()
    event = _event("evt_acct", "account.updated", {**RECORDED["GET /v1/accounts/acct_1QKollektifDemo01"]})
    response = Client().post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET))
    assert response.status_code == 200
    association_a.refresh_from_db()
    assert association_a.stripe_charges_enabled


def test_direct_charges_carry_the_association_account(settings, association_a):
    settings.STRIPE_CONNECT_ENABLED = True
    assert stripe_gateway._options(account="acct_123", idempotency_key="k") == {
        "stripe_account": "acct_123",
        "idempotency_key": "k",
    }
    settings.STRIPE_CONNECT_ENABLED = False
    assert "stripe_account" not in stripe_gateway._options(account="acct_123")


def test_another_association_cannot_open_the_stripe_screen(client_a, association_b, recorded):
    assert client_a.get(f"/admin/stripe/{association_b.pk}/").status_code == 404
    assert client_a.post(f"/admin/stripe/{association_b.pk}/").status_code == 404
    assert recorded.requests == []
