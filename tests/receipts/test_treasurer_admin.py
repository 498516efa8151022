"""The treasurer's "Reçus": register, one receipt, ZIP, declaration figures, manual gifts, import."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from associations.factories import UserFactory, make_eligible
from campagnes.models import Payment, Receipt, ReceiptStatus
from tests.receipts.conftest import pay, pdf_text

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
TODAY = timezone.localdate().strftime("%d/%m/%Y")


@pytest.fixture
def treasurer_a(eligible_a):
    user = UserFactory(email="tresoriere@popeline.fr")
    user.groups.add(eligible_a.treasurers_group)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_gifts(eligible_a, association_b, donation_page_a, donation_page_b):
    make_eligible(association_b)
    pay(donation_page_a, amount_cents=6000)
    pay(donation_page_b, amount_cents=9900, payer={"email": "b@exemple.org", "last_name": "Secret-de-B"})
    return Receipt.objects.get(association=eligible_a), Receipt.objects.get(association=association_b)


def test_the_treasurer_sees_only_her_associations_receipts(treasurer_a, two_gifts):
    receipt_a, receipt_b = two_gifts
    listing = treasurer_a.get("/admin/recus/").content.decode()
    assert receipt_a.number in listing and "Dupont" in listing and "Secret-de-B" not in listing
    assert treasurer_a.get(f"/admin/recus/{receipt_a.pk}/").status_code == 200
    assert treasurer_a.get(f"/admin/recus/{receipt_b.pk}/").status_code == 404
    assert treasurer_a.get(f"/admin/recus/{receipt_b.pk}/pdf/").status_code == 404
    pdf = treasurer_a.get(f"/admin/recus/{receipt_a.pk}/pdf/")
    assert pdf.status_code == 200 and receipt_a.number in pdf_text(pdf.content)


def test_the_register_exports_as_csv_and_xlsx(treasurer_a, two_gifts):
    response = treasurer_a.get("/admin/recus/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["N°", "Émis le", "Type"]
    assert [row[0] for row in rows[1:]] == [two_gifts[0].number]
    assert rows[1][8] == "60.00" or rows[1][8] == "60,00"
    xlsx = treasurer_a.get("/admin/recus/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_filters_by_year_kind_and_status(treasurer_a, two_gifts, donation_page_a):
    pay(
        donation_page_a,
        kind="billetterie",
        amount_cents=1200,
        payer={"email": "billet@exemple.org", "last_name": "Spectatrice"},
    )
    by_kind = treasurer_a.get("/admin/recus/?kind=confirmation-paiement").content.decode()
    assert "Spectatrice" in by_kind and "Dupont" not in by_kind
    assert "Spectatrice" not in treasurer_a.get("/admin/recus/?status=annule").content.decode()
    assert "Spectatrice" not in treasurer_a.get(f"/admin/recus/?gift_year={YEAR - 1}").content.decode()


def test_a_year_zip_holds_every_pdf_and_the_register(treasurer_a, two_gifts, eligible_a):
    response = treasurer_a.get(f"/admin/recus/zip/?association={eligible_a.pk}&annee={YEAR}")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 1 and f"registre-{YEAR}.csv" in names
    assert two_gifts[0].number in pdf_text(archive.read(next(n for n in names if n.endswith(".pdf"))))
    # another association's ZIP is out of reach
    assert (
        treasurer_a.get(f"/admin/recus/zip/?association={two_gifts[1].association_id}&annee={YEAR}").status_code == 404
    )


def test_declaration_figures_are_net_of_cancellations(treasurer_a, two_gifts, eligible_a, donation_page_a):
    pay(donation_page_a, amount_cents=4000, payer={"email": "c@exemple.org"})
    to_cancel = Receipt.objects.get(donor_email="c@exemple.org")
    response = treasurer_a.post(f"/admin/recus/{to_cancel.pk}/", {"reason": "Chèque revenu impayé"})
    assert response.status_code == 302
    to_cancel.refresh_from_db()
    assert to_cancel.status == ReceiptStatus.CANCELLED and to_cancel.cancellation_reason == "Chèque revenu impayé"
    page = treasurer_a.get(f"/admin/recus/declaration/?association={eligible_a.pk}&annee={YEAR}").content.decode()
    assert 'data-testid="declaration-count">1<' in page
    assert "60,00" in page
    # a cancellation without a reason is refused, and changes nothing
    other = Receipt.objects.get(association=eligible_a, donor_email="lea@exemple.org")
    assert treasurer_a.post(f"/admin/recus/{other.pk}/", {"reason": ""}).status_code == 400
    other.refresh_from_db()
    assert other.status == ReceiptStatus.ISSUED


def test_a_cheque_recorded_by_hand_gets_its_receipt(treasurer_a, eligible_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = treasurer_a.post(
            "/admin/recus/don-recu/",
            {
                "association": eligible_a.pk,
                "first_name": "Jeanne",
                "last_name": "D'Arc-Ézéchiel",
                "email": "jeanne@exemple.org",
                "street_address": "12 rue de l'Église",
                "postal_code": "62700",
                "city": "Bruay-la-Buissière",
                "amount": "150,50",
                "method": "cheque",
                "received_on": TODAY,
            },
        )
    assert response.status_code == 302
    receipt = Receipt.objects.get(donor_email="jeanne@exemple.org")
    assert receipt.kind == "recu-fiscal" and receipt.amount_cents == 15050
    text = pdf_text(treasurer_a.get(f"/admin/recus/{receipt.pk}/pdf/").content)
    assert "cent cinquante euros et cinquante centimes" in text and "Chèque" in text
    assert Payment.objects.get(email="jeanne@exemple.org").method == "cheque"
    assert any(m.to == ["jeanne@exemple.org"] for m in mail.outbox)


def test_a_bad_manual_gift_is_refused_in_french(treasurer_a, eligible_a):
    response = treasurer_a.post(
        "/admin/recus/don-recu/",
        {
            "association": eligible_a.pk,
            "last_name": "",
            "email": "pas-un-email",
            "amount": "-3",
            "method": "bitcoin",
            "received_on": "31/02/2026",
        },
    )
    body = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    for message in (
        "Indiquez le nom du donateur",
        "n'est pas valide",
        "Le montant doit être positif",
        "Moyen inconnu",
        "jj/mm/aaaa",
    ):
        assert message in body
    assert not Payment.objects.exists() and not Receipt.objects.exists()


def _csv(rows) -> bytes:
    header = "prénom;nom;email;adresse;code postal;ville;montant;moyen;date\n"
    return (header + "\n".join(rows) + "\n").encode("utf-8-sig")


GOOD = f"Marie;Curie;marie@exemple.org;1 place d'Armes;62000;Arras;20;virement;{TODAY}"
ALSO_GOOD = f"Émile;Zola;emile@exemple.org;5 rue Basse;62300;Lens;35,50;espèces;{TODAY}"


def test_an_import_with_one_bad_row_imports_nothing_and_reports_each_error(treasurer_a, eligible_a):
    bad = "Jean;;jean@;;62000;Arras;douze;chèque;demain"
    upload = io.BytesIO(_csv([GOOD, bad, ALSO_GOOD]))
    upload.name = "dons.csv"
    response = treasurer_a.post("/admin/recus/import/", {"association": eligible_a.pk, "file": upload, "confirm": "on"})
    body = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400 and "rien n'a été importé" in body
    assert "<td>3</td><td>email</td>" in body and "<td>3</td><td>montant</td>" in body
    assert "<td>3</td><td>date</td>" in body and "<td>3</td><td>adresse</td>" in body
    assert not Payment.objects.exists() and not Receipt.objects.exists()


def test_a_dry_run_writes_nothing_then_the_import_issues_the_receipts(treasurer_a, eligible_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Prénom", "Nom", "Email", "Adresse", "Code postal", "Ville", "Montant", "Moyen", "Date"])
    for row in (GOOD, ALSO_GOOD):
        sheet.append(row.split(";"))
    content = io.BytesIO()
    workbook.save(content)

    def upload(**extra):
        file = io.BytesIO(content.getvalue())
        file.name = "dons.xlsx"
        return treasurer_a.post("/admin/recus/import/", {"association": eligible_a.pk, "file": file, **extra})

    dry = upload()
    assert dry.status_code == 200 and "2 dons valides" in dry.content.decode()
    assert not Payment.objects.exists()
    assert upload(confirm="on").status_code == 302
    assert sorted(Receipt.objects.values_list("amount_cents", flat=True)) == [2000, 3550]
    assert sorted(Payment.objects.values_list("method", flat=True)) == ["especes", "virement"]


def test_an_unreadable_file_is_refused(treasurer_a, eligible_a):
    upload = io.BytesIO(b"\x00\x01 pas un tableur")
    upload.name = "dons.pdf"
    response = treasurer_a.post("/admin/recus/import/", {"association": eligible_a.pk, "file": upload})
    assert response.status_code == 400 and "Format non pris en charge" in response.content.decode()


def test_a_treasurer_of_another_association_cannot_record_a_gift_for_it(treasurer_a, association_b):
    response = treasurer_a.post(
        "/admin/recus/don-recu/",
        {
            "association": association_b.pk,
            "last_name": "X",
            "email": "x@exemple.org",
            "amount": "10",
            "method": "cheque",
            "received_on": TODAY,
        },
    )
    assert response.status_code == 404 and not Payment.objects.exists()


def test_an_editor_cannot_record_a_gift_even_for_her_association(client_a, eligible_a):
    """Gifts and receipts are the treasurers' business (the role split)."""
    response = client_a.post(
        "/admin/recus/don-recu/",
        {
            "association": eligible_a.pk,
            "last_name": "X",
            "email": "x@exemple.org",
            "amount": "10",
            "method": "cheque",
            "received_on": TODAY,
        },
    )
    assert response.status_code in (302, 403, 404) and not Payment.objects.exists()


def test_the_payment_detail_links_to_its_receipts(treasurer_a, two_gifts):
    receipt = two_gifts[0]
    payment = receipt.items.get().payment
    body = treasurer_a.get(f"/admin/paiements/{payment.pk}/").content.decode()
    assert f"/admin/recus/{receipt.pk}/" in body and receipt.number in body
    assert "Reçu émis" in body  # the payment's history names the receipt


def test_platform_staff_choose_the_association_then_see_its_figures(staff_client, two_gifts):
    chooser = staff_client.get("/admin/recus/declaration/")
    assert chooser.status_code == 200 and "Pour quelle association" in chooser.content.decode()
    association_b = two_gifts[1].association
    page = staff_client.get(f"/admin/recus/declaration/?association={association_b.pk}&annee={YEAR}")
    assert page.status_code == 200 and "99,00" in page.content.decode()
    listing = staff_client.get("/admin/recus/").content.decode()
    assert two_gifts[0].number in listing and "BookKafé" in listing and "Secret-de-B" in listing
    malformed = staff_client.get("/admin/recus/declaration/?association=abc")  # not an id at all: a bad request
    assert malformed.status_code == 400 and "nombre entier" in malformed.content.decode()
    assert staff_client.get("/admin/recus/declaration/?association=999999").status_code == 404


def test_years_are_written_without_a_thousands_separator(treasurer_a, two_gifts, eligible_a):
    """French number formatting made "2 026" of the year, in the text and in the form's own value."""
    page = treasurer_a.get(f"/admin/recus/declaration/?association={eligible_a.pk}&annee={YEAR}").content.decode()
    spaced = f"{str(YEAR)[0]}\u202f{str(YEAR)[1:]}"
    assert spaced not in page
    assert f"À déclarer pour les dons de {YEAR} (article 222 bis du CGI)" in page
    assert f'<option value="{YEAR}" selected>{YEAR}</option>' in page
