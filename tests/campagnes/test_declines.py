"""A refused card: the bank's reason in French, recorded on the payment, shown to the donor and
to the treasurer; the treasurer's default list shows the payments that brought money."""

from __future__ import annotations

import html
import re

import pytest
import stripe
from django.test import Client

from associations.factories import UserFactory
from campagnes import stripe_gateway as gateway
from campagnes.models import Payment, PaymentStatus
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_donation import DONOR

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "decline_code", "expected"),
    [
        ("card_declined", "insufficient_funds", "Carte refusée : provision insuffisante."),
        ("expired_card", "", "Carte refusée : elle a expiré."),
        ("incorrect_cvc", "", "Carte refusée : le cryptogramme (CVC) est incorrect."),
        ("processing_error", "", "Carte refusée : erreur de traitement chez la banque. Réessayez dans un instant."),
        ("authentication_required", "", "Carte refusée : votre banque demande une authentification (3-D Secure)."),
        ("card_declined", "do_not_honor", "Carte refusée par la banque : contactez-la pour en savoir plus."),
        ("card_declined", "un_code_inconnu", "Carte refusée par la banque."),
    ],
)
def test_the_banks_reasons_are_in_french(code, decline_code, expected):
    assert gateway.decline_message(code=code, decline_code=decline_code) == expected


def test_a_card_refused_in_the_browser_is_recorded_and_shown_in_french(donation_campaign, stripe_client):
    client = Client()
    body = client.post(donation_campaign.url, DONOR).content.decode()
    assert 'data-decline-url="/paiement/' in body
    client_secret = re.search(r'data-client-secret="([^"]+)"', body).group(1)
    with pytest.raises(stripe.CardError):
        confirm_card_in_browser(stripe_client, client_secret, number="4000000000000002")
    payment = Payment.objects.get()
    # payment.js reports the refusal; the server reads the reason from Stripe, not from the browser
    answer = client.post(f"/paiement/{payment.public_token}/refus/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    assert answer.json()["message"] == "Carte refusée par la banque."
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_reason == "Carte refusée par la banque."
    # the page the donor lands on says so, in French
    page = client.get(answer.json()["next"])
    text = html.unescape(page.content.decode())
    assert page.status_code == 402
    assert "Le paiement n'a pas abouti" in text and "Carte refusée par la banque." in text
    assert "Aucun montant n'a été débité." in text


def test_a_card_refused_at_the_charge_is_recorded_in_french(donation_campaign, stripe_client):
    client = Client()
    body = client.post(donation_campaign.url, DONOR).content.decode()
    # this card is saved, then refused when charged
    confirm_card_in_browser(
        stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1), number="4000000000000341"
    )
    payment = Payment.objects.get()
    response = client.post(f"/paiement/{payment.public_token}/confirmer/", follow=True)
    text = html.unescape(response.content.decode())
    assert "Le paiement n'a pas abouti" in text and "Carte refusée" in text and "declined" not in text
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_reason.startswith("Carte refusée")


def test_the_treasurer_sees_paid_payments_by_default_and_the_reason_of_a_refusal(
    donation_campaign, stripe_client, association_a
):
    treasurer = UserFactory(email="tresoriere-a@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    client = Client()
    body = client.post(donation_campaign.url, {**DONOR, "first_name": "Refusée"}).content.decode()
    with pytest.raises(stripe.CardError):
        confirm_card_in_browser(
            stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1), number="4000000000000002"
        )
    refused = Payment.objects.get()
    client.post(f"/paiement/{refused.public_token}/refus/")
    body = client.post(donation_campaign.url, {**DONOR, "first_name": "Payée", "amount": "30"}).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    paid = Payment.objects.exclude(pk=refused.pk).get()
    client.post(f"/paiement/{paid.public_token}/confirmer/")

    admin = Client()
    admin.force_login(treasurer)
    listing = admin.get("/admin/paiements/")
    assert listing.status_code == 200
    text = html.unescape(listing.content.decode())
    assert "Payée Dupont" in text and "Refusée Dupont" not in text
    everything = html.unescape(admin.get("/admin/paiements/", {"status": "tous"}).content.decode())
    assert "Payée Dupont" in everything and "Refusée Dupont" in everything
    detail = html.unescape(admin.get(f"/admin/paiements/{refused.pk}/").content.decode())
    assert "Motif de l'échec" in detail and "Carte refusée par la banque." in detail
