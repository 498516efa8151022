"""A volunteer's expenses given up: the statement to sign, then the receipt once the signed statement is joined."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import NonCashGift, Payment, Receipt
from campagnes.receipts.delivery import pdf_bytes
from campagnes.receipts.non_cash import mileage_cents
from campagnes.receipts.words import format_amount
from tests.receipts.conftest import pdf_text

pytestmark = pytest.mark.django_db
TICKED, UNTICKED = "☒", "☐"
TODAY = timezone.localdate()
URL = "/admin/recus/abandon-de-frais/"


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def treasurer_a(eligible_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


def expenses(association, **fields) -> dict:
    return {
        "association": association.pk,
        "first_name": "Marc",
        "last_name": "Delattre",
        "email": "marc@exemple.org",
        "street_address": "5 rue Voltaire",
        "postal_code": "62300",
        "city": "Lens",
        "description": "Déplacements pour les ateliers couture du samedi",
        "expense_dates": "7, 14 et 21 mars 2026",
        "kilometres": "240",
        "vehicle_power": "5",
        "other_expenses": "12,40",
        "received_on": TODAY.strftime("%d/%m/%Y"),
        **fields,
    }


def test_the_mileage_scale_is_the_official_one():
    # 240 km with a 5 CV car: 240 × 0,636 = 152,64 € (CGI annexe IV art. 6 B, revenues 2025).
    assert mileage_cents(kilometres=240, power=5) == 15264
    # 6 000 km, 4 CV: 6 000 × 0,340 + 1 330 = 3 370 €.
    assert mileage_cents(kilometres=6000, power=4) == 337000
    # beyond 20 000 km, 9 CV counts as 7 CV and more: 21 000 × 0,470 = 9 870 €.
    assert mileage_cents(kilometres=21000, power=9) == 987000


def test_the_platform_writes_the_statement_for_the_volunteer_to_sign(treasurer_a, eligible_a):
    response = treasurer_a.post(URL, {**expenses(eligible_a), "declaration": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = norm(pdf_text(response.content))
    assert "Déclaration d'abandon de frais par un bénévole" in text
    assert "Je soussigné(e) Marc Delattre, demeurant 5 rue Voltaire, 62300 Lens" in text
    assert "renoncer expressément au remboursement de ces frais" in text
    assert "Nature des frais : Déplacements pour les ateliers couture du samedi" in text
    assert "Date(s) : 7, 14 et 21 mars 2026" in text
    assert "240 km × 0,636 €/km (5 CV" in text and "152,64" in text
    assert "Autres frais sur justificatifs : 12,40" in text
    assert "Montant total des frais abandonnés : 165,04 € (cent soixante-cinq euros et quatre centimes)" in text
    assert "Signature du bénévole" in text
    assert not Payment.objects.exists() and not Receipt.objects.exists()


def test_without_the_signed_statement_nothing_is_issued(treasurer_a, eligible_a):
    response = treasurer_a.post(URL, {**expenses(eligible_a), "enregistrer": "1"})
    body = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    assert "La déclaration de renonciation signée par le bénévole est obligatoire" in body
    assert not Payment.objects.exists() and not Receipt.objects.exists() and not NonCashGift.objects.exists()


def test_expenses_without_kilometres_or_amount_are_refused(treasurer_a, eligible_a):
    response = treasurer_a.post(URL, {**expenses(eligible_a, kilometres="", other_expenses=""), "enregistrer": "1"})
    assert response.status_code == 400
    assert "Indiquez des kilomètres parcourus ou un montant de frais." in response.content.decode()
    assert not Receipt.objects.exists()


def test_with_the_signed_statement_the_receipt_ticks_the_expenses_box(
    treasurer_a, eligible_a, django_capture_on_commit_callbacks
):
    signed = b"%PDF-1.4 signed statement"
    upload = SimpleUploadedFile("declaration-signee.pdf", signed, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = treasurer_a.post(URL, {**expenses(eligible_a), "statement": upload, "enregistrer": "1"})
    assert response.status_code == 302
    receipt = Receipt.objects.get(donor_email="marc@exemple.org")
    assert treasurer_a.get(response["Location"]).status_code == 200
    assert receipt.amount_cents == receipt.deductible_cents == 16504
    gift = NonCashGift.objects.get(payment__email="marc@exemple.org")
    assert gift.renunciation_sha256 == hashlib.sha256(signed).hexdigest()
    with gift.renunciation_statement.open("rb") as handle:
        assert handle.read() == signed
    text = norm(pdf_text(pdf_bytes(receipt)))
    assert "2041-RD — Cerfa n° 11580*05" in text
    assert "Nom : Delattre" in text and "Prénoms : Marc" in text
    assert "Adresse : 5 rue Voltaire, 62300 Lens" in text
    assert f"*** {norm(format_amount(16504))} ***" in text
    assert "Somme en toutes lettres : cent soixante-cinq euros et quatre centimes" in text
    assert f"Date du versement ou du don : {TODAY:%d/%m/%Y}" in text
    assert f"Forme du don : {UNTICKED} Acte authentique {TICKED} Acte sous seing privé {UNTICKED} Déclaration" in text
    assert (
        f"Nature du don : {UNTICKED} Numéraire {UNTICKED} Titres de sociétés cotés {UNTICKED} Abandon exprès de "
        f"revenus ou de produits {TICKED} Frais engagés par les bénévoles, dont ils renoncent expressément au "
        f"remboursement {UNTICKED} Autres"
    ) in text
    assert "240 km × 0,636 €/km (5 CV" in text and "Date(s) : 7, 14 et 21 mars 2026" in text
    # no cash moved: no method box is ticked
    assert (
        f"mode de versement du don : {UNTICKED} Remise d'espèces {UNTICKED} Chèque "
        f"{UNTICKED} Virement, prélèvement, carte bancaire"
    ) in text
