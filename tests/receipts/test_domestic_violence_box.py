"""An association helping victims of domestic violence says so on its record; its receipts tick the
2041-RD's box for it and its donation form counts the 75 % rate (CGI art. 200-1 ter, as extended by
loi n° 2025-127 du 14 février 2025, art. 20). Issue #12, item 2.
"""

from __future__ import annotations

import pytest
from django.test import Client

from associations.factories import UserFactory
from associations.models import TaxOtherType
from campagnes.models import Receipt
from campagnes.money import format_eur
from tests.receipts.test_cerfa_models import TICKED, UNTICKED, manual_gift, receipt_text

pytestmark = pytest.mark.django_db

VICTIMS_BOX = (
    "Organisme sans but lucratif qui exerce des actions concrètes en faveur des victimes de violence domestique"
)


@pytest.fixture
def victims_association(eligible_a):
    eligible_a.tax_status = "autre"
    eligible_a.tax_other_type = "violences-domestiques"
    eligible_a.full_clean()  # a choice the record accepts, and fits its column
    eligible_a.save()
    return eligible_a


def test_the_record_offers_the_choice():
    assert TaxOtherType("violences-domestiques").label == (
        "Organisme d'aide aux victimes de violences domestiques (75 %)"
    )


def test_its_receipt_ticks_the_domestic_violence_box(victims_association):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(victims_association.treasurers_group)
    client = Client()
    client.force_login(user)
    response = manual_gift(client, victims_association, amount="100")
    assert response.status_code == 302
    text = receipt_text(Receipt.objects.get(donor_email="jeanne@exemple.org"))
    assert "2041-RD — Cerfa n° 11580*05" in text
    assert f"{TICKED} Œuvre ou organisme d'intérêt général" in text
    assert f"{TICKED} {VICTIMS_BOX}" in text
    assert f"{UNTICKED} Association loi 1901" in text
    assert f"{UNTICKED} Organisme sans but lucratif fournissant gratuitement une aide alimentaire" in text


def test_its_donation_form_counts_75_percent(victims_association, donation_page_a):
    body = Client().get(donation_page_a.url).content.decode()
    assert 'data-aid="1"' in body
    assert f"soit {format_eur(500)} après réduction d'impôt" in body  # 20 € at 75 %
