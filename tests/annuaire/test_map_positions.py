"""Every public actor is on the map: exact coordinates when known, else its commune's centre."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annuaire.factories import ActorFactory
from annuaire.models import Actor
from associations.geodata import OUTLINES_FILE, commune_centres
from associations.models import Commune

pytestmark = pytest.mark.django_db


def _features(client, **params):
    response = client.get("/annuaire/acteurs.geojson", params)
    assert response.status_code == 200
    return {f["properties"]["name"]: f for f in json.loads(response.content)["features"]}


def test_every_commune_of_the_department_has_an_official_centre():
    centres = commune_centres()
    codes = set(Commune.objects.values_list("code", flat=True))
    assert codes and codes <= set(centres)
    for lat, lng in centres.values():
        assert 50.0 < lat < 51.1 and 1.5 < lng < 3.2  # inside the Pas-de-Calais' bounding box


def test_association_without_coordinates_is_at_its_commune_centre_marked_approximate(client, association_a, lens):
    actor = Actor.objects.get(association=association_a)
    Actor.objects.filter(pk=actor.pk).update(latitude=None, longitude=None, commune=lens)
    cache.clear()
    feature = _features(client)["Popeline"]
    lat, lng = commune_centres()["62498"]
    assert feature["geometry"]["coordinates"] == [lng, lat]
    assert feature["properties"]["approximate"] is True
    assert feature["properties"]["category"] == "association"
    assert feature["properties"]["commune"] == "Lens"
    assert feature["properties"]["url"] == "/annuaire/popeline/"


def test_exact_coordinates_are_kept_and_not_approximate(client, actors):
    feature = _features(client)["Indelab"]
    actor = actors["indelab"]
    assert feature["geometry"]["coordinates"] == [float(actor.longitude), float(actor.latitude)]
    assert feature["properties"]["approximate"] is False
    # The popup's content: kind of actor, "peut aider sur", link.
    assert feature["properties"]["category"] == "ambassadeur"
    assert feature["properties"]["category_label"] == "Ambassadeur de l'ESS"
    assert feature["properties"]["can_help"] == ["Numérique"]
    assert "sectors" in feature["properties"] and "logo" in feature["properties"]


def test_every_public_actor_is_on_the_map(client, actors, bruay, lens):
    cache.clear()
    for n in range(6):
        ActorFactory(name=f"Sans position {n}", commune=lens if n % 2 else bruay, latitude=None, longitude=None)
    features = _features(client)
    public = set(Actor.objects.public().values_list("name", flat=True))
    assert set(features) == public
    assert "Acteur caché" not in features
    assert sum(f["properties"]["approximate"] for f in features.values()) == 6
    # The map says so on the list page too: same count, same filters.
    filtered = _features(client, commune="62498")
    assert set(filtered) == set(Actor.objects.public().filter(commune=lens).values_list("name", flat=True))


def test_geojson_query_count_does_not_grow_with_the_actors(client, actors, bruay, topics):
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get("/annuaire/acteurs.geojson")
    for n in range(30):
        ActorFactory(
            name=f"Structure {n}",
            commune=bruay,
            latitude=None if n % 2 else Decimal("50.5"),
            longitude=None if n % 2 else Decimal("2.6"),
            can_help=[topics["graphisme"]],
        )
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        features = _features(client)
    assert len(features) == 33
    assert len(large.captured_queries) <= len(small.captured_queries)


def test_outlines_of_the_department_and_its_twenty_epci_are_served_locally_and_small(client):
    data = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("departement") == 1 and kinds.count("epci") == 20
    assert OUTLINES_FILE.stat().st_size < 300_000
    body = client.get("/annuaire/", {"vue": "carte"}).content.decode()
    assert "territoires-62.geojson" in body
    assert "Légende de la carte" in body and "Ambassadeur de l&#x27;ESS" in body
    assert "position approximative (centre de la commune)" in body


def test_the_proposal_form_asks_for_an_address_not_a_latitude(client):
    body = client.get("/annuaire/proposer/").content.decode()
    assert 'name="street_address"' in body
    assert 'name="latitude"' not in body and 'name="longitude"' not in body
    assert "centre de la commune" in body


def test_geocoder_is_off_by_default_and_a_failure_leaves_the_commune_centre(settings, monkeypatch):
    from associations import geocoding

    assert geocoding.locate("12 rue de la Paix", "62498") is None  # no geocoder configured: no network
    settings.KOLLEKTIF_GEOCODER_URL = "https://api-adresse.example/search/"

    def unreachable(*args, **kwargs):
        raise OSError("réseau indisponible")

    monkeypatch.setattr(geocoding.urllib.request, "urlopen", unreachable)
    assert geocoding.locate("12 rue de la Paix", "62498") is None


def test_geocoder_answer_is_kept_only_when_confident(settings, monkeypatch):
    import io

    from associations import geocoding

    settings.KOLLEKTIF_GEOCODER_URL = "https://api-adresse.example/search/"
    answers = []

    def fake(url, timeout):
        assert "citycode=62498" in url and timeout <= 5
        return io.BytesIO(json.dumps(answers.pop(0)).encode())

    monkeypatch.setattr(geocoding.urllib.request, "urlopen", fake)

    def feature(score, kind):
        return {
            "features": [
                {
                    "geometry": {"coordinates": [2.831, 50.432]},
                    "properties": {"score": score, "type": kind, "citycode": "62498"},
                }
            ]
        }

    answers += [feature(0.9, "housenumber"), feature(0.2, "housenumber"), feature(0.9, "municipality")]
    assert geocoding.locate("12 rue de la Paix", "62498") == (Decimal("50.432"), Decimal("2.831"))
    assert geocoding.locate("n'importe quoi", "62498") is None
    assert geocoding.locate("Lens", "62498") is None
