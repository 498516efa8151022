"""Meetings: publishing links the participants, the feuille de chou, its print view, the agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from annuaire import services
from annuaire.factories import ActorFactory, MeetingFactory
from annuaire.models import Link, MeetingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(actors, bruay):
    extra = ActorFactory(name="Popeline", commune=bruay)
    return MeetingFactory(
        title="Le bain chaud",
        host=actors["indelab"],
        participants=[actors["indelab"], actors["bruno"], actors["coron"], extra],
    )


def test_publishing_links_participants_pairwise_once(meeting):
    links = services.meeting_publish(meeting=meeting)
    assert len(links) == 6
    assert set(Link.objects.values_list("kind", flat=True)) == {"rencontre"}
    assert all(link.meeting_id == meeting.pk for link in Link.objects.all())
    # publishing again (a corrected summary) adds nothing
    assert services.meeting_publish(meeting=meeting) == []
    assert Link.objects.count() == 6
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED


def test_publishing_records_the_date_for_the_watch_list(meeting, actors):
    old = timezone.now() - timedelta(days=400)
    type(actors["coron"]).objects.filter(pk=actors["coron"].pk).update(last_contact_at=old)
    services.meeting_publish(meeting=meeting)
    actors["coron"].refresh_from_db()
    assert abs(actors["coron"].last_contact_at - meeting.starts_at) < timedelta(seconds=1)


def test_a_meeting_without_summary_cannot_be_published(meeting):
    meeting.summary = ""
    meeting.save()
    with pytest.raises(ValidationError):
        services.meeting_publish(meeting=meeting)
    assert not Link.objects.exists()


def test_feuille_de_chou_page_and_print_view(client, meeting):
    assert client.get(meeting.get_absolute_url()).status_code == 404  # draft
    services.meeting_publish(meeting=meeting)
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "Le bain chaud" in body and "Mutualiser un local" in body and "4 participants" in body
    printed = client.get(f"{meeting.get_absolute_url()}imprimer/").content.decode()
    assert "<svg" in printed and "QR code : http://testserver/rencontres/le-bain-chaud/" in printed
    assert "feuille-de-chou.css" in printed


def test_agenda_and_ical_feed(client, meeting, bruay):
    services.meeting_publish(meeting=meeting)
    MeetingFactory(
        title="Atelier de réponse à l'appel à projets",
        kind="atelier-de-reponse",
        starts_at=timezone.now() + timedelta(days=12),
        status=MeetingStatus.ANNOUNCED,
    )
    MeetingFactory(title="Brouillon secret", starts_at=timezone.now() + timedelta(days=5))
    body = client.get("/rencontres/").content.decode()
    assert "Atelier de réponse à l&#x27;appel à projets" in body and "Le bain chaud" in body
    assert "Brouillon secret" not in body
    response = client.get("/rencontres/agenda.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))
    assert summaries == [
        "Atelier de réponse : Atelier de réponse à l'appel à projets",
        "Paroles de comptoir : Le bain chaud",
    ]


def test_participants_pages_show_the_meeting(client, meeting, actors):
    services.meeting_publish(meeting=meeting)
    body = client.get(actors["coron"].get_absolute_url()).content.decode()
    assert "Le bain chaud" in body and "rencontre :" in body


# --- Nothing unpublished in public (issue #10, item 6) -----------------------------------


def test_the_print_view_of_an_announced_meeting_shows_nothing_of_its_feuille(client, meeting):
    meeting.status = MeetingStatus.ANNOUNCED
    meeting.save()
    assert client.get(meeting.get_absolute_url()).status_code == 200  # in the agenda
    printed = client.get(f"{meeting.get_absolute_url()}imprimer/")
    assert printed.status_code == 404
    assert "contact@bookkafe.example" not in printed.content.decode()
    assert "mutualiser un local" not in printed.content.decode()


def test_animators_preview_the_feuille_before_it_is_published(animator_client, meeting):
    printed = animator_client.get(f"{meeting.get_absolute_url()}imprimer/").content.decode()
    assert "Aperçu réservé aux animateurs" in printed and "mutualiser un local" in printed


@pytest.fixture
def suspended_actor(bruay):
    """An association of the platform, suspended, whose actor someone left ticked "visible"."""
    from annuaire.models import Actor
    from associations.factories import AssociationFactory
    from associations.models import AssociationStatus

    association = AssociationFactory(
        name="Les Suspendus", slug="les-suspendus", status=AssociationStatus.SUSPENDED, email="bureau@suspendus.example"
    )
    actor = Actor.objects.get(association=association)
    Actor.objects.filter(pk=actor.pk).update(is_public=True, public_email="bureau@suspendus.example")
    actor.refresh_from_db()
    return actor


def test_hidden_and_suspended_actors_are_never_named_on_meeting_pages(client, meeting, actors, suspended_actor):
    meeting.participants.add(actors["cache"], suspended_actor)
    meeting.host = suspended_actor
    meeting.contacts = "BookKafé — contact@bookkafe.example\nBureau : BUREAU@suspendus.example\nActeur caché, le mardi"
    meeting.save()
    services.meeting_publish(meeting=meeting)
    pages = {
        "detail": client.get(meeting.get_absolute_url()),
        "print": client.get(f"{meeting.get_absolute_url()}imprimer/"),
        "agenda": client.get("/rencontres/"),
        "actor": client.get(actors["coron"].get_absolute_url()),
        "network": client.get("/reseau/?kinds=rencontre"),
        "network json": client.get("/reseau/graphe.json"),
        "ego json": client.get(f"/reseau/graphe.json?acteur={actors['coron'].slug}"),
    }
    for name, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert "Acteur caché" not in body and "Les Suspendus" not in body, name
        assert "suspendus.example" not in body.lower(), name
        assert "/annuaire/les-suspendus/" not in body, name
    assert "contact@bookkafe.example" in pages["detail"].content.decode()
    assert "4 participants" in pages["detail"].content.decode()
    assert client.get(suspended_actor.get_absolute_url()).status_code == 404
    assert "Les Suspendus" not in client.get("/annuaire/acteurs.geojson").content.decode()


def test_a_link_does_not_name_a_meeting_taken_back_to_draft(client, meeting, actors):
    services.meeting_publish(meeting=meeting)
    services.meeting_unpublish(meeting=meeting)
    body = client.get(actors["coron"].get_absolute_url()).content.decode()
    assert "Indelab" in body  # the link stays
    assert "Le bain chaud" not in body
    assert "Le bain chaud" not in client.get("/reseau/?kinds=rencontre").content.decode()
