"""Type-ahead pickers on a phone, by keyboard: "lievin", ArrowDown, Enter chooses Liévin (issue #14)."""

from __future__ import annotations

import pytest

from annuaire.factories import ActorFactory
from associations.models import Commune
from tests.annuaire.conftest import load_directory_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_directory(reference_data):
    load_directory_reference_data()
    lievin, bethune = Commune.objects.get(code="62510"), Commune.objects.get(code="62119")
    ActorFactory(name="Compagnie du Rivage", commune=lievin)
    ActorFactory(name="Épicerie solidaire du Mont", commune=bethune)
    ActorFactory(name="Théâtre du Faubourg", commune=bethune)


def test_commune_typeahead_by_keyboard_on_a_phone(phone_page, small_directory):
    page = phone_page
    page.goto("/annuaire/")
    combobox = page.get_by_role("combobox", name="Commune")
    combobox.click()
    combobox.press_sequentially("lievin", delay=30)
    listbox = page.locator("#id_commune-liste")
    listbox.get_by_role("option").first.wait_for()
    assert listbox.get_by_role("option").first.inner_text().startswith("Liévin")
    assert combobox.get_attribute("aria-expanded") == "true"
    combobox.press("ArrowDown")
    assert combobox.get_attribute("aria-activedescendant") == "id_commune-option-0"
    combobox.press("Enter")
    assert combobox.input_value() == "Liévin"
    assert page.locator("select[name=commune]").input_value() == "62510"
    assert combobox.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**commune=62510**")
    assert page.locator("#resultats").inner_text() == "1 acteur"
    assert "Compagnie du Rivage" in page.locator(".cards").inner_text()
    # the choice stays shown after the page reloads
    assert page.get_by_role("combobox", name="Commune").input_value() == "Liévin"


def test_network_actor_picker_finds_without_accents_and_escape_closes(phone_page, small_directory):
    page = phone_page
    page.goto("/reseau/")
    combobox = page.get_by_role("combobox", name="Ton réseau : choisis un acteur")
    combobox.click()
    combobox.press_sequentially("theatre", delay=30)
    option = page.get_by_role("option", name="Théâtre du Faubourg")
    option.wait_for()
    combobox.press("Escape")
    assert combobox.get_attribute("aria-expanded") == "false"
    combobox.press("ArrowDown")
    page.get_by_role("option").first.wait_for()
    combobox.press("ArrowDown")
    combobox.press("Enter")
    assert combobox.input_value() == "Théâtre du Faubourg"
    assert page.locator("select[name=acteur]").input_value().startswith("theatre-du-faubourg")
