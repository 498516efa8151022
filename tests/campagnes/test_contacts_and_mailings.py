"""Members and donors the treasurer can reach: consent at payment, lists, exports, mailings
through the worker to a real SMTP server, the unsubscribe link and the provider's bounces."""

from __future__ import annotations

import csv
import email
import io
import json
import socket
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import (
    ContactOptOut,
    Mailing,
    MailingRecipient,
    MailingStatus,
    Membership,
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentKind,
    PaymentStatus,
    RecipientStatus,
)

CONTACTS = "/admin/contacts/"
COMPOSE = "/admin/contacts/ecrire/"
TODAY = timezone.localdate()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    return user


@pytest.fixture
def treasurer_b(association_b):
    user = UserFactory(email="tresoriere-b@exemple.org")
    user.groups.add(association_b.treasurers_group)
    return user


def _membership_campaign(association, slug="adhesion") -> MembershipCampaignPage:
    page = MembershipCampaignPage(title="Adhésion", slug=slug, validity="douze-mois", opens_at=timezone.now())
    page.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    association.home_page.get_children().get(slug="nous-aider").add_child(instance=page)
    return page


def _pay(association, campaign, kind, email_address, *, consent=True, paid_at=None, **fields) -> Payment:
    paid_at = paid_at or timezone.now()
    return Payment.objects.create(
        association=association,
        campaign=campaign,
        kind=kind,
        status=fields.pop("status", PaymentStatus.SUCCEEDED),
        amount_cents=1500,
        first_name=fields.pop("first_name", "Camille"),
        last_name=fields.pop("last_name", email_address.split("@")[0].title()),
        email=email_address,
        contact_consent=consent,
        contact_consent_at=paid_at if consent else None,
        created_at=paid_at,
        paid_at=paid_at,
        **fields,
    )


def _member(association, campaign, email_address, valid_until, *, consent=True) -> Membership:
    payment = _pay(association, campaign, PaymentKind.MEMBERSHIP, email_address, consent=consent)
    return Membership.objects.create(
        payment=payment,
        association=association,
        tier_name="Individuelle",
        valid_from=valid_until - timedelta(days=364),
        valid_until=valid_until,
    )


@pytest.fixture
def people(association_a, association_b, donation_campaign):
    """A's members and donors in every list, one member of B, nobody's data shared."""
    campaign = _membership_campaign(association_a)
    _member(association_a, campaign, "alice@exemple.org", TODAY + timedelta(days=200))
    _member(association_a, campaign, "bruno@exemple.org", TODAY + timedelta(days=10))  # to renew, still valid
    _member(association_a, campaign, "chloe@exemple.org", TODAY - timedelta(days=20), consent=False)  # to renew
    _member(association_a, campaign, "denis@exemple.org", TODAY - timedelta(days=400))  # lapsed long ago
    # Elsa renewed: her old membership is not "lapsed", she is valid
    _member(association_a, campaign, "elsa@exemple.org", TODAY - timedelta(days=30))
    _member(association_a, campaign, "Elsa@Exemple.org", TODAY + timedelta(days=300))
    last_year = timezone.now().replace(year=TODAY.year - 1, month=6, day=15)
    _pay(association_a, donation_campaign, PaymentKind.DONATION, "fanny@exemple.org")
    _pay(association_a, donation_campaign, PaymentKind.DONATION, "FANNY@exemple.org", consent=False)  # her latest word
    _pay(association_a, donation_campaign, PaymentKind.DONATION, "gaston@exemple.org", paid_at=last_year)
    _pay(association_a, donation_campaign, PaymentKind.MONTHLY_DONATION, "hugo@exemple.org", stripe_subscription="s1")
    _pay(
        association_a,
        donation_campaign,
        PaymentKind.MONTHLY_DONATION,
        "ines@exemple.org",
        stripe_subscription="s2",
        subscription_stopped_at=timezone.now(),
    )
    _pay(association_a, donation_campaign, PaymentKind.DONATION, "refunded@exemple.org", status=PaymentStatus.REFUNDED)
    campaign_b = _membership_campaign(association_b, slug="adhesion-b")
    _member(association_b, campaign_b, "secret-b@exemple.org", TODAY + timedelta(days=200))


def _emails(response) -> set[str]:
    body = response.content.decode()
    return {
        address
        for address in (
            "alice",
            "bruno",
            "chloe",
            "denis",
            "elsa",
            "fanny",
            "gaston",
            "hugo",
            "ines",
            "refunded",
            "secret-b",
        )
        if f"{address}@exemple.org" in body.lower()
    }


# --- consent at payment ----------------------------------------------------------------------


DONOR = {
    "amount": "25",
    "frequency": "once",
    "first_name": "Léa",
    "last_name": "Dupont",
    "email": "lea@exemple.org",
    "street_address": "3 rue des Lilas",
    "postal_code": "62400",
    "city": "Béthune",
    "consent": "on",
}


def test_the_payment_form_asks_for_consent_unticked_and_records_it_with_its_date(donation_campaign, association_a):
    page = Client().get(donation_campaign.url).content.decode()
    assert f"J&#x27;accepte que {association_a.name} me contacte par e-mail" in page
    box = page[page.index('name="contact_consent"') - 200 : page.index('name="contact_consent"') + 200]
    assert "checked" not in box  # never ticked in advance

    Client().post(donation_campaign.url, DONOR)
    Client().post(donation_campaign.url, {**DONOR, "email": "marc@exemple.org", "contact_consent": "on"})
    silent = Payment.objects.get(email="lea@exemple.org")
    agreed = Payment.objects.get(email="marc@exemple.org")
    assert (silent.contact_consent, silent.contact_consent_at) == (False, None)
    assert agreed.contact_consent is True
    assert timezone.now() - agreed.contact_consent_at < timedelta(minutes=1)


# --- lists and exports -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("liste", "expected"),
    [
        ("adherents-a-jour", {"alice", "bruno", "elsa"}),
        ("adherents-a-relancer", {"bruno", "chloe"}),
        ("adherents-expires", {"chloe", "denis"}),
        ("donateurs-ponctuels", {"fanny", "gaston"}),
        ("donateurs-mensuels", {"hugo"}),
        ("donateurs-cette-annee", {"fanny", "hugo", "ines"}),
        ("donateurs-annee-derniere", {"gaston"}),
    ],
)
def test_each_list_shows_its_people_once_and_only_the_associations(treasurer_a, people, liste, expected):
    response = _client(treasurer_a).get(CONTACTS, {"liste": liste})
    assert response.status_code == 200
    assert _emails(response) == expected
    assert f": {len(expected)} personne" in response.content.decode()


def test_the_list_shows_each_persons_latest_choice(treasurer_a, people):
    body = _client(treasurer_a).get(CONTACTS, {"liste": "donateurs-ponctuels"}).content.decode()
    fanny = body[body.index("fanny@exemple.org") :][:600]
    assert "Sans accord" in fanny  # she unticked the box on her latest gift
    gaston = body[body.index("gaston@exemple.org") :][:600]
    assert "Accepte d&#x27;être contacté" in gaston


def test_the_export_has_one_row_per_person_with_consent(treasurer_a, people):
    response = _client(treasurer_a).get(CONTACTS, {"liste": "adherents-a-jour", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][3] == "E-mail" and rows[0][10] == "Contact par e-mail"
    assert sorted(row[3] for row in rows[1:]) == ["alice@exemple.org", "bruno@exemple.org", "elsa@exemple.org"]
    xlsx = _client(treasurer_a).get(CONTACTS, {"liste": "adherents-a-jour", "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_editors_and_other_treasurers_see_nobody(client_a, treasurer_b, people, association_a):
    assert client_a.get(CONTACTS).status_code in (302, 403)
    response = _client(treasurer_b).get(CONTACTS, {"liste": "adherents-a-jour"})
    assert _emails(response) == {"secret-b"}
    assert _client(treasurer_b).get(CONTACTS, {"association": association_a.pk}).status_code == 404


# --- mailings ----------------------------------------------------------------------------------


def test_a_mailing_to_a_list_without_consent_is_refused_in_french_and_nothing_is_queued(
    treasurer_a, association_a, donation_campaign, django_capture_on_commit_callbacks, mailoutbox
):
    _pay(association_a, donation_campaign, PaymentKind.DONATION, "sans-accord@exemple.org", consent=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _client(treasurer_a).post(
            COMPOSE,
            {"liste": "donateurs-ponctuels", "subject": "AG", "body": "Convocation", "action": "envoyer"},
        )
    assert response.status_code == 400
    assert "Personne dans cette liste n&#x27;a accepté d&#x27;être contacté" in response.content.decode()
    assert Mailing.objects.count() == 0 and MailingRecipient.objects.count() == 0
    assert callbacks == [] and mailoutbox == []


def test_the_compose_page_counts_who_will_get_it(treasurer_a, people):
    response = _client(treasurer_a).get(COMPOSE, {"liste": "adherents-expires"})
    body = response.content.decode()
    assert "ce message partira à 1 personne" in body  # Denis; Chloé did not consent
    assert "2 dans la liste, dont 1 sans accord" in body


def test_a_treasurer_cannot_open_another_associations_mailing(treasurer_a, treasurer_b, association_b):
    mailing = Mailing.objects.create(association=association_b, subject="AG de B", body="…", audience="x")
    assert _client(treasurer_a).get(f"/admin/envois/{mailing.pk}/").status_code in (403, 404)
    assert _client(treasurer_b).get(f"/admin/envois/{mailing.pk}/").status_code == 200


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection, as in production
def test_the_convocation_leaves_in_batches_through_the_worker_to_an_smtp_server(
    treasurer_a, association_a, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    campaign = _membership_campaign(association_a)
    for n in range(60):  # more than one batch of 50
        _member(association_a, campaign, f"membre{n}@exemple.org", TODAY + timedelta(days=100))
    _member(association_a, campaign, "discrete@exemple.org", TODAY + timedelta(days=100), consent=False)
    ContactOptOut.objects.create(association=association_a, email="membre59@exemple.org", reason="desabonnement")

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(treasurer_a).post(
            COMPOSE,
            {
                "liste": "adherents-a-jour",
                "subject": "Convocation à l'assemblée générale",
                "body": "Bonjour,\nL'assemblée générale aura lieu le 12 mars à 18 h.",
                "action": "envoyer",
            },
        )
    mailing = Mailing.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/envois/{mailing.pk}/"
    assert mailing.recipients.count() == 59  # the one without consent and the unsubscribed one are left out
    batches = DBTaskResult.objects.filter(task_path="campagnes.mailings.send_mailing_batch")
    assert batches.filter(status="READY").count() == 1
    assert smtp_server.messages == []  # queued, not sent by the request

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert len(smtp_server.messages) == 59
    assert batches.filter(status="SUCCESSFUL").count() == 2  # two batches
    received = {message["To"]: message for message in smtp_server.messages}
    assert "discrete@exemple.org" not in received and "membre59@exemple.org" not in received
    first = received["membre0@exemple.org"]
    recipient = MailingRecipient.objects.get(email="membre0@exemple.org")
    link = f"{settings.WAGTAILADMIN_BASE_URL}/desabonnement/{recipient.token}/"
    assert " ".join(first["List-Unsubscribe"].split()) == f"<{link}>"  # a long header may be folded
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Message-ID"] == recipient.message_id
    text = first.get_payload(decode=True).decode()
    assert "L'assemblée générale aura lieu le 12 mars" in text and link in text
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT
    assert set(mailing.recipients.values_list("status", flat=True)) == {RecipientStatus.SENT}
    detail = _client(treasurer_a).get(f"/admin/envois/{mailing.pk}/").content.decode()
    assert 'data-testid="mailing-sent">59<' in detail


def test_an_unreachable_mail_server_is_recorded_on_each_recipient(
    treasurer_a, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(treasurer_a).post(
            COMPOSE, {"liste": "adherents-a-jour", "subject": "AG", "body": "Convocation", "action": "envoyer"}
        )
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    failed = mailing.recipients.filter(status=RecipientStatus.FAILED)
    assert failed.count() == 3 and "Connection" in failed.first().error
    detail = _client(treasurer_a).get(f"/admin/envois/{mailing.pk}/").content.decode()
    assert 'data-testid="mailing-failed">3<' in detail and "Réessayer les messages en échec" in detail
    # the server is back: "Réessayer" sends them
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        retried = _client(treasurer_a).post(f"/admin/envois/{mailing.pk}/", follow=True)
    assert "Envoi relancé : 3 message(s) en échec remis en file" in retried.content.decode()
    assert len(mail.outbox) == 3
    assert 'data-testid="mailing-sent">3<' in _client(treasurer_a).get(f"/admin/envois/{mailing.pk}/").content.decode()


# --- the recipient's side ----------------------------------------------------------------------


@pytest.fixture
def sent_recipient(association_a):
    mailing = Mailing.objects.create(association=association_a, subject="AG", body="…", audience="adherents-a-jour")
    return MailingRecipient.objects.create(
        mailing=mailing, email="Alice@exemple.org", status=RecipientStatus.SENT, message_id="<m1@kollektif.org>"
    )


def test_the_unsubscribe_link_asks_then_unsubscribes_in_french(sent_recipient, association_a):
    url = f"/desabonnement/{sent_recipient.token}/"
    page = Client().get(url)
    assert page.status_code == 200
    assert "Me désabonner" in page.content.decode() and association_a.name in page.content.decode()
    assert not ContactOptOut.objects.exists()  # a mail scanner opening the link changes nothing
    done = Client(enforce_csrf_checks=True).post(url)
    assert done.status_code == 200 and "Vous êtes désabonné" in done.content.decode()
    opt_out = ContactOptOut.objects.get()
    assert (opt_out.association, opt_out.email, opt_out.reason) == (association_a, "alice@exemple.org", "desabonnement")
    assert "déjà désabonné" in Client().get(url).content.decode()
    assert Client().get("/desabonnement/inconnu/").status_code == 404


def test_one_click_unsubscribe_from_the_mail_client(sent_recipient):
    response = Client(enforce_csrf_checks=True).post(
        f"/desabonnement/{sent_recipient.token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and ContactOptOut.objects.count() == 1


def test_a_hard_bounce_marks_the_recipient_and_stops_later_mailings(
    settings, sent_recipient, treasurer_a, association_a, donation_campaign
):
    settings.KOLLEKTIF_BOUNCE_WEBHOOK_TOKEN = "jeton-rebonds"
    event = {"event": "hard_bounce", "email": "alice@exemple.org", "message-id": "<m1@kollektif.org>", "reason": "550"}
    url = "/emails/rebonds/"
    assert Client().post(url, event, content_type="application/json").status_code == 403
    bad = Client().post(url, "{", content_type="application/json", HTTP_AUTHORIZATION="Bearer jeton-rebonds")
    assert bad.status_code == 400
    ok = Client().post(url, [event], content_type="application/json", HTTP_AUTHORIZATION="Bearer jeton-rebonds")
    assert ok.status_code == 200 and json.loads(ok.content) == {"destinataires": 1}
    sent_recipient.refresh_from_db()
    assert sent_recipient.status == RecipientStatus.BOUNCED and "550" in sent_recipient.error
    assert ContactOptOut.objects.get().reason == "rebond"
    # Alice gives again and says yes: the address still bounces, no mailing goes to it
    _pay(association_a, donation_campaign, PaymentKind.DONATION, "alice@exemple.org")
    body = _client(treasurer_a).get(CONTACTS, {"liste": "donateurs-ponctuels"}).content.decode()
    assert "Adresse en erreur" in body
    refused = _client(treasurer_a).post(
        COMPOSE, {"liste": "donateurs-ponctuels", "subject": "AG", "body": "…", "action": "envoyer"}
    )
    assert refused.status_code == 400 and Mailing.objects.count() == 1


def test_the_bounce_endpoint_is_closed_without_a_token(settings):
    settings.KOLLEKTIF_BOUNCE_WEBHOOK_TOKEN = ""
    response = Client().post("/emails/rebonds/", {}, content_type="application/json")
    assert response.status_code == 404


def test_a_soft_bounce_is_written_but_does_not_unsubscribe(settings, sent_recipient):
    settings.KOLLEKTIF_BOUNCE_WEBHOOK_TOKEN = "t"
    Client().post(
        "/emails/rebonds/",
        {"event": "soft_bounce", "email": "alice@exemple.org", "reason": "boîte pleine"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer t",
    )
    sent_recipient.refresh_from_db()
    assert sent_recipient.status == RecipientStatus.SENT and "boîte pleine" in sent_recipient.error
    assert not ContactOptOut.objects.exists()


def test_a_date_only_year_list_counts_in_local_time():
    from campagnes.contacts import Audience

    assert Audience.label_for("donateurs-annee-derniere", today=date(2026, 1, 2)) == "Donateurs de 2025"
