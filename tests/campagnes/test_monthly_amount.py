"""A monthly donor changes the amount of the gift from the link of their e-mails: Stripe charges
the new amount from the next month on (no proration, nothing charged now), the next month is
recorded at that amount, both sides are told."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.test import Client

from associations.factories import UserFactory
from campagnes.models import Payment, PaymentStatus
from campagnes.monthly import monthly_token
from tests.campagnes.test_donation import _event, _signed
from tests.campagnes.test_monthly_stop import _give_monthly

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    return user


def _text(response) -> str:
    """The page's text, non-breaking spaces (as in "25,00 €") read as spaces."""
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def test_a_monthly_donor_changes_10_to_25_euros(
    donation_campaign, stripe_client, treasurer_a, settings, django_capture_on_commit_callbacks
):
    payment, _response = _give_monthly(
        Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks, amount="10"
    )
    assert payment.total_cents == 1000
    path = f"/don-mensuel/{monthly_token(payment)}/"
    page = Client().get(path)
    assert page.status_code == 200
    assert "Modifier le montant" in _text(page) and "10,00 € par mois" in _text(page)
    invoices_before = len(stripe_client.v1.invoices.list(params={"customer": payment.stripe_customer}).data)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = Client().post(path, {"action": "amount", "amount": "25"})
    assert changed.status_code == 200
    assert "Votre don mensuel passe à 25,00 € par mois" in _text(changed)

    # Stripe: the subscription bills 25 € now, and nothing was charged today
    subscription = stripe_client.v1.subscriptions.retrieve(payment.stripe_subscription)
    assert subscription.status == "active"
    assert subscription["items"].data[0].plan.amount == 2500
    invoices = stripe_client.v1.invoices.list(params={"customer": payment.stripe_customer}).data
    assert len(invoices) == invoices_before
    payment.refresh_from_db()
    assert payment.total_cents == 1000 and payment.monthly_cents == 2500  # the month paid stays as it was
    assert payment.subscription_stopped_at is None

    # both sides are told, and the payment's history says it
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["lea@exemple.org", "tresoriere-a@exemple.org"]
    donor_mail = next(m for m in mail.outbox if m.to == ["lea@exemple.org"])
    body = donor_mail.body.replace("\xa0", " ")
    assert "25,00" in donor_mail.subject and "passe de 10,00 € à 25,00 € par mois" in body
    log = payment.logs.get(action="monthly_amount_changed")
    assert log.detail["from_cents"] == 1000 and log.detail["to_cents"] == 2500

    # the same form sent twice: nothing more, no second e-mail
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(path, {"action": "amount", "amount": "25"}).status_code == 200
    assert mail.outbox == [] and payment.logs.filter(action="monthly_amount_changed").count() == 1

    # the page now shows the new amount
    assert "25,00 € par mois" in _text(Client().get(path))

    # next month: Stripe bills 25 € (no "unused time" credit), recorded as a 25 € payment
    invoice = stripe_client.v1.invoices.create(
        params={"customer": payment.stripe_customer, "subscription": payment.stripe_subscription}
    )
    invoice = stripe_client.v1.invoices.pay(invoice.id)
    assert invoice.amount_paid == 2500
    event = _event(
        "evt_amount_month_2",
        "invoice.paid",
        {"id": invoice.id, "object": "invoice", "subscription": payment.stripe_subscription},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    second = Payment.objects.get(stripe_invoice=invoice.id)
    assert second.status == PaymentStatus.SUCCEEDED
    assert second.total_cents == 2500 and second.email == payment.email


def test_bad_amounts_are_refused_in_french(donation_campaign, stripe_client, django_capture_on_commit_callbacks):
    payment, _response = _give_monthly(
        Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks, amount="10"
    )
    path = f"/don-mensuel/{monthly_token(payment)}/"
    mail.outbox.clear()
    minimum = f"{donation_campaign.min_amount:.2f}".replace(".", ",").replace(",00", "")
    for amount, message in (
        ("0,50", f"Le don minimum est de {minimum} €."),
        ("vingt", "montant"),
        ("", "Indiquez le nouveau montant mensuel."),
    ):
        response = Client().post(path, {"action": "amount", "amount": amount})
        assert response.status_code == 400, amount
        assert message in _text(response), amount
    assert stripe_client.v1.subscriptions.retrieve(payment.stripe_subscription)["items"].data[0].plan.amount == 1000
    payment.refresh_from_db()
    assert payment.subscription_amount_cents is None
    assert mail.outbox == []
    assert not payment.logs.filter(action="monthly_amount_changed").exists()


def test_a_stopped_gift_or_a_tampered_link_changes_nothing(
    donation_campaign, stripe_client, django_capture_on_commit_callbacks
):
    payment, _response = _give_monthly(
        Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks, amount="10"
    )
    token = monthly_token(payment)
    value, signature = token.rsplit(":", 1)
    tampered = Client().post(f"/don-mensuel/{value}:{signature[:-2]}xx/", {"action": "amount", "amount": "25"})
    assert tampered.status_code == 404 and "Ce lien n'est pas valable" in _text(tampered)

    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(f"/don-mensuel/{token}/").status_code == 200  # stopped
    mail.outbox.clear()
    response = Client().post(f"/don-mensuel/{token}/", {"action": "amount", "amount": "25"})
    assert response.status_code == 410
    assert "Ce don mensuel est déjà arrêté" in _text(response)
    payment.refresh_from_db()
    assert payment.subscription_amount_cents is None and mail.outbox == []
