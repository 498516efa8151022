"""The animators' import in the admin: upload, preview, confirm; all or nothing; postal codes."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from annuaire.factories import ActorFactory
from annuaire.models import Actor
from associations.models import Commune

pytestmark = pytest.mark.django_db

URL = "/admin/annuaire/import/"
CONFIRM = "/admin/annuaire/import/confirmer/"
HEADER = "nom;type;commune;adresse;email;labels;secteurs;dernier_contact"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(lines, header=HEADER, name="acteurs.csv", content_type="text/csv"):
    text = "\n".join([header, *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type=content_type)


def _upload(client, upload):
    return client.post(URL, {"fichier": upload})


def test_csv_upload_shows_a_preview_then_confirm_imports(animator_client, ambassador_label):
    ActorFactory(name="Bou'Sol", commune=Commune.objects.get(code="62178"), import_key="bousol-62178")
    response = _upload(
        animator_client,
        _csv(
            [
                "Enercoop;SCIC;62300;;contact@enercoop.example;Ambassadeur ESS;;",
                "Les Anges Gardins;association;62100;;;Ambassadeur ESS;;",
                "Bou'Sol;Réseau;Bruay-la-Buissière;;;Ambassadeur ESS;;15/03/2026",
                "Toerana Habitat;association;62178;;;Ambassadeur ESS;;",
            ]
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 acteurs à créer" in page and "1 acteur à mettre à jour" in page and "0 erreur" in page
    assert "Lens" in page and "Calais" in page and "Importer 4 acteurs" in page
    assert not Actor.objects.filter(name="Enercoop").exists()  # a preview writes nothing

    done = animator_client.post(CONFIRM, follow=True)
    assert done.status_code == 200
    assert "4 acteurs importés (3 créés, 1 mis à jour)." in done.content.decode()
    assert Actor.objects.get(name="Enercoop").commune.name == "Lens"
    assert Actor.objects.get(name="Les Anges Gardins").commune.name == "Calais"
    assert Actor.objects.filter(name="Bou'Sol").count() == 1
    # A second confirmation finds nothing to import.
    again = animator_client.post(CONFIRM)
    assert again.status_code == 400 and "plus disponible" in again.content.decode()


def test_xlsx_upload_and_numbers_typed_as_postal_codes(animator_client, ambassador_label):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["Bou'Sol", "Réseau", 62700, "", "", "Ambassadeur ESS", "", ""])
    sheet.append(["Le Channel", "association", "62100", "", "", "Ambassadeur ESS", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(animator_client, SimpleUploadedFile("reseau.xlsx", buffer.getvalue(), content_type=XLSX_TYPE))
    assert response.status_code == 200, response.content.decode()
    assert "2 acteurs à créer" in response.content.decode()
    animator_client.post(CONFIRM)
    # 62700 is Bruay-la-Buissière's postal code, not Regnauville's INSEE code.
    assert Actor.objects.get(name="Bou'Sol").commune.name == "Bruay-la-Buissière"
    assert Actor.objects.get(name="Le Channel").commune.name == "Calais"


def test_one_faulty_row_nothing_written_each_error_listed(animator_client, ambassador_label):
    response = _upload(
        animator_client,
        _csv(
            [
                "Enercoop;SCIC;Lens;;;Ambassadeur ESS;;",
                "Solis;SCOP;Montreuil;;pas@@valide;Ambassadeur ESS;;",
                "Terre d'Opale;association;62500;;;Ambassadeur ESS;;",
            ]
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Rien n&#x27;a été importé" in page or "Rien n'a été importé" in page
    assert "Vouliez-vous dire : Montreuil-sur-Mer" in page
    assert "pas@@valide" in page and "adresse e-mail invalide" in page
    # 62500 covers Saint-Omer and eight other communes: the row lists them.
    assert "le code postal 62500 couvre 9 communes" in page and "Saint-Omer" in page and "Tatinghem" in page
    assert "Importer 1 acteur" not in page  # no confirmation offered
    assert animator_client.post(CONFIRM).status_code == 400
    assert not Actor.objects.exists()


def test_commune_names_are_read_as_people_type_them(animator_client, ambassador_label):
    response = _upload(
        animator_client,
        _csv(
            [
                "A;;St-Omer;;;Ambassadeur ESS;;",
                "B;;bethune;;;Ambassadeur ESS;;",
                "C;;62300 Éleu-dit-Leauwette;;;Ambassadeur ESS;;",
                "D;;Ste-Catherine;;;Ambassadeur ESS;;",
            ]
        ),
    )
    assert response.status_code == 200, response.content.decode()
    animator_client.post(CONFIRM)
    communes = dict(Actor.objects.values_list("name", "commune__name"))
    assert communes == {"A": "Saint-Omer", "B": "Béthune", "C": "Éleu-dit-Leauwette", "D": "Sainte-Catherine"}


def test_close_names_get_suggestions(animator_client, ambassador_label):
    response = _upload(
        animator_client, _csv(["A;;Montreuil;;;Ambassadeur ESS;;", "B;;Saint Omerr;;;Ambassadeur ESS;;"])
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "« Montreuil ». Vouliez-vous dire : Montreuil-sur-Mer" in page
    assert "« Saint Omerr ». Vouliez-vous dire : Saint-Omer" in page


def test_an_import_is_not_news_from_the_ambassadors(animator_client, ambassador_label):
    _upload(
        animator_client, _csv(["Sans date;;Lens;;;Ambassadeur ESS;;", "Avec date;;Arras;;;Ambassadeur ESS;;02/09/2025"])
    )
    animator_client.post(CONFIRM)
    assert Actor.objects.get(name="Sans date").last_contact_at is None
    assert Actor.objects.get(name="Avec date").last_contact_at.date().isoformat() == "2025-09-02"
    watch = animator_client.get("/admin/annuaire/veille/?mois=6").content.decode()
    assert "Sans date" in watch and "Avec date" in watch


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.xlsx", b"not a workbook at all", content_type=XLSX_TYPE), "pas un classeur Excel"),
        (SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"), "Format non reconnu"),
        (SimpleUploadedFile("a.csv", b"PK\x03\x04zip", content_type="text/csv"), "pas un fichier texte CSV"),
        (SimpleUploadedFile("a.csv", b"nom;type;comune\nA;;Lens\n", content_type="text/csv"), "Colonnes obligatoires"),
        (SimpleUploadedFile("a.csv", b"", content_type="text/csv"), "fichier"),
        (SimpleUploadedFile("a.csv", b"nom;commune;labels\n", content_type="image/png"), "ne correspond pas"),
    ],
)
def test_bad_files_are_refused_in_french(animator_client, upload, message):
    response = _upload(animator_client, upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert animator_client.post(CONFIRM).status_code == 400
    assert not Actor.objects.exists()


def test_wrong_header_names_the_unknown_columns(animator_client):
    response = _upload(
        animator_client, _csv(["A;;Lens;;;Ambassadeur ESS;;"], header=HEADER.replace("commune", "ville"))
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Colonnes obligatoires absentes : commune." in page and "Colonnes non reconnues : ville." in page


def test_too_big_a_file_is_refused(animator_client):
    big = SimpleUploadedFile("a.csv", b"nom;commune;labels\n" + b"x" * (2 * 1024 * 1024 + 10), content_type="text/csv")
    response = _upload(animator_client, big)
    assert response.status_code == 400 and "Fichier trop lourd" in response.content.decode()


def test_the_file_waits_in_private_storage_and_cancel_removes_it(animator_client, ambassador_label, settings):
    _upload(animator_client, _csv(["A;;Lens;;;Ambassadeur ESS;;"]))
    folder = settings.STORAGES["private"]["OPTIONS"]["location"] / "imports-annuaire"
    assert len(list(folder.iterdir())) == 1
    response = animator_client.post(CONFIRM, {"annuler": "1"}, follow=True)
    assert response.status_code == 200 and "Import annulé" in response.content.decode()
    assert list(folder.iterdir()) == []
    assert not Actor.objects.exists()


def test_only_animators_can_import(client_a, animator_client):
    assert animator_client.get(URL).status_code == 200
    assert "Importer des acteurs" in animator_client.get("/admin/").content.decode()
    assert client_a.get(URL).status_code in (302, 403)
    assert client_a.post(CONFIRM).status_code in (302, 403)


def test_postal_codes_come_from_la_poste_data_with_their_licence():
    from associations.territories import read_extract

    assert "La Poste" in read_extract()["codes_postaux"]
    assert Commune.objects.get(code="62498").postal_codes == ["62300"]  # Lens
    assert Commune.objects.get(code="62193").postal_codes == ["62100"]  # Calais
