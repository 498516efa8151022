"""Memberships, tickets with quotas, crowdfunding with counterparts: paid through localstripe."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from campagnes import services
from campagnes.models import (
    Counterpart,
    CrowdfundingCampaignPage,
    Membership,
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentStatus,
    Ticket,
    TicketingCampaignPage,
    TicketType,
)
from tests.campagnes.conftest import confirm_card_in_browser

pytestmark = pytest.mark.django_db

PAYER = {
    "first_name": "Jean",
    "last_name": "Lefebvre",
    "email": "jean@exemple.org",
    "street_address": "8 rue Basly",
    "postal_code": "62300",
    "city": "Lens",
    "consent": "on",
}


def _support(association):
    return association.home_page.get_children().get(slug="nous-aider").specific


def _pay(client, campaign, data, stripe_client, number="4242424242424242"):
    response = client.post(campaign.url, {**PAYER, **data})
    assert response.status_code == 200, response.content.decode()[:3000]
    confirm_card_in_browser(
        stripe_client, re.search(r'data-client-secret="([^"]+)"', response.content.decode()).group(1), number
    )
    payment = Payment.objects.order_by("-pk").first()
    client.post(f"/paiement/{payment.public_token}/confirmer/")
    payment.refresh_from_db()
    return payment


@pytest.fixture
def membership_campaign(association_a):
    page = MembershipCampaignPage(title="Adhésion 2026", slug="adhesion-2026", validity="annee-civile")
    page.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    page.tiers.add(MembershipTier(name="Soutien", price=Decimal("30"), free_price=True))
    _support(association_a).add_child(instance=page)
    return page


@pytest.fixture
def ticketing(association_a):
    page = TicketingCampaignPage(
        title="Défilé upcycling",
        slug="defile",
        event_starts_at=timezone.now() + timedelta(days=20),
        place="Salle des fêtes de Béthune",
    )
    page.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("8"), quota=3))
    page.ticket_types.add(TicketType(name="Tarif réduit", price=Decimal("4"), quota=50))
    _support(association_a).add_child(instance=page)
    return page


@pytest.fixture
def crowdfunding(association_a):
    page = CrowdfundingCampaignPage(
        title="Un local pour l'atelier",
        slug="local",
        goal=Decimal("5000"),
        closes_at=timezone.now() + timedelta(days=40),
    )
    page.counterparts.add(
        Counterpart(name="Tote bag cousu main", min_amount=Decimal("30"), value=Decimal("5"), stock=1)
    )
    _support(association_a).add_child(instance=page)
    return page


def test_membership_with_a_free_price_tier(membership_campaign, stripe_client):
    client = Client()
    soutien = membership_campaign.tiers.get(name="Soutien")
    response = client.post(membership_campaign.url, {**PAYER, "tier": soutien.pk, "amount": "20"})
    assert response.status_code == 400 and "minimum pour cette formule est de 30" in response.content.decode()
    payment = _pay(client, membership_campaign, {"tier": soutien.pk, "amount": "45"}, stripe_client)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 4500
    membership = Membership.objects.get(payment=payment)
    year = timezone.localdate().year
    assert (membership.valid_from, membership.valid_until) == (date(year, 1, 1), date(year, 12, 31))
    assert membership.tier_name == "Soutien"


def test_tickets_with_a_quota_reached(ticketing, stripe_client):
    plein = ticketing.ticket_types.get(name="Plein tarif")
    client = Client()
    payment = _pay(client, ticketing, {f"billets_{plein.pk}": "2"}, stripe_client)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 1600
    tickets = Ticket.objects.filter(payment=payment)
    assert tickets.count() == 2 and len({t.code for t in tickets}) == 2 and all(len(t.code) >= 16 for t in tickets)
    response = client.post(ticketing.url, {**PAYER, f"billets_{plein.pk}": "2"})
    assert response.status_code == 400 and "Il ne reste que 1 place" in response.content.decode()
    _pay(client, ticketing, {f"billets_{plein.pk}": "1"}, stripe_client)
    plein.refresh_from_db()
    assert plein.sold == 3 and plein.remaining == 0
    response = client.post(ticketing.url, {**PAYER, f"billets_{plein.pk}": "1"})
    assert response.status_code == 400
    assert Payment.objects.filter(status=PaymentStatus.SUCCEEDED).count() == 2


def test_an_abandoned_card_form_gives_its_places_back(ticketing):
    plein = ticketing.ticket_types.get(name="Plein tarif")
    Client().post(ticketing.url, {**PAYER, f"billets_{plein.pk}": "3"})
    plein.refresh_from_db()
    assert plein.remaining == 0
    assert services.payments_expire_stale(older_than=timezone.now() + timedelta(seconds=1)) == 1
    plein.refresh_from_db()
    assert plein.remaining == 3
    assert Payment.objects.get().status == PaymentStatus.CANCELED


def test_crowdfunding_counterpart_stock_and_minimum(crowdfunding, stripe_client):
    tote = crowdfunding.counterparts.get()
    client = Client()
    response = client.post(crowdfunding.url, {**PAYER, "amount": "10", "counterpart": tote.pk})
    assert response.status_code == 400 and "au moins 30" in response.content.decode()
    payment = _pay(client, crowdfunding, {"amount": "35", "counterpart": tote.pk}, stripe_client)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.offer["counterpart_value_cents"] == 500
    tote.refresh_from_db()
    assert tote.remaining == 0
    response = client.post(crowdfunding.url, {**PAYER, "amount": "35", "counterpart": tote.pk})
    assert response.status_code == 400 and "plus disponible" in response.content.decode()
    page = client.get(crowdfunding.url).content.decode()
    assert "35,00" in page and "5\u202f000,00" in page


def test_a_declined_card_at_charge_releases_the_places(ticketing, stripe_client, monkeypatch):
    from campagnes import stripe_gateway

    plein = ticketing.ticket_types.get(name="Plein tarif")

    def decline(**kwargs):
        raise stripe_gateway.CardDeclined("Votre carte a été refusée.")

    monkeypatch.setattr(stripe_gateway, "charge", decline)
    payment = _pay(Client(), ticketing, {f"billets_{plein.pk}": "2"}, stripe_client)
    assert payment.status == PaymentStatus.FAILED
    plein.refresh_from_db()
    assert plein.remaining == 3 and not Ticket.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL seulement")
@pytest.mark.django_db(transaction=True)
def test_concurrent_buyers_never_oversell(association_a, stripe_settings):
    page = TicketingCampaignPage(
        title="Concert", slug="concert", event_starts_at=timezone.now() + timedelta(days=5), place="Lens"
    )
    page.ticket_types.add(TicketType(name="Unique", price=Decimal("5"), quota=5))
    _support(association_a).add_child(instance=page)
    ticket_type = page.ticket_types.get()
    outcomes = []

    def buy(number):
        from django.db import connections

        try:
            services.payment_start(
                campaign=page,
                association=association_a,
                kind="billetterie",
                amount_cents=500,
                payer={"first_name": "A", "last_name": str(number), "email": f"{number}@exemple.org"},
                offer={"tickets": {str(ticket_type.pk): 1}},
            )
            outcomes.append("ok")
        except services.SoldOut:
            outcomes.append("sold out")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ticket_type.refresh_from_db()
    assert outcomes.count("ok") == 5 and outcomes.count("sold out") == 7
    assert ticket_type.sold == 5


def test_tickets_are_emailed_with_their_qr_codes(ticketing, stripe_client, django_capture_on_commit_callbacks):
    import io

    from django.core import mail
    from PIL import Image

    reduit = ticketing.ticket_types.get(name="Tarif réduit")
    with django_capture_on_commit_callbacks(execute=True):
        payment = _pay(Client(), ticketing, {f"billets_{reduit.pk}": "2"}, stripe_client)
    message = next(m for m in mail.outbox if m.to == ["jean@exemple.org"])
    codes = list(Ticket.objects.filter(payment=payment).values_list("code", flat=True))
    assert all(code in message.body for code in codes)
    assert "Défilé upcycling" in message.subject
    assert len(message.attachments) == 2
    filename, content, mimetype = message.attachments[0]
    assert mimetype == "image/png"
    assert Image.open(io.BytesIO(content)).size[0] > 100


def test_the_expiry_command_only_touches_old_pending_payments(ticketing):
    from io import StringIO

    from django.core.management import call_command

    plein = ticketing.ticket_types.get(name="Plein tarif")
    Client().post(ticketing.url, {**PAYER, f"billets_{plein.pk}": "1"})
    out = StringIO()
    call_command("liberer_paiements_abandonnes", "--minutes", "30", stdout=out)
    assert "0 paiement" in out.getvalue()
    Payment.objects.update(created_at=timezone.now() - timedelta(hours=1))
    call_command("liberer_paiements_abandonnes", "--minutes", "30", stdout=out)
    assert Payment.objects.get().status == PaymentStatus.CANCELED
    plein.refresh_from_db()
    assert plein.remaining == 3
