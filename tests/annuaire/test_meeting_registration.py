"""Anyone signs up to a meeting from its public page, within its capacity; a confirmation
e-mail carries a cancel link that works once; the agenda shows the places left."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from annuaire.factories import MeetingFactory
from annuaire.models import MeetingRegistration, MeetingStatus
from kernel.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting():
    starts_at = timezone.now() + timedelta(days=10)
    return MeetingFactory(
        title="Paroles de comptoir à Lens",
        status=MeetingStatus.ANNOUNCED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=2,
        summary="",
    )


def _form(**overrides):
    data = {"name": "Camille Martin", "email": "camille@exemple.org", "structure": "BookKafé", "consent": "on"}
    data.update(overrides)
    return data


def _register(client, meeting, **overrides):
    return client.post(f"/rencontres/{meeting.slug}/inscription/", _form(**overrides))


def test_register_then_cancel_once(client, meeting, django_capture_on_commit_callbacks):
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "S’inscrire à la rencontre" in page and "2 places restantes" in page

    with django_capture_on_commit_callbacks(execute=False):
        response = _register(client, meeting)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vous êtes inscrit·e" in body and "camille@exemple.org" in body
    registration = MeetingRegistration.objects.get()
    assert (registration.name, registration.structure, registration.cancelled_at) == (
        "Camille Martin",
        "BookKafé",
        None,
    )

    email = OutgoingEmail.objects.get(template="annuaire_meeting_registration")
    assert email.to == ["camille@exemple.org"] and "Paroles de comptoir à Lens" in email.subject
    cancel_url = re.search(r"http://testserver(/rencontres/inscription/annuler/\S+/)", email.text).group(1)
    assert "Annulez votre inscription" in email.text

    assert "1 place restante" in client.get(meeting.get_absolute_url()).content.decode()

    confirm = client.get(cancel_url)
    assert confirm.status_code == 200 and "Confirmez l’annulation" in confirm.content.decode()
    registration.refresh_from_db()
    assert registration.cancelled_at is None  # a GET (a mail scanner) cancels nothing

    done = client.post(cancel_url)
    assert done.status_code == 200 and "Votre inscription est annulée" in done.content.decode()
    registration.refresh_from_db()
    assert registration.cancelled_at is not None

    again = client.post(cancel_url)
    assert again.status_code == 410 and "déjà été annulée" in again.content.decode()
    assert client.get(cancel_url).status_code == 410
    assert client.get("/rencontres/inscription/annuler/pas-un-jeton/").status_code == 404
    assert "2 places restantes" in client.get(meeting.get_absolute_url()).content.decode()


def test_capacity_reached_is_409_and_nothing_stored(client, meeting):
    assert _register(client, meeting).status_code == 200
    assert _register(client, meeting, email="dominique@exemple.org", name="Dominique").status_code == 200
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Complet" in page and "Cette rencontre est complète." in page
    response = _register(client, meeting, email="sam@exemple.org", name="Sam")
    assert response.status_code == 409
    assert "Cette rencontre est complète" in response.content.decode()
    assert MeetingRegistration.objects.count() == 2
    assert OutgoingEmail.objects.filter(template="annuaire_meeting_registration").count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "camille@"}, "Cette adresse e-mail n’est pas valide"),
        ({"email": "pas une adresse"}, "Cette adresse e-mail n’est pas valide"),
        ({"name": "  "}, "Indiquez votre nom."),
        ({"consent": ""}, "Cochez la case pour vous inscrire"),
    ],
)
def test_bad_input_is_400_in_french(client, meeting, overrides, message):
    response = _register(client, meeting, **overrides)
    assert response.status_code == 400
    body = response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert message in body, body[:200]
    assert not MeetingRegistration.objects.exists() and not OutgoingEmail.objects.exists()


def test_the_same_address_twice_is_refused(client, meeting):
    assert _register(client, meeting).status_code == 200
    response = _register(client, meeting, email="CAMILLE@exemple.org ")
    assert response.status_code == 400 and "déjà inscrite" in response.content.decode()
    assert MeetingRegistration.objects.count() == 1


def test_no_registration_to_a_past_or_draft_meeting(client, meeting, animator_client):
    meeting.starts_at = timezone.now() - timedelta(days=1)
    meeting.save()
    assert _register(client, meeting).status_code == 400
    assert "S’inscrire à la rencontre" not in client.get(meeting.get_absolute_url()).content.decode()
    draft = MeetingFactory(status=MeetingStatus.DRAFT, starts_at=timezone.now() + timedelta(days=3))
    assert _register(client, draft).status_code == 404
    assert not MeetingRegistration.objects.exists()


def test_registrations_are_rate_limited(client, meeting, settings):
    settings.KOLLEKTIF_REGISTRATION_RATE = "2/h"
    meeting.capacity = None
    meeting.save()
    for n in range(2):
        assert _register(client, meeting, email=f"p{n}@exemple.org").status_code == 200
    response = _register(client, meeting, email="p9@exemple.org")
    assert response.status_code == 429 and "Trop d’inscriptions" in response.content.decode().replace("&#x27;", "’")
    assert MeetingRegistration.objects.count() == 2


def test_places_left_on_the_agenda(client, meeting):
    MeetingFactory(
        title="Atelier sans limite", status=MeetingStatus.ANNOUNCED, starts_at=timezone.now() + timedelta(days=20)
    )
    full = MeetingFactory(
        title="Atelier complet",
        status=MeetingStatus.ANNOUNCED,
        starts_at=timezone.now() + timedelta(days=30),
        capacity=1,
    )
    _register(client, full)
    response = client.get("/rencontres/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 places restantes" in body and "Complet" in body


def test_the_animator_sees_the_list_and_exports_it(client, meeting, animator_client, client_a):
    _register(client, meeting)
    _register(client, meeting, email="=cmd@exemple.org", name="=HYPERLINK()", structure="")
    url = f"/admin/snippets/annuaire/meeting/inscriptions/{meeting.pk}/"
    page = animator_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Camille Martin" in body and "camille@exemple.org" in body and "BookKafé" in body
    assert url in animator_client.get("/admin/snippets/annuaire/meeting/").content.decode()
    export = animator_client.get(url + "?format=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    text = export.content.decode("utf-8-sig")
    assert "Nom;E-mail;Structure" in text and "Camille Martin;camille@exemple.org;BookKafé" in text
    assert "'=HYPERLINK()" in text
    assert client_a.get(url).status_code in (302, 403, 404)
