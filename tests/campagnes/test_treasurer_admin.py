"""The treasurers' admin: payments listing, detail, refunds, exports and dashboard, per association."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from associations.admin_guard import request_is_allowed
from associations.factories import UserFactory
from campagnes.models import DonationCampaignPage, Payment, PaymentKind, PaymentLog, PaymentStatus
from tests.campagnes.conftest import confirm_card_in_browser

pytestmark = pytest.mark.django_db

INDEX = "/admin/paiements/"


def detail_url(payment) -> str:
    return f"/admin/paiements/{payment.pk}/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _campaign(association, title: str, slug: str) -> DonationCampaignPage:
    support = association.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title=title, slug=slug, goal="1500", min_amount="5", max_amount="2000")
    support.add_child(instance=campaign)
    return campaign


def _payment(association, campaign, **fields) -> Payment:
    values = {
        "association": association,
        "campaign": campaign,
        "kind": PaymentKind.DONATION,
        "status": PaymentStatus.SUCCEEDED,
        "amount_cents": 2500,
        "fee_cents": 63,
        "first_name": "Léa",
        "last_name": "Dupont",
        "email": "lea@exemple.org",
        "street_address": "3 rue des Lilas",
        "postal_code": "62400",
        "city": "Béthune",
        "stripe_payment_intent": None,
    }
    values.update(fields)
    if values["status"] != PaymentStatus.PENDING:
        values.setdefault("paid_at", values.get("created_at", timezone.now()))
    return Payment.objects.create(**values)


@pytest.fixture
def treasurer_a(association_a):
    user = UserFactory(email="tresoriere-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    return user


@pytest.fixture
def campaign_a(association_a):
    return _campaign(association_a, "Une machine à coudre pour l'atelier", "machine-a-coudre")


@pytest.fixture
def campaign_b(association_b):
    return _campaign(association_b, "Le comptoir de BookKafé", "comptoir-bookkafe")


@pytest.fixture
def payments(association_a, association_b, campaign_a, campaign_b):
    a = _payment(
        association_a, campaign_a, stripe_payment_intent="pi_a_1", stripe_charge="ch_a_1", stripe_customer="cus_a_1"
    )
    PaymentLog.objects.create(
        payment=a,
        action="succeeded",
        from_status=PaymentStatus.PENDING,
        to_status=PaymentStatus.SUCCEEDED,
        source="navigateur",
    )
    a_monthly = _payment(
        association_a,
        campaign_a,
        kind=PaymentKind.MONTHLY_DONATION,
        first_name="Marc",
        last_name="Leroy",
        email="marc@exemple.org",
        amount_cents=1000,
        fee_cents=0,
        status=PaymentStatus.PENDING,
        created_at=timezone.now() - timedelta(days=40),
    )
    b = _payment(
        association_b,
        campaign_b,
        first_name="Secret",
        last_name="Payeur-de-B",
        email="secret-b@exemple.org",
        amount_cents=9900,
        fee_cents=0,
        stripe_payment_intent="pi_b_1",
    )
    return {"a": a, "a_monthly": a_monthly, "b": b}


# --- who sees what ------------------------------------------------------------------------


def test_a_treasurer_of_a_sees_a_payments_and_not_b(treasurer_a, payments):
    client = _client(treasurer_a)
    response = client.get(INDEX, {"status": "tous"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Léa Dupont" in body and "Marc Leroy" in body
    assert "25,63" in body  # format_eur of total_cents
    assert "Une machine à coudre" in body
    assert "Secret" not in body and "BookKafé" not in body and "comptoir" not in body
    assert client.get(detail_url(payments["b"])).status_code == 404
    assert client.post(detail_url(payments["b"]), {"amount": "1"}).status_code == 404
    payments["b"].refresh_from_db()
    assert payments["b"].refunded_cents == 0


def test_the_detail_shows_payer_amounts_stripe_ids_and_history(treasurer_a, payments):
    response = _client(treasurer_a).get(detail_url(payments["a"]))
    assert response.status_code == 200
    body = response.content.decode()
    for expected in (
        "Léa",
        "Dupont",
        "lea@exemple.org",
        "3 rue des Lilas",
        "Béthune",
        "pi_a_1",
        "ch_a_1",
        "cus_a_1",
        "25,00",
        "0,63",
        "25,63",
        "Paiement réussi",
        "Historique",
        "Rembourser",
    ):
        assert expected in body, expected
    assert 'value="25,63"' in body  # the refund form offers what remains


def test_a_treasurer_of_a_sees_a_payments_only(treasurer_a, payments):
    client = _client(treasurer_a)
    body = client.get(INDEX).content.decode()
    assert "Léa Dupont" in body and "Secret" not in body
    assert client.get(detail_url(payments["a"])).status_code == 200
    assert client.get(detail_url(payments["b"])).status_code == 404


def test_an_editor_of_a_sees_no_payment(client_a, payments):
    """The role split: editors edit the site; payers are the treasurers' business."""
    for url in (INDEX, detail_url(payments["a"]), INDEX + "?export=csv", INDEX + "?export=xlsx"):
        response = client_a.get(url)
        assert response.status_code in (302, 403, 404), url
        assert b"Dupont" not in response.content and b"lea@exemple.org" not in response.content
    assert client_a.post(detail_url(payments["a"]), {"amount": "1"}).status_code in (403, 404)
    payments["a"].refresh_from_db()
    assert payments["a"].refunded_cents == 0


def test_a_user_with_no_association_gets_nothing(payments):
    outsider = UserFactory(email="curieux@exemple.org")
    client = _client(outsider)
    for url in (INDEX, detail_url(payments["a"]), INDEX + "?export=csv", INDEX + "?export=xlsx"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert b"Dupont" not in response.content and b"lea@exemple.org" not in response.content
    assert client.post(detail_url(payments["a"]), {"amount": "1"}).status_code in (302, 403, 404)


def test_a_volunteer_without_rights_on_payments_is_refused_by_the_policy(association_a, payments):
    """Even with admin access granted otherwise, no association means no payment."""
    from django.contrib.auth.models import Permission

    user = UserFactory(email="admin-sans-asso@exemple.org")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = _client(user)
    response = client.get(INDEX)
    assert response.status_code in (302, 403)
    assert "Paiements" not in client.get("/admin/").content.decode()
    assert client.get(detail_url(payments["a"])).status_code in (302, 403, 404)


def test_staff_see_every_association(staff_client, payments):
    body = staff_client.get(INDEX).content.decode()
    assert "Léa Dupont" in body and "Secret Payeur-de-B" in body
    assert "Popeline" in body and "BookKafé" in body  # an association column for staff
    assert staff_client.get(detail_url(payments["b"])).status_code == 200


def test_the_admin_guard_knows_payment_urls(treasurer_a, editor_a, payments):
    match = resolve(detail_url(payments["b"]))
    assert match.namespace == "paiements"
    assert request_is_allowed(treasurer_a, match) is False
    assert request_is_allowed(treasurer_a, resolve(detail_url(payments["a"]))) is True
    assert request_is_allowed(editor_a, resolve(detail_url(payments["a"]))) is False  # editors see no payer


def test_the_menu_shows_paiements_to_volunteers(treasurer_a, payments):
    body = _client(treasurer_a).get("/admin/").content.decode()
    assert INDEX in body


# --- listing: filters and search ----------------------------------------------------------


def test_filters_and_search(association_a, treasurer_a, payments, campaign_a):
    other = _campaign(association_a, "Adhésions 2025", "adhesions-2025")
    _payment(
        association_a,
        other,
        first_name="Zoé",
        last_name="Martin",
        email="zoe@exemple.org",
        kind=PaymentKind.CROWDFUNDING,
    )
    client = _client(treasurer_a)

    def names(**params):
        return client.get(INDEX, {"status": "tous", **params}).content.decode()

    body = names(campaign=campaign_a.pk)
    assert "Léa Dupont" in body and "Zoé Martin" not in body
    body = names(kind=PaymentKind.CROWDFUNDING)
    assert "Zoé Martin" in body and "Léa Dupont" not in body
    body = names(status=PaymentStatus.PENDING)
    assert "Marc Leroy" in body and "Léa Dupont" not in body
    since = f"{timezone.localdate() - timedelta(days=7):%d/%m/%Y}"
    body = names(created_at_from=since)
    assert "Léa Dupont" in body and "Marc Leroy" not in body
    until = f"{timezone.localdate() - timedelta(days=30):%d/%m/%Y}"
    body = names(created_at_to=until)
    assert "Marc Leroy" in body and "Léa Dupont" not in body
    body = names(q="léa dupont")
    assert "Léa Dupont" in body and "Marc Leroy" not in body and "Zoé" not in body
    body = names(q="zoe@exemple")
    assert "Zoé Martin" in body and "Léa Dupont" not in body
    # the results-only view the admin's live search and filters call
    response = client.get(INDEX + "results/", {"q": "leroy", "status": "tous"})
    assert response.status_code == 200
    assert "Marc Leroy" in response.content.decode() and "Léa Dupont" not in response.content.decode()


def test_the_campaign_filter_lists_no_campaign_of_b(treasurer_a, payments, campaign_b):
    body = _client(treasurer_a).get(INDEX).content.decode()
    assert campaign_b.title not in body
    # asking for B's campaign by id is refused by the filter, never answered with B's rows
    body = _client(treasurer_a).get(INDEX, {"campaign": campaign_b.pk}).content.decode()
    assert "Secret" not in body


# --- exports ------------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_has_french_headers_and_only_a_rows(treasurer_a, payments):
    response = _client(treasurer_a).get(INDEX, {"export": "csv", "status": "tous"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = _csv_rows(response)
    header, data = rows[0], rows[1:]
    for title in (
        "Date",
        "Campagne",
        "Type",
        "Statut",
        "Prénom",
        "Nom",
        "E-mail",
        "Montant (€)",
        "Total payé (€)",
        "Remboursé (€)",
    ):
        assert title in header, title
    assert len(data) == 2
    assert all("Secret" not in ",".join(row) for row in data)
    lea = next(dict(zip(header, row, strict=True)) for row in data if row[header.index("Prénom")] == "Léa")
    assert lea["Montant (€)"] == "25,00" and lea["Total payé (€)"] == "25,63" and lea["Net encaissé (€)"] == "25,63"
    assert lea["Type"] == "Don" and lea["Statut"] == "Réussi"
    assert lea["Campagne"] == "Une machine à coudre pour l'atelier"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", lea["Date"])
    marc = next(dict(zip(header, row, strict=True)) for row in data if row[header.index("Prénom")] == "Marc")
    assert marc["Net encaissé (€)"] == "0,00"  # pending: nothing received


def test_the_export_follows_the_filters(treasurer_a, payments):
    rows = _csv_rows(_client(treasurer_a).get(INDEX, {"export": "csv", "status": PaymentStatus.PENDING}))
    assert [row[rows[0].index("Prénom")] for row in rows[1:]] == ["Marc"]


def test_xlsx_export_opens_with_french_headers_and_amounts(treasurer_a, payments):
    response = _client(treasurer_a).get(INDEX, {"export": "xlsx", "status": "tous"})
    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert "Montant (€)" in header and "Prénom" in header and "Date" in header
    data = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert len(data) == 2
    lea = next(row for row in data if row["Prénom"] == "Léa")
    assert Decimal(str(lea["Total payé (€)"])) == Decimal("25.63")
    assert lea["Statut"] == "Réussi"
    assert all(row["Prénom"] != "Secret" for row in data)


def test_staff_export_has_every_association(staff_client, payments):
    rows = _csv_rows(staff_client.get(INDEX, {"export": "csv"}))
    assert {row[rows[0].index("Association")] for row in rows[1:]} == {"Popeline", "BookKafé"}


def test_exports_never_write_a_formula(association_a, campaign_a, treasurer_a):
    _payment(association_a, campaign_a, first_name='=HYPERLINK("http://x")', last_name="+33")
    client = _client(treasurer_a)
    rows = _csv_rows(client.get(INDEX, {"export": "csv"}))
    assert rows[1][rows[0].index("Prénom")].startswith("'=")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(INDEX, {"export": "xlsx"}).content)).active
    cell = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("Prénom") + 1)
    assert cell.data_type == "s"


# --- refunds: bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "doit être positif"),
        ("-5", "doit être positif"),
        ("douze", "montant en euros"),
        ("", "Indiquez le montant"),
        ("25,64", "dépasse ce qui reste"),
        ("100", "dépasse ce qui reste"),
    ],
)
def test_bad_refund_input_is_refused_and_refunds_nothing(treasurer_a, payments, amount, message):
    payment = payments["a"]
    response = _client(treasurer_a).post(detail_url(payment), {"amount": amount})
    assert response.status_code == 400
    assert message in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_cents == 0 and payment.status == PaymentStatus.SUCCEEDED
    assert not payment.logs.filter(action="refunded").exists()


def test_the_refund_form_reads_french_amounts(association_a, campaign_a):
    from campagnes.admin.forms import RefundForm

    payment = _payment(association_a, campaign_a, amount_cents=123456, fee_cents=0)
    assert RefundForm(payment=payment).initial["amount"] == "1234,56"  # no thousands separator to trip on
    for typed, cents in (("1234,56", 123456), ("1\xa0234,56 €", 123456), ("12.5", 1250), (" 7 ", 700)):
        form = RefundForm({"amount": typed}, payment=payment)
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["amount"] == cents


def test_a_payment_that_did_not_succeed_cannot_be_refunded(treasurer_a, payments):
    payment = payments["a_monthly"]  # pending
    response = _client(treasurer_a).post(detail_url(payment), {"amount": "5"})
    assert response.status_code == 400
    assert "Seul un paiement réussi" in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_cents == 0 and payment.status == PaymentStatus.PENDING


def test_a_gateway_error_answers_503_and_refunds_nothing(treasurer_a, payments):
    payment = payments["a"]  # "pi_a_1" does not exist at localstripe: Stripe refuses the refund
    response = _client(treasurer_a).post(detail_url(payment), {"amount": "5"})
    assert response.status_code == 503
    assert "Le service de paiement" in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_cents == 0 and payment.status == PaymentStatus.SUCCEEDED


# --- refunds against a real localstripe ---------------------------------------------------

DONOR = {
    "amount": "25",
    "frequency": "once",
    "first_name": "Léa",
    "last_name": "Dupont",
    "email": "lea@exemple.org",
    "street_address": "3 rue des Lilas",
    "postal_code": "62400",
    "city": "Béthune",
    "phone": "",
    "company_name": "",
    "company_siren": "",
    "consent": "on",
}


def _paid_donation(campaign, stripe_client, django_capture_on_commit_callbacks) -> Payment:
    donor = Client()
    body = donor.post(campaign.url, {**DONOR, "cover_fees": "on"}).content.decode()
    client_secret = re.search(r'data-client-secret="([^"]+)"', body).group(1)
    assert confirm_card_in_browser(stripe_client, client_secret).status == "succeeded"
    payment = Payment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert donor.post(f"/paiement/{payment.public_token}/confirmer/").status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.total_cents == 2563
    return payment


def _refunded_at_stripe(stripe_client, payment) -> int:
    intent = stripe_client.v1.payment_intents.retrieve(payment.stripe_payment_intent)
    from campagnes.stripe_gateway import charge_id_of

    return stripe_client.v1.charges.retrieve(charge_id_of(intent)).amount_refunded


def test_a_treasurer_refunds_part_then_the_rest(
    donation_campaign, treasurer_a, stripe_client, django_capture_on_commit_callbacks
):
    payment = _paid_donation(donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    client = _client(treasurer_a)

    response = client.post(detail_url(payment), {"amount": "10"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_cents == 1000
    assert _refunded_at_stripe(stripe_client, payment) == 1000
    page = client.get(response["Location"]).content.decode()
    assert "remboursés à Léa Dupont" in page and 'value="15,63"' in page
    assert "tresoriere-a@exemple.org" in page  # the history says who refunded

    response = client.post(detail_url(payment), {"amount": "15,63"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_cents == 2563
    assert _refunded_at_stripe(stripe_client, payment) == 2563

    response = client.post(detail_url(payment), {"amount": "1"})
    assert response.status_code == 400 and "Seul un paiement réussi" in response.content.decode()
    assert payment.logs.filter(action="refunded").count() == 2


def test_a_full_refund_in_one_go(donation_campaign, treasurer_a, stripe_client, django_capture_on_commit_callbacks):
    client_a = _client(treasurer_a)
    payment = _paid_donation(donation_campaign, stripe_client, django_capture_on_commit_callbacks)
    form_value = re.search(r'name="amount"[^>]*value="([^"]+)"', client_a.get(detail_url(payment)).content.decode())
    assert form_value.group(1) == "25,63"
    assert client_a.post(detail_url(payment), {"amount": form_value.group(1)}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_cents == 2563
    assert _refunded_at_stripe(stripe_client, payment) == 2563
    # the campaign's public progress no longer counts it
    assert "0,00" in Client().get(donation_campaign.url).content.decode()


# --- dashboard ----------------------------------------------------------------------------


def test_the_dashboard_shows_totals_and_a_chart_of_the_user_campaigns(
    association_a, treasurer_a, payments, campaign_a, campaign_b
):
    partly = _payment(
        association_a,
        campaign_a,
        amount_cents=1000,
        fee_cents=0,
        refunded_cents=400,
        status=PaymentStatus.PARTIALLY_REFUNDED,
        first_name="Paul",
    )
    assert partly.pk
    body = _client(treasurer_a).get("/admin/").content.decode()
    assert "Paiements de mes campagnes" in body
    assert campaign_a.title.replace("'", "&#x27;") in body
    assert campaign_b.title not in body and "BookKafé" not in body
    assert "31,63" in body  # 25,63 + (10,00 − 4,00); the pending payment does not count
    assert '<svg role="img"' in body and "<desc" in body and "Voir les chiffres de chaque semaine" in body
    assert "2 paiements en tout" in body


def test_the_dashboard_panel_is_for_volunteers_only(staff_client, payments):
    body = staff_client.get("/admin/").content.decode()
    assert "Paiements de mes campagnes" not in body


def test_weekly_buckets_cover_twelve_weeks(association_a, treasurer_a, campaign_a):
    from campagnes.selectors import weekly_payments

    today = timezone.localdate()
    _payment(association_a, campaign_a, created_at=timezone.now())
    _payment(association_a, campaign_a, created_at=timezone.now() - timedelta(weeks=13))  # too old
    _payment(association_a, campaign_a, created_at=timezone.now() - timedelta(weeks=3), status=PaymentStatus.FAILED)
    bars = weekly_payments(treasurer_a)
    assert len(bars) == 12
    assert all(bar.start.weekday() == 0 for bar in bars)
    assert bars[-1].start <= today < bars[-1].start + timedelta(days=7)
    assert sum(bar.count for bar in bars) == 1 and bars[-1].count == 1 and bars[-1].net_cents == 2563
