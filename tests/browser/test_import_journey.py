"""An animator imports a spreadsheet in the admin at 1280 px: upload, preview, confirm."""

from __future__ import annotations

from pathlib import Path

import pytest

from annuaire.models import Actor
from associations.factories import DEFAULT_PASSWORD, UserFactory
from tests.annuaire.conftest import load_directory_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/wt/shots/s14b")
CSV = (
    "nom;type;commune;labels;dernier_contact\n"
    "Enercoop;SCIC;62300;Ambassadeur ESS;\n"
    "Les Anges Gardins;association;62100;Ambassadeur ESS;\n"
    "Terre d'Opale;association;St-Omer;Ambassadeur ESS;02/09/2025\n"
)


def test_upload_preview_confirm(page, reference_data, tmp_path):
    from django.contrib.auth.models import Group

    load_directory_reference_data()
    animator = UserFactory(email="animatrice@reseau.exemple.org")
    animator.groups.add(Group.objects.get(name="Animateurs"))
    page.goto("/comptes/login/?next=/admin/")
    page.fill("input[name=login]", animator.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="Importer des acteurs").first.click()
    page.wait_for_url("**/admin/annuaire/import/")
    spreadsheet = tmp_path / "ambassadeurs.csv"
    spreadsheet.write_text(CSV, encoding="utf-8")
    page.set_input_files("input[name=fichier]", str(spreadsheet))
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.wait_for_load_state()
    assert page.get_by_text("3 acteurs à créer").is_visible()
    assert page.locator("td", has_text="code postal 62300 : Lens").is_visible()
    assert page.locator("td", has_text="« St-Omer » lu comme Saint-Omer").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-apercu-1280.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Importer 3 acteurs").click()
    assert page.get_by_text("3 acteurs importés (3 créés, 0 mis à jour).").is_visible()
    page.screenshot(path=str(SHOTS / "import-termine-1280.png"), full_page=True)
    assert Actor.objects.count() == 3
