"""Every successful payment produces the right receipt, numbered without gaps, never edited."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from campagnes.models import Counterpart, Payment, PaymentKind, Receipt, ReceiptStatus
from campagnes.receipts.delivery import pdf_bytes, render_pdf, resend_unsent
from campagnes.receipts.numbering import allocate_number
from campagnes.receipts.services import (
    ReceiptRefused,
    declaration_figures,
    receipt_issue_for_payment,
    receipts_issue_annual_summaries,
)
from tests.receipts.conftest import pay, pdf_text, refund

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_a_donation_to_an_eligible_association_gets_a_numbered_tax_receipt_by_email(
    eligible_a, donation_page_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(donation_page_a, amount_cents=5000)
    receipt = Receipt.objects.get()
    assert receipt.kind == "recu-fiscal" and receipt.number == f"{YEAR}-000001"
    assert receipt.amount_cents == receipt.deductible_cents == 5000
    assert receipt.items.get().payment == payment
    message = next(m for m in mail.outbox if "reçu fiscal" in m.subject)
    assert message.to == ["lea@exemple.org"]
    filename, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and filename.endswith(".pdf")
    text = pdf_text(content)
    assert f"{YEAR}-000001" in text and "cinquante euros" in text and "Popeline" in text
    assert "/mes-recus/" in message.body
    receipt.refresh_from_db()
    assert receipt.emailed_at is not None and receipt.pdf_sha256
    # the payment's history says which receipt it produced
    assert payment.logs.filter(action="receipt_issued", detail__number=receipt.number).exists()


def test_a_company_gets_the_238_bis_receipt(eligible_a, donation_page_a):
    pay(donation_page_a, amount_cents=100000, payer={"company_name": "Toerana Habitat", "company_siren": "732829320"})
    receipt = Receipt.objects.get()
    assert receipt.kind == "recu-fiscal-entreprise"
    assert receipt.document["articles"] == ["238 bis"] and receipt.document["donor"]["siren"] == "732829320"
    assert receipt.donor_name == "Toerana Habitat"


def test_an_ineligible_association_never_issues_a_tax_receipt(association_a, donation_page_a, membership_page_a):
    assert not association_a.issues_tax_receipts
    pay(donation_page_a, amount_cents=2000)
    pay(donation_page_a, kind=PaymentKind.MONTHLY_DONATION, amount_cents=1000)
    pay(membership_page_a, kind=PaymentKind.MEMBERSHIP, amount_cents=1500, offer={"tier_name": "Soutien"})
    kinds = sorted(Receipt.objects.values_list("kind", flat=True))
    assert kinds == ["attestation-adhesion", "confirmation-paiement", "confirmation-paiement"]
    assert not Receipt.objects.tax().exists()
    for receipt in Receipt.objects.all():
        text = pdf_text(pdf_bytes(receipt))
        assert "n'ouvre pas droit à réduction d'impôt" in text.replace("\n", " ") or "pas un reçu fiscal" in text


def test_campaign_pages_promise_a_tax_reduction_only_when_the_association_is_eligible(association_a, donation_page_a):
    page = Client().get(donation_page_a.url).content.decode()
    assert "réduction d'impôt" not in page and "reçu fiscal" not in page
    from associations.factories import make_eligible

    make_eligible(association_a)
    page = Client().get(donation_page_a.url).content.decode()
    assert "réduction d&#x27;impôt" in page or "réduction d'impôt" in page


def test_cotisations_give_a_tax_receipt_only_when_the_association_says_so(eligible_a, membership_page_a):
    pay(membership_page_a, kind=PaymentKind.MEMBERSHIP, amount_cents=2000, offer={"tier_name": "Simple"})
    assert Receipt.objects.get().kind == "attestation-adhesion"
    assert Receipt.objects.get().number == f"ADH-{YEAR}-000001"
    eligible_a.membership_tax_eligible = True
    eligible_a.save()
    pay(
        membership_page_a,
        kind=PaymentKind.MEMBERSHIP,
        amount_cents=2000,
        offer={"tier_name": "Simple"},
        payer={"email": "paul@exemple.org"},
    )
    assert Receipt.objects.filter(donor_email="paul@exemple.org").get().kind == "recu-fiscal"


def test_tickets_get_a_payment_confirmation(eligible_a, donation_page_a):
    # a ticket payment is never deductible, even for an eligible association
    pay(donation_page_a, kind=PaymentKind.TICKETS, amount_cents=1200)
    receipt = Receipt.objects.get()
    assert receipt.kind == "confirmation-paiement" and receipt.deductible_cents == 0
    assert receipt.number == f"CP-{YEAR}-000001"


def test_a_counterpart_within_the_tolerance_keeps_the_whole_gift_on_the_receipt(eligible_a, crowdfunding_page_a):
    # BOI-IR-RICI-250-20, III-D: within the tolerance the payment stays a gift, for its whole amount
    # (tests/receipts/test_counterparts.py covers every case)
    counterpart = Counterpart.objects.create(page=crowdfunding_page_a, name="Tote bag", min_amount="40", value="8")
    pay(
        crowdfunding_page_a,
        kind=PaymentKind.CROWDFUNDING,
        amount_cents=5000,
        offer={"counterpart": counterpart.pk, "counterpart_name": "Tote bag", "counterpart_value_cents": 800},
    )
    receipt = Receipt.objects.get()
    assert receipt.amount_cents == 5000 and receipt.deductible_cents == 5000
    text = pdf_text(pdf_bytes(receipt)).replace("\u202f", " ").replace("\xa0", " ")
    assert "50,00 €" in text and "cinquante euros" in text


def test_a_full_refund_cancels_and_a_partial_one_corrects_with_a_new_number(eligible_a, donation_page_a):
    first = pay(donation_page_a, amount_cents=10000)
    second = pay(donation_page_a, amount_cents=3000, payer={"email": "paul@exemple.org"})
    receipt_1, receipt_2 = Receipt.objects.order_by("sequence")
    refund(second, 3000)
    receipt_2.refresh_from_db()
    assert receipt_2.status == ReceiptStatus.CANCELLED and receipt_2.cancellation_reason == "Remboursement total"
    assert receipt_2.cancelled_at is not None
    refund(first, 2500)
    receipt_1.refresh_from_db()
    assert receipt_1.status == ReceiptStatus.CANCELLED
    corrected = Receipt.objects.get(replaces=receipt_1)
    assert corrected.number == f"{YEAR}-000003"  # never reuses the cancelled numbers 1 and 2
    assert corrected.amount_cents == corrected.deductible_cents == 7500
    text = pdf_text(pdf_bytes(corrected))
    assert f"annule et remplace le reçu n° {YEAR}-000001" in text.replace("\n", " ")
    assert "soixante-quinze euros" in text
    # the cancelled receipt still exists, downloads marked ANNULÉ, and its original PDF is unchanged
    assert "ANNULÉ" in pdf_text(pdf_bytes(receipt_1))
    assert Receipt.objects.count() == 3
    figures = declaration_figures(association=eligible_a, year=YEAR)
    assert (figures.receipts, figures.total_cents, figures.cancelled) == (1, 7500, 2)


def test_the_annual_summary_lists_twelve_monthly_payments_and_not_the_failed_one(eligible_a, donation_page_a):
    eligible_a.monthly_annual_summary = True
    eligible_a.save()
    last_year = YEAR - 1
    for month in range(1, 13):
        paid_at = timezone.make_aware(datetime.datetime(last_year, month, 5, 10, 0))
        pay(donation_page_a, kind=PaymentKind.MONTHLY_DONATION, amount_cents=1500, paid_at=paid_at)
    failed = Payment.objects.create(
        association=eligible_a,
        campaign=donation_page_a,
        kind=PaymentKind.MONTHLY_DONATION,
        amount_cents=1500,
        status="echoue",
        first_name="Léa",
        last_name="Dupont",
        email="lea@exemple.org",
        created_at=timezone.make_aware(datetime.datetime(last_year, 6, 20)),
    )
    assert not Receipt.objects.exists()  # nothing month by month
    assert receipts_issue_annual_summaries(association=eligible_a, year=last_year) == 1
    summary = Receipt.objects.get()
    assert summary.summary_year == last_year and summary.gift_year == last_year
    assert summary.amount_cents == 18000 and summary.items.count() == 12
    assert not summary.items.filter(payment=failed).exists()
    text = pdf_text(pdf_bytes(summary))
    assert str(last_year) in text and "cent quatre-vingts euros" in text
    assert text.count("15,00") >= 12
    # running it again issues nothing more
    assert receipts_issue_annual_summaries(association=eligible_a, year=last_year) == 0
    assert declaration_figures(association=eligible_a, year=last_year).total_cents == 18000


def test_the_management_command_issues_last_years_summaries(eligible_a, donation_page_a):
    from django.core.management import call_command

    eligible_a.monthly_annual_summary = True
    eligible_a.save()
    paid_at = timezone.make_aware(datetime.datetime(YEAR - 1, 3, 1, 12))
    pay(donation_page_a, kind=PaymentKind.MONTHLY_DONATION, amount_cents=2000, paid_at=paid_at)
    call_command("emettre_recus_annuels")
    assert Receipt.objects.get().summary_year == YEAR - 1


def test_an_association_that_turns_ineligible_keeps_its_receipts_and_issues_no_new_tax_receipt(
    eligible_a, donation_page_a
):
    pay(donation_page_a, amount_cents=4000)
    receipt = Receipt.objects.get()
    original_pdf = pdf_bytes(receipt)
    original_document = dict(receipt.document)
    eligible_a.tax_status = "non-eligible"
    eligible_a.name = "Popeline (nouveau nom)"
    eligible_a.save()
    pay(donation_page_a, amount_cents=4000, payer={"email": "paul@exemple.org"})
    receipt.refresh_from_db()
    assert receipt.document == original_document and receipt.status == ReceiptStatus.ISSUED
    assert pdf_bytes(receipt) == original_pdf == render_pdf(receipt)  # regenerating gives the same PDF
    assert Receipt.objects.get(donor_email="paul@exemple.org").kind == "confirmation-paiement"


def test_a_receipt_for_a_payment_that_is_not_paid_is_refused(eligible_a, donation_page_a):
    payment = Payment.objects.create(
        association=eligible_a,
        campaign=donation_page_a,
        kind="don",
        amount_cents=1000,
        first_name="A",
        last_name="B",
        email="a@b.fr",
    )
    with pytest.raises(ReceiptRefused, match="pas réglé"):
        receipt_issue_for_payment(payment)
    assert not Receipt.objects.exists()


def test_numbers_are_sequential_and_a_rolled_back_issue_leaves_no_gap(eligible_a, donation_page_a):
    pay(donation_page_a, amount_cents=1000)
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_number(association_id=eligible_a.pk, series="", year=YEAR)
        raise RuntimeError("the issuing transaction fails")
    pay(donation_page_a, amount_cents=1000, payer={"email": "b@exemple.org"})
    assert list(Receipt.objects.order_by("sequence").values_list("number", flat=True)) == [
        f"{YEAR}-000001",
        f"{YEAR}-000002",
    ]


def test_payer_erasure_keeps_the_receipts(eligible_a, donation_page_a):
    from django.core.management import call_command

    payment = pay(donation_page_a, amount_cents=3000)
    call_command("effacer_payeur", "lea@exemple.org")
    payment.refresh_from_db()
    assert payment.last_name == "Anonymisé" and payment.street_address == "" and "lea" not in payment.email
    receipt = Receipt.objects.get()
    assert receipt.donor_name == "Léa Dupont" and receipt.document["donor"]["address"]["city"] == "Béthune"
    text = pdf_text(pdf_bytes(receipt))
    assert "Dupont" in text and "Léa" in text and "3 rue des Lilas" in text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("serveur de courrier injoignable")


def test_a_failed_email_is_recorded_and_sent_again_later(
    eligible_a, donation_page_a, django_capture_on_commit_callbacks
):
    with (
        override_settings(EMAIL_BACKEND="tests.receipts.test_lifecycle.BrokenBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        pay(donation_page_a, amount_cents=2000)
    receipt = Receipt.objects.get()
    assert receipt.emailed_at is None and receipt.email_attempts == 1
    assert "injoignable" in receipt.last_email_error
    assert resend_unsent() == 1
    receipt.refresh_from_db()
    assert receipt.emailed_at is not None
    assert any(receipt.number in m.subject for m in mail.outbox)
