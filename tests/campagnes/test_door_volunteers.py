"""A volunteer at the door checks tickets in without seeing any money (issue #13, item 6).

Played as it happens: the editor invites a volunteer as "Bénévole à l'accueil (billetterie)",
the volunteer accepts, lands on the admin (no second factor: she sees no payer's money), opens
the check-in page of the concert and lets a ticket in; payments, refunds, exports, listings and
another association's tickets stay closed to her.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from associations.models import Association, Invitation
from campagnes.models import Payment, PaymentStatus, Ticket, TicketingCampaignPage, TicketType

pytestmark = pytest.mark.django_db

CHECK_IN = "/admin/billets/controle/"


def _event(association, title="Concert au jardin", slug="concert") -> TicketingCampaignPage:
    support = association.home_page.get_children().get(slug="nous-aider").specific
    page = TicketingCampaignPage(
        title=title, slug=slug, event_starts_at=timezone.now() + timedelta(days=10), place="Salle des fêtes de Lens"
    )
    page.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("8"), quota=20))
    support.add_child(instance=page)
    return page


def _sold_ticket(association, event, *, last_name="Lefebvre") -> Ticket:
    ticket_type = event.ticket_types.get(name="Plein tarif")
    payment = Payment.objects.create(
        association=association,
        campaign=event,
        kind="billetterie",
        status=PaymentStatus.SUCCEEDED,
        amount_cents=800,
        first_name="Jean",
        last_name=last_name,
        email="jean.concert@exemple.org",
        paid_at=timezone.now(),
    )
    return Ticket.objects.create(payment=payment, association=association, ticket_type=ticket_type)


def _invited_door_volunteer(client_a, association, django_capture_on_commit_callbacks) -> Client:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            f"/admin/snippets/associations/association/inviter/{association.pk}/",
            {"email": "accueil@exemple.org", "role": "accueil"},
        )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert "contrôler les billets" in message.subject
    assert "Bénévole à l'accueil (billetterie)" in message.body
    token_path = re.search(r"(/espace/invitation/[\w-]+/)", message.body).group(1)
    volunteer = UserFactory(email="accueil@exemple.org")
    client = Client()
    client.force_login(volunteer)
    response = client.post(token_path)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert volunteer.groups.filter(pk=association.door_group_id).exists()
    return client


def test_a_door_volunteer_checks_a_ticket_in_and_sees_no_money(
    settings, client_a, association_a, association_b, django_capture_on_commit_callbacks
):
    settings.KOLLEKTIF_REQUIRE_MFA = True  # the treasurers' rule: not for the door
    concert = _event(association_a)
    ticket = _sold_ticket(association_a, concert)
    elsewhere = _sold_ticket(
        association_b, _event(association_b, title="Bal de BookKafé", slug="bal"), last_name="Autre"
    )
    door = _invited_door_volunteer(client_a, association_a, django_capture_on_commit_callbacks)

    # she lands on the admin's dashboard, which leads to her events; no second factor asked
    home = door.get("/admin/")
    assert home.status_code == 200
    body = home.content.decode()
    assert "Contrôle des entrées" in body and "Concert au jardin" in body
    assert "Bal de BookKafé" not in body and "Paiements" not in body

    # the check-in page offers her association's events only
    page = door.get(f"{CHECK_IN}?evenement={concert.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Contrôle des entrées" in body and "Concert au jardin" in body and "Bal de BookKafé" not in body
    assert "€" not in body

    # she scans the ticket: a green, French answer with the holder's name and ticket type
    response = door.post(CHECK_IN, {"code": f"KOLLEKTIF-BILLET:{ticket.code}", "evenement": concert.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "kollektif-checkin__fullscreen--ok" in body and "Entrée validée" in body
    assert "Jean Lefebvre" in body and "Plein tarif" in body
    assert "€" not in body and "/admin/paiements/" not in body
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    again = door.post(CHECK_IN, {"code": ticket.code, "evenement": concert.pk})
    assert again.status_code == 409 and "Billet déjà utilisé" in again.content.decode()

    # another association's ticket is unknown to her, and its event is not a choice
    response = door.post(CHECK_IN, {"code": elsewhere.code})
    assert response.status_code == 404 and "Billet inconnu" in response.content.decode()
    elsewhere.refresh_from_db()
    assert elsewhere.checked_in_at is None
    other_event = elsewhere.ticket_type.page_id
    assert door.post(CHECK_IN, {"code": elsewhere.code, "evenement": other_event}).status_code == 400

    # no payment, refund, listing, export or receipt
    payment = ticket.payment
    for url in (
        "/admin/paiements/",
        f"/admin/paiements/{payment.pk}/",
        "/admin/paiements/?export=csv",
        "/admin/billets/",
        "/admin/billets/?export=xlsx",
        f"/admin/billets/{ticket.pk}/",
        "/admin/adherents/",
        "/admin/adherents/?export=csv",
        "/admin/recus/",
        "/admin/recus/declaration/",
        "/admin/recus/zip/",
        "/admin/recus/don-recu/",
        f"/admin/stripe/{association_a.pk}/",
    ):
        response = door.get(url)
        # Wagtail's listings send someone without the permission back to the dashboard, with its message
        refused = response.status_code in (403, 404) or (
            response.status_code == 302 and response["Location"] == "/admin/"
        )
        assert refused, (url, response.status_code)
        assert "Lefebvre" not in response.content.decode() and "jean.concert" not in response.content.decode()
    response = door.post(f"/admin/paiements/{payment.pk}/", {"amount": "8"})
    assert response.status_code in (403, 404)
    payment.refresh_from_db()
    assert payment.refunded_cents == 0 and payment.status == PaymentStatus.SUCCEEDED


def test_treasurers_check_in_through_the_same_permission(association_a):
    """Treasurers keep the door's page (their group holds the check-in permission too)."""
    treasurer = UserFactory(email="tresoriere@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    assert association_a.treasurers_group.permissions.filter(codename="check_in_tickets").exists()
    concert = _event(association_a)
    ticket = _sold_ticket(association_a, concert)
    client = Client()
    client.force_login(treasurer)
    response = client.post(CHECK_IN, {"code": ticket.code, "evenement": concert.pk})
    assert response.status_code == 200 and "Entrée validée" in response.content.decode()


def test_an_editor_alone_cannot_check_in(client_a, association_a):
    response = client_a.get(CHECK_IN)  # Wagtail sends her back to the dashboard with its message
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "Contrôle des entrées" not in client_a.get("/admin/").content.decode()


def test_existing_associations_get_their_door_group():
    """The data migration gives each association an "Accueil" group and its treasurers the permission."""
    from associations.factories import AssociationFactory

    association = AssociationFactory(name="Les Amis du Beffroi", slug="amis-beffroi")
    old_door = association.door_group
    Association.objects.filter(pk=association.pk).update(door_group=None)
    old_door.delete()
    association.treasurers_group.permissions.remove(
        association.treasurers_group.permissions.get(codename="check_in_tickets")
    )
    migration = importlib.import_module("associations.migrations.0011_g13_door_volunteers")
    migration.add_door_groups(django_apps, None)
    association.refresh_from_db()
    assert association.door_group.name == "Accueil — Les Amis du Beffroi"
    assert set(association.door_group.permissions.values_list("codename", flat=True)) == {
        "access_admin",
        "check_in_tickets",
    }
    assert association.treasurers_group.permissions.filter(codename="check_in_tickets").exists()


def test_the_role_is_offered_to_editors(client_a, association_a):
    page = client_a.get(f"/admin/snippets/associations/association/inviter/{association_a.pk}/")
    assert page.status_code == 200
    assert "Bénévole à l&#x27;accueil (billetterie)" in page.content.decode()
    assert not Invitation.objects.exists()
