"""Self-service: sign up, verify the e-mail, ask for a site, get approved or refused."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.test import Client
from PIL import Image

from associations.factories import UserFactory
from associations.models import Association, AssociationStatus

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Tricot-et-cafe-2026"


def _signup_and_verify(client: Client, email: str) -> None:
    response = client.post(
        "/comptes/signup/", {"email": email, "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    confirmation = mail.outbox[-1]
    assert confirmation.to == [email]
    link = re.search(r"https?://[^/\s]+(/comptes/confirm-email/[^\s]+/)", confirmation.body).group(1)
    response = client.post(link)
    assert response.status_code == 302


def _form_data(**overrides) -> dict:
    data = {
        "name": "Les Jardins d'Isbergues",
        "slug": "",
        "legal_form": "association",
        "rna": "W622004321",
        "siren": "",
        "objet": "Jardins partagés et ateliers de cuisine.",
        "street_address": "4 rue des Écoles",
        "postal_code": "62330",
        "commune": "62473",
        "email": "contact@jardins.exemple.org",
        "phone": "",
        "website": "",
        "theme": "vert-foret",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def _png_bytes(size=(80, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_volunteer_signs_up_asks_for_a_site_and_staff_approve_it(django_capture_on_commit_callbacks, staff_client):
    client = Client()
    _signup_and_verify(client, "tresoriere@jardins.exemple.org")
    assert client.get("/espace/creer-mon-site/").status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/espace/creer-mon-site/", _form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    association = Association.objects.get(slug="les-jardins-disbergues")
    assert association.status == AssociationStatus.PENDING
    assert association.home_page.get_children().count() == 3
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["equipe@kollektif.org", "tresoriere@jardins.exemple.org"]
    # not public while pending
    assert Client().get("/association/les-jardins-disbergues/").status_code == 404
    # but its volunteer already works on it in the admin
    assert client.get(f"/admin/pages/{association.home_page_id}/edit/").status_code == 200

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/snippets/associations/association/moderer/{association.pk}/", {"decision": "approve"}
        )
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE
    assert "est en ligne" in mail.outbox[0].subject
    assert "tresoriere@jardins.exemple.org" in mail.outbox[0].to
    assert Client().get("/association/les-jardins-disbergues/").status_code == 200


def test_staff_refuse_with_a_reason_sent_back(django_capture_on_commit_callbacks, staff_client):
    creator = UserFactory(email="porteur@exemple.org")
    client = Client()
    client.force_login(creator)
    client.post("/espace/creer-mon-site/", _form_data())
    association = Association.objects.get()
    url = f"/admin/snippets/associations/association/moderer/{association.pk}/"
    response = staff_client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 400
    assert "motif du refus" in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"decision": "refuse", "reason": "Structure hors du Pas-de-Calais."})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.status == AssociationStatus.REFUSED
    assert mail.outbox[0].to == ["porteur@exemple.org"]
    assert "hors du Pas-de-Calais" in mail.outbox[0].body


def test_editors_cannot_moderate(client_a, association_b):
    response = client_a.post(
        f"/admin/snippets/associations/association/moderer/{association_b.pk}/", {"decision": "approve"}
    )
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rna": "W12345"}, "W suivi de 9 chiffres"),
        ({"rna": "", "siren": "123456789"}, "clé de contrôle"),
        ({"commune": "59350"}, "pas dans la liste du Pas-de-Calais"),
        ({"slug": "popeline"}, "déjà prise"),
        ({"postal_code": "62000"}, "ne correspond pas"),
    ],
)
def test_bad_signup_input_gets_a_french_message_and_a_400(association_a, overrides, message):
    user = UserFactory(email="quelquun@exemple.org")
    client = Client()
    client.force_login(user)
    before = Association.objects.count()
    response = client.post("/espace/creer-mon-site/", _form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Association.objects.count() == before


def test_logo_upload_accepts_images_and_refuses_the_rest(settings):
    user = UserFactory(email="logo@exemple.org")
    client = Client()
    client.force_login(user)
    fake = io.BytesIO(b"#!/bin/sh\necho not an image\n")
    fake.name = "logo.png"
    response = client.post("/espace/creer-mon-site/", {**_form_data(), "logo_upload": fake})
    assert response.status_code == 400
    assert "Cette image est illisible" in response.content.decode()
    settings.KOLLEKTIF_LOGO_MAX_BYTES = 100
    big = io.BytesIO(_png_bytes((200, 200)))
    big.name = "logo.png"
    response = client.post("/espace/creer-mon-site/", {**_form_data(), "logo_upload": big})
    assert response.status_code == 400
    assert "trop lourd" in response.content.decode()
    assert not Association.objects.exists()
    settings.KOLLEKTIF_LOGO_MAX_BYTES = 5 * 1024 * 1024
    good = io.BytesIO(_png_bytes())
    good.name = "logo.png"
    response = client.post("/espace/creer-mon-site/", {**_form_data(), "logo_upload": good})
    assert response.status_code == 302
    association = Association.objects.get()
    assert association.logo is not None and association.logo.collection_id == association.collection_id


def test_unverified_accounts_must_confirm_their_email_first():
    from allauth.account.models import EmailAddress

    user = UserFactory(email="pasverifie@exemple.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client = Client()
    client.force_login(user)
    response = client.get("/espace/creer-mon-site/")
    assert response.status_code == 302
