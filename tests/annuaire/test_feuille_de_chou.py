"""The feuille de chou reaches the territory (issue #14, item 5): one A4 page whatever the
length, a PDF of it, e-mailed on publication to the participants and to the absent ambassadors
of the meeting's EPCI, an unsubscribe link, and the animator sees who received it."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from pypdf import PdfReader

from annuaire import services
from annuaire.factories import ActorFactory, MeetingFactory
from annuaire.models import Actor, FeuilleReason, FeuilleRecipient
from associations.models import Commune
from kernel.models import EmailStatus, OutgoingEmail

pytestmark = pytest.mark.django_db

LAST_WORDS = "Rendez-vous à Liévin pour la suite."
SENTENCE = "Les ambassadeurs ont raconté comment ils mutualisent un local et partagent un camion. "


def long_summary() -> str:
    paragraphs = [(SENTENCE * 6).strip() for _ in range(6)]
    text = "\n\n".join(paragraphs)
    text = (text + " " + SENTENCE * 10)[: 3100 - len(LAST_WORDS) - 1]
    return f"{text} {LAST_WORDS}"


@pytest.fixture
def long_meeting(actors, bruay):
    others = [
        ActorFactory(name=f"Structure participante {n}", commune=bruay, public_email=f"p{n}@exemple.org")
        for n in range(12)
    ]
    meeting = MeetingFactory(
        title="Le grand bain",
        summary=long_summary(),
        leads="\n".join(f"Piste numéro {n} : monter ensemble un atelier de réparation de vélos" for n in range(1, 13)),
        contacts="\n".join(f"Structure {n} — contact{n}@exemple.org — 03 21 00 00 {n:02d}" for n in range(1, 13)),
        participants=[actors["indelab"], actors["bruno"], *others],
    )
    assert len(meeting.summary) == 3100 and len(meeting.lead_lines) == 12 and len(meeting.contact_lines) == 12
    return meeting


def test_the_print_view_of_a_long_meeting_is_shortened_with_the_qr_code(client, long_meeting):
    services.meeting_publish(meeting=long_meeting)
    response = client.get(f"/rencontres/{long_meeting.slug}/imprimer/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "suite en ligne" in body
    assert "<svg" in body and "QR code : http://testserver/rencontres/le-grand-bain/" in body
    assert "Piste numéro 6 " in body and "Piste numéro 7 " not in body
    assert "et 6 autres pistes" in body and "et 6 autres contacts" in body
    assert SENTENCE.strip()[:40] in body
    assert LAST_WORDS not in body  # the end of the summary is only online


def test_the_pdf_of_a_very_long_meeting_is_one_a4_page(client, long_meeting):
    services.meeting_publish(meeting=long_meeting)
    response = client.get(f"/rencontres/{long_meeting.slug}/feuille-de-chou.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert "Le grand bain" in text and "suite en ligne" in text and "Pistes" in text
    assert len(reader.pages[0].images) == 1  # the QR code


def test_even_an_absurdly_long_meeting_is_one_page(long_meeting):
    from annuaire.feuille import render_feuille_pdf

    long_meeting.summary = "Mot " * 20000
    long_meeting.leads = "\n".join("x" * 900 for _ in range(80))
    long_meeting.title = ("Titre très long " * 20)[:200]  # the field holds 200 characters (PostgreSQL enforces it)
    long_meeting.save()
    services.meeting_publish(meeting=long_meeting)
    assert len(PdfReader(io.BytesIO(render_feuille_pdf(long_meeting))).pages) == 1


@pytest.fixture
def territory(actors, bruay, lens, ambassador_label):
    """Ambassadors of the meeting's EPCI (Béthune-Bruay) not at the meeting, one opted out,
    and one of another EPCI (Lens-Liévin)."""
    neighbour = Commune.objects.filter(epci=bruay.epci).exclude(pk=bruay.pk).first()
    return {
        "absent": ActorFactory(
            name="Ambassadeur absent", commune=neighbour, labels=[ambassador_label], public_email="absent@exemple.org"
        ),
        "opted_out": ActorFactory(
            name="Ambassadeur désinscrit",
            commune=neighbour,
            labels=[ambassador_label],
            public_email="plus-jamais@exemple.org",
        ),
        "elsewhere": ActorFactory(
            name="Ambassadeur de Lens", commune=lens, labels=[ambassador_label], public_email="lens@exemple.org"
        ),
    }


@pytest.fixture
def meeting(actors, bruay, territory):
    actors["indelab"].public_email = "contact@indelab.example"
    actors["indelab"].save()
    actors["bruno"].public_email = "bonjour@bruno.example"
    actors["bruno"].save()
    Actor.objects.filter(pk=territory["opted_out"].pk).update(feuille_opt_out=True)
    return MeetingFactory(title="Le bain chaud", commune=bruay, participants=[actors["indelab"], actors["bruno"]])


def _recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_publication_emails_participants_and_absent_ambassadors_of_the_epci(
    meeting, territory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=meeting)
    assert _recipients() == {"contact@indelab.example", "bonjour@bruno.example", "absent@exemple.org"}
    message = next(m for m in mail.outbox if m.to == ["absent@exemple.org"])
    assert message.subject.endswith("Feuille de chou : Le bain chaud")
    assert "n'avez pas pu venir" in message.body
    assert "http://testserver/rencontres/le-bain-chaud/" in message.body or "/rencontres/le-bain-chaud/" in message.body
    assert "/rencontres/desinscription/" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == "feuille-de-chou-le-bain-chaud.pdf" and mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    reasons = dict(FeuilleRecipient.objects.values_list("email", "reason"))
    assert reasons["absent@exemple.org"] == FeuilleReason.ABSENT
    assert reasons["contact@indelab.example"] == FeuilleReason.PARTICIPANT

    # publishing again (a corrected summary) writes to nobody twice
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=meeting)
    assert mail.outbox == []


def test_the_animator_sees_who_received_it_and_a_failure_is_not_silent(
    meeting, animator_client, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.annuaire.test_feuille_de_chou.FailingForBruno"
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=meeting)
    url = f"/admin/annuaire/rencontres/{meeting.pk}/destinataires/"
    response = animator_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ambassadeur absent" in body and "absent@exemple.org" in body
    assert "Ambassadeur de l&#x27;EPCI, absent·e" in body or "absent·e" in body
    assert "Envoyé" in body
    assert "bonjour@bruno.example" in body and "Échec, nouvel essai prévu" in body and "Refused" in body
    assert "1 envoi en échec" in body
    # listed among the meeting's buttons in the admin
    listing = animator_client.get("/admin/snippets/annuaire/meeting/").content.decode()
    assert url in listing
    # and in the meeting's own edit page
    edit = animator_client.get(f"/admin/snippets/annuaire/meeting/edit/{meeting.pk}/").content.decode()
    assert "Destinataires de la feuille de chou" in edit and "absent@exemple.org" in edit and url in edit

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = OutgoingEmail.objects.get(to=["bonjour@bruno.example"])
    response = animator_client.post(url, {"email": failed.pk}, follow=True)
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == EmailStatus.SENT

    # the project's safety net retries failures too
    call_command("renvoyer_emails", verbosity=0)


class FailingForBruno:
    """An e-mail backend whose server refuses one address."""

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.inner = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        for message in messages:
            if "bonjour@bruno.example" in message.to:
                raise ConnectionRefusedError("Refused by the test server")
        return self.inner.send_messages(messages)


def test_unsubscribe_once_then_the_link_answers_410(client, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=meeting)
    message = next(m for m in mail.outbox if m.to == ["absent@exemple.org"])
    link = re.search(r"https?://[^/\s]+(/rencontres/desinscription/[^\s]+/)", message.body)[1]

    page = client.get(link)
    assert page.status_code == 200 and "Me désinscrire" in page.content.decode()
    assert not Actor.objects.get(name="Ambassadeur absent").feuille_opt_out  # GET changes nothing

    done = client.post(link)
    assert done.status_code == 200 and "ne recevra plus les feuilles de chou" in done.content.decode()
    assert Actor.objects.get(name="Ambassadeur absent").feuille_opt_out

    again = client.post(link)
    assert again.status_code == 410 and "déjà servi" in again.content.decode()
    assert client.get(link).status_code == 410

    forged = client.get("/rencontres/desinscription/abc:def/")
    assert forged.status_code == 400 and "incomplet" in forged.content.decode()

    # the next meeting of the EPCI no longer writes to them
    mail.outbox.clear()
    other = MeetingFactory(
        title="Le bain froid", commune=meeting.commune, participants=list(meeting.participants.all())
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=other)
    assert "absent@exemple.org" not in _recipients() and "bonjour@bruno.example" in _recipients()
