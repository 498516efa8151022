"""Receipt PDFs: every mandatory mention is printed with its value, on exactly one A4 page.

The PDFs are read back with pypdf, as a tax office or a search tool would read them.
No database: documents are plain frozen dataclasses.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.constants import UserAccessPermissions

from campagnes.receipts.document import (
    Address,
    Beneficiary,
    DocumentKind,
    Donor,
    ReceiptDocument,
    ReceiptLine,
    Signatory,
)
from campagnes.receipts.pdf import render_receipt_pdf
from campagnes.receipts.pdf.cerfa import GENERAL_INTEREST_BOXES_INDIVIDUAL, OTHER_BOXES
from campagnes.receipts.words import format_amount

A4_WIDTH, A4_HEIGHT = 595.27, 841.89
TICKED, UNTICKED = "☒", "☐"


# --------------------------------------------------------------------------- helpers


def signature_png() -> bytes:
    image = Image.new("RGBA", (240, 80), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 60), (70, 15), (130, 55), (230, 20)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def beneficiary(**changes) -> Beneficiary:
    values = {
        "name": "Popeline — Atelier d'arts partagés",
        "address": Address(street="12 rue de l'Église", postal_code="62000", city="Arras"),
        "object": "Favoriser l'accès de tous aux pratiques artistiques",
        "siren": "123456789",
        "rna": "W623001234",
        "beneficiary_type": "interet-general",
    }
    return Beneficiary(**{**values, **changes})


def person(**changes) -> Donor:
    values = {
        "name": "Amélie Dupré",
        "first_name": "Amélie",
        "last_name": "Dupré",
        "address": Address(street="3 allée des Tilleuls", postal_code="62100", city="Calais"),
    }
    return Donor(**{**values, **changes})


def company() -> Donor:
    return Donor(
        name="Boulangerie Leclercq",
        siren="987654321",
        legal_form="SARL",
        address=Address(street="8 place des Héros", postal_code="62000", city="Arras"),
    )


def make_document(kind: str = DocumentKind.TAX_INDIVIDUAL, **changes) -> ReceiptDocument:
    """A plausible document of the given kind; keyword arguments replace any field."""
    defaults: dict = {
        "kind": kind,
        "number": "2026-000042",
        "issued_on": date(2026, 3, 15),
        "beneficiary": beneficiary(),
        "donor": person(),
        "lines": (ReceiptLine(received_on=date(2026, 3, 10), amount_cents=15000, method="carte"),),
        "amount_cents": 15000,
        "deductible_cents": 15000,
        "signatory": Signatory(name="Jeanne Martin", capacity="Présidente"),
        "articles": ("200",),
    }
    if kind == DocumentKind.TAX_COMPANY:
        defaults.update(donor=company(), articles=("238 bis",), number="2026-E-0007")
    elif kind == DocumentKind.MEMBERSHIP_CERTIFICATE:
        defaults.update(
            number="ADH-2026-0012",
            lines=(ReceiptLine(date(2026, 1, 12), 2500, "cheque", "Adhésion 2026 — Formule soutien"),),
            amount_cents=2500,
            deductible_cents=0,
            articles=(),
        )
    elif kind == DocumentKind.PAYMENT_CONFIRMATION:
        defaults.update(
            number="PAI-2026-0099",
            lines=(
                ReceiptLine(date(2026, 4, 2), 1200, "carte", "Billet plein tarif"),
                ReceiptLine(date(2026, 4, 2), 800, "carte", "Billet tarif réduit"),
            ),
            amount_cents=2000,
            deductible_cents=0,
            articles=(),
        )
    defaults.update(changes)
    return ReceiptDocument(**defaults)


def annual_summary(count: int = 12) -> ReceiptDocument:
    lines = tuple(
        ReceiptLine(date(2026, 1, 1).replace(month=1 + i % 12, day=1 + i // 12), 1000 + i, "prelevement")
        for i in range(count)
    )
    total = sum(line.amount_cents for line in lines)
    return make_document(year=2026, lines=lines, amount_cents=total, deductible_cents=total)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def norm(text: str) -> str:
    """Whitespace of any kind (line breaks, no-break and narrow spaces) as one plain space."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """No whitespace at all: for long strings that the layout wraps anywhere."""
    return "".join(text.split())


def text_of(pdf: bytes) -> str:
    reader = read(pdf)
    assert len(reader.pages) == 1
    return norm(reader.pages[0].extract_text())


def amount(cents: int) -> str:
    return norm(format_amount(cents))


# --------------------------------------------------------------------------- tax receipt, individual


def test_individual_tax_receipt_shows_every_mandatory_mention_with_its_value():
    doc = make_document(signatory=Signatory("Jeanne Martin", "Présidente", signature_png()))
    text = text_of(render_receipt_pdf(doc))

    assert "2041-RD — Cerfa n° 11580*05" in text
    assert (
        "Reçu des dons et versements effectués par les particuliers au titre des articles 200 et 978 "
        "du code général des impôts"
    ) in text
    assert "238 bis" not in text  # the companies' article has its own model (2041-MEC-SD)
    assert "Numéro d'ordre du reçu 2026-000042" in text
    # Beneficiary.
    assert "Organisme bénéficiaire des dons et versements" in text
    assert "Nom ou dénomination : Popeline — Atelier d'arts partagés" in text
    assert "N° SIREN : 123456789" in text
    assert "N° RNA : W623001234" in text
    assert "Adresse : 12 rue de l'Église, 62000 Arras" in text
    assert "Objet : Favoriser l'accès de tous aux pratiques artistiques" in text
    assert f"{TICKED} Œuvre ou organisme d'intérêt général" in text
    assert f"{TICKED} Association loi 1901" in text
    for key, label in (*GENERAL_INTEREST_BOXES_INDIVIDUAL[2:], *OTHER_BOXES):
        assert norm(f"{UNTICKED} {label}") in text, key
    assert f"{UNTICKED} Autres (précisez) :" in text
    assert "Rescrit fiscal" not in text
    # Donor.
    assert "Donateur" in text
    assert "Nom : Dupré" in text
    assert "Prénoms : Amélie" in text
    assert "Adresse : 3 allée des Tilleuls, 62100 Calais" in text
    # Amount, words, date.
    assert (
        "Le bénéficiaire reconnaît avoir reçu au titre des dons et versements ouvrant droit à réduction "
        f"d'impôt, la somme de : *** {amount(15000)} ***"
    ) in text
    assert "Somme en toutes lettres : cent cinquante euros" in text
    assert "Date du versement ou du don : 10/03/2026" in text
    # Certification, form, nature, method.
    assert (
        "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit ouvrent droit à la "
        f"réduction d'impôt prévue à l'article : {TICKED} 200 du CGI {UNTICKED} 978 du CGI"
    ) in text
    assert f"Forme du don : {UNTICKED} Acte authentique {UNTICKED} Acte sous seing privé {TICKED} Déclaration" in text
    assert (
        f"Nature du don : {TICKED} Numéraire {UNTICKED} Titres de sociétés cotés {UNTICKED} Abandon exprès de "
        f"revenus ou de produits {UNTICKED} Frais engagés par les bénévoles, dont ils renoncent expressément au "
        f"remboursement {UNTICKED} Autres (précisez)"
    ) in text
    assert (
        f"En cas de don en numéraire, mode de versement du don : {UNTICKED} Remise d'espèces {UNTICKED} Chèque "
        f"{TICKED} Virement, prélèvement, carte bancaire"
    ) in text
    assert "Moyen de paiement utilisé : Carte bancaire" in text
    # Signature and footer.
    assert "Date et signature" in text
    assert "Le 15/03/2026" in text
    assert "Jeanne Martin, Présidente" in text
    assert "Document émis via Kollektif pour le compte de Popeline — Atelier d'arts partagés — page 1/1" in text


def test_rup_decree_and_rescrit_are_printed():
    doc = make_document(
        beneficiary=beneficiary(
            beneficiary_type="rup",
            rup_decree_date=date(1990, 2, 1),
            rup_journal_date=date(1990, 2, 5),
            rescrit_date=date(2020, 6, 30),
        )
    )
    text = text_of(render_receipt_pdf(doc))
    assert (
        f"{TICKED} Association ou fondation reconnue d'utilité publique par décret en date du 01/02/1990 "
        "publié au Journal officiel du 05/02/1990"
    ) in text
    assert f"{TICKED} Œuvre ou organisme d'intérêt général" in text  # the RUP box is one of its sub-boxes
    assert f"{UNTICKED} Association loi 1901" in text
    assert "Rescrit fiscal du 30/06/2020" in text


def test_other_beneficiary_type_is_ticked_with_its_label():
    doc = make_document(beneficiary=beneficiary(beneficiary_type="autre", other_type_label="Fonds de dotation"))
    text = text_of(render_receipt_pdf(doc))
    assert f"{TICKED} Autres (précisez) : Fonds de dotation" in text
    beneficiary_block = text.split("Organisme bénéficiaire des dons et versements")[1].split("Donateur")[0]
    assert beneficiary_block.count(TICKED) == 2  # the general interest box and its "Autres" sub-box


def test_articles_form_and_methods_follow_the_document():
    doc = make_document(
        articles=("200", "978"),
        form="Acte authentique",
        lines=(
            ReceiptLine(date(2026, 5, 2), 5000, "cheque"),
            ReceiptLine(date(2026, 5, 9), 3000, "especes"),
        ),
        amount_cents=8000,
        deductible_cents=8000,
    )
    text = text_of(render_receipt_pdf(doc))
    assert f"{TICKED} 200 du CGI {TICKED} 978 du CGI" in text
    assert f"{TICKED} Acte authentique {UNTICKED} Acte sous seing privé {UNTICKED} Déclaration" in text
    assert f"{TICKED} Remise d'espèces {TICKED} Chèque {UNTICKED} Virement, prélèvement, carte bancaire" in text
    assert "Moyen de paiement utilisé : Chèque, Remise d'espèces" in text
    assert "Somme en toutes lettres : quatre-vingts euros" in text
    assert "02/05/2026" in text and "09/05/2026" in text


def test_counterpart_shows_paid_and_deductible_amounts():
    doc = make_document(amount_cents=15000, deductible_cents=12000, counterpart_label="un livre d'art")
    text = text_of(render_receipt_pdf(doc))
    assert f"la somme de : *** {amount(12000)} ***" in text
    assert "Somme en toutes lettres : cent vingt euros" in text
    assert f"Montant versé : {amount(15000)}" in text
    assert f"Valeur de la contrepartie reçue : {amount(3000)} (un livre d'art)" in text
    assert f"Montant ouvrant droit à réduction d'impôt : {amount(12000)}" in text


def test_annual_summary_lists_the_year_and_each_of_twelve_gifts():
    doc = annual_summary(12)
    text = text_of(render_receipt_pdf(doc))
    assert "Dons de l'année 2026" in text
    assert f"*** {amount(doc.deductible_cents)} ***" in text
    assert "Date du versement ou du don" not in text
    for line in doc.lines:
        assert f"{line.received_on:%d/%m/%Y} {amount(line.amount_cents)} Prélèvement" in text


@pytest.mark.parametrize("count", [13, 40])
def test_long_annual_summary_still_fits_one_page(count):
    doc = annual_summary(count)
    reader = read(render_receipt_pdf(doc))
    assert len(reader.pages) == 1
    text = norm(reader.pages[0].extract_text())
    assert all(f"{line.received_on:%d/%m/%Y} {amount(line.amount_cents)}" in text for line in doc.lines)


# --------------------------------------------------------------------------- tax receipt, company


def test_company_tax_receipt_shows_every_mandatory_mention_with_its_value():
    doc = make_document(DocumentKind.TAX_COMPANY, amount_cents=500000, deductible_cents=500000)
    text = text_of(render_receipt_pdf(doc))
    assert "2041-MEC-SD — Cerfa n° 16216*03" in text
    assert (
        "Reçu des dons et versements effectués par les entreprises au titre de l'article 238 bis "
        "du code général des impôts"
    ) in text
    assert "Numéro d'ordre du reçu 2026-E-0007" in text
    assert "Nom ou dénomination : Popeline — Atelier d'arts partagés" in text
    assert "N° SIREN : 123456789" in text
    assert "Entreprise donatrice" in text
    assert "Dénomination de l'entreprise : Boulangerie Leclercq" in text
    assert "Numéro SIREN : 987654321" in text
    assert "Forme juridique : SARL" in text
    assert "Adresse : 8 place des Héros, 62000 Arras" in text
    assert f"des dons en nature pour une valeur en euros égale à : *** {amount(0)} ***" in text
    assert f"des versements pour une valeur totale égale à : *** {amount(500000)} ***" in text
    assert "Total des versements en toutes lettres : cinq mille euros" in text
    assert (
        f"Forme des versements : {UNTICKED} Remise d'espèces {UNTICKED} Chèque "
        f"{TICKED} Virement, prélèvement ou carte bancaire {UNTICKED} Autre"
    ) in text
    assert f"Montant total des dons et versements reçus par l'organisme : *** {amount(500000)} ***" in text
    assert "Montant total des dons et versements en toutes lettres : cinq mille euros" in text
    assert "Date ou période au cours de laquelle les dons et versements ont été effectués : 10/03/2026" in text
    assert "réduction d'impôt prévue à l'article 238 bis du code général des impôts" in text
    assert "Jeanne Martin, Présidente" in text


# --------------------------------------------------------------------------- non-tax documents


def test_membership_certificate_is_not_a_tax_receipt():
    text = text_of(render_receipt_pdf(make_document(DocumentKind.MEMBERSHIP_CERTIFICATE)))
    assert "Attestation d'adhésion" in text
    assert "N° de l'attestation : ADH-2026-0012" in text
    assert "Nom ou dénomination : Popeline — Atelier d'arts partagés" in text
    assert "Nom : Amélie Dupré" in text
    assert "Adresse : 3 allée des Tilleuls, 62100 Calais" in text
    assert "Formule : Adhésion 2026 — Formule soutien" in text
    assert f"Montant réglé : {amount(2500)} (vingt-cinq euros)" in text
    assert "Date du paiement : 12/01/2026" in text
    assert "Mode de paiement : Chèque" in text
    assert "Cette attestation ne constitue pas un reçu fiscal et n'ouvre pas droit à réduction d'impôt." in text
    assert "Jeanne Martin, Présidente" in text
    assert "réduction d'impôt prévue" not in text
    assert "Cerfa" not in text


def test_payment_confirmation_is_not_a_tax_receipt():
    text = text_of(render_receipt_pdf(make_document(DocumentKind.PAYMENT_CONFIRMATION)))
    assert "Confirmation de paiement" in text
    assert "N° de la confirmation : PAI-2026-0099" in text
    assert "Nom : Amélie Dupré" in text
    assert f"Billet plein tarif 02/04/2026 Carte bancaire {amount(1200)}" in text
    assert f"Billet tarif réduit 02/04/2026 Carte bancaire {amount(800)}" in text
    assert f"Total {amount(2000)}" in text
    assert "Ce document n'est pas un reçu fiscal : ce paiement n'ouvre pas droit à réduction d'impôt." in text
    assert "réduction d'impôt prévue" not in text
    assert "Cerfa" not in text


def test_payment_confirmation_without_signatory_shows_the_issue_date():
    doc = make_document(DocumentKind.PAYMENT_CONFIRMATION, signatory=Signatory(name="", capacity=""))
    text = text_of(render_receipt_pdf(doc))
    assert "Émis le 15/03/2026" in text
    assert "Date et signature" not in text


# --------------------------------------------------------------------------- all kinds

ALL_KINDS = [
    DocumentKind.TAX_INDIVIDUAL,
    DocumentKind.TAX_COMPANY,
    DocumentKind.MEMBERSHIP_CERTIFICATE,
    DocumentKind.PAYMENT_CONFIRMATION,
]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_one_a4_page_of_real_text_without_form_fields(kind):
    reader = read(render_receipt_pdf(make_document(kind)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_WIDTH, abs=1)
    assert float(box.height) == pytest.approx(A4_HEIGHT, abs=1)
    assert len(reader.pages[0].extract_text()) > 200  # text, not a picture of text
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert "/Annots" not in reader.pages[0]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_rendering_is_deterministic(kind):
    doc = make_document(kind, signatory=Signatory("Jeanne Martin", "Présidente", signature_png()))
    first = render_receipt_pdf(doc)
    render_receipt_pdf(make_document(DocumentKind.TAX_COMPANY, number="other"))  # no state leaks between renders
    assert render_receipt_pdf(doc) == first


def test_rendering_ignores_source_date_epoch(monkeypatch):
    doc = make_document()
    first = render_receipt_pdf(doc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert render_receipt_pdf(doc) == first


def test_creation_date_comes_from_the_issue_date():
    metadata = read(render_receipt_pdf(make_document())).metadata
    assert metadata["/CreationDate"].startswith("D:20260315")
    assert metadata["/Title"] == "Reçu fiscal n° 2026-000042"


def test_pdf_opens_without_password_and_forbids_modification():
    reader = read(render_receipt_pdf(make_document()))
    assert reader.is_encrypted  # owner password only: pypdf opened it with the empty user password
    permissions = reader.user_access_permissions
    assert UserAccessPermissions.PRINT in permissions
    assert UserAccessPermissions.EXTRACT in permissions
    assert UserAccessPermissions.MODIFY not in permissions
    assert UserAccessPermissions.FILL_FORM_FIELDS not in permissions
    assert UserAccessPermissions.ASSEMBLE_DOC not in permissions
    assert UserAccessPermissions.ADD_OR_MODIFY not in permissions


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_cancelled_document_says_so(kind):
    doc = make_document(kind, cancelled_on=date(2026, 4, 1), cancellation_reason="erreur d'adresse", replaces_number="")
    text = text_of(render_receipt_pdf(doc))
    assert "ANNULÉ le 01/04/2026 — erreur d'adresse" in text


def test_corrected_receipt_names_the_one_it_replaces_and_extra_mentions_are_printed():
    doc = make_document(
        replaces_number="2026-000040",
        extra_mentions=("Merci pour votre soutien !", "Association agréée jeunesse et éducation populaire."),
    )
    text = text_of(render_receipt_pdf(doc))
    assert "Ce reçu annule et remplace le reçu n° 2026-000040." in text
    assert "Merci pour votre soutien !" in text
    assert "Association agréée jeunesse et éducation populaire." in text


def test_signature_image_is_embedded():
    doc = make_document(signatory=Signatory("Jeanne Martin", "Trésorière", signature_png()))
    page = read(render_receipt_pdf(doc)).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    assert any(xobject.get_object()["/Subtype"] == "/Image" for xobject in xobjects.values())
    assert "Jeanne Martin, Trésorière" in norm(page.extract_text())


def test_unreadable_signature_image_is_skipped_not_fatal():
    doc = make_document(signatory=Signatory("Jeanne Martin", "Trésorière", b"not a png"))
    text = text_of(render_receipt_pdf(doc))
    assert "Jeanne Martin, Trésorière" in text


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        render_receipt_pdf(make_document(kind="facture"))


# --------------------------------------------------------------------------- hostile input

LONG_NAME = "Association " + "des amis de la très longue dénomination du Pas-de-Calais " * 5
LONG_NAME = LONG_NAME[:300]
LONG_STREET = ("Résidence " + "X" * 280 + " rue d'Artois")[:300]


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize(
    ("name", "distinctive"),
    [
        ("Zoé O'Brien-Müller 😀🦄 & fils", "Zoé O'Brien-Müller"),
        ("<b>&amp; Cie</b> & Co <script>", "<b>&amp; Cie</b> & Co <script>"),
        ("محمد بن علي", "محمد"),
        ("שרה לוי", "שרה"),
        ("Chloé\x00\x07 Lefèvre", "Chloé Lefèvre"),
        (LONG_NAME, LONG_NAME),
    ],
)
def test_hostile_names_stay_on_one_page_and_readable(kind, name, distinctive):
    doc = make_document(
        kind,
        beneficiary=beneficiary(name=name, object=name, address=Address(LONG_STREET, "62000", "Arras")),
        donor=person(name=name, last_name=name, address=Address(street=LONG_STREET, postal_code="62100", city=name)),
        signatory=Signatory(name=name, capacity="Présidente", signature_png=signature_png()),
        counterpart_label=name,
        campaign_title=name,
        cancelled_on=date(2026, 4, 1),
        cancellation_reason=name,
        replaces_number="2026-000040",
        extra_mentions=(name, name),
        lines=(ReceiptLine(date(2026, 3, 10), 15000, "carte", label=name),),
        year=None,
    )
    reader = read(render_receipt_pdf(doc))
    assert len(reader.pages) == 1
    # Arabic is drawn shaped (presentation forms, U+FExx): NFKC gives back the letters as typed,
    # as a search engine or a screen reader does.
    text = squash(unicodedata.normalize("NFKC", reader.pages[0].extract_text()))
    assert squash(distinctive) in text
    assert squash(LONG_STREET) in text
    assert "62100" in text


def test_hostile_annual_summary_with_everything_still_fits_one_page():
    doc = replace(
        annual_summary(13),
        beneficiary=beneficiary(
            name=LONG_NAME,
            object=LONG_NAME,
            address=Address(LONG_STREET, "62000", "Arras"),
            beneficiary_type="rup",
            rup_decree_date=date(1990, 2, 1),
            rup_journal_date=date(1990, 2, 5),
            rescrit_date=date(2020, 6, 30),
        ),
        donor=person(last_name=LONG_NAME, first_name=LONG_NAME, address=Address(LONG_STREET, "62100", "Calais")),
        signatory=Signatory(LONG_NAME, LONG_NAME, signature_png()),
        deductible_cents=10000,
        counterpart_label=LONG_NAME,
        cancelled_on=date(2026, 4, 1),
        cancellation_reason=LONG_NAME,
        replaces_number="2026-000040",
        extra_mentions=(LONG_NAME,) * 4,
    )
    reader = read(render_receipt_pdf(doc))
    assert len(reader.pages) == 1
    text = squash(reader.pages[0].extract_text())
    for needle in ("ANNULÉ", "Rescritfiscaldu30/06/2020", "Montantversé", squash(LONG_STREET)):
        assert needle in text
    assert squash("Le bénéficiaire certifie sur l'honneur") in text
