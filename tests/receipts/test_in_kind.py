"""Gifts in kind recorded by the treasurer: description, valuation method, value in figures and words."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from associations.factories import UserFactory
from campagnes.models import NonCashGift, Payment, Receipt
from campagnes.receipts.delivery import pdf_bytes
from campagnes.receipts.words import format_amount
from tests.receipts.conftest import pdf_text

pytestmark = pytest.mark.django_db
TICKED, UNTICKED = "☒", "☐"
TODAY = timezone.localdate()


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def treasurer_a(eligible_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


def in_kind(association, **fields) -> dict:
    return {
        "association": association.pk,
        "company_name": "Mercerie du Beffroi",
        "company_siren": "552100554",
        "company_legal_form": "SAS",
        "email": "contact@mercerie-beffroi.fr",
        "street_address": "4 place des Héros",
        "postal_code": "62000",
        "city": "Arras",
        "gift_nature": "nature",
        "amount": "640",
        "in_kind_description": "40 bobines de fil, 25 m de coton bio, 2 machines à coudre reconditionnées",
        "valuation_method": "Coût de revient (valeur en stock au 1er mars)",
        "received_on": TODAY.strftime("%d/%m/%Y"),
        **fields,
    }


def test_a_company_gift_in_kind_is_described_and_valued_on_its_receipt(treasurer_a, eligible_a):
    response = treasurer_a.post("/admin/recus/don-recu/", in_kind(eligible_a))
    assert response.status_code == 302
    assert treasurer_a.get(response["Location"]).status_code == 200
    receipt = Receipt.objects.get(donor_email="contact@mercerie-beffroi.fr")
    assert receipt.kind == "recu-fiscal-entreprise" and receipt.deductible_cents == 64000
    assert NonCashGift.objects.get(payment__email="contact@mercerie-beffroi.fr").kind == "nature"
    text = norm(pdf_text(pdf_bytes(receipt)))
    assert "2041-MEC-SD — Cerfa n° 16216*03" in text
    assert "Dénomination de l'entreprise : Mercerie du Beffroi" in text
    assert "Forme juridique : SAS" in text and "Numéro SIREN : 552100554" in text
    value = norm(format_amount(64000))
    assert f"des dons en nature pour une valeur en euros égale à : *** {value} ***" in text
    assert "Valeur totale des dons en nature en toutes lettres : six cent quarante euros" in text
    assert (
        "Description exhaustive des biens et prestations reçus et acceptés (nature et quantité) et détail des "
        "salariés mis à disposition : 40 bobines de fil, 25 m de coton bio, 2 machines à coudre reconditionnées"
    ) in text
    assert "Méthode de valorisation retenue par l'entreprise : Coût de revient (valeur en stock au 1er mars)" in text
    assert f"des versements pour une valeur totale égale à : *** {norm(format_amount(0))} ***" in text
    # nothing was paid in money: no "forme des versements" box is ticked
    assert (
        f"Forme des versements : {UNTICKED} Remise d'espèces {UNTICKED} Chèque "
        f"{UNTICKED} Virement, prélèvement ou carte bancaire {UNTICKED} Autre"
    ) in text
    assert f"Montant total des dons et versements reçus par l'organisme : *** {value} ***" in text
    assert "Montant total des dons et versements en toutes lettres : six cent quarante euros" in text
    assert f"ont été effectués : {TODAY:%d/%m/%Y}" in text


def test_an_individual_gift_in_kind_ticks_autres_with_its_description(treasurer_a, eligible_a):
    data = in_kind(eligible_a, company_name="", company_siren="", company_legal_form="", last_name="Martin")
    data.update(first_name="Lucie", email="lucie@exemple.org", amount="75", in_kind_description="Un lot de tissus")
    assert treasurer_a.post("/admin/recus/don-recu/", data).status_code == 302
    text = norm(pdf_text(pdf_bytes(Receipt.objects.get(donor_email="lucie@exemple.org"))))
    assert "2041-RD — Cerfa n° 11580*05" in text
    assert f"{UNTICKED} Numéraire" in text and f"{TICKED} Autres (précisez) : Don en nature" in text
    assert "Description : Un lot de tissus" in text
    assert "Somme en toutes lettres : soixante-quinze euros" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"in_kind_description": ""}, "Décrivez le don en nature (nature et quantité)"),
        ({"amount": ""}, "Indiquez la valeur du don en nature."),
        ({"company_legal_form": ""}, "Indiquez la forme juridique de l&#x27;entreprise"),
    ],
)
def test_a_bad_gift_in_kind_is_refused_in_french_and_nothing_is_issued(treasurer_a, eligible_a, changes, message):
    response = treasurer_a.post("/admin/recus/don-recu/", in_kind(eligible_a, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists() and not Receipt.objects.exists() and not NonCashGift.objects.exists()
