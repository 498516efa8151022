""" "Mes reçus": a payer finds all their receipts, from every association, through a one-time link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from associations.factories import make_eligible
from campagnes.models import Receipt, ReceiptAccessToken
from tests.receipts.conftest import pay, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipts(eligible_a, association_b, donation_page_a, donation_page_b):
    make_eligible(association_b, signatory="Sam Martin", capacity="Trésorier")
    pay(donation_page_a, amount_cents=3000)
    pay(donation_page_b, amount_cents=4500, payer={"email": "Lea@Exemple.org"})
    pay(donation_page_a, amount_cents=1000, payer={"email": "autre@exemple.org", "first_name": "Paul"})
    mail.outbox.clear()
    return Receipt.objects.all()


def _link_for(client, email, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mes-recus/", {"email": email})
    assert response.status_code == 200
    message = mail.outbox[-1]
    assert message.to == [email.lower()]
    return re.search(r"https?://[^/\s]+(/mes-recus/[^\s\"<]+/)", message.body).group(1)


def test_a_donor_lists_and_downloads_receipts_from_every_association(receipts, django_capture_on_commit_callbacks):
    client = Client()
    link = _link_for(client, "lea@exemple.org", django_capture_on_commit_callbacks)
    listing = client.get(link, follow=True)
    body = listing.content.decode()
    assert listing.status_code == 200
    assert "Popeline" in body and "BookKafé" in body and "2 documents" in body
    assert "autre@exemple.org" not in body
    receipt = Receipt.objects.get(association__slug="bookkafe")
    download = client.get(f"/mes-recus/recu/{receipt.uuid}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"] and download["Cache-Control"].startswith("private")
    assert receipt.number in pdf_text(download.content) and "BookKafé" in pdf_text(download.content)


def test_the_link_works_once(receipts, django_capture_on_commit_callbacks):
    link = _link_for(Client(), "lea@exemple.org", django_capture_on_commit_callbacks)
    assert Client().get(link).status_code == 302
    second = Client().get(link)
    assert second.status_code == 410 and "déjà servi ou a expiré" in second.content.decode()


def test_an_expired_link_is_refused(receipts, django_capture_on_commit_callbacks):
    link = _link_for(Client(), "lea@exemple.org", django_capture_on_commit_callbacks)
    ReceiptAccessToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(link).status_code == 410


def test_a_payer_cannot_fetch_another_payers_receipt(receipts, django_capture_on_commit_callbacks):
    client = Client()
    client.get(_link_for(client, "lea@exemple.org", django_capture_on_commit_callbacks))
    other = Receipt.objects.get(donor_email="autre@exemple.org")
    assert client.get(f"/mes-recus/recu/{other.uuid}/").status_code == 404
    # nor without a session, nor with a made-up token
    assert Client().get(f"/mes-recus/recu/{other.uuid}/").status_code == 404
    assert Client().get("/mes-recus/inventé-de-toutes-pièces/").status_code == 410
    # receipts are never under the public media URL
    assert not other.pdf or not other.pdf.name.startswith("/media")
    assert Client().get(f"/media/recus/{other.association_id}/{other.year}/{other.uuid}.pdf").status_code == 404


def test_asking_for_an_unknown_address_says_the_same_and_sends_nothing(receipts):
    response = Client().post("/mes-recus/", {"email": "inconnu@exemple.org"})
    assert response.status_code == 200 and "Si des reçus sont associés" in response.content.decode()
    assert mail.outbox == [] and not ReceiptAccessToken.objects.exists()


def test_bad_input_gets_a_french_message(receipts):
    response = Client().post("/mes-recus/", {"email": "pas-une-adresse"})
    assert response.status_code == 400 and "n'est pas valide" in response.content.decode().replace("&#x27;", "'")


def test_too_many_requests_are_refused(receipts):
    client = Client()
    for _ in range(5):
        assert client.post("/mes-recus/", {"email": "lea@exemple.org"}).status_code == 200
    response = client.post("/mes-recus/", {"email": "lea@exemple.org"})
    assert response.status_code == 429 and "Trop de demandes" in response.content.decode()


def test_closing_access_ends_the_session(receipts, django_capture_on_commit_callbacks):
    client = Client()
    client.get(_link_for(client, "lea@exemple.org", django_capture_on_commit_callbacks))
    assert client.get("/mes-recus/liste/").status_code == 200
    client.post("/mes-recus/fermer/")
    assert client.get("/mes-recus/liste/").status_code == 302


def test_a_payer_exports_then_erases_their_data_and_keeps_their_receipts(receipts, django_capture_on_commit_callbacks):
    from campagnes.models import Payment

    client = Client()
    client.get(_link_for(client, "lea@exemple.org", django_capture_on_commit_callbacks))
    export = client.get("/mes-recus/mes-donnees/")
    data = export.json()
    assert export["Content-Disposition"].startswith("attachment")
    assert len(data["paiements"]) == 2 and {p["association"] for p in data["paiements"]} == {"Popeline", "BookKafé"}
    assert data["paiements"][0]["street_address"] == "3 rue des Lilas" and len(data["recus"]) == 2
    assert "autre@exemple.org" not in export.content.decode()
    refused = client.post("/mes-recus/effacer-mes-donnees/", {})
    assert refused.status_code == 400 and Payment.objects.filter(email__iexact="lea@exemple.org").count() == 2
    erased = client.post("/mes-recus/effacer-mes-donnees/", {"confirmer": "oui"})
    assert erased.status_code == 200 and "Vos données ont été effacées de 2 paiements" in erased.content.decode()
    assert not Payment.objects.filter(email__iexact="lea@exemple.org").exists()
    assert Payment.objects.filter(email="autre@exemple.org").exists()
    # the receipts stay, and stay downloadable by their donor
    receipt = Receipt.objects.get(association__slug="bookkafe")
    assert client.get(f"/mes-recus/recu/{receipt.uuid}/").status_code == 200
    assert "Dupont" in pdf_text(client.get(f"/mes-recus/recu/{receipt.uuid}/").content)
