"""manage.py importer_acteurs: all or nothing, every bad row reported, re-runs update."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from annuaire.models import Actor

pytestmark = pytest.mark.django_db

HEADER = "nom;type;commune;adresse;latitude;longitude;email;telephone;site;description;labels;secteurs;peut_aider_sur;cherche"
GOOD = [
    "Enercoop Nord-Pas-de-Calais;SCIC;Lens;;50,43;2,83;contact@enercoop.example;;enercoop.example;Énergie;Ambassadeur ESS;;;",
    "Toerana Habitat;association;62178;1 rue de la Paix;;;;;;;Ambassadeur ESS, Budget citoyen 2025;;Graphisme;Recrutement",
]


def _csv(tmp_path, lines, name="acteurs.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_import_creates_then_updates_without_duplicates(tmp_path, capsys):
    path = _csv(tmp_path, GOOD)
    call_command("importer_acteurs", str(path))
    assert "2 acteur(s) ont été créé(s), 0 mis à jour." in capsys.readouterr().out
    toerana = Actor.objects.get(name="Toerana Habitat")
    assert {label.name for label in toerana.labels.all()} == {"Ambassadeur ESS", "Budget citoyen 2025"}
    assert [topic.name for topic in toerana.can_help.all()] == ["Graphisme"]
    enercoop = Actor.objects.get(name="Enercoop Nord-Pas-de-Calais")
    assert enercoop.kind == "scic" and enercoop.commune.name == "Lens" and str(enercoop.latitude) == "50.430000"
    assert enercoop.website == "https://enercoop.example"
    changed = _csv(tmp_path, [GOOD[0].replace(";Énergie;", ";Fournisseur d'électricité verte;"), GOOD[1]])
    call_command("importer_acteurs", str(changed))
    assert "0 acteur(s) ont été créé(s), 2 mis à jour." in capsys.readouterr().out
    assert Actor.objects.count() == 2
    assert Actor.objects.get(name="Enercoop Nord-Pas-de-Calais").description == "Fournisseur d'électricité verte"


def test_one_bad_row_and_nothing_is_imported_every_problem_listed(tmp_path, capsys):
    path = _csv(
        tmp_path,
        [
            *GOOD,
            "Solis;SCOP;Atlantis;;;;pas@@valide;;;;Ambassadeur ESS;;;",
            "Galilée;;62041;;40.7;-74.0;;;;;;;;",
        ],
    )
    with pytest.raises(CommandError, match="aucun acteur importé"):
        call_command("importer_acteurs", str(path), "--dry-run")
    errors = capsys.readouterr().err
    assert "ligne 4, colonne « commune » : commune inconnue dans le Pas-de-Calais : « Atlantis »." in errors
    assert "ligne 4, colonne « email » : adresse e-mail invalide : « pas@@valide »." in errors
    assert "ligne 5, colonne « latitude » : ce point est hors de France." in errors
    assert "ligne 5, colonne « labels » : au moins un label est obligatoire" in errors
    with pytest.raises(CommandError):
        call_command("importer_acteurs", str(path))
    assert not Actor.objects.exists()


def test_dry_run_reports_and_imports_nothing(tmp_path, capsys):
    call_command("importer_acteurs", str(_csv(tmp_path, GOOD)), "--dry-run")
    assert "2 acteur(s) seraient créé(s)" in capsys.readouterr().out
    assert not Actor.objects.exists()


def test_xlsx_files_are_read_too(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(
        ["Bou'Sol", "Réseau", "Bruay-la-Buissière", "", 50.48, 2.55, "", "", "", "", "Ambassadeur ESS", "", "", ""]
    )
    path = tmp_path / "acteurs.xlsx"
    workbook.save(path)
    call_command("importer_acteurs", str(path))
    assert Actor.objects.get().kind == "reseau"


def test_unknown_label_is_refused(tmp_path, capsys):
    path = _csv(tmp_path, [GOOD[0].replace("Ambassadeur ESS", "Label imaginaire")])
    with pytest.raises(CommandError):
        call_command("importer_acteurs", str(path))
    assert "label inconnu : « Label imaginaire »." in capsys.readouterr().err
