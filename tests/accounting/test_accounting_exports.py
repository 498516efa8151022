"""The treasurer's year in her accounts (issue #15, item 1): entries, FEC, Paheko CSV.

The files are parsed as an accounting tool reads them: every entry balances, the products per
account match the payments list the treasurer already exports, refunds are dated when they
were made, Stripe's fees and payouts are those Stripe reported.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes import exports
from campagnes.accounting.writers import FEC_COLUMNS, PAHEKO_COLUMNS
from campagnes.models import (
    AccountingSettings,
    BalanceTransaction,
    FinancialYear,
    Payment,
    PaymentMethod,
    PayoutStatus,
    StripePayout,
)
from tests.receipts.conftest import pay, refund

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=40)
URL = "/admin/comptabilite/"


def _at(days_ago: int, hour: int = 11) -> datetime.datetime:
    day = TODAY - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def treasurer_a(eligible_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    return _client(user)


@pytest.fixture
def year_of_payments(eligible_a, donation_page_a, membership_page_a, crowdfunding_page_a, donation_page_b):
    gift = pay(donation_page_a, amount_cents=5000, fee_cents=150, paid_at=_at(20))
    monthly = pay(donation_page_a, kind="don-mensuel", amount_cents=1000, paid_at=_at(15))
    member = pay(membership_page_a, kind="adhesion", amount_cents=2000, paid_at=_at(10), payer={"last_name": "Martin"})
    crowd = pay(crowdfunding_page_a, kind="collecte", amount_cents=3000, paid_at=_at(5))
    refund(gift, 1000)  # today: the refund is dated today, the gift 20 days ago
    cheque = pay(donation_page_a, amount_cents=7000, method=PaymentMethod.CHEQUE, paid_at=_at(3))
    pay(donation_page_b, amount_cents=9900, paid_at=_at(4), payer={"last_name": "Secret-de-B"})
    payout = StripePayout.objects.create(
        association=eligible_a,
        stripe_id="po_1",
        amount_cents=9000,
        status=PayoutStatus.PAID,
        arrival_date=TODAY - datetime.timedelta(days=2),
        created_at=_at(4),
    )
    BalanceTransaction.objects.create(
        association=eligible_a,
        stripe_id="txn_gift",
        type="charge",
        amount_cents=5150,
        fee_cents=95,
        net_cents=5055,
        created_at=_at(20),
        available_on=TODAY,
        payment=gift,
        payout=payout,
    )
    BalanceTransaction.objects.create(
        association=eligible_a,
        stripe_id="txn_fee",
        type="stripe_fee",
        amount_cents=-200,
        fee_cents=0,
        net_cents=-200,
        created_at=_at(8),
        available_on=TODAY,
    )
    return {"gift": gift, "monthly": monthly, "member": member, "crowd": crowd, "cheque": cheque}


def _range(**extra) -> dict:
    return {"periode": "autre", "du": START.isoformat(), "au": TODAY.isoformat(), **extra}


def _cents(text: str) -> int:
    return int(Decimal(text.replace(",", ".")) * 100)


def _parse_fec(content: bytes) -> list[dict]:
    text = content.decode("iso-8859-15")
    lines = text.split("\r\n")
    assert lines[-1] == ""
    header = lines[0].split("\t")
    assert tuple(header) == FEC_COLUMNS
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:-1]]
    return rows


def _entries(rows: list[dict], number: str, debit: str, credit: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row[number]].append(row)
    for lines in grouped.values():
        assert sum(_cents(line[debit] or "0") for line in lines) == sum(_cents(line[credit] or "0") for line in lines)
    return grouped


def _net_by_account(rows: list[dict], account: str, debit: str, credit: str) -> dict[str, int]:
    net: dict[str, int] = defaultdict(int)
    for row in rows:
        net[row[account]] += _cents(row[credit] or "0") - _cents(row[debit] or "0")
    return net


def _payments_list_net_by_kind(association) -> dict[str, int]:
    """What the treasurer's payments export says was received, net of refunds, per type."""
    headers, rows = exports.payments_table(
        Payment.objects.filter(association=association, method=PaymentMethod.CARD).order_by("created_at")
    )
    kind, net = headers.index("Type"), headers.index("Net encaissé (€)")
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row[kind]] += int(row[net] * 100)
    return totals


def test_the_fec_balances_and_matches_the_payments_list(treasurer_a, eligible_a, year_of_payments):
    response = treasurer_a.get(URL + "export/", {"association": eligible_a.pk, "format": "fec", **_range()})
    assert response.status_code == 200
    assert response.streaming
    end = TODAY.strftime("%Y%m%d")
    assert f'FEC{end}.txt"' in response["Content-Disposition"]
    rows = _parse_fec(b"".join(response.streaming_content))
    entries = _entries(rows, "EcritureNum", "Debit", "Credit")
    assert sorted(entries, key=int) == [str(n) for n in range(1, len(entries) + 1)]  # continuous numbering
    dates = [row["EcritureDate"] for row in rows]
    assert dates == sorted(dates) and all(START.strftime("%Y%m%d") <= d <= end for d in dates)
    assert "Secret-de-B" not in str(rows)  # another association's payer
    assert not any("7000" in row["Debit"] or "70,00" in row["Credit"] for row in rows)  # the cheque: not through Stripe

    net = _net_by_account(rows, "CompteNum", "Debit", "Credit")
    listed = _payments_list_net_by_kind(eligible_a)
    assert net["754"] == listed["Don"] + listed["Don mensuel"] + listed["Collecte"] == 4150 + 1000 + 3000
    assert net["756"] == listed["Adhésion"] == 2000
    assert net["627"] == -(95 + 200)  # Stripe's fees, as reported: a charge
    assert net["512"] == -9000  # the payout, a debit of the bank account
    assert net["467"] == -(5150 + 1000 + 2000 + 3000 - 1000 - 95 - 200 - 9000)  # what Stripe still holds

    refund_lines = [row for row in rows if row["EcritureLib"].startswith("Remboursement")]
    assert {row["EcritureDate"] for row in refund_lines} == {end}  # dated on the day of the refund
    assert {row["CompteNum"]: row["Debit"] for row in refund_lines}["754"] == "10,00"
    gift_lines = [row for row in rows if "Don - Léa Dupont" in row["EcritureLib"] and row["CompteNum"] == "754"]
    assert gift_lines[0]["Credit"] == "51,50"  # the covered fee is part of the gift, as on the receipt
    assert gift_lines[0]["EcritureDate"] == (TODAY - datetime.timedelta(days=20)).strftime("%Y%m%d")
    assert gift_lines[0]["JournalCode"] == "ST" and gift_lines[0]["ValidDate"]


def test_the_paheko_csv_has_its_columns_and_balances(treasurer_a, eligible_a, year_of_payments):
    response = treasurer_a.get(URL + "export/", {"association": eligible_a.pk, "format": "paheko", **_range()})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    assert tuple(reader.fieldnames) == PAHEKO_COLUMNS
    rows = list(reader)
    entries = _entries(rows, "Numéro d'écriture", "Débit", "Crédit")
    assert len(entries) == 4 + 1 + 2 + 1  # payments, refund, fees, payout
    for lines in entries.values():
        assert len({(line["Date"], line["Libellé"]) for line in lines}) == 1  # one entry, one date and label
        datetime.datetime.strptime(lines[0]["Date"], "%d/%m/%Y")
    net = _net_by_account(rows, "Numéro compte", "Débit", "Crédit")
    assert net["754"] == 4150 + 1000 + 3000 and net["756"] == 2000


def test_the_page_shows_the_totals_and_the_accounts(treasurer_a, eligible_a, year_of_payments):
    page = treasurer_a.get(URL, {"association": eligible_a.pk, **_range()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "111,50" in html  # received: 51,50 + 10 + 20 + 30
    assert "101,50" in html  # net of the 10 € refund
    assert "2,95" in html  # Stripe's fees
    assert "90,00" in html  # the payout
    assert "Télécharger le FEC" in html and "Paheko" in html


def test_an_empty_range_says_so_and_exports_nothing(treasurer_a, eligible_a, year_of_payments):
    far = {"periode": "autre", "du": "2001-01-01", "au": "2001-12-31"}
    page = treasurer_a.get(URL, {"association": eligible_a.pk, **far})
    assert page.status_code == 404 and "Aucune écriture sur cette période" in page.content.decode()
    export = treasurer_a.get(URL + "export/", {"association": eligible_a.pk, "format": "fec", **far})
    assert export.status_code == 404 and not export.streaming
    assert "Aucune écriture sur cette période" in export.content.decode()


def test_a_range_backwards_or_too_long_is_refused(treasurer_a, eligible_a):
    backwards = treasurer_a.get(
        URL, {"association": eligible_a.pk, "periode": "autre", "du": "2026-05-01", "au": "2026-04-01"}
    )
    assert backwards.status_code == 400 and "précède le premier" in backwards.content.decode()
    too_long = treasurer_a.get(
        URL + "export/",
        {"association": eligible_a.pk, "format": "fec", "periode": "autre", "du": "2020-01-01", "au": "2026-01-01"},
    )
    assert too_long.status_code == 400 and "24 mois" in too_long.content.decode()


def test_a_refund_after_the_period_stays_out_of_it(treasurer_a, eligible_a, year_of_payments):
    before_refund = {
        "periode": "autre",
        "du": START.isoformat(),
        "au": (TODAY - datetime.timedelta(days=1)).isoformat(),
    }
    response = treasurer_a.get(URL + "export/", {"association": eligible_a.pk, "format": "fec", **before_refund})
    rows = _parse_fec(b"".join(response.streaming_content))
    assert not any(row["EcritureLib"].startswith("Remboursement") for row in rows)
    assert _net_by_account(rows, "CompteNum", "Debit", "Credit")["754"] == 5150 + 1000 + 3000


def test_the_accounts_follow_the_settings_and_refuse_a_wrong_class(treasurer_a, eligible_a, year_of_payments):
    url = URL + f"comptes/?association={eligible_a.pk}"
    form = {
        "bank_account": "5121",
        "processor_account": "4671",
        "donation_account": "7541",
        "monthly_donation_account": "7541",
        "membership_account": "756",
        "ticket_account": "706",
        "crowdfunding_account": "7541",
        "fee_account": "627",
        "processor_journal": "STRIPE",
        "bank_journal": "BQ",
    }
    wrong = treasurer_a.post(url, {**form, "fee_account": "706", "donation_account": "9999"})
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "doit commencer par 62" in html and "n&#x27;est pas un numéro de compte" in html
    assert not AccountingSettings.objects.filter(association=eligible_a).exists()  # nothing half-saved
    assert treasurer_a.post(url, form).status_code == 302
    response = treasurer_a.get(URL + "export/", {"association": eligible_a.pk, "format": "fec", **_range()})
    rows = _parse_fec(b"".join(response.streaming_content))
    accounts = {row["CompteNum"] for row in rows}
    assert accounts == {"5121", "4671", "7541", "756", "627"}
    assert {row["JournalCode"] for row in rows} == {"STRIPE", "BQ"}


def test_an_overlapping_financial_year_is_refused(treasurer_a, eligible_a):
    FinancialYear.objects.create(
        association=eligible_a,
        label="Premier exercice",
        start=datetime.date(2025, 3, 1),
        end=datetime.date(2026, 6, 30),
    )
    response = treasurer_a.post(
        URL + f"exercice/?association={eligible_a.pk}",
        {"label": "Exercice 2026", "start": "2026-01-01", "end": "2026-12-31"},
    )
    assert response.status_code == 400
    assert "chevauche « Premier exercice »" in response.content.decode()
    assert FinancialYear.objects.filter(association=eligible_a).count() == 1
    ok = treasurer_a.post(
        URL + f"exercice/?association={eligible_a.pk}",
        {"label": "Exercice 2026-2027", "start": "2026-07-01", "end": "2027-06-30"},
    )
    assert ok.status_code == 302 and "periode=20260701-20270630" in ok["Location"]


def test_another_association_and_an_editor_see_nothing(eligible_a, association_b, client_a, year_of_payments):
    treasurer_b = UserFactory(email="tresorier@b.fr")
    treasurer_b.groups.add(association_b.treasurers_group)
    client_b = _client(treasurer_b)
    for path in ("", "export/", "comptes/"):
        response = client_b.get(URL + path, {"association": eligible_a.pk, "format": "fec", **_range()})
        assert response.status_code == 404, path
        assert b"Dupont" not in response.content
    other_settings = client_b.post(URL + f"comptes/?association={eligible_a.pk}", {"fee_account": "628"})
    assert other_settings.status_code == 404
    for path in ("", "export/", "comptes/"):
        response = client_a.get(URL + path, {"association": eligible_a.pk, "format": "fec", **_range()})  # an editor
        assert response.status_code in (302, 403), path
        assert b"Dupont" not in response.content
    assert "/admin/comptabilite/" not in client_a.get("/admin/").content.decode()
