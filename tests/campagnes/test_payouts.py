"""The treasurer's "Virements": Stripe payouts matched to the bank statement, line by line.

Tested against recorded Stripe responses (``recorded/payouts.json``), not localstripe:
localstripe's payouts carry no balance transactions, it has no ``GET /v1/balance_transactions``
(only the old ``/v1/balance/history``, without the ``payout`` filter) and its fees are always 0.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from associations.factories import UserFactory
from campagnes import stripe_gateway
from campagnes.models import BalanceTransaction, Payment, PaymentKind, PaymentStatus, StripePayout
from campagnes.payouts_selectors import payout_lines, payout_totals, pending_summary
from campagnes.services.payments import estimated_fee_cents
from campagnes.services.payouts import payouts_sync
from tests.campagnes.recorded_stripe import RecordedStripe, load
from tests.campagnes.test_donation import _event, _signed
from tests.campagnes.test_treasurer_admin import _campaign, _payment

pytestmark = pytest.mark.django_db

RECORDED = load("payouts.json")
ACCOUNT = "acct_1QKollektifDemo01"
PAYOUT_PAID = "po_1QPopelineNov01"  # 20/11/2026, 90,89 €
PAYOUT_IN_TRANSIT = "po_1QPopelineNov02"  # 27/11/2026, 24,29 €
PAYOUT_NOT_RECONCILED = "po_1QPopelineNov03"  # Stripe has not listed its lines yet


@pytest.fixture
def recorded(monkeypatch, settings):
    settings.STRIPE_CONNECT_ENABLED = True
    client = RecordedStripe(RECORDED)
    monkeypatch.setattr(stripe_gateway, "http_client_override", client)
    return client


@pytest.fixture
def connected_a(association_a):
    association_a.stripe_account_id = ACCOUNT
    association_a.save()
    return association_a


@pytest.fixture
def payments(connected_a, association_b):
    campaign = _campaign(connected_a, "Une machine à coudre pour l'atelier", "machine-a-coudre")
    campaign_b = _campaign(association_b, "Le comptoir de BookKafé", "comptoir-bookkafe")
    made = {
        "lea": _payment(
            connected_a,
            campaign,
            amount_cents=5000,
            fee_cents=0,
            stripe_charge="ch_3QPopDon50Lea",
            stripe_payment_intent="pi_3QPopDon50Lea",
        ),
        "marc": _payment(
            connected_a,
            campaign,
            amount_cents=2000,
            fee_cents=0,
            refunded_cents=500,
            first_name="Marc",
            last_name="Leroy",
            email="marc@exemple.org",
            stripe_charge="ch_3QPopDon20Marc",
            stripe_payment_intent="pi_3QPopDon20Marc",
        ),
        # recorded before its charge was known: found through its PaymentIntent
        "samir": _payment(
            connected_a,
            campaign,
            kind=PaymentKind.MEMBERSHIP,
            amount_cents=3000,
            fee_cents=0,
            first_name="Samir",
            last_name="Haddad",
            email="samir@exemple.org",
            stripe_payment_intent="pi_3QPopAdhSam",
        ),
        "zoe": _payment(
            connected_a,
            campaign,
            amount_cents=2500,
            fee_cents=0,
            first_name="Zoé",
            last_name="Martin",
            email="zoe@exemple.org",
            stripe_charge="ch_3QPopBilletZoe",
            stripe_payment_intent="pi_3QPopBilletZoe",
        ),
        "ines": _payment(
            connected_a,
            campaign,
            amount_cents=10000,
            fee_cents=0,
            first_name="Inès",
            last_name="Roussel",
            email="ines@exemple.org",
            stripe_charge="ch_3QPopDon100Ines",
            stripe_payment_intent="pi_3QPopDon100Ines",
        ),
        # another association's payment with the charge id of a charge of A's account: never linked
        "other": _payment(
            association_b,
            campaign_b,
            amount_cents=1500,
            fee_cents=0,
            first_name="Secret",
            last_name="Payeur-de-B",
            email="secret-b@exemple.org",
            stripe_charge="ch_3QPopDashboard",
        ),
    }
    return made


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
def synced(recorded, connected_a, payments):
    payouts_sync(association=connected_a)
    return connected_a


# --- the sync --------------------------------------------------------------------------------


def test_sync_copies_each_payout_with_its_payments_refunds_and_fees(recorded, connected_a, payments):
    report = payouts_sync(association=connected_a)

    assert report.payouts == 3
    paid = StripePayout.objects.get(stripe_id=PAYOUT_PAID)
    assert (paid.association, paid.amount_cents, paid.status) == (connected_a, 9089, "paid")
    assert paid.arrival_date.isoformat() == "2026-11-20"
    assert paid.statement_descriptor == "POPELINE DONS"
    lines = {line.source_id: line for line in payout_lines(paid)}
    assert set(lines) == {"ch_3QPopDon50Lea", "ch_3QPopDon20Marc", "re_3QPopRefMarc", "ch_3QPopAdhSam", ""}
    assert lines["ch_3QPopDon50Lea"].payer_name == "Léa Dupont"
    assert lines["ch_3QPopDon50Lea"].campaign == "Une machine à coudre pour l'atelier"
    assert lines["re_3QPopRefMarc"].payment_id == payments["marc"].pk  # the refund's charge names the payment
    assert lines["re_3QPopRefMarc"].label == "Remboursement"
    assert lines["ch_3QPopAdhSam"].payment_id == payments["samir"].pk  # through its PaymentIntent
    assert lines[""].label == "Frais Stripe"

    # every Stripe call is made on the association's own account, sources expanded, all pages read
    assert all(request[3].get("Stripe-Account") == ACCOUNT for request in recorded.requests)
    listing = [r for r in recorded.requests if r[1] == "/v1/balance_transactions"]
    assert all(r[2].get("expand[0]") == ["data.source"] for r in listing)
    assert any(r[2].get("starting_after") == [PAYOUT_IN_TRANSIT] for r in recorded.requests if r[1] == "/v1/payouts")
    # the payout whose reconciliation Stripe has not finished is not read line by line
    assert not any(r[2].get("payout") == [PAYOUT_NOT_RECONCILED] for r in listing)


def test_fees_are_the_ones_stripe_reported_not_a_formula(synced, payments):
    lea = BalanceTransaction.objects.get(payment=payments["lea"], type="charge")
    assert lea.fee_cents == 133
    assert estimated_fee_cents(5000) != 133  # what the card form's estimate would have said
    totals = payout_totals(StripePayout.objects.get(stripe_id=PAYOUT_PAID))
    # 1,33 + 0,61 + 0,97 € on the payments, and Stripe's 1,20 € Billing fee line
    assert totals.fees_cents == 133 + 61 + 97 + 120
    assert (totals.gross_cents, totals.refunds_cents, totals.payments_count) == (10000, -500, 3)
    assert totals.net_cents == 9089 == totals.gross_cents + totals.refunds_cents - totals.fees_cents


def test_sync_twice_changes_nothing_and_does_not_read_a_complete_payout_again(recorded, synced):
    counts = (StripePayout.objects.count(), BalanceTransaction.objects.count())
    recorded.requests.clear()
    payouts_sync(association=synced)
    assert (StripePayout.objects.count(), BalanceTransaction.objects.count()) == counts
    read_again = {r[2].get("payout", [""])[0] for r in recorded.requests if r[1] == "/v1/balance_transactions"}
    assert PAYOUT_PAID not in read_again and PAYOUT_IN_TRANSIT not in read_again


def test_pending_total_is_what_no_payout_has_carried_yet(synced, payments):
    summary = pending_summary(synced)
    # Inès's 100 € (fee 1,90 €) and a 15 € charge typed in Stripe's dashboard (fee 0,48 €)
    assert summary.totals.net_cents == 9810 + 1452
    assert summary.totals.payments_count == 2
    assert summary.in_transit_cents == 2429 + 4250 and summary.in_transit_count == 2
    outside = BalanceTransaction.objects.get(source_id="ch_3QPopDashboard")
    assert outside.payment is None  # the charge id of another association's payment is not enough


def test_payout_webhook_syncs_through_the_task_queue(
    recorded, connected_a, payments, settings, django_capture_on_commit_callbacks
):
    event = _event(
        "evt_payout_paid", "payout.paid", RECORDED["GET /v1/payouts?starting_after=" + PAYOUT_IN_TRANSIT]["data"][0]
    )
    event["account"] = ACCOUNT
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET))
    assert response.status_code == 200
    assert response.content.decode() == "virements à actualiser"
    assert StripePayout.objects.filter(association=connected_a).count() == 3
    assert BalanceTransaction.objects.filter(payout__stripe_id=PAYOUT_PAID, payment=payments["lea"]).exists()


def test_payout_webhook_of_an_unknown_account_changes_nothing(recorded, connected_a, settings):
    event = _event("evt_payout_other", "payout.updated", {"id": "po_other", "object": "payout"})
    event["account"] = "acct_someone_else"
    response = Client().post("/stripe/webhook/", **_signed(event, settings.STRIPE_WEBHOOK_SECRET))
    assert response.content.decode() == "compte inconnu"
    assert not StripePayout.objects.exists() and recorded.requests == []


def test_management_command_syncs_connected_associations(recorded, connected_a, payments):
    out = io.StringIO()
    call_command("actualiser_virements", stdout=out)
    assert "Popeline : 3 virement(s)" in out.getvalue()
    assert StripePayout.objects.count() == 3


# --- the treasurer's pages -------------------------------------------------------------------


def test_treasurer_sees_payouts_and_the_pending_total_in_french(synced, treasurer_a):
    response = _client(treasurer_a).get("/admin/virements/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Virements" in page and "Popeline" in page
    assert "En attente : 112,62\u00a0€" in page
    assert "20/11/2026" in page and "90,89\u00a0€" in page and "Versé" in page
    assert "En cours de virement" in page and "66,79\u00a0€" in page
    assert page.count('data-testid="payout-row"') == 3
    assert "à vérifier" in page  # the payout Stripe has not detailed yet


def test_payout_detail_lists_its_lines_and_checks_the_total(synced, treasurer_a, payments):
    payout = StripePayout.objects.get(stripe_id=PAYOUT_PAID)
    page = _client(treasurer_a).get(f"/admin/virements/{payout.pk}/").content.decode()
    assert "Virement du 20/11/2026" in page
    assert "Léa Dupont" in page and "Marc Leroy" in page and "Samir Haddad" in page
    assert "Remboursement" in page and "Frais Stripe" in page
    assert "1,33\u00a0€" in page  # Léa's fee, as Stripe reported it
    assert "le total net des lignes est égal au montant viré (90,89\u00a0€)" in page


def test_payout_not_yet_detailed_by_stripe_shows_a_warning(synced, treasurer_a):
    payout = StripePayout.objects.get(stripe_id=PAYOUT_NOT_RECONCILED)
    page = _client(treasurer_a).get(f"/admin/virements/{payout.pk}/").content.decode()
    assert "ne correspond pas au montant viré (42,50\u00a0€)" in page


def test_pending_page_lists_what_is_still_at_stripe(synced, treasurer_a):
    page = _client(treasurer_a).get("/admin/virements/en-attente/").content.decode()
    assert "Inès Roussel" in page and "Paiement saisi dans le tableau de bord Stripe" in page
    assert "112,62\u00a0€" in page


def test_payout_csv_for_the_bank_reconciliation(synced, treasurer_a, payments):
    payout = StripePayout.objects.get(stripe_id=PAYOUT_PAID)
    response = _client(treasurer_a).get(f"/admin/virements/{payout.pk}/csv/")
    assert response.status_code == 200
    assert 'filename="virement-2026-11-20-po_1QPopelineNov01.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Virement Stripe", "Date sur le relevé", "Montant du virement (€)"]
    assert len(body) == 5
    lea = next(row for row in body if row[5] == "Léa Dupont")
    assert lea[1:3] == ["20/11/2026", "90,89"]
    assert lea[header.index("Brut (€)")] == "50,00"
    assert lea[header.index("Frais Stripe (€)")] == "1,33"
    assert lea[header.index("Net (€)")] == "48,67"
    assert lea[header.index("N° de paiement")] == str(payments["lea"].pk)
    nets = sum(
        int(row[header.index("Net (€)")].replace(",", "").replace("-", ""))
        * (-1 if "-" in row[header.index("Net (€)")] else 1)
        for row in body
    )
    assert nets == 9089  # the lines add up to the amount on the bank statement


def test_another_associations_treasurer_gets_404(synced, association_b):
    treasurer_b = UserFactory(email="tresorier-b@exemple.org")
    treasurer_b.groups.add(association_b.treasurers_group)
    client = _client(treasurer_b)
    payout = StripePayout.objects.get(stripe_id=PAYOUT_PAID)
    assert client.get(f"/admin/virements/{payout.pk}/").status_code == 404
    assert client.get(f"/admin/virements/{payout.pk}/csv/").status_code == 404
    assert client.get(f"/admin/virements/?association={synced.pk}").status_code == 404
    assert client.post("/admin/virements/actualiser/", {"association": synced.pk}).status_code == 404
    page = client.get("/admin/virements/").content.decode()
    assert "90,89" not in page and "Léa" not in page


def test_editor_without_the_money_permission_is_refused(synced, editor_a):
    client = _client(editor_a)
    payout = StripePayout.objects.get(stripe_id=PAYOUT_PAID)
    for url in ("/admin/virements/", f"/admin/virements/{payout.pk}/", "/admin/virements/en-attente/"):
        response = client.get(url)
        # refused: a payout of the association is a 404 (admin guard), a page Wagtail's redirect
        # to the dashboard with a message
        assert response.status_code == 404 or response["Location"] == "/admin/", url
        assert "Léa" not in response.content.decode()
    assert "/admin/virements/" not in client.get("/admin/").content.decode()  # not in the menu


def test_refresh_button_reads_stripe_again(recorded, connected_a, payments, treasurer_a):
    response = _client(treasurer_a).post("/admin/virements/actualiser/", {"association": connected_a.pk}, follow=True)
    assert response.status_code == 200
    assert "Virements à jour : 3 virements lus chez Stripe." in response.content.decode()
    assert "1 mouvement Stripe ne correspond à aucun paiement" in response.content.decode()


def test_stripe_down_gives_a_french_message_and_keeps_what_was_copied(synced, recorded, treasurer_a):
    recorded.down = True
    before = BalanceTransaction.objects.count()
    response = _client(treasurer_a).post("/admin/virements/actualiser/", {"association": synced.pk}, follow=True)
    assert response.status_code == 200
    assert "Le service de paiement ne répond pas" in response.content.decode()
    assert BalanceTransaction.objects.count() == before
    assert "En attente : 112,62\u00a0€" in response.content.decode()


def test_association_without_stripe_account_is_told_so(recorded, association_a, treasurer_a):
    page = _client(treasurer_a).get("/admin/virements/").content.decode()
    assert "n'est pas connecté" in page or "n&#x27;est pas connecté" in page
    response = _client(treasurer_a).post("/admin/virements/actualiser/", {"association": association_a.pk}, follow=True)
    assert "aucun virement à afficher" in response.content.decode()
    assert recorded.requests == []


# --- constant queries ------------------------------------------------------------------------


def _more_payouts(association, count: int) -> None:
    for index in range(count):
        payout = StripePayout.objects.create(
            association=association,
            stripe_id=f"po_more{index}",
            amount_cents=1000,
            status="paid",
            arrival_date="2026-10-01",
            created_at="2026-09-30T06:00:00Z",
        )
        for line in range(3):
            BalanceTransaction.objects.create(
                association=association,
                stripe_id=f"txn_more{index}_{line}",
                type="charge",
                amount_cents=400,
                fee_cents=67,
                net_cents=333,
                created_at="2026-09-28T10:00:00Z",
                available_on="2026-09-29",
                source_id=f"ch_more{index}_{line}",
                payout=payout,
                payment=Payment.objects.filter(association=association, status=PaymentStatus.SUCCEEDED).first(),
            )


def test_pages_make_the_same_number_of_queries_whatever_the_number_of_payouts(synced, treasurer_a):
    client = _client(treasurer_a)
    payout = StripePayout.objects.get(stripe_id=PAYOUT_PAID)
    client.get("/admin/virements/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/virements/")
    with CaptureQueriesContext(connection) as few_lines:
        client.get(f"/admin/virements/{payout.pk}/")
    _more_payouts(synced, 15)
    BalanceTransaction.objects.filter(stripe_id__startswith="txn_more1_").update(payout=payout)
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/virements/")
    with CaptureQueriesContext(connection) as many_lines:
        client.get(f"/admin/virements/{payout.pk}/")
    assert len(many) == len(few)
    assert len(many_lines) == len(few_lines)
