"""Typed links between actors and the network JSON (whole graph, "ton réseau")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from annuaire import services
from annuaire.factories import ActorFactory
from annuaire.models import Link

pytestmark = pytest.mark.django_db


def test_one_link_per_pair_and_type_whatever_the_direction(actors):
    indelab, bruno = actors["indelab"], actors["bruno"]
    services.link_create(source=bruno, target=indelab, kind="partenariat", description="Affiches du festival")
    with pytest.raises(ValidationError) as error:
        services.link_create(source=indelab, target=bruno, kind="partenariat")
    assert "sont déjà reliés par un lien « Partenariat de projet »" in error.value.messages[0]
    # another type between the same pair is another link
    services.link_create(source=indelab, target=bruno, kind="mutualisation")
    assert Link.objects.count() == 2


def test_a_link_to_itself_is_refused_and_nothing_is_saved(actors):
    with pytest.raises(ValidationError) as error:
        services.link_create(source=actors["indelab"], target=actors["indelab"], kind="collectif")
    assert error.value.message_dict == {"target": ["Un acteur ne peut pas être relié à lui-même."]}
    assert not Link.objects.exists()


def test_marrainage_is_directed(actors, client):
    services.link_create(source=actors["coron"], target=actors["bruno"], kind="marrainage")
    link = Link.objects.get()
    assert (link.source, link.target) == (actors["coron"], actors["bruno"])
    assert "Filleule de" in client.get(actors["bruno"].get_absolute_url()).content.decode()
    assert "Marraine de" in client.get(actors["coron"].get_absolute_url()).content.decode()


def test_network_json_has_nodes_sized_by_links_and_typed_edges(client, actors):
    services.link_create(source=actors["indelab"], target=actors["bruno"], kind="mutualisation")
    services.link_create(source=actors["indelab"], target=actors["coron"], kind="marrainage")
    services.link_create(source=actors["indelab"], target=actors["cache"], kind="collectif")  # hidden actor
    data = client.get("/reseau/graphe.json").json()
    nodes = {node["label"]: node for node in data["nodes"]}
    assert set(nodes) == {"Indelab", "Brunö Atelier graphique", "Le Coron des arts"}
    assert nodes["Indelab"]["degree"] == 2 and nodes["Brunö Atelier graphique"]["degree"] == 1
    assert {edge["kind"] for edge in data["edges"]} == {"mutualisation", "marrainage"}
    only = client.get("/reseau/graphe.json", {"kinds": "marrainage"}).json()
    assert [edge["kind"] for edge in only["edges"]] == ["marrainage"]


def test_territory_filter_keeps_links_inside_the_territory(client, actors, bruay):
    services.link_create(source=actors["indelab"], target=actors["bruno"], kind="mutualisation")
    services.link_create(source=actors["indelab"], target=actors["coron"], kind="partenariat")
    data = client.get("/reseau/graphe.json", {"epci": bruay.epci_id}).json()
    assert {node["label"] for node in data["nodes"]} == {"Indelab", "Brunö Atelier graphique"}
    assert len(data["edges"]) == 1


def test_ton_reseau_goes_two_steps_and_no_further(client, actors, bruay):
    far = ActorFactory(name="Trois pas plus loin", commune=bruay)
    farther = ActorFactory(name="Quatre pas", commune=bruay)
    services.link_create(source=actors["bruno"], target=actors["indelab"], kind="mutualisation")
    services.link_create(source=actors["indelab"], target=actors["coron"], kind="collectif")
    services.link_create(source=actors["coron"], target=far, kind="partenariat")
    services.link_create(source=far, target=farther, kind="partenariat")
    data = client.get("/reseau/graphe.json", {"acteur": actors["bruno"].slug}).json()
    distances = {node["label"]: node["distance"] for node in data["nodes"]}
    assert distances == {"Brunö Atelier graphique": 0, "Indelab": 1, "Le Coron des arts": 2}


def test_network_json_query_count_does_not_grow(client, actors, bruay, django_assert_max_num_queries):
    services.link_create(source=actors["indelab"], target=actors["bruno"], kind="mutualisation")
    from django.core.cache import cache

    with django_assert_max_num_queries(10) as small:
        client.get("/reseau/graphe.json")
        client.get("/reseau/graphe.json", {"acteur": "indelab"})
    count = len(small.captured_queries)
    extra = [ActorFactory(name=f"Voisin {n}", commune=bruay) for n in range(12)]
    for neighbour in extra:
        services.link_create(source=actors["indelab"], target=neighbour, kind="collectif")
    cache.clear()
    with django_assert_max_num_queries(count):
        client.get("/reseau/graphe.json")
        client.get("/reseau/graphe.json", {"acteur": "indelab"})


def test_network_page_lists_the_links_for_screen_readers(client, actors):
    services.link_create(source=actors["indelab"], target=actors["bruno"], kind="mutualisation")
    response = client.get("/reseau/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 lien" in body and "<table" in body and "Mutualisation" in body
    assert "cytoscape.min.js" in body
    assert client.get("/reseau/", {"acteur": "inconnu"}).status_code == 400
