"""The communes and EPCI of the Pas-de-Calais come from the official open data."""

import pytest

from associations.models import Commune, Epci
from associations.territories import build_extract, read_extract


@pytest.mark.django_db
def test_all_communes_and_epci_of_the_departement_are_loaded():
    assert Epci.objects.count() == 20
    assert Commune.objects.count() == 895  # 887 current + delegated/associated with their own code
    assert Commune.objects.filter(kind="commune-actuelle").count() == 887
    assert not Commune.objects.filter(epci=None).exists()
    bruay = Commune.objects.get(code="62178")
    assert bruay.name == "Bruay-la-Buissière"
    assert bruay.postal_codes == ["62700"]
    assert bruay.epci.name == "CA de Béthune-Bruay, Artois-Lys Romane"


def test_extract_keeps_one_departement_and_maps_delegated_communes_to_their_chef_lieu():
    communes = [
        {"code": "62001", "nom": "A", "type": "commune-actuelle", "departement": "62", "codesPostaux": ["62153"]},
        {"code": "62002", "nom": "B", "type": "commune-deleguee", "departement": "62", "chefLieu": "62001"},
        {"code": "62001", "nom": "A déléguée", "type": "commune-deleguee", "departement": "62", "chefLieu": "62001"},
        {"code": "59350", "nom": "Lille", "type": "commune-actuelle", "departement": "59"},
    ]
    epcis = [{"code": "200000001", "nom": "CC Test", "type": "CC", "membres": [{"code": "62001"}, {"code": "59350"}]}]
    extract = build_extract(communes, epcis)
    assert [c["code"] for c in extract["communes"]] == ["62001", "62002"]
    assert extract["communes"][0]["nom"] == "A"
    assert {c["epci"] for c in extract["communes"]} == {"200000001"}
    assert extract["epci"] == [{"code": "200000001", "nom": "CC Test", "type": "CC"}]


def test_the_committed_file_states_its_source_and_licence():
    data = read_extract()
    assert "Licence Ouverte" in data["licence"]
    assert "@etalab/decoupage-administratif" in data["source"]
