"""The public directory: search, filters, list and map sharing one URL, the GeoJSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from annuaire.factories import ActorFactory
from associations.models import Epci

pytestmark = pytest.mark.django_db


def test_directory_lists_public_actors_with_their_count(client, actors):
    response = client.get("/annuaire/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 acteurs" in body
    assert "Indelab" in body and "Le Coron des arts" in body
    assert "Acteur caché" not in body


def test_full_text_search_and_filters_combine(client, actors, bruay, topics):
    epci = bruay.epci
    response = client.get("/annuaire/", {"q": "affiches", "epci": epci.pk, "aide": "graphisme"})
    body = response.content.decode()
    assert "1 acteur" in body and "Brunö Atelier graphique" in body
    assert "Indelab" not in body
    by_label = client.get("/annuaire/", {"label": "ambassadeur-ess", "kind": "reseau"}).content.decode()
    assert "Le Coron des arts" in by_label and "Indelab" not in by_label
    by_commune = client.get("/annuaire/", {"commune": "62498"}).content.decode()
    assert "Le Coron des arts" in by_commune and "Brunö" not in by_commune


def test_map_view_keeps_the_filters_in_a_shareable_url(client, actors):
    response = client.get("/annuaire/", {"vue": "carte", "label": "ambassadeur-ess"})
    body = response.content.decode()
    assert 'data-geojson="/annuaire/acteurs.geojson?label=ambassadeur-ess"' in body
    assert "leaflet.markercluster.js" in body
    assert "https://" not in body.split("<body")[0].replace("https://www.openstreetmap.org", "")
    # the list view link carries the same filters
    assert "?label=ambassadeur-ess&amp;vue=liste" in body


def test_unknown_filter_is_a_french_400(client, actors):
    response = client.get("/annuaire/", {"commune": "99999"})
    assert response.status_code == 400
    assert "Cette commune n&#x27;est pas dans le Pas-de-Calais." in response.content.decode()
    geo = client.get("/annuaire/acteurs.geojson", {"epci": "nope"})
    assert geo.status_code == 400
    assert geo.json() == {"errors": {"epci": ["Cette intercommunalité n'existe pas."]}}


def test_geojson_has_the_same_filters_as_the_list(client, actors):
    data = json.loads(client.get("/annuaire/acteurs.geojson").content)
    names = {feature["properties"]["name"] for feature in data["features"]}
    assert names == {"Indelab", "Brunö Atelier graphique", "Le Coron des arts"}
    lng, lat = data["features"][0]["geometry"]["coordinates"]
    assert 41 < lat < 52 and -6 < lng < 10
    filtered = json.loads(client.get("/annuaire/acteurs.geojson", {"label": "ambassadeur-ess"}).content)
    assert {f["properties"]["name"] for f in filtered["features"]} == {"Indelab", "Le Coron des arts"}


def test_geojson_is_cached_and_invalidated_by_a_change(client, actors, bruay, django_capture_on_commit_callbacks):
    client.get("/annuaire/acteurs.geojson")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cached:
        client.get("/annuaire/acteurs.geojson")
    assert not [q for q in cached.captured_queries if "annuaire_actor" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        ActorFactory(name="Popeline nouvelle", commune=bruay)
    names = {f["properties"]["name"] for f in json.loads(client.get("/annuaire/acteurs.geojson").content)["features"]}
    assert "Popeline nouvelle" in names


def test_directory_query_count_does_not_grow(client, actors, bruay, django_assert_max_num_queries, topics):
    with django_assert_max_num_queries(12) as few:
        client.get("/annuaire/", {"q": "a"})
    small = len(few.captured_queries)
    for n in range(15):
        ActorFactory(name=f"Structure {n}", commune=bruay, can_help=[topics["graphisme"]])
    with django_assert_max_num_queries(small):
        response = client.get("/annuaire/", {"q": "a"})
    assert response.status_code == 200


def test_actor_page_shows_links_meetings_and_contacts(client, actors):
    from annuaire import services

    services.link_create(source=actors["indelab"], target=actors["bruno"], kind="mutualisation")
    response = client.get(actors["indelab"].get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mutualisation" in body and "Brunö Atelier graphique" in body
    assert "Ambassadeur ESS" in body and "Numérique" in body
    assert "/reseau/graphe.json?acteur=indelab" in body
    assert Client().get(actors["cache"].get_absolute_url()).status_code == 404


def test_epci_filter_offers_the_twenty_epci(client, actors):
    body = client.get("/annuaire/").content.decode()
    for epci in Epci.objects.all():
        assert f'<option value="{epci.pk}">' in body


def test_json_endpoints_are_gzipped_for_browsers(client, actors):
    import gzip

    for url in ("/annuaire/acteurs.geojson", "/reseau/graphe.json", "/reseau/graphe.json?acteur=indelab"):
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
        assert json.loads(gzip.decompress(packed.content)) == json.loads(plain.content)
