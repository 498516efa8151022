"""The animators' admin: menus, meetings published from the admin, the watch network."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annuaire.factories import ActorFactory, MeetingFactory
from annuaire.models import Actor, Link, Meeting

pytestmark = pytest.mark.django_db

ADMIN_LISTINGS = [
    "/admin/snippets/annuaire/actor/",
    "/admin/snippets/annuaire/link/",
    "/admin/snippets/annuaire/meeting/",
    "/admin/snippets/annuaire/label/",
    "/admin/snippets/annuaire/proposal/",
    "/admin/annuaire/veille/",
]


def test_animators_see_the_directory_menu_and_editors_do_not(animator_client, client_a):
    dashboard = animator_client.get("/admin/").content.decode()
    assert "Annuaire" in dashboard and "/admin/annuaire/veille/" in dashboard
    for url in ADMIN_LISTINGS:
        assert animator_client.get(url).status_code == 200, url
    editor_dashboard = client_a.get("/admin/").content.decode()
    assert "/admin/annuaire/veille/" not in editor_dashboard and "/admin/snippets/annuaire/" not in editor_dashboard
    for url in ADMIN_LISTINGS:
        assert client_a.get(url).status_code in (403, 404), url


def test_animators_are_not_platform_staff(animator_client, association_a):
    assert animator_client.get("/admin/users/").status_code in (403, 404)
    assert animator_client.get(f"/admin/pages/{association_a.home_page_id}/edit/").status_code in (302, 403, 404)


def _meeting_form(meeting, participants, **overrides):
    data = {
        "kind": "paroles-de-comptoir",
        "title": meeting.title,
        "slug": meeting.slug,
        "theme": meeting.theme,
        "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
        "ends_at": "",
        "place": meeting.place,
        "commune": meeting.commune_id,
        "host": "",
        "expert": "Une juriste de l'URSCOP",
        "participants": [actor.pk for actor in participants],
        "summary": meeting.summary,
        "leads": meeting.leads,
        "contacts": meeting.contacts,
        "status": "publiee",
    }
    data.update(overrides)
    return data


def test_publishing_a_meeting_in_the_admin_links_its_participants(animator_client, actors, bruay):
    fourth = ActorFactory(name="Vous êtes ici", commune=bruay)
    participants = [actors["indelab"], actors["bruno"], actors["coron"], fourth]
    meeting = MeetingFactory(title="Paroles de comptoir à Lens")
    url = f"/admin/snippets/annuaire/meeting/edit/{meeting.pk}/"
    response = animator_client.post(url, _meeting_form(meeting, participants))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Link.objects.filter(meeting=meeting, kind="rencontre").count() == 6
    # the same save again: still 6
    animator_client.post(url, _meeting_form(meeting, participants))
    assert Link.objects.filter(meeting=meeting).count() == 6


def test_publishing_without_summary_is_a_400_with_nothing_linked(animator_client, actors):
    meeting = MeetingFactory(title="Sans résumé")
    url = f"/admin/snippets/annuaire/meeting/edit/{meeting.pk}/"
    response = animator_client.post(url, _meeting_form(meeting, list(actors.values())[:3], summary=""))
    assert response.status_code == 400
    assert "La feuille de chou doit avoir un résumé" in response.content.decode()
    assert not Link.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).status == "brouillon"


def test_admin_link_creation_refuses_duplicates(animator_client, actors):
    data = {
        "source": actors["indelab"].pk,
        "target": actors["bruno"].pk,
        "kind": "collectif",
        "started_on": "",
        "description": "Le collectif BookKafé",
        "meeting": "",
    }
    assert animator_client.post("/admin/snippets/annuaire/link/add/", data).status_code == 302
    response = animator_client.post(
        "/admin/snippets/annuaire/link/add/", {**data, "source": actors["bruno"].pk, "target": actors["indelab"].pk}
    )
    assert response.status_code == 400
    assert "déjà reliés" in response.content.decode()
    assert Link.objects.count() == 1


def test_watch_list_shows_silent_ambassadors_and_records_news(animator_client, actors):
    silent = actors["coron"]
    Actor.objects.filter(pk=silent.pk).update(last_contact_at=timezone.now() - timedelta(days=300))
    body = animator_client.get("/admin/annuaire/veille/").content.decode()
    assert "Le Coron des arts" in body and "Indelab" not in body  # Indelab was just created
    assert "1 ambassadeur sans nouvelles depuis plus de 6 mois" in body
    response = animator_client.post("/admin/annuaire/veille/?mois=6", {"actor": silent.pk})
    assert response.status_code == 302
    silent.refresh_from_db()
    assert timezone.now() - silent.last_contact_at < timedelta(minutes=1)
    after = animator_client.get("/admin/annuaire/veille/").content.decode()
    assert "Nouvelles prises de Le Coron des arts : c&#x27;est noté." in after
    assert "Tout le monde a donné des nouvelles récemment." in after
    # N is configurable: with 12 months, an actor silent for 10 months is not listed
    Actor.objects.filter(pk=silent.pk).update(last_contact_at=timezone.now() - timedelta(days=300))
    assert (
        "Tout le monde a donné des nouvelles récemment."
        in animator_client.get("/admin/annuaire/veille/?mois=12").content.decode()
    )


def _actor_form(**overrides):
    data = {
        "name": "Espace 36 bis",
        "kind": "association",
        "description": "Centre d'art",
        "is_public": "on",
        "street_address": "36 rue de Dunkerque",
        "commune": "62765",
        "location": "SRID=4326;POINT(2.2522 50.75)",
        "public_email": "contact@espace36.example",
        "public_phone": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_animator_adds_an_actor_on_the_map_widget(animator_client, client):
    body = animator_client.get("/admin/snippets/annuaire/actor/add/").content.decode()
    assert "site_kollektif/vendor/leaflet/leaflet.js" in body and "unpkg.com" not in body
    response = animator_client.post("/admin/snippets/annuaire/actor/add/", _actor_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    actor = Actor.objects.get(name="Espace 36 bis")
    assert (str(actor.latitude), str(actor.longitude)) == ("50.750000", "2.252200")
    assert "Espace 36 bis" in client.get("/annuaire/", {"commune": "62765"}).content.decode()


def test_an_actor_placed_outside_france_is_refused(animator_client):
    response = animator_client.post(
        "/admin/snippets/annuaire/actor/add/", _actor_form(location="SRID=4326;POINT(-74.0 40.7)")
    )
    assert response.status_code == 400
    assert "Ce point est hors de France" in response.content.decode()
    assert not Actor.objects.filter(name="Espace 36 bis").exists()
