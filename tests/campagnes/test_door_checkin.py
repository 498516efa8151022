"""Tickets at the door: a partial refund chooses its tickets, their seats go back on sale, and the
door refuses them. Played as it happens: a buyer pays three tickets online (real localstripe), the
treasurer refunds one from the payment's page, a volunteer scans all three at the door.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import Payment, PaymentStatus, Ticket, TicketingCampaignPage, TicketType
from campagnes.services.tickets import tickets_cancel
from tests.campagnes.conftest import confirm_card_in_browser

pytestmark = pytest.mark.django_db

CHECK_IN = "/admin/billets/controle/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    return user


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _event(association, title="Concert au jardin", slug="concert", quota=20) -> TicketingCampaignPage:
    support = association.home_page.get_children().get(slug="nous-aider").specific
    page = TicketingCampaignPage(
        title=title, slug=slug, event_starts_at=timezone.now() + timedelta(days=10), place="Salle des fêtes de Lens"
    )
    page.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("8"), quota=quota))
    page.ticket_types.add(TicketType(name="Tarif réduit", price=Decimal("4"), quota=quota))
    support.add_child(instance=page)
    return page


def _buy(event, stripe_client, django_capture_on_commit_callbacks, *, full=2, reduced=1) -> Payment:
    plein, reduit = event.ticket_types.get(name="Plein tarif"), event.ticket_types.get(name="Tarif réduit")
    buyer = Client()
    response = buyer.post(
        event.url,
        {
            "first_name": "Jean",
            "last_name": "Lefebvre",
            "email": "jean.concert@exemple.org",
            "consent": "on",
            f"billets_{plein.pk}": str(full),
            f"billets_{reduit.pk}": str(reduced),
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode()).group(1)
    confirm_card_in_browser(stripe_client, secret)
    payment = Payment.objects.order_by("-pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        buyer.post(f"/paiement/{payment.public_token}/confirmer/")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.total_cents == full * 800 + reduced * 400
    return payment


def _scan(client, code, event=None):
    data = {"code": code}
    if event is not None:
        data["evenement"] = event.pk
    return client.post(CHECK_IN, data)


def test_a_partial_refund_cancels_the_chosen_ticket_only(
    association_a, treasurer_a, stripe_client, django_capture_on_commit_callbacks
):
    event = _event(association_a)
    payment = _buy(event, stripe_client, django_capture_on_commit_callbacks)
    plein = event.ticket_types.get(name="Plein tarif")
    plein.refresh_from_db()
    assert plein.remaining == 18
    tickets = list(payment.tickets.order_by("pk"))
    refunded = next(t for t in tickets if t.ticket_type_id == plein.pk)
    client = _logged_in(treasurer_a)

    # the treasurer sees the three tickets on the refund form and ticks one
    page = client.get(f"/admin/paiements/{payment.pk}/").content.decode()
    assert "Billets remboursés" in page
    for ticket in tickets:
        assert ticket.code[:6] in page
    response = client.post(f"/admin/paiements/{payment.pk}/", {"tickets": [refunded.pk], "amount": ""})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "8,00\xa0€ remboursés à Jean Lefebvre." in page or "8,00 € remboursés à Jean Lefebvre." in page
    assert "1 billet annulé au total, sa place est remise en vente." in page

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_cents == 800
    refunded.refresh_from_db()
    assert refunded.canceled_at is not None
    assert Ticket.objects.filter(payment=payment, canceled_at__isnull=True).count() == 2

    # the seat is back on sale: the public page says so
    plein.refresh_from_db()
    assert plein.remaining == 19
    assert "19 place(s) restante(s)" in Client().get(event.url).content.decode()

    # at the door: the refunded one is refused in French, the others get in once
    door = _logged_in(treasurer_a)
    response = _scan(door, f"KOLLEKTIF-BILLET:{refunded.code}", event)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Billet remboursé" in body and "Jean Lefebvre" in body and "Plein tarif" in body
    refunded.refresh_from_db()
    assert refunded.checked_in_at is None
    for ticket in tickets:
        if ticket.pk == refunded.pk:
            continue
        response = _scan(door, f"KOLLEKTIF-BILLET:{ticket.code}", event)
        assert response.status_code == 200 and "Entrée validée" in response.content.decode()
    body = _scan(door, tickets[-1].code, event).content.decode()
    assert "Billet déjà utilisé" in body and "Ce billet a déjà servi le" in body
    assert "entrées validées : 2 sur 2." in body  # the refunded ticket is not expected at the door

    # the ticket's page and the listing say it is refunded
    page = client.get(f"/admin/billets/{refunded.pk}/").content.decode()
    assert "Annulé (remboursé)" in page and "Valider l&#x27;entrée" not in page


def test_refunding_everything_cancels_every_ticket(
    association_a, treasurer_a, stripe_client, django_capture_on_commit_callbacks
):
    event = _event(association_a, slug="concert-complet")
    payment = _buy(event, stripe_client, django_capture_on_commit_callbacks)
    client = _logged_in(treasurer_a)
    response = client.post(f"/admin/paiements/{payment.pk}/", {"amount": "20"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert not Ticket.objects.filter(payment=payment, canceled_at__isnull=True).exists()
    assert {t.remaining for t in event.ticket_types.all()} == {20}


def test_bad_refund_choices_are_refused_in_french(
    association_a, treasurer_a, stripe_client, django_capture_on_commit_callbacks
):
    event = _event(association_a, slug="concert-erreurs")
    payment = _buy(event, stripe_client, django_capture_on_commit_callbacks)
    other = _buy(event, stripe_client, django_capture_on_commit_callbacks, full=1, reduced=0)
    client = _logged_in(treasurer_a)
    url = f"/admin/paiements/{payment.pk}/"
    response = client.post(url, {"amount": ""})
    assert response.status_code == 400
    assert "Cochez les billets à rembourser, ou indiquez un montant." in response.content.decode()
    response = client.post(url, {"tickets": [other.tickets.get().pk], "amount": ""})
    assert response.status_code == 400  # another payment's ticket is not a choice
    assert "Sélectionnez un choix valide" in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_cents == 0
    assert not Ticket.objects.filter(canceled_at__isnull=False).exists()
    with pytest.raises(ValueError, match="ne sont pas ceux de ce paiement"):
        tickets_cancel(payment=payment, tickets=[other.tickets.get()], source="test")


def test_the_door_refuses_unknown_and_other_events_tickets(
    association_a, treasurer_a, stripe_client, django_capture_on_commit_callbacks
):
    concert = _event(association_a)
    bal = _event(association_a, title="Bal folk", slug="bal")
    payment = _buy(bal, stripe_client, django_capture_on_commit_callbacks, full=1, reduced=0)
    door = _logged_in(treasurer_a)
    response = _scan(door, "KOLLEKTIF-BILLET:inconnu123456", concert)
    assert response.status_code == 404 and "Billet inconnu" in response.content.decode()
    response = _scan(door, payment.tickets.get().code, concert)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Billet pour un autre événement" in body and "Bal folk" in body


def test_the_check_in_page_may_use_the_camera(treasurer_a):
    response = _logged_in(treasurer_a).get(CHECK_IN)
    assert response.status_code == 200
    assert "camera=(self)" in response["Permissions-Policy"]
    body = response.content.decode()
    assert "Scanner avec la caméra" in body and "vendor/jsqr/jsQR" in body and "checkin-scanner" in body


def test_a_full_refund_told_by_stripe_puts_the_seats_back_on_sale(association_a, treasurer_a):
    """Refunded from Stripe's dashboard (the webhook applies it): every ticket cancelled, once."""
    from campagnes.services import apply_refunds

    event = _event(association_a, slug="concert-stripe")
    plein = event.ticket_types.get(name="Plein tarif")
    TicketType.objects.filter(pk=plein.pk).update(sold=2)
    payment = Payment.objects.create(
        association=association_a,
        campaign=event,
        kind="billetterie",
        status=PaymentStatus.SUCCEEDED,
        amount_cents=1600,
        first_name="Jean",
        last_name="Lefebvre",
        email="jean@exemple.org",
        paid_at=timezone.now(),
    )
    tickets = [Ticket.objects.create(payment=payment, association=association_a, ticket_type=plein) for _ in range(2)]
    apply_refunds(payment=payment, refunded_cents=1600, source="webhook evt_1")
    apply_refunds(payment=payment, refunded_cents=1600, source="webhook evt_2")  # the same news twice
    plein.refresh_from_db()
    assert plein.sold == 0 and plein.remaining == 20
    assert not Ticket.objects.filter(payment=payment, canceled_at__isnull=True).exists()
    assert payment.logs.filter(action="tickets_refunded").count() == 1
    response = _scan(_logged_in(treasurer_a), tickets[0].code)
    assert response.status_code == 409 and "Billet remboursé" in response.content.decode()
