"""The 222 bis page (accounting year, deadline, channel), the membership attestation's period
and label, and years written "2026", never "2 026", in pages and PDFs."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import Counterpart, PaymentKind, Receipt, ReceiptKind
from campagnes.receipts.building import line_label
from campagnes.receipts.delivery import pdf_bytes
from campagnes.receipts.services import accounting_period, declaration_deadline, declaration_figures
from tests.receipts.conftest import pay, pdf_text

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
# "2 026", "2\u202f026", "2\xa0026": a year printed as a quantity
SPLIT_YEAR = re.compile(r"(?<![\d,])2[ \u00a0\u202f]0\d\d(?![\d,])")


def plain(text: str) -> str:
    text = text.replace("&#x27;", "'").replace("&laquo;", "«").replace("&raquo;", "»")
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def treasurer_a(eligible_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


def test_the_deadline_follows_article_223():
    # exercise closed on 31 December 2025: second working day after 1 May 2026 (Fri 1 May → Mon 4, Tue 5)
    assert declaration_deadline(datetime.date(2025, 12, 31)) == datetime.date(2026, 5, 5)
    # 1 May 2027 is a Saturday: Monday 3 and Tuesday 4 May
    assert declaration_deadline(datetime.date(2026, 12, 31)) == datetime.date(2027, 5, 4)
    # an exercise closed on 31 August: within three months
    assert declaration_deadline(datetime.date(2026, 8, 31)) == datetime.date(2026, 11, 30)


def test_the_declaration_page_gives_figures_deadline_and_channel(treasurer_a, eligible_a, donation_page_a):
    pay(donation_page_a, amount_cents=6000)
    pay(donation_page_a, amount_cents=4000, payer={"email": "paul@exemple.org"})
    response = treasurer_a.get(f"/admin/recus/declaration/?association={eligible_a.pk}&annee={YEAR}")
    assert response.status_code == 200
    page = plain(response.content.decode())
    assert f"À déclarer pour les dons de {YEAR} (article 222 bis du CGI)" in page
    assert f"Dons reçus du 1er janvier {YEAR} au 31 décembre {YEAR}." in page
    assert 'data-testid="declaration-count">2<' in page
    assert 'data-testid="declaration-total">100,00 €<' in page
    deadline = declaration_deadline(datetime.date(YEAR, 12, 31))
    assert f"{deadline.day} mai {YEAR + 1}" in page
    assert "demarches-simplifiees.fr" in page and "2070-SD" in page and "2065-SD" in page
    assert not SPLIT_YEAR.search(page)


def test_an_accounting_year_from_september_changes_the_declared_period(treasurer_a, eligible_a, donation_page_a):
    eligible_a.accounting_year_start_month = 9
    eligible_a.save(update_fields=["accounting_year_start_month"])
    start, end = accounting_period(association=eligible_a, year=YEAR)
    assert (start, end) == (datetime.date(YEAR - 1, 9, 1), datetime.date(YEAR, 8, 31))
    tz = timezone.get_current_timezone()
    pay(donation_page_a, amount_cents=3000, paid_at=datetime.datetime(YEAR, 3, 10, 12, tzinfo=tz))  # in
    pay(donation_page_a, amount_cents=5000, paid_at=datetime.datetime(YEAR, 10, 10, 12, tzinfo=tz))  # next one
    figures = declaration_figures(association=eligible_a, year=YEAR)
    assert (figures.receipts, figures.total_cents) == (1, 3000)
    assert figures.deadline == datetime.date(YEAR, 11, 30)
    assert declaration_figures(association=eligible_a, year=YEAR + 1).total_cents == 5000
    page = plain(
        treasurer_a.get(f"/admin/recus/declaration/?association={eligible_a.pk}&annee={YEAR}").content.decode()
    )
    assert f"l'exercice du 1er septembre {YEAR - 1} au 31 août {YEAR}" in page
    assert f"30 novembre {YEAR}" in page


def test_the_accounting_year_is_set_in_the_association_record(client_a, eligible_a):
    response = client_a.get(f"/admin/snippets/associations/association/edit/{eligible_a.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "accounting_year_start_month" in body and "Exercice comptable" in body


def test_the_membership_attestation_prints_its_period_and_each_word_once(eligible_a, membership_page_a):
    payment = pay(membership_page_a, kind=PaymentKind.MEMBERSHIP, amount_cents=2000, offer={"tier_name": "Simple"})
    label = line_label(payment)
    assert label == "Adhésion 2026 — Simple"  # was "Adhésion — Simple — Adhésion 2026"
    words = label.replace("—", " ").split()
    assert len(words) == len({word.casefold() for word in words}), label
    receipt = Receipt.objects.get(kind=ReceiptKind.MEMBERSHIP_CERTIFICATE)
    text = plain(pdf_text(pdf_bytes(receipt)))
    assert f"Période de validité : du 1er janvier {YEAR} au 31 décembre {YEAR}" in text
    assert "Adhésion — Simple — Adhésion" not in text
    assert f"Formule : {label}" in text
    assert not SPLIT_YEAR.search(text)


def test_no_document_nor_treasurer_page_writes_a_year_with_a_thousands_separator(
    treasurer_a, eligible_a, donation_page_a, membership_page_a, crowdfunding_page_a
):
    pay(donation_page_a, amount_cents=5000)
    pay(donation_page_a, amount_cents=5000, payer={"company_name": "Toerana Habitat", "company_siren": "732829320"})
    pay(membership_page_a, kind=PaymentKind.MEMBERSHIP, amount_cents=2000, offer={"tier_name": "Simple"})
    tote = Counterpart.objects.create(page=crowdfunding_page_a, name="Tote bag", min_amount="20", value="15")
    pay(
        crowdfunding_page_a,
        kind=PaymentKind.CROWDFUNDING,
        amount_cents=2000,
        offer={"counterpart": tote.pk, "counterpart_name": "Tote bag", "counterpart_value_cents": 1500},
    )
    kinds = set()
    for receipt in Receipt.objects.all():
        kinds.add(receipt.kind)
        text = plain(pdf_text(pdf_bytes(receipt)))
        assert not SPLIT_YEAR.search(text), (receipt.kind, SPLIT_YEAR.search(text))
        assert f"{YEAR:d}" in text
        page = treasurer_a.get(f"/admin/recus/{receipt.pk}/")
        assert page.status_code == 200 and not SPLIT_YEAR.search(plain(page.content.decode()))
    assert kinds == {
        ReceiptKind.TAX_INDIVIDUAL,
        ReceiptKind.TAX_COMPANY,
        ReceiptKind.MEMBERSHIP_CERTIFICATE,
        ReceiptKind.PAYMENT_CONFIRMATION,
    }
    for url in (
        "/admin/recus/",
        f"/admin/recus/?gift_year={YEAR}",
        f"/admin/recus/declaration/?association={eligible_a.pk}&annee={YEAR}",
        "/admin/adherents/",
        "/admin/paiements/",
    ):
        response = treasurer_a.get(url)
        assert response.status_code == 200, url
        assert not SPLIT_YEAR.search(plain(response.content.decode())), url
