"""The counterpart rule at issue (BOI-IR-RICI-250-20, III-D), read in the PDFs, and the 222 bis figures after each case.

Every payment goes through the same service as a Stripe webhook (conftest.pay). The yearly cap
is the setting's (73 € unless the environment says otherwise).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone

from campagnes.models import Counterpart, PaymentKind, Receipt, ReceiptKind, ReceiptStatus
from campagnes.receipts.delivery import pdf_bytes
from campagnes.receipts.services import declaration_figures
from tests.receipts.conftest import pay, pdf_text, refund

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
CAP = settings.KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS


def plain(text: str) -> str:
    """The text as a reader reads it: no-break spaces and line breaks as plain spaces, HTML quotes decoded."""
    text = text.replace("&#x27;", "'").replace("&laquo;", "«").replace("&raquo;", "»")
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def give(page, *, euros: int, value_euros: float, email: str = "lea@exemple.org", **payer):
    counterpart = Counterpart.objects.create(
        page=page, name=f"Contrepartie {value_euros} €", min_amount=str(euros), value=str(value_euros)
    )
    payment = pay(
        page,
        kind=PaymentKind.CROWDFUNDING,
        amount_cents=euros * 100,
        offer={
            "counterpart": counterpart.pk,
            "counterpart_name": counterpart.name,
            "counterpart_value_cents": round(value_euros * 100),
        },
        payer={"email": email, **payer},
    )
    return Receipt.objects.get(items__payment=payment, status=ReceiptStatus.ISSUED)


def figures(association):
    result = declaration_figures(association=association, year=YEAR)
    return result.receipts, result.total_cents


def test_within_the_tolerance_the_whole_gift_is_receipted(eligible_a, crowdfunding_page_a):
    receipt = give(crowdfunding_page_a, euros=100, value_euros=10)
    assert receipt.kind == ReceiptKind.TAX_INDIVIDUAL
    assert receipt.amount_cents == receipt.deductible_cents == 10000
    text = plain(pdf_text(pdf_bytes(receipt)))
    assert "100,00 €" in text and "cent euros" in text
    assert figures(eligible_a) == (1, 10000)


def test_at_exactly_the_quarter_the_gift_keeps_its_receipt(eligible_a, crowdfunding_page_a):
    receipt = give(crowdfunding_page_a, euros=40, value_euros=10)
    assert receipt.kind == ReceiptKind.TAX_INDIVIDUAL and receipt.deductible_cents == 4000
    assert "quarante euros" in plain(pdf_text(pdf_bytes(receipt)))
    assert figures(eligible_a) == (1, 4000)


def test_above_the_quarter_the_payment_gets_a_confirmation_that_says_why(eligible_a, crowdfunding_page_a):
    receipt = give(crowdfunding_page_a, euros=40, value_euros=30)
    assert receipt.kind == ReceiptKind.PAYMENT_CONFIRMATION and receipt.deductible_cents == 0
    assert receipt.number.startswith("CP-")
    text = plain(pdf_text(pdf_bytes(receipt)))
    assert "Confirmation de paiement" in text and "n'est pas un reçu fiscal" in text
    assert "Pas de reçu fiscal : la contrepartie reçue vaut 30,00 €, plus que 25 % du versement" in text
    assert "(10,00 € pour 40,00 €)" in text
    assert "Cerfa" not in text
    assert figures(eligible_a) == (0, 0)


def test_a_counterpart_equal_to_the_gift_never_gives_a_receipt_of_zero(eligible_a, crowdfunding_page_a):
    receipt = give(crowdfunding_page_a, euros=20, value_euros=20)
    assert receipt.kind == ReceiptKind.PAYMENT_CONFIRMATION
    text = plain(pdf_text(pdf_bytes(receipt)))
    assert "zéro euro" not in text and not re.search(r"(?<![\d ])0,00 €", text), text
    assert "20,00 €" in text and "Pas de reçu fiscal" in text
    assert not Receipt.objects.tax().filter(deductible_cents=0).exists()
    assert figures(eligible_a) == (0, 0)


def test_the_yearly_cap_adds_up_one_donors_counterparts_over_several_payments(
    eligible_a, crowdfunding_page_a, association_b
):
    assert CAP == 7300  # the figures below are those of the 73 € cap
    first = give(crowdfunding_page_a, euros=200, value_euros=40)
    assert first.kind == ReceiptKind.TAX_INDIVIDUAL and first.deductible_cents == 20000
    assert figures(eligible_a) == (1, 20000)
    # the same donor, typing her address in capitals: 40 + 30 = 70 € ≤ 73 €
    second = give(crowdfunding_page_a, euros=200, value_euros=30, email="LEA@Exemple.org")
    assert second.kind == ReceiptKind.TAX_INDIVIDUAL and second.deductible_cents == 20000
    assert figures(eligible_a) == (2, 40000)
    # 70 + 5 = 75 € > 73 €: this payment is no gift in the tax sense
    third = give(crowdfunding_page_a, euros=200, value_euros=5)
    assert third.kind == ReceiptKind.PAYMENT_CONFIRMATION
    text = plain(pdf_text(pdf_bytes(third)))
    assert "les contreparties reçues de l'association dans l'année civile valent 75,00 €" in text
    assert "limite annuelle de 73,00 €" in text
    assert figures(eligible_a) == (2, 40000)
    # another donor, and the first donor's company (its SIREN), start from zero
    other = give(crowdfunding_page_a, euros=200, value_euros=5, email="paul@exemple.org")
    company = give(
        crowdfunding_page_a,
        euros=200,
        value_euros=5,
        company_name="Toerana Habitat",
        company_siren="732829320",
    )
    assert other.kind == ReceiptKind.TAX_INDIVIDUAL and company.kind == ReceiptKind.TAX_COMPANY
    assert figures(eligible_a) == (4, 80000)


def test_a_refunded_gift_gives_its_counterpart_back_to_the_yearly_allowance(eligible_a, crowdfunding_page_a):
    first = give(crowdfunding_page_a, euros=300, value_euros=70)
    refund(first.items.get().payment, 30000)  # refunded in full: its receipt is cancelled
    assert figures(eligible_a) == (0, 0)
    again = give(crowdfunding_page_a, euros=300, value_euros=70)
    assert again.kind == ReceiptKind.TAX_INDIVIDUAL and figures(eligible_a) == (1, 30000)


def test_a_partial_refund_judges_what_remains(eligible_a, crowdfunding_page_a):
    receipt = give(crowdfunding_page_a, euros=100, value_euros=25)  # exactly a quarter of 100 €
    refund(receipt.items.get().payment, 4000)  # 60 € remain: 25 € is more than a quarter of it
    latest = Receipt.objects.get(status=ReceiptStatus.ISSUED)
    assert latest.kind == ReceiptKind.PAYMENT_CONFIRMATION and latest.replaces_id == receipt.pk
    assert "Pas de reçu fiscal" in plain(pdf_text(pdf_bytes(latest)))
    assert figures(eligible_a) == (0, 0)


# --- the campaign form ----------------------------------------------------------------------


def form_data(page, counterpart_rows):
    data = {
        "title": page.title,
        "slug": page.slug,
        "body-count": "0",
        "goal": "3000",
        "min_amount": "5",
        "max_amount": "10000",
        "opens_at": timezone.localtime(page.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes_at": timezone.localtime(page.closes_at).strftime("%Y-%m-%d %H:%M"),
        "counterparts-TOTAL_FORMS": str(len(counterpart_rows)),
        "counterparts-INITIAL_FORMS": "0",
        "counterparts-MIN_NUM_FORMS": "0",
        "counterparts-MAX_NUM_FORMS": "1000",
    }
    for index, (name, min_amount, value) in enumerate(counterpart_rows):
        data.update(
            {
                f"counterparts-{index}-id": "",
                f"counterparts-{index}-ORDER": str(index + 1),
                f"counterparts-{index}-DELETE": "",
                f"counterparts-{index}-name": name,
                f"counterparts-{index}-description": "",
                f"counterparts-{index}-min_amount": min_amount,
                f"counterparts-{index}-value": value,
                f"counterparts-{index}-stock": "",
            }
        )
    return data


def test_the_campaign_form_says_per_counterpart_whether_it_keeps_the_tax_receipt(
    client_a, eligible_a, crowdfunding_page_a
):
    Counterpart.objects.create(page=crowdfunding_page_a, name="Carte postale", min_amount="20", value="2")
    Counterpart.objects.create(page=crowdfunding_page_a, name="Dîner", min_amount="100", value="60")
    response = client_a.get(f"/admin/pages/{crowdfunding_page_a.pk}/edit/")
    assert response.status_code == 200
    body = plain(response.content.decode())
    assert "« Carte postale » (2,00 € pour un don de 20,00 €) garde le reçu fiscal" in body
    assert "« Dîner » (60,00 € pour un don de 100,00 €) dépasse la tolérance de l'administration" in body
    assert "Réduisez sa valeur à 25,00 € au plus" in body


def test_a_counterpart_worth_more_than_its_price_is_refused_in_french(client_a, crowdfunding_page_a):
    data = form_data(crowdfunding_page_a, [("Week-end", "50", "80")])
    response = client_a.post(f"/admin/pages/{crowdfunding_page_a.pk}/edit/", data)
    body = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400  # the form again, with its error
    assert "La valeur de la contrepartie (80,00 €) ne peut pas dépasser son prix" in body
    assert not Counterpart.objects.filter(name="Week-end").exists()
