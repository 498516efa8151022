"""A monthly donor knows their gift is monthly, when it is charged next, and stops it from the
link of any e-mail (no account); a treasurer can stop it too; Stripe then charges nothing more."""

from __future__ import annotations

import html
import re

import pytest
import stripe
from django.core import mail
from django.test import Client

from associations.factories import UserFactory
from campagnes.models import Payment, PaymentStatus
from campagnes.monthly import monthly_token
from tests.campagnes.conftest import confirm_card_in_browser
from tests.campagnes.test_donation import DONOR, _event, _signed

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/don-mensuel/[^\s\"<>/]+/")


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    return user


def _give_monthly(client, campaign, stripe_client, capture, amount="15"):
    body = client.post(campaign.url, {**DONOR, "amount": amount, "frequency": "monthly"}).content.decode()
    confirm_card_in_browser(stripe_client, re.search(r'data-client-secret="([^"]+)"', body).group(1))
    payment = Payment.objects.order_by("-pk").first()
    with capture(execute=True):
        response = client.post(f"/paiement/{payment.public_token}/confirmer/")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    return payment, response


def test_a_monthly_donor_reads_the_next_date_and_stops_from_the_email(
    donation_campaign, stripe_client, treasurer_a, django_capture_on_commit_callbacks
):
    client = Client()
    payment, response = _give_monthly(client, donation_campaign, stripe_client, django_capture_on_commit_callbacks)

    # the thank-you page says it is monthly, when the next charge is, and how to stop it
    thanks = client.get(response["Location"])
    text = thanks.content.decode()
    assert thanks.status_code == 200
    assert "don mensuel" in text and "Prochain prélèvement : le " in text
    assert re.search(
        r"le \d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}", text
    )
    assert "Gérer ou arrêter mon don mensuel" in text

    # so does the confirmation e-mail, with the link to stop it
    confirmation = next(m for m in mail.outbox if m.to == ["lea@exemple.org"])
    assert "don mensuel" in confirmation.body and "Prochain prélèvement" in confirmation.body
    link = LINK.search(confirmation.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    # opening the link changes nothing (a mail scanner may open it): a page with a button
    page = Client().get(path)
    assert page.status_code == 200
    assert "Arrêter mon don mensuel" in page.content.decode() and "15,00" in page.content.decode()
    assert stripe_client.v1.subscriptions.retrieve(payment.stripe_subscription).status == "active"

    # the button stops it: Stripe's subscription is canceled, both sides are told
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stopped = Client().post(path)
    assert stopped.status_code == 200
    assert "Votre don mensuel est arrêté" in stopped.content.decode()
    assert stripe_client.v1.subscriptions.retrieve(payment.stripe_subscription).status == "canceled"
    payment.refresh_from_db()
    assert payment.subscription_stopped_at is not None
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["lea@exemple.org", "tresoriere-a@exemple.org"]
    donor_mail = next(m for m in mail.outbox if m.to == ["lea@exemple.org"])
    assert "arrêté" in donor_mail.subject and "Plus rien ne sera prélevé" in donor_mail.body

    # the same link used twice: said so, nothing done, no new e-mail
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = Client().post(path)
    assert again.status_code == 410
    assert "Ce don mensuel est déjà arrêté" in again.content.decode()
    assert mail.outbox == []
    assert payment.logs.filter(action="monthly_stopped").count() == 1
    # the page itself says so too
    assert "Ce don mensuel est déjà arrêté" in Client().get(path).content.decode()


def test_a_tampered_or_foreign_link_stops_nothing(donation_campaign, stripe_client, django_capture_on_commit_callbacks):
    payment, _response = _give_monthly(Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    token = monthly_token(payment)
    value, signature = token.rsplit(":", 1)
    other_uuid = "00000000-0000-4000-8000-000000000000"
    for bad in (f"{other_uuid}:{signature}", f"{value}:{signature[:-2]}xx", "n-importe-quoi"):
        for method in ("get", "post"):
            response = getattr(Client(), method)(f"/don-mensuel/{bad}/")
            assert response.status_code == 404
            assert "Ce lien n'est pas valable" in response.content.decode()
    # a one-off payment's uuid signed by us is not a monthly gift either
    assert stripe_client.v1.subscriptions.retrieve(payment.stripe_subscription).status == "active"
    payment.refresh_from_db()
    assert payment.subscription_stopped_at is None


def test_a_treasurer_stops_a_monthly_gift_from_the_payment_page(
    donation_campaign, stripe_client, treasurer_a, django_capture_on_commit_callbacks
):
    payment, _response = _give_monthly(Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(treasurer_a)
    page = client.get(f"/admin/paiements/{payment.pk}/")
    assert page.status_code == 200 and "Arrêter ce don mensuel" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/paiements/{payment.pk}/", {"action": "stop_monthly"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "est arrêté : plus rien ne sera prélevé" in body
    assert "Ce don mensuel est arrêté depuis le" in body
    assert stripe_client.v1.subscriptions.retrieve(payment.stripe_subscription).status == "canceled"
    donor_mail = next(m for m in mail.outbox if m.to == ["lea@exemple.org"])
    assert "a arrêté votre don mensuel" in donor_mail.body
    # twice: a warning, nothing more
    response = client.post(f"/admin/paiements/{payment.pk}/", {"action": "stop_monthly"}, follow=True)
    assert "Ce don mensuel est déjà arrêté" in response.content.decode()


def test_an_editor_without_money_cannot_stop_it(
    donation_campaign, stripe_client, editor_a, django_capture_on_commit_callbacks
):
    payment, _response = _give_monthly(Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(editor_a)
    response = client.post(f"/admin/paiements/{payment.pk}/", {"action": "stop_monthly"})
    assert response.status_code in (403, 404)
    assert stripe_client.v1.subscriptions.retrieve(payment.stripe_subscription).status == "active"


def test_my_receipts_lists_the_monthly_gift_with_its_link(
    donation_campaign, stripe_client, django_capture_on_commit_callbacks
):
    from campagnes.receipts import access

    payment, _response = _give_monthly(Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert access.access_link_send(email="lea@exemple.org")  # a monthly donor without receipt yet
    link = re.search(r"/mes-recus/[^\s/]+/", mail.outbox[-1].body).group(0)
    client = Client()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Mes dons mensuels" in body and "15,00" in body and "prochain prélèvement le" in body
    manage = re.search(r'href="(/don-mensuel/[^"]+/)"', body).group(1)
    assert "Arrêter mon don mensuel" in client.get(manage).content.decode()


def test_a_refused_month_emails_a_link_to_give_a_new_card(
    donation_campaign, stripe_client, settings, django_capture_on_commit_callbacks
):
    payment, _response = _give_monthly(Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    # the card now fails when charged (it attaches, then the bank refuses the charge)
    declining = stripe_client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4000000000000341", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    stripe_client.v1.payment_methods.attach(declining.id, params={"customer": payment.stripe_customer})
    stripe_client.v1.customers.update(
        payment.stripe_customer, params={"invoice_settings": {"default_payment_method": declining.id}}
    )
    invoice = stripe_client.v1.invoices.create(
        params={"customer": payment.stripe_customer, "subscription": payment.stripe_subscription}
    )
    try:
        stripe_client.v1.invoices.pay(invoice.id)
    except stripe.CardError:
        pass
    assert stripe_client.v1.invoices.retrieve(invoice.id).status != "paid"
    mail.outbox.clear()
    event = _event(
        "evt_month_2_failed",
        "invoice.payment_failed",
        {"id": invoice.id, "object": "invoice", "subscription": payment.stripe_subscription},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    month = Payment.objects.get(stripe_invoice=invoice.id)
    assert month.status == PaymentStatus.FAILED
    assert month.failure_reason.startswith("Prélèvement mensuel refusé. Carte refusée")  # the bank's reason, in French
    message = next(m for m in mail.outbox if m.to == ["lea@exemple.org"])
    assert "n'a pas pu être prélevé" in message.subject
    card_link = re.search(r"https?://\S+/don-mensuel/\S+/carte/", message.body).group(0)
    card_path = "/" + card_link.split("://", 1)[1].split("/", 1)[1]

    client = Client()
    page = client.get(card_path)
    assert page.status_code == 200 and "Changer de carte" in page.content.decode()
    client_secret = re.search(r'data-client-secret="([^"]+)"', page.content.decode()).group(1)
    setup_intent = confirm_card_in_browser(stripe_client, client_secret)
    done = client.post(card_path, {"setup_intent": setup_intent.id})
    assert done.status_code == 200
    assert "Votre nouvelle carte est enregistrée" in done.content.decode()
    customer = stripe_client.v1.customers.retrieve(payment.stripe_customer)
    assert customer.invoice_settings.default_payment_method == setup_intent.payment_method
    # the refused month was tried again with the new card: paid, and said so (no second refusal mail)
    assert stripe_client.v1.invoices.retrieve(invoice.id).status == "paid"
    mail.outbox.clear()
    paid = _event("evt_month_2_paid", "invoice.paid", {**event["data"]["object"]})
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/stripe/webhook/", **_signed(paid, settings.STRIPE_WEBHOOK_SECRET))
    month.refresh_from_db()
    assert month.status == PaymentStatus.SUCCEEDED
    assert not any("n'a pas pu être prélevé" in m.subject for m in mail.outbox)
    # the refusal event delivered again: no second refusal mail
    event["id"] = "evt_month_2_failed_again"
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET))
    assert not any("n'a pas pu être prélevé" in m.subject for m in mail.outbox)


def test_a_card_page_refuses_another_gifts_card(donation_campaign, stripe_client, django_capture_on_commit_callbacks):
    payment, _response = _give_monthly(Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    other = stripe_client.v1.customers.create(params={"email": "x@exemple.org"})
    foreign = stripe_client.v1.setup_intents.create(params={"customer": other.id, "payment_method_types": ["card"]})
    confirm_card_in_browser(stripe_client, foreign.client_secret)
    response = Client().post(f"/don-mensuel/{monthly_token(payment)}/carte/", {"setup_intent": foreign.id})
    assert response.status_code == 400
    assert "Cette carte n'est pas celle de ce don mensuel." in html.unescape(response.content.decode())


def test_stripe_canceling_the_subscription_is_recorded_once(
    donation_campaign, stripe_client, settings, django_capture_on_commit_callbacks
):
    payment, _response = _give_monthly(Client(), donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    stripe_client.v1.subscriptions.cancel(payment.stripe_subscription)
    event = _event(
        "evt_sub_deleted",
        "customer.subscription.deleted",
        {"id": payment.stripe_subscription, "object": "subscription"},
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET)).status_code == 200
    payment.refresh_from_db()
    assert payment.subscription_stopped_at is not None
    assert any(m.to == ["lea@exemple.org"] for m in mail.outbox)
    response = Client().post(f"/don-mensuel/{monthly_token(payment)}/")
    assert response.status_code == 410 and "déjà arrêté" in response.content.decode()
