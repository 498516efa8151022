"""The two tax receipt models, read back from the PDF a donor receives: every mention with its value.

2041-RD (Cerfa n° 11580*05) for individuals, 2041-MEC-SD (Cerfa n° 16216*03) for companies.
Receipts are issued through the real paths (a card payment as the webhook settles it, a gift
recorded by the treasurer in the admin), then read with pypdf as a tax office would.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import Payment, Receipt
from campagnes.receipts.delivery import pdf_bytes
from campagnes.receipts.document import DocumentKind, ReceiptLine
from campagnes.receipts.pdf import render_receipt_pdf
from campagnes.receipts.words import format_amount
from tests.receipts.conftest import pay, pdf_text
from tests.receipts.test_pdf import make_document

pytestmark = pytest.mark.django_db
TICKED, UNTICKED = "☒", "☐"
TODAY = timezone.localdate()


def norm(text: str) -> str:
    return " ".join(text.split())


def euros(cents: int) -> str:
    return norm(format_amount(cents))


@pytest.fixture
def treasurer_a(eligible_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


def receipt_text(receipt: Receipt) -> str:
    return norm(pdf_text(pdf_bytes(receipt)))


def manual_gift(client, association, **fields):
    data = {
        "association": association.pk,
        "first_name": "Jeanne",
        "last_name": "Lefort",
        "email": "jeanne@exemple.org",
        "street_address": "12 rue de l'Église",
        "postal_code": "62700",
        "city": "Bruay-la-Buissière",
        "amount": "80",
        "method": "cheque",
        "received_on": TODAY.strftime("%d/%m/%Y"),
        **fields,
    }
    return client.post("/admin/recus/don-recu/", data)


def individual_common(text: str, *, number: str) -> None:
    assert "2041-RD — Cerfa n° 11580*05" in text
    assert (
        "Reçu des dons et versements effectués par les particuliers au titre des articles 200 et 978 "
        "du code général des impôts"
    ) in text
    assert f"Numéro d'ordre du reçu {number}" in text
    assert "Nom ou dénomination : Popeline" in text
    assert f"{TICKED} Œuvre ou organisme d'intérêt général" in text
    assert f"{TICKED} Association loi 1901" in text
    assert f"{UNTICKED} Organisme sans but lucratif qui exerce des actions concrètes en faveur des victimes" in text
    assert "238 bis" not in text
    assert f"prévue à l'article : {TICKED} 200 du CGI {UNTICKED} 978 du CGI" in text
    assert "Date et signature" in text and "Camille Lefebvre, Présidente" in text


def test_card_gift_2041_rd(eligible_a, donation_page_a):
    payment = pay(donation_page_a, amount_cents=15000)
    receipt = Receipt.objects.get(items__payment=payment)
    text = receipt_text(receipt)
    individual_common(text, number=receipt.number)
    assert "Nom : Dupont" in text and "Prénoms : Léa" in text
    assert "Adresse : 3 rue des Lilas, 62400 Béthune" in text
    assert f"la somme de : *** {euros(15000)} ***" in text
    assert "Somme en toutes lettres : cent cinquante euros" in text
    assert f"Date du versement ou du don : {timezone.localtime(payment.paid_at):%d/%m/%Y}" in text
    assert f"Forme du don : {UNTICKED} Acte authentique {UNTICKED} Acte sous seing privé {TICKED} Déclaration" in text
    assert f"Nature du don : {TICKED} Numéraire {UNTICKED} Titres de sociétés cotés" in text
    assert f"{UNTICKED} Frais engagés par les bénévoles, dont ils renoncent expressément au remboursement" in text
    assert (
        f"mode de versement du don : {UNTICKED} Remise d'espèces {UNTICKED} Chèque "
        f"{TICKED} Virement, prélèvement, carte bancaire"
    ) in text
    assert "Moyen de paiement utilisé : Carte bancaire" in text


@pytest.mark.parametrize(
    ("method", "boxes"),
    [
        ("cheque", f"{UNTICKED} Remise d'espèces {TICKED} Chèque {UNTICKED} Virement"),
        ("especes", f"{TICKED} Remise d'espèces {UNTICKED} Chèque {UNTICKED} Virement"),
    ],
)
def test_cheque_and_cash_gifts_tick_their_own_box(treasurer_a, eligible_a, method, boxes):
    response = manual_gift(treasurer_a, eligible_a, method=method, amount="80,50")
    assert response.status_code == 302
    receipt = Receipt.objects.get(donor_email="jeanne@exemple.org")
    text = receipt_text(receipt)
    individual_common(text, number=receipt.number)
    assert "Nom : Lefort" in text and "Prénoms : Jeanne" in text
    assert "Adresse : 12 rue de l'Église, 62700 Bruay-la-Buissière" in text
    assert f"*** {euros(8050)} ***" in text
    assert "Somme en toutes lettres : quatre-vingts euros et cinquante centimes" in text
    assert f"Date du versement ou du don : {TODAY:%d/%m/%Y}" in text
    assert f"mode de versement du don : {boxes}" in text


def test_company_gift_2041_mec_sd(treasurer_a, eligible_a):
    response = manual_gift(
        treasurer_a,
        eligible_a,
        company_name="Boulangerie Leclercq",
        company_siren="552 100 554",
        company_legal_form="SARL",
        first_name="",
        last_name="",
        email="compta@leclercq.fr",
        amount="1250",
        method="virement",
    )
    assert response.status_code == 302
    receipt = Receipt.objects.get(donor_email="compta@leclercq.fr")
    assert receipt.kind == "recu-fiscal-entreprise"
    text = receipt_text(receipt)
    assert "2041-MEC-SD — Cerfa n° 16216*03" in text
    assert (
        "Reçu des dons et versements effectués par les entreprises au titre de l'article 238 bis "
        "du code général des impôts"
    ) in text
    assert f"Numéro d'ordre du reçu {receipt.number}" in text
    assert "concourant à l'égalité entre les femmes et les hommes" in text
    assert "Dénomination de l'entreprise : Boulangerie Leclercq" in text
    assert "Forme juridique : SARL" in text
    assert "Numéro SIREN : 552100554" in text
    assert "Adresse : 12 rue de l'Église, 62700 Bruay-la-Buissière" in text
    assert f"des dons en nature pour une valeur en euros égale à : *** {euros(0)} ***" in text
    assert f"des versements pour une valeur totale égale à : *** {euros(125000)} ***" in text
    assert "Total des versements en toutes lettres : mille deux cent cinquante euros" in text
    assert (
        f"Forme des versements : {UNTICKED} Remise d'espèces {UNTICKED} Chèque "
        f"{TICKED} Virement, prélèvement ou carte bancaire {UNTICKED} Autre"
    ) in text
    assert f"Montant total des dons et versements reçus par l'organisme : *** {euros(125000)} ***" in text
    assert "Montant total des dons et versements en toutes lettres : mille deux cent cinquante euros" in text
    assert f"Date ou période au cours de laquelle les dons et versements ont été effectués : {TODAY:%d/%m/%Y}" in text
    assert "Camille Lefebvre, Présidente" in text


def test_a_company_receipt_covering_several_gifts_gives_the_period():
    doc = make_document(
        DocumentKind.TAX_COMPANY,
        lines=(
            ReceiptLine(date(2026, 1, 15), 50000, "virement"),
            ReceiptLine(date(2026, 6, 30), 25000, "cheque"),
        ),
        amount_cents=75000,
        deductible_cents=75000,
    )
    text = norm(pdf_text(render_receipt_pdf(doc)))
    assert "ont été effectués : du 15/01/2026 au 30/06/2026" in text
    assert f"{TICKED} Chèque {TICKED} Virement, prélèvement ou carte bancaire {UNTICKED} Autre" in text
    assert "Montant total des dons et versements en toutes lettres : sept cent cinquante euros" in text


def test_a_company_without_legal_form_is_refused_in_french_and_nothing_is_issued(treasurer_a, eligible_a):
    response = manual_gift(
        treasurer_a,
        eligible_a,
        company_name="Boulangerie Leclercq",
        company_siren="552100554",
        company_legal_form="",
        email="compta@leclercq.fr",
    )
    assert response.status_code == 400
    assert "Indiquez la forme juridique de l&#x27;entreprise" in response.content.decode()
    assert not Payment.objects.exists() and not Receipt.objects.exists()


def test_the_payment_form_asks_the_legal_form_when_a_siren_is_given(eligible_a, donation_page_a):
    page = Client().get(donation_page_a.url)
    assert 'name="company_legal_form"' in page.content.decode()
    response = Client().post(
        donation_page_a.url,
        {
            "preset": "2000",
            "frequency": "once",
            "first_name": "Paul",
            "last_name": "Leclercq",
            "email": "paul@leclercq.fr",
            "street_address": "8 place des Héros",
            "postal_code": "62000",
            "city": "Arras",
            "company_name": "Boulangerie Leclercq",
            "company_siren": "552100554",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert "Indiquez la forme juridique de l&#x27;entreprise" in response.content.decode()
    assert not Payment.objects.exists()
