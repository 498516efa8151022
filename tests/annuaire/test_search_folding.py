"""Search as people type on a phone: no accents, no capitals, a small typo (issue #14, item 1).

Runs on SQLite and on PostgreSQL alike: the search reads the folded ``search_text`` column."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annuaire.factories import ActorFactory
from annuaire.models import Actor
from annuaire.views import directory as directory_views
from associations.models import Association, Commune

BETHUNE_NAMES = [
    "Épicerie solidaire du Mont",
    "Café des possibles",
    "Théâtre du Faubourg",
    "Atelier vélo partagé",
    "Ressourcerie du Béthunois",
    "Jardin de la Gare",
]


@pytest.fixture
def bethune_actors(db):
    bethune = Commune.objects.get(code="62119")
    actors = [ActorFactory(name=name, commune=bethune, description="") for name in BETHUNE_NAMES]
    ActorFactory(name="Compagnie du Rivage", commune=Commune.objects.get(code="62510"), description="")
    ActorFactory(name="Épicerie cachée", commune=bethune, is_public=False, description="")
    return actors


def _directory(client: Client, q: str) -> str:
    response = client.get("/annuaire/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("q", ["Béthune", "bethune", "BETHUNE", "béthune", "bethnue"])
def test_directory_finds_the_six_actors_of_bethune_however_it_is_typed(bethune_actors, q):
    body = _directory(Client(), q)
    assert "6 acteurs" in body
    for name in BETHUNE_NAMES:
        assert name in body
    assert "Épicerie cachée" not in body


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("epicerie", "Épicerie solidaire du Mont"),
        ("EPICERIE", "Épicerie solidaire du Mont"),
        ("epicrie", "Épicerie solidaire du Mont"),
        ("cafe", "Café des possibles"),
        ("theatre", "Théâtre du Faubourg"),
        ("lievin", "Compagnie du Rivage"),
        ("velo bethune", "Atelier vélo partagé"),
    ],
)
def test_directory_ignores_case_accents_and_a_typo(bethune_actors, q, expected):
    body = _directory(Client(), q)
    assert expected in body
    assert "Aucun acteur ne correspond" not in body


def test_a_word_found_nowhere_finds_nothing(bethune_actors):
    assert "Aucun acteur ne correspond à votre recherche." in _directory(Client(), "xylophone")


def test_association_index_finds_bookkafe_without_its_accent(association_a, association_b):
    assert association_b.name == "BookKafé"
    assert "bookkafe" in Association.objects.get(pk=association_b.pk).search_text
    for q in ("bookkafe", "BOOKKAFE", "bookkafé", "bokkafe"):
        response = Client().get("/association/", {"q": q})
        assert response.status_code == 200
        body = response.content.decode()
        assert "BookKafé" in body, q
        assert "Popeline" not in body


def test_search_text_follows_renames_sectors_and_savoir_faire(bethune_actors, topics):
    actor = bethune_actors[0]
    actor.can_help.add(topics["numerique"])
    actor.refresh_from_db()
    assert "numerique" in actor.search_text
    actor.name = "Épicerie Œcuménique"
    actor.save(update_fields=["name"])
    assert "oecumenique" in Actor.objects.get(pk=actor.pk).search_text


def test_admin_listing_of_actors_searches_folded(bethune_actors, animator_client):
    for q in ("bethune", "epicerie", "bethnue"):
        response = animator_client.get("/admin/snippets/annuaire/actor/", {"q": q})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Épicerie solidaire du Mont" in body, q
    body = animator_client.get("/admin/snippets/annuaire/actor/", {"q": "theatre"}).content.decode()
    assert "Théâtre du Faubourg" in body and "Café des possibles" not in body


def test_admin_chooser_of_actors_searches_folded(bethune_actors, animator_client):
    url = reverse("wagtailsnippetchoosers_annuaire_actor:choose_results")
    response = animator_client.get(url, {"q": "cafe"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Café des possibles" in body and "Théâtre du Faubourg" not in body


def test_admin_listing_and_chooser_of_associations_search_folded(association_a, association_b, staff_client):
    response = staff_client.get("/admin/snippets/associations/association/", {"q": "bookkafe"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "BookKafé" in body and "Popeline" not in body
    url = reverse("wagtailsnippetchoosers_associations_association:choose_results")
    body = staff_client.get(url, {"q": "BOOKKAFE"}).content.decode()
    assert "BookKafé" in body and "Popeline" not in body


def test_suggestions_of_actors_are_public_folded_and_typo_tolerant(bethune_actors):
    client = Client()
    response = client.get("/annuaire/suggestions/acteurs.json", {"q": "epicerie"})
    assert response.status_code == 200
    labels = [row["label"] for row in response.json()["results"]]
    assert labels == ["Épicerie solidaire du Mont"]  # never the hidden "Épicerie cachée"
    results = client.get("/annuaire/suggestions/acteurs.json", {"q": "bethnue"}).json()["results"]
    assert len(results) == 6
    assert {"value", "label", "detail"} <= set(results[0])


def test_suggestions_of_communes_by_name_postal_code_and_typo(db):
    client = Client()
    first = client.get("/annuaire/suggestions/communes.json", {"q": "lievin"}).json()["results"][0]
    assert first == {"value": "62510", "label": "Liévin", "detail": "62800"}
    assert client.get("/annuaire/suggestions/communes.json", {"q": "62800"}).json()["results"][0]["label"] == "Liévin"
    assert client.get("/annuaire/suggestions/communes.json", {"q": "bethnue"}).json()["results"][0]["label"] == (
        "Béthune"
    )
    assert client.get("/annuaire/suggestions/communes.json", {"q": ""}).json() == {"results": []}


def test_suggestions_refuse_bad_input_in_french(db, monkeypatch):
    client = Client()
    assert client.get("/annuaire/suggestions/inconnu.json", {"q": "a"}).status_code == 404
    too_long = client.get("/annuaire/suggestions/communes.json", {"q": "a" * 101})
    assert too_long.status_code == 400
    assert "100 caractères" in too_long.json()["errors"]["q"][0]
    monkeypatch.setattr(directory_views, "SUGGESTIONS_RATE", "2/m")
    statuses = [client.get("/annuaire/suggestions/communes.json", {"q": "lens"}).status_code for _ in range(3)]
    assert statuses[-1] == 429


def test_directory_search_query_count_does_not_grow(bethune_actors):
    client = Client()
    client.get("/annuaire/", {"q": "bethune"})
    with CaptureQueriesContext(connection) as few:
        client.get("/annuaire/", {"q": "bethune"})
    bethune = Commune.objects.get(code="62119")
    for number in range(12):
        ActorFactory(name=f"Structure {number} de Béthune", commune=bethune)
    client.get("/annuaire/", {"q": "bethune"})
    with CaptureQueriesContext(connection) as many:
        client.get("/annuaire/", {"q": "bethune"})
    assert len(many) == len(few)
