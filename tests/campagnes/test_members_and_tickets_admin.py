"""Members ("Adhérents"), renewal reminders, tickets ("Billets") and the check-in at the door."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from associations.admin_guard import request_is_allowed
from associations.factories import UserFactory
from campagnes.memberships_reminders import membership_reminders_send
from campagnes.models import (
    Membership,
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentKind,
    PaymentStatus,
    Ticket,
    TicketingCampaignPage,
    TicketType,
)
from campagnes.services.checkin import ticket_check_in, ticket_code_candidates
from tests.campagnes.conftest import confirm_card_in_browser

pytestmark = pytest.mark.django_db

MEMBERS = "/admin/adherents/"
TICKETS = "/admin/billets/"
CHECK_IN = "/admin/billets/controle/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _support(association):
    return association.home_page.get_children().get(slug="nous-aider").specific


def _membership_campaign(association, title, slug, *, opens_at=None, closes_at=None) -> MembershipCampaignPage:
    page = MembershipCampaignPage(
        title=title, slug=slug, validity="douze-mois", opens_at=opens_at or timezone.now(), closes_at=closes_at
    )
    page.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    _support(association).add_child(instance=page)
    return page


def _ticketing(association, title, slug) -> TicketingCampaignPage:
    page = TicketingCampaignPage(
        title=title, slug=slug, event_starts_at=timezone.now() + timedelta(days=10), place="Salle des fêtes de Béthune"
    )
    page.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("8"), quota=100))
    page.ticket_types.add(TicketType(name="Tarif réduit", price=Decimal("4"), quota=100))
    _support(association).add_child(instance=page)
    return page


def _payment(association, campaign, kind, *, first_name, last_name, email, status=PaymentStatus.SUCCEEDED) -> Payment:
    return Payment.objects.create(
        association=association,
        campaign=campaign,
        kind=kind,
        status=status,
        amount_cents=1500,
        first_name=first_name,
        last_name=last_name,
        email=email,
        paid_at=timezone.now(),
    )


def _member(
    association,
    campaign,
    *,
    first_name,
    last_name,
    email,
    valid_until,
    valid_from=None,
    status=PaymentStatus.SUCCEEDED,
    tier="Individuelle",
) -> Membership:
    payment = _payment(
        association,
        campaign,
        PaymentKind.MEMBERSHIP,
        first_name=first_name,
        last_name=last_name,
        email=email,
        status=status,
    )
    return Membership.objects.create(
        payment=payment,
        association=association,
        tier_name=tier,
        valid_from=valid_from or valid_until - timedelta(days=364),
        valid_until=valid_until,
    )


def _ticket(
    association,
    campaign,
    *,
    type_name="Plein tarif",
    first_name="Jean",
    last_name="Lefebvre",
    email="jean@exemple.org",
    status=PaymentStatus.SUCCEEDED,
) -> Ticket:
    payment = _payment(
        association,
        campaign,
        PaymentKind.TICKETS,
        first_name=first_name,
        last_name=last_name,
        email=email,
        status=status,
    )
    return Ticket.objects.create(
        payment=payment, association=association, ticket_type=campaign.ticket_types.get(name=type_name)
    )


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    return user


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def members(association_a, association_b, today):
    campaign_a = _membership_campaign(association_a, "Adhésion 2026", "adhesion-2026")
    old_campaign_a = _membership_campaign(
        association_a,
        "Adhésion 2025",
        "adhesion-2025",
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=30),
    )
    campaign_b = _membership_campaign(association_b, "Adhésion BookKafé", "adhesion-bookkafe")
    return {
        "campaign_a": campaign_a,
        "old_campaign_a": old_campaign_a,
        "campaign_b": campaign_b,
        "current": _member(
            association_a,
            campaign_a,
            first_name="Léa",
            last_name="Dupont",
            email="lea@exemple.org",
            valid_until=today + timedelta(days=200),
        ),
        "expiring": _member(
            association_a,
            old_campaign_a,
            first_name="Marc",
            last_name="Leroy",
            email="marc@exemple.org",
            valid_until=today + timedelta(days=12),
            tier="Soutien",
        ),
        "expired": _member(
            association_a,
            old_campaign_a,
            first_name="Zoé",
            last_name="Martin",
            email="zoe@exemple.org",
            valid_until=today - timedelta(days=3),
        ),
        # Inès renewed: her old membership ends in 5 days, her new one runs for a year
        "renewed_old": _member(
            association_a,
            old_campaign_a,
            first_name="Inès",
            last_name="Caron",
            email="ines@exemple.org",
            valid_until=today + timedelta(days=5),
        ),
        "renewed_new": _member(
            association_a,
            campaign_a,
            first_name="Inès",
            last_name="Caron",
            email="INES@exemple.org",
            valid_until=today + timedelta(days=370),
        ),
        "refunded": _member(
            association_a,
            old_campaign_a,
            first_name="Paul",
            last_name="Rembourse",
            email="paul@exemple.org",
            valid_until=today + timedelta(days=10),
            status=PaymentStatus.REFUNDED,
        ),
        "b": _member(
            association_b,
            campaign_b,
            first_name="Secret",
            last_name="Adhérent-de-B",
            email="secret-b@exemple.org",
            valid_until=today + timedelta(days=10),
        ),
    }


# --- Adhérents: who sees what -------------------------------------------------------------


def test_a_treasurer_of_a_sees_a_members_and_not_b(treasurer_a, members):
    client = _client(treasurer_a)
    response = client.get(MEMBERS)
    assert response.status_code == 200
    body = response.content.decode()
    for expected in (
        "Léa Dupont",
        "lea@exemple.org",
        "Marc Leroy",
        "Soutien",
        "Zoé Martin",
        "Inès Caron",
        "Adhésion 2026",
        "À jour",
        "Expire bientôt",
        "Expirée",
        "Renouvelée",
    ):
        assert expected in body, expected
    assert "Secret" not in body and "secret-b@exemple.org" not in body and "BookKafé" not in body
    assert "Paul Rembourse" not in body  # a refunded membership is no membership
    assert client.get(f"{MEMBERS}{members['current'].pk}/").status_code == 200
    assert client.get(f"{MEMBERS}{members['b'].pk}/").status_code == 404


def test_neither_an_editor_nor_an_outsider_sees_members(client_a, members):
    """The role split: members are the treasurers' business, not the editors'."""
    outsider = _client(UserFactory(email="curieux@exemple.org"))
    for client in (client_a, outsider):
        for url in (MEMBERS, f"{MEMBERS}{members['current'].pk}/", MEMBERS + "?export=csv"):
            response = client.get(url)
            assert response.status_code in (302, 403, 404), url
            assert b"lea@exemple.org" not in response.content


def test_staff_see_the_members_of_every_association(staff_client, members):
    body = staff_client.get(MEMBERS).content.decode()
    assert "Léa Dupont" in body and "Secret Adhérent-de-B" in body
    assert "Popeline" in body and "BookKafé" in body
    assert staff_client.get(f"{MEMBERS}{members['b'].pk}/").status_code == 200


def test_the_member_detail_shows_the_snapshot_and_the_history(treasurer_a, members):
    response = _client(treasurer_a).get(f"{MEMBERS}{members['renewed_old'].pk}/")
    body = response.content.decode()
    assert "Inès Caron" in body and "ines@exemple.org" in body
    assert "Adhésion 2025" in body and "Adhésion 2026" in body  # both memberships, whatever the e-mail's case
    assert "Renouvelée" in body and f"/admin/paiements/{members['renewed_old'].payment_id}/" in body


def test_members_filters_and_search(treasurer_a, members):
    client = _client(treasurer_a)

    def listed(**params):
        body = client.get(MEMBERS, params).content.decode()
        names = {"Léa Dupont", "Marc Leroy", "Zoé Martin", "Inès Caron"}
        return {name for name in names if name in body}

    assert listed(state="a-jour") == {"Léa Dupont", "Inès Caron"}
    assert listed(state="expire-bientot") == {"Marc Leroy"}
    assert listed(state="expiree") == {"Zoé Martin"}
    assert listed(state="renouvelee") == {"Inès Caron"}
    assert listed(campaign=members["campaign_a"].pk) == {"Léa Dupont", "Inès Caron"}
    assert listed(q="leroy") == {"Marc Leroy"}
    assert listed(q="zoe@exemple") == {"Zoé Martin"}
    assert listed(q="léa dupont") == {"Léa Dupont"}
    # B's campaign is not a choice: asking for it never shows B's members
    assert "Secret" not in client.get(MEMBERS, {"campaign": members["campaign_b"].pk}).content.decode()
    results = client.get(MEMBERS + "results/", {"q": "martin"})
    assert results.status_code == 200 and "Zoé Martin" in results.content.decode()


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_members_csv_export(treasurer_a, members, today):
    response = _client(treasurer_a).get(MEMBERS, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="adherents-' in response["Content-Disposition"]
    rows = _csv_rows(response)
    header, data = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    for title in ("Nom", "Prénom", "E-mail", "Formule", "Campagne", "Valable du", "Valable jusqu'au", "État"):
        assert title in header, title
    assert len(data) == 5  # A's five memberships that hold; not B's, not the refunded one
    assert all("Secret" not in ";".join(row.values()) for row in data)
    marc = next(row for row in data if row["Prénom"] == "Marc")
    assert marc["Nom"] == "Leroy" and marc["E-mail"] == "marc@exemple.org" and marc["Formule"] == "Soutien"
    assert marc["Campagne"] == "Adhésion 2025" and marc["État"] == "Expire bientôt"
    assert marc["Valable jusqu'au"] == (today + timedelta(days=12)).strftime("%d/%m/%Y")
    # the export follows the filters
    filtered = _csv_rows(_client(treasurer_a).get(MEMBERS, {"export": "csv", "state": "expiree"}))
    assert [row[filtered[0].index("Prénom")] for row in filtered[1:]] == ["Zoé"]


def test_members_xlsx_export_opens(treasurer_a, members):
    import openpyxl

    response = _client(treasurer_a).get(MEMBERS, {"export": "xlsx"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert "E-mail" in rows[0] and len(rows) == 6


# --- renewal reminders --------------------------------------------------------------------


def test_reminders_go_once_to_the_right_members(members, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert membership_reminders_send(today=today) == 2
    # Marc for A (ends in 12 days) and B's member for B (10 days); not Léa (200 days), not Zoé (expired),
    # not Inès (renewed), not Paul (refunded)
    assert sorted(message.to[0] for message in mail.outbox) == ["marc@exemple.org", "secret-b@exemple.org"]
    message = next(m for m in mail.outbox if m.to == ["marc@exemple.org"])
    assert "Popeline" in message.subject
    assert (today + timedelta(days=12)).strftime("%d/%m/%Y") in message.subject
    assert "Bonjour Marc" in message.body and "Soutien" in message.body
    # the link goes to A's membership campaign that is open now (Marc's own one is closed)
    assert "/adhesion-2026/" in message.body and "/adhesion-2025/" not in message.body
    html = message.alternatives[0][0]
    assert "Renouveler mon adhésion" in html and "/adhesion-2026/" in html
    members["expiring"].refresh_from_db()
    assert members["expiring"].reminder_sent_at is not None
    for key in ("current", "expired", "renewed_old", "renewed_new", "refunded"):
        members[key].refresh_from_db()
        assert members[key].reminder_sent_at is None, key
    # never twice
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert membership_reminders_send(today=today) == 0
    assert mail.outbox == []


def test_each_association_reminds_its_own_members(association_b, members, today, django_capture_on_commit_callbacks):
    """B's member is reminded by B, with B's link and B's address to reply to; nothing of A."""
    Membership.objects.filter(pk=members["expiring"].pk).update(reminder_sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert membership_reminders_send(today=today) == 1
    message = mail.outbox[0]
    assert message.to == ["secret-b@exemple.org"] and "BookKafé" in message.subject
    assert message.reply_to == [association_b.email]
    assert "/adhesion-bookkafe/" in message.body and "Popeline" not in message.body


def test_the_reminder_window_follows_days_before(members, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert membership_reminders_send(today=today, days_before=11) == 1  # B's member only (10 days)
        assert membership_reminders_send(today=today, days_before=12) == 1  # then Marc (12 days)
    assert sorted(m.to[0] for m in mail.outbox) == ["marc@exemple.org", "secret-b@exemple.org"]


def test_one_e_mail_for_two_memberships_of_the_same_person(
    association_a, members, today, django_capture_on_commit_callbacks
):
    family = _member(
        association_a,
        members["old_campaign_a"],
        first_name="Marc",
        last_name="Leroy",
        email="Marc@Exemple.org",
        valid_until=today + timedelta(days=12),
        tier="Famille",
    )
    with django_capture_on_commit_callbacks(execute=True):
        membership_reminders_send(today=today)
    assert [m.to for m in mail.outbox].count(["marc@exemple.org"]) + [m.to for m in mail.outbox].count(
        ["Marc@Exemple.org"]
    ) == 1
    family.refresh_from_db()
    assert family.reminder_sent_at is not None


def test_without_an_open_campaign_the_reminder_says_to_write(
    association_a, members, today, django_capture_on_commit_callbacks
):
    MembershipCampaignPage.objects.filter(pk=members["campaign_a"].pk).update(closes_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        membership_reminders_send(today=today)
    message = next(m for m in mail.outbox if m.to == ["marc@exemple.org"])
    assert "/adhesion-" not in message.body
    assert association_a.email in message.body


def test_the_command_sends_and_prints_the_count(members, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rappeler_renouvellements", stdout=out)
    assert "2 rappel(s) de renouvellement envoyé(s)." in out.getvalue()  # Marc (A) and B's member
    assert len(mail.outbox) == 2
    out = io.StringIO()
    call_command("rappeler_renouvellements", "--jours", "400", stdout=out)
    # Léa (200 days) now; Inès' new membership too (370 days); the others were reminded already
    assert "2 rappel(s)" in out.getvalue()


# --- Billets: listing ---------------------------------------------------------------------


@pytest.fixture
def tickets(association_a, association_b):
    defile = _ticketing(association_a, "Défilé upcycling", "defile")
    atelier = _ticketing(association_a, "Atelier couture", "atelier")
    soiree_b = _ticketing(association_b, "Soirée BookKafé", "soiree-bookkafe")
    return {
        "defile": defile,
        "atelier": atelier,
        "soiree_b": soiree_b,
        "jean": _ticket(association_a, defile),
        "lea": _ticket(
            association_a,
            defile,
            type_name="Tarif réduit",
            first_name="Léa",
            last_name="Dupont",
            email="lea@exemple.org",
        ),
        "marc": _ticket(association_a, atelier, first_name="Marc", last_name="Leroy", email="marc@exemple.org"),
        "refunded": _ticket(
            association_a,
            defile,
            first_name="Paul",
            last_name="Rembourse",
            email="paul@exemple.org",
            status=PaymentStatus.REFUNDED,
        ),
        "b": _ticket(
            association_b, soiree_b, first_name="Secret", last_name="Spectateur-de-B", email="secret-b@exemple.org"
        ),
    }


def test_a_treasurer_of_a_sees_a_tickets_and_not_b(treasurer_a, tickets):
    client = _client(treasurer_a)
    response = client.get(TICKETS)
    assert response.status_code == 200
    body = response.content.decode()
    for expected in (
        "Jean Lefebvre",
        "Léa Dupont",
        "Tarif réduit",
        "Défilé upcycling",
        "Atelier couture",
        tickets["jean"].code,
        "Pas encore utilisé",
        "Annulé (remboursé)",
        CHECK_IN,
    ):
        assert expected in body, expected
    assert "Secret" not in body and tickets["b"].code not in body and "BookKafé" not in body
    assert client.get(f"{TICKETS}{tickets['jean'].pk}/").status_code == 200
    assert client.get(f"{TICKETS}{tickets['b'].pk}/").status_code == 404


def test_staff_see_every_ticket(staff_client, tickets):
    body = staff_client.get(TICKETS).content.decode()
    assert "Jean Lefebvre" in body and "Secret Spectateur-de-B" in body


def test_tickets_filters_and_search(treasurer_a, tickets):
    client = _client(treasurer_a)
    Ticket.objects.filter(pk=tickets["lea"].pk).update(checked_in_at=timezone.now())

    def listed(**params):
        body = client.get(TICKETS, params).content.decode()
        return {name for name in ("Jean Lefebvre", "Léa Dupont", "Marc Leroy", "Paul Rembourse") if name in body}

    assert listed(campaign=tickets["atelier"].pk) == {"Marc Leroy"}
    assert listed(checked_in="oui") == {"Léa Dupont"}
    assert listed(checked_in="non") == {"Jean Lefebvre", "Marc Leroy", "Paul Rembourse"}
    assert listed(q="lefebvre") == {"Jean Lefebvre"}
    assert listed(q=tickets["marc"].code) == {"Marc Leroy"}
    assert listed(q=f"KOLLEKTIF-BILLET:{tickets['marc'].code}") == {"Marc Leroy"}
    assert listed(q=tickets["b"].code) == set()
    assert "Secret" not in client.get(TICKETS, {"campaign": tickets["soiree_b"].pk}).content.decode()
    # from a filtered list, the check-in button opens on that event
    assert (
        f"{CHECK_IN}?evenement={tickets['atelier'].pk}"
        in client.get(TICKETS, {"campaign": tickets["atelier"].pk}).content.decode()
    )


def test_tickets_csv_export_is_a_guest_list(treasurer_a, tickets):
    rows = _csv_rows(_client(treasurer_a).get(TICKETS, {"export": "csv", "campaign": tickets["defile"].pk}))
    header = rows[0]
    data = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert {row["Nom"] for row in data} == {"Lefebvre", "Dupont", "Rembourse"}
    assert {row["Code"] for row in data} >= {tickets["jean"].code, tickets["lea"].code}
    assert all(row["Événement"] == "Défilé upcycling" for row in data)


def test_the_admin_guard_knows_members_and_tickets_urls(treasurer_a, editor_a, members, tickets):
    for url, namespace in ((f"{MEMBERS}{members['b'].pk}/", "adherents"), (f"{TICKETS}{tickets['b'].pk}/", "billets")):
        match = resolve(url)
        assert match.namespace == namespace
        assert request_is_allowed(treasurer_a, match) is False
    assert request_is_allowed(treasurer_a, resolve(f"{MEMBERS}{members['current'].pk}/")) is True
    assert request_is_allowed(treasurer_a, resolve(f"{TICKETS}{tickets['jean'].pk}/")) is True
    assert request_is_allowed(treasurer_a, resolve(f"{TICKETS}999999/")) is True  # no such object: the view says 404
    # editors see no member, no ticket holder
    assert request_is_allowed(editor_a, resolve(f"{MEMBERS}{members['current'].pk}/")) is False
    assert request_is_allowed(editor_a, resolve(f"{TICKETS}{tickets['jean'].pk}/")) is False


def test_the_menu_shows_the_new_areas_to_volunteers_only(treasurer_a, tickets):
    body = _client(treasurer_a).get("/admin/").content.decode()
    assert MEMBERS in body and TICKETS in body and CHECK_IN in body
    outsider = UserFactory(email="admin-sans-asso@exemple.org")
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    body = _client(outsider).get("/admin/").content.decode()
    assert MEMBERS not in body and TICKETS not in body and CHECK_IN not in body
    assert _client(outsider).get(CHECK_IN).status_code in (302, 403)


# --- check-in at the door -----------------------------------------------------------------


def _scan(client, code, **extra):
    return client.post(CHECK_IN, {"code": code, **extra})


def test_the_check_in_page_is_ready_for_a_scanner(treasurer_a, tickets):
    response = _client(treasurer_a).get(CHECK_IN)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<input[^>]*name="code"[^>]*autofocus', body)
    assert "douchette" in body and "KOLLEKTIF-BILLET:" in body
    assert "Soirée BookKafé" not in body  # B's event is no choice


def test_a_valid_ticket_gets_in_once(treasurer_a, tickets):
    client = _client(treasurer_a)
    response = _scan(client, tickets["lea"].code)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Entrée validée" in body and "Tarif réduit" in body and "Léa Dupont" in body
    tickets["lea"].refresh_from_db()
    used_at = tickets["lea"].checked_in_at
    assert used_at is not None
    # the field is empty and focused again for the next scan
    assert re.search(r'<input[^>]*name="code"[^>]*autofocus', body) and tickets["lea"].code not in body

    again = _scan(client, tickets["lea"].code)
    assert again.status_code == 409
    body = again.content.decode()
    assert "Billet déjà utilisé" in body and "Entrée validée" not in body
    assert timezone.localtime(used_at).strftime("%d/%m/%Y %H:%M") in body
    tickets["lea"].refresh_from_db()
    assert tickets["lea"].checked_in_at == used_at


def test_the_qr_content_is_accepted_with_spaces(treasurer_a, tickets):
    response = _scan(_client(treasurer_a), f"  KOLLEKTIF-BILLET:{tickets['jean'].code} \n")
    assert response.status_code == 200 and "Entrée validée" in response.content.decode()
    tickets["jean"].refresh_from_db()
    assert tickets["jean"].checked_in_at is not None


def test_an_unknown_code_is_refused(treasurer_a, tickets):
    client = _client(treasurer_a)
    for code in ("n-existe-pas", "KOLLEKTIF-BILLET:n-existe-pas", tickets["jean"].code.swapcase()):
        response = _scan(client, code)
        assert response.status_code == 404, code
        assert "Billet inconnu" in response.content.decode()
    tickets["jean"].refresh_from_db()
    assert tickets["jean"].checked_in_at is None  # the code is case-sensitive


def test_b_ticket_at_a_door_is_unknown_and_stays_unused(treasurer_a, tickets):
    client = _client(treasurer_a)
    for code in (tickets["b"].code, f"KOLLEKTIF-BILLET:{tickets['b'].code}"):
        response = _scan(client, code)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Billet inconnu" in body
        assert "Secret" not in body and "BookKafé" not in body and "Plein tarif" not in body
    # asking for B's event is refused too, and never checks B's ticket in
    response = _scan(client, tickets["b"].code, evenement=tickets["soiree_b"].pk)
    assert response.status_code == 400
    tickets["b"].refresh_from_db()
    assert tickets["b"].checked_in_at is None
    # and B's ticket page cannot be used to check it in
    assert client.post(f"{TICKETS}{tickets['b'].pk}/").status_code == 404
    tickets["b"].refresh_from_db()
    assert tickets["b"].checked_in_at is None


def test_an_empty_scan_asks_for_a_code(treasurer_a, tickets):
    response = _scan(_client(treasurer_a), "   ")
    assert response.status_code == 400
    assert "Scannez ou tapez le code du billet." in response.content.decode()


def test_a_refunded_ticket_does_not_get_in(treasurer_a, tickets):
    response = _scan(_client(treasurer_a), tickets["refunded"].code)
    assert response.status_code == 409 and "Billet remboursé" in response.content.decode()
    tickets["refunded"].refresh_from_db()
    assert tickets["refunded"].checked_in_at is None


def test_with_an_event_chosen_a_ticket_for_another_event_is_refused(treasurer_a, tickets):
    client = _client(treasurer_a)
    response = _scan(client, tickets["marc"].code, evenement=tickets["defile"].pk)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Billet pour un autre événement" in body and "Atelier couture" in body
    tickets["marc"].refresh_from_db()
    assert tickets["marc"].checked_in_at is None
    response = _scan(client, tickets["jean"].code, evenement=tickets["defile"].pk)
    assert response.status_code == 200
    assert "entrées validées : 1 sur 2." in response.content.decode()  # the refunded one does not count


def test_a_scanner_typing_qwerty_on_an_azerty_computer_is_understood():
    qwerty_to_azerty = str.maketrans("1234567890-_qaQAwzWZmM;:", "&é\"'(-è_çà)°aqAQzwZW,?mM")
    code = "Qm9-zW_a1M0x"
    typed = f"KOLLEKTIF-BILLET:{code}".translate(qwerty_to_azerty)
    assert typed.startswith("KOLLEKTIF)BILLETM")
    assert ticket_code_candidates(typed) == [code]
    assert ticket_code_candidates(f"kollektif-billet:{code.swapcase()}")[0] == code  # caps lock on


def test_a_lost_ticket_is_checked_in_from_its_page(treasurer_a, tickets):
    client = _client(treasurer_a)
    url = f"{TICKETS}{tickets['jean'].pk}/"
    body = client.get(url).content.decode()
    assert "Valider l'entrée" in body and tickets["jean"].code in body
    response = client.post(url)
    assert response.status_code == 200 and "Entrée validée" in response.content.decode()
    tickets["jean"].refresh_from_db()
    assert tickets["jean"].checked_in_at is not None
    assert client.post(url).status_code == 409


def test_the_service_only_finds_the_user_s_tickets(treasurer_a, editor_b, association_b, tickets):
    treasurer_b = UserFactory(email="tresorier-b@exemple.org")
    treasurer_b.groups.add(association_b.treasurers_group)
    assert ticket_check_in(user=treasurer_a, code=tickets["b"].code).outcome == "unknown"
    assert ticket_check_in(user=editor_b, code=tickets["b"].code).outcome == "unknown"  # editors hold no ticket data
    assert ticket_check_in(user=treasurer_b, code=tickets["b"].code).outcome == "admitted"
    assert ticket_check_in(user=treasurer_b, code=tickets["b"].code).outcome == "already-used"


@pytest.fixture
def _fresh_rate_limits():
    """The pay form is rate limited (cache): this test leaves other tests' budget untouched."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("_fresh_rate_limits")
def test_a_ticket_bought_online_gets_in_with_its_qr_content(association_a, treasurer_a, stripe_client):
    event = _ticketing(association_a, "Concert au jardin", "concert")
    reduit = event.ticket_types.get(name="Tarif réduit")
    buyer = Client()
    response = buyer.post(
        event.url,
        {
            "first_name": "Jean",
            "last_name": "Lefebvre",
            "email": "jean.concert@exemple.org",
            "street_address": "8 rue Basly",
            "postal_code": "62300",
            "city": "Lens",
            "consent": "on",
            f"billets_{reduit.pk}": "1",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode()).group(1)
    confirm_card_in_browser(stripe_client, secret)
    payment = Payment.objects.order_by("-pk").first()
    buyer.post(f"/paiement/{payment.public_token}/confirmer/")
    ticket = Ticket.objects.get(payment=payment)
    response = _scan(_client(treasurer_a), f"KOLLEKTIF-BILLET:{ticket.code}", evenement=event.pk)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Entrée validée" in body and "Tarif réduit" in body and "Jean Lefebvre" in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL seulement")
@pytest.mark.django_db(transaction=True)
def test_two_scanners_never_let_the_same_ticket_in_twice(association_a, treasurer_a):
    # the door is kept by a Trésorier: since the security issue an Éditeur sees no ticket at all
    event = _ticketing(association_a, "Concert", "concert-verrou")
    ticket = _ticket(association_a, event)
    outcomes = []

    def scan():
        from django.db import connections

        try:
            outcomes.append(ticket_check_in(user=treasurer_a, code=ticket.code).outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("admitted") == 1 and outcomes.count("already-used") == 7


def test_dates_in_the_members_list_are_french(treasurer_a, members, today):
    body = _client(treasurer_a).get(MEMBERS).content.decode()
    assert (today + timedelta(days=200)).strftime("%d/%m/%Y") in body
