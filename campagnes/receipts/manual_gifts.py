"""Gifts received by cheque, transfer or cash, recorded by a treasurer — one by one or imported.

A manual gift becomes a Payment like a card payment (so it appears in the payments register
and the exports) and gets its receipt through the same function. An import is all or
nothing: every row is checked first, and a single bad row imports nothing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, SupportPage
from associations.validators import validate_siren
from campagnes.models import (
    NonCashGift,
    NonCashGiftKind,
    Payment,
    PaymentKind,
    PaymentLog,
    PaymentMethod,
    PaymentOffer,
    PaymentStatus,
)
from campagnes.money import MAX_PAYMENT_CENTS, AmountField
from campagnes.receipts.non_cash import mileage_cents
from campagnes.receipts.services import ReceiptRefused, receipt_issue_for_payment
from kernel.formats.french import french_date

MANUAL_METHODS = [
    (PaymentMethod.CHEQUE, _("Chèque")),
    (PaymentMethod.TRANSFER, _("Virement")),
    (PaymentMethod.CASH, _("Espèces")),
    (PaymentMethod.DIRECT_DEBIT, _("Prélèvement")),
]
METHOD_WORDS = {
    "cheque": "cheque",
    "chèque": "cheque",
    "virement": "virement",
    "especes": "especes",
    "espèces": "especes",
    "prelevement": "prelevement",
    "prélèvement": "prelevement",
}


GIFT_CASH = "numeraire"
GIFT_IN_KIND = "nature"
GIFT_NATURES = [
    (GIFT_CASH, _("Don d'argent (chèque, virement, espèces, prélèvement)")),
    (GIFT_IN_KIND, _("Don en nature (biens, prestations, salariés mis à disposition)")),
]
LEGAL_FORM_HELP = _("SARL, SAS, SA, EURL, SCIC, SCOP, entreprise individuelle… : figure sur le reçu fiscal.")


def clean_legal_form(form: forms.Form, cleaned: dict) -> None:
    """A company's receipt (Cerfa 16216) prints its legal form: asked whenever a SIREN is given."""
    if cleaned.get("company_siren") and not (cleaned.get("company_legal_form") or "").strip():
        form.add_error(
            "company_legal_form", _("Indiquez la forme juridique de l'entreprise : elle figure sur son reçu fiscal.")
        )


class ManualGiftForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    company_name = forms.CharField(label=_("Entreprise (don d'une entreprise)"), max_length=200, required=False)
    company_siren = forms.CharField(label=_("SIREN de l'entreprise"), max_length=11, required=False)
    company_legal_form = forms.CharField(
        label=_("Forme juridique de l'entreprise"), max_length=100, required=False, help_text=LEGAL_FORM_HELP
    )
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Le reçu y est envoyé."),
        error_messages={
            "invalid": _("Cette adresse e-mail n'est pas valide."),
            "required": _("Indiquez l'e-mail du donateur."),
        },
    )
    street_address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=_("Ville"), max_length=150, required=False)
    gift_nature = forms.ChoiceField(
        label=_("Nature du don"), choices=GIFT_NATURES, initial=GIFT_CASH, required=False, widget=forms.RadioSelect
    )
    amount = AmountField(
        label=_("Montant (€)"),
        help_text=_("Pour un don en nature : sa valeur, telle que l'a déterminée le donateur."),
        max_cents=MAX_PAYMENT_CENTS,
        required=False,
        error_messages={
            "max_value": _("Montant trop élevé pour une saisie (plus de 100 000 €) : vérifiez-le."),
        },
    )
    in_kind_description = forms.CharField(
        label=_("Don en nature : description exhaustive"),
        help_text=_("Nature et quantité des biens ou prestations reçus, détail des salariés mis à disposition."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    valuation_method = forms.CharField(
        label=_("Don en nature : méthode de valorisation"),
        help_text=_("Par exemple : coût de revient, valeur en stock, prix du marché."),
        max_length=300,
        required=False,
    )
    method = forms.ChoiceField(
        label=_("Moyen de paiement"),
        required=False,
        choices=MANUAL_METHODS,
        error_messages={
            "invalid_choice": _("Moyen inconnu : chèque, virement, espèces ou prélèvement."),
            "required": _("Indiquez le moyen de paiement."),
        },
    )
    received_on = forms.DateField(
        label=_("Date de réception du don"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "invalid": _("Date attendue au format jj/mm/aaaa."),
            "required": _("Indiquez la date de réception."),
        },
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association

    def clean_company_siren(self) -> str:
        siren = (self.cleaned_data.get("company_siren") or "").replace(" ", "")
        if siren:
            validate_siren(siren)
        return siren

    def clean_received_on(self) -> datetime.date:
        received = self.cleaned_data["received_on"]
        today = timezone.localdate()
        if received > today:
            raise ValidationError(_("La date de réception ne peut pas être dans le futur."))
        if received.year < today.year - settings.KOLLEKTIF_RECEIPT_RETENTION_YEARS:
            raise ValidationError(_("Don trop ancien : les reçus se délivrent pour les six dernières années."))
        return received

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("last_name") or "").strip() and not (cleaned.get("company_name") or "").strip():
            self.add_error("last_name", _("Indiquez le nom du donateur (ou de l'entreprise)."))
        if cleaned.get("company_siren") and not cleaned.get("company_name"):
            self.add_error("company_name", _("Indiquez le nom de l'entreprise."))
        clean_legal_form(self, cleaned)
        in_kind = cleaned.get("gift_nature") == GIFT_IN_KIND
        if not cleaned.get("amount") and "amount" not in self.errors:
            self.add_error(
                "amount", _("Indiquez la valeur du don en nature.") if in_kind else _("Indiquez le montant.")
            )
        if in_kind:
            if not (cleaned.get("in_kind_description") or "").strip():
                self.add_error(
                    "in_kind_description",
                    _("Décrivez le don en nature (nature et quantité) : la description figure sur le reçu fiscal."),
                )
            cleaned["method"] = PaymentMethod.OTHER
        elif not cleaned.get("method") and "method" not in self.errors:
            self.add_error("method", _("Indiquez le moyen de paiement."))
        if self.association.issues_tax_receipts:
            for field in ("street_address", "postal_code", "city"):
                if not (cleaned.get(field) or "").strip():
                    self.add_error(field, _("L'adresse du donateur figure obligatoirement sur le reçu fiscal."))
        return cleaned


def support_page_of(association: Association):
    """Manual gifts hang on "Nous aider": they belong to no online campaign."""
    page = SupportPage.objects.child_of(association.home_page).first() if association.home_page_id else None
    return page or association.home_page


def _record(
    *,
    association: Association,
    data: dict,
    by,
    source: str,
    non_cash: dict | None = None,
    statement: tuple[str, bytes] | None = None,
) -> Payment:
    received = data["received_on"]
    paid_at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(12, 0)))
    payment = Payment.objects.create(
        association=association,
        campaign=support_page_of(association),
        kind=PaymentKind.DONATION,
        status=PaymentStatus.SUCCEEDED,
        amount_cents=data["amount"],
        method=data["method"],
        paid_at=paid_at,
        offer=PaymentOffer(manual=True).to_dict(),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        email=data["email"].lower(),
        street_address=data.get("street_address", ""),
        postal_code=data.get("postal_code", ""),
        city=data.get("city", ""),
        company_name=data.get("company_name", ""),
        company_siren=data.get("company_siren", ""),
        company_legal_form=(data.get("company_legal_form") or "").strip(),
    )
    if data.get("gift_nature") == GIFT_IN_KIND:
        non_cash = {
            "kind": NonCashGiftKind.IN_KIND,
            "description": data["in_kind_description"].strip(),
            "valuation_method": (data.get("valuation_method") or "").strip(),
        }
    if non_cash:
        record = NonCashGift(payment=payment, **non_cash)
        if statement is not None:
            name, content = statement
            record.renunciation_sha256 = hashlib.sha256(content).hexdigest()
            record.renunciation_statement.save(name, ContentFile(content), save=False)
        record.save()
    PaymentLog.objects.create(
        payment=payment,
        action="manual_gift",
        to_status=PaymentStatus.SUCCEEDED,
        source=source,
        detail={"by": getattr(by, "pk", None)},
    )
    receipt_issue_for_payment(payment)
    return payment


@transaction.atomic
def manual_gift_record(*, association: Association, data: dict, by) -> Payment:
    """One gift typed in the admin: its payment and its receipt, together or not at all."""
    return _record(association=association, data=data, by=by, source=f"saisie {getattr(by, 'pk', '')}")


# --- import -------------------------------------------------------------------------------

COLUMNS = {
    "prenom": "first_name",
    "prénom": "first_name",
    "nom": "last_name",
    "entreprise": "company_name",
    "siren": "company_siren",
    "email": "email",
    "e-mail": "email",
    "adresse": "street_address",
    "code postal": "postal_code",
    "code_postal": "postal_code",
    "ville": "city",
    "commune": "city",
    "montant": "amount",
    "moyen": "method",
    "moyen de paiement": "method",
    "date": "received_on",
}
REQUIRED_COLUMNS = {"email", "amount", "method", "received_on"}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: list[dict]
    errors: list[RowError]
    imported: int = 0

    @property
    def total_cents(self) -> int:
        return sum(row["amount"] for row in self.rows)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ValueError):
    """The file itself cannot be read (format, encoding, missing columns): message in French."""


def _read_rows(filename: str, content: bytes) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # noqa: BLE001 — any unreadable workbook
            raise ImportFileError(str(_("Fichier XLSX illisible."))) from exc
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    if not filename.lower().endswith(".csv"):
        raise ImportFileError(str(_("Format non pris en charge : envoyez un fichier .csv ou .xlsx.")))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    delimiter = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return french_date(value)
    return str(value)


def parse_import(*, association: Association, filename: str, content: bytes) -> ImportReport:
    """Checks every row; nothing is written."""
    rows = [row for row in _read_rows(filename, content) if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportFileError(str(_("Le fichier est vide.")))
    header = [COLUMNS.get(cell.strip().lower(), "") for cell in rows[0]]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        labels = {"email": "email", "amount": "montant", "method": "moyen", "received_on": "date"}
        raise ImportFileError(
            str(_("Colonnes manquantes : %(cols)s.")) % {"cols": ", ".join(sorted(labels[name] for name in missing))}
        )
    names = {field: cell.strip() for cell, field in zip(rows[0], header, strict=False) if field}  # as typed
    report = ImportReport(rows=[], errors=[])
    for line, row in enumerate(rows[1:], start=2):
        data = {field: (row[index].strip() if index < len(row) else "") for index, field in enumerate(header) if field}
        data["method"] = METHOD_WORDS.get(data.get("method", "").lower(), data.get("method", ""))
        form = ManualGiftForm(data, association=association)
        if form.is_valid():
            report.rows.append(form.cleaned_data)
            continue
        for field, messages in form.errors.items():
            column = names.get(field, "") if field != "__all__" else ""
            for message in messages:
                report.errors.append(RowError(line=line, column=column, message=message))
    return report


@transaction.atomic
def manual_gifts_import(*, association: Association, filename: str, content: bytes, by, dry_run: bool) -> ImportReport:
    report = parse_import(association=association, filename=filename, content=content)
    if dry_run or not report.ok:
        return report
    for data in report.rows:
        _record(association=association, data=data, by=by, source=f"import {getattr(by, 'pk', '')}")
    report.imported = len(report.rows)
    return report


# --- volunteers' expenses given up (abandon de frais) -----------------------------------------

VEHICLE_POWERS = [
    ("", _("Pas de frais kilométriques")),
    ("3", _("3 CV et moins")),
    ("4", _("4 CV")),
    ("5", _("5 CV")),
    ("6", _("6 CV")),
    ("7", _("7 CV et plus")),
]
MAX_STATEMENT_BYTES = 5 * 1024 * 1024
STATEMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
STATEMENT_MISSING = _(
    "La déclaration de renonciation signée par le bénévole est obligatoire : sans elle, aucun reçu n'est émis. "
    "Téléchargez la déclaration, faites-la signer, puis joignez-la."
)


class VolunteerExpensesForm(forms.Form):
    """A volunteer's expenses for the association, which they give up being repaid (CGI art. 200-1)."""

    first_name = forms.CharField(label=_("Prénom du bénévole"), max_length=150)
    last_name = forms.CharField(
        label=_("Nom du bénévole"), max_length=150, error_messages={"required": _("Indiquez le nom du bénévole.")}
    )
    email = forms.EmailField(
        label=_("E-mail du bénévole"),
        help_text=_("Le reçu y est envoyé."),
        error_messages={
            "invalid": _("Cette adresse e-mail n'est pas valide."),
            "required": _("Indiquez l'e-mail du bénévole."),
        },
    )
    street_address = forms.CharField(label=_("Adresse"), max_length=300)
    postal_code = forms.CharField(label=_("Code postal"), max_length=10)
    city = forms.CharField(label=_("Ville"), max_length=150)
    description = forms.CharField(
        label=_("Nature des frais"),
        help_text=_("Par exemple : déplacements pour les ateliers du samedi, achat de fournitures."),
        max_length=500,
        error_messages={"required": _("Indiquez la nature des frais.")},
    )
    expense_dates = forms.CharField(
        label=_("Date(s) des frais"),
        help_text=_("Par exemple : 7, 14 et 21 mars 2026."),
        max_length=300,
        error_messages={"required": _("Indiquez la ou les dates des frais.")},
    )
    kilometres = forms.IntegerField(
        label=_("Kilomètres parcourus avec un véhicule personnel"),
        min_value=1,
        max_value=100000,
        required=False,
        error_messages={"invalid": _("Indiquez un nombre entier de kilomètres.")},
    )
    vehicle_power = forms.ChoiceField(label=_("Puissance fiscale du véhicule"), choices=VEHICLE_POWERS, required=False)
    other_expenses = AmountField(
        label=_("Autres frais, sur justificatifs (€)"),
        help_text=_("Péages, billets de train, fournitures… : le total des justificatifs."),
        max_cents=MAX_PAYMENT_CENTS,
        required=False,
    )
    received_on = forms.DateField(
        label=_("Date de la renonciation"),
        help_text=_("La date à laquelle le bénévole signe sa déclaration : c'est la date du don."),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "invalid": _("Date attendue au format jj/mm/aaaa."),
            "required": _("Indiquez la date de la renonciation."),
        },
    )
    statement = forms.FileField(
        label=_("Déclaration de renonciation signée (PDF ou photo)"),
        required=False,
        help_text=_("Téléchargez d'abord la déclaration préremplie, faites-la signer, puis joignez-la ici."),
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association

    def clean_received_on(self) -> datetime.date:
        return ManualGiftForm.clean_received_on(self)

    def clean_statement(self):
        upload = self.cleaned_data.get("statement")
        if upload is None:
            return None
        if upload.size > MAX_STATEMENT_BYTES:
            raise ValidationError(_("Fichier trop lourd (5 Mo au plus)."))
        if not upload.name.lower().endswith(STATEMENT_TYPES):
            raise ValidationError(_("Joignez un PDF ou une photo (JPEG, PNG) de la déclaration signée."))
        return upload

    def clean(self):
        cleaned = super().clean()
        kilometres = cleaned.get("kilometres")
        if kilometres and not cleaned.get("vehicle_power"):
            self.add_error("vehicle_power", _("Indiquez la puissance fiscale du véhicule (carte grise, case P.6)."))
        if not kilometres and not cleaned.get("other_expenses") and not self.errors:
            raise ValidationError(_("Indiquez des kilomètres parcourus ou un montant de frais."))
        if not self.association.issues_tax_receipts:
            raise ValidationError(
                _("L'association ne délivre pas de reçus fiscaux : un abandon de frais ne peut pas être reçu.")
            )
        return cleaned

    def amount_cents(self) -> int:
        data = self.cleaned_data
        amount = data.get("other_expenses") or 0
        if data.get("kilometres"):
            amount += mileage_cents(kilometres=data["kilometres"], power=int(data["vehicle_power"]))
        return amount

    def gift(self) -> NonCashGift:
        """The expenses as an unsaved record (for the statement to sign and the receipt)."""
        data = self.cleaned_data
        return NonCashGift(
            kind=NonCashGiftKind.VOLUNTEER_EXPENSES,
            description=data["description"].strip(),
            expense_dates=data["expense_dates"].strip(),
            kilometres=data.get("kilometres") or None,
            vehicle_power=int(data["vehicle_power"]) if data.get("kilometres") else None,
            mileage_scale_year=settings.KOLLEKTIF_VOLUNTEER_MILEAGE_SCALE_YEAR if data.get("kilometres") else None,
            other_expenses_cents=data.get("other_expenses") or 0,
        )


@transaction.atomic
def volunteer_expenses_record(*, association: Association, form: VolunteerExpensesForm, by) -> Payment:
    """The expenses, the signed renunciation and the receipt, together or not at all.

    Without the signed statement nothing is written: the renunciation must be express
    (BOI-IR-RICI-250-10-20-20 § 90) and the association must be able to show it.
    """
    upload = form.cleaned_data.get("statement")
    if upload is None:
        raise ReceiptRefused(str(STATEMENT_MISSING))
    gift = form.gift()
    data = {
        **{key: form.cleaned_data[key] for key in ("first_name", "last_name", "email", "received_on")},
        **{key: form.cleaned_data[key] for key in ("street_address", "postal_code", "city")},
        "amount": form.amount_cents(),
        "method": PaymentMethod.OTHER,
    }
    gift_fields = {
        field.name: getattr(gift, field.name)
        for field in NonCashGift._meta.concrete_fields
        if field.name not in ("id", "payment", "renunciation_statement", "renunciation_sha256", "created_at")
    }
    payment = _record(
        association=association,
        data=data,
        by=by,
        source=f"abandon de frais {getattr(by, 'pk', '')}",
        non_cash=gift_fields,
        statement=(upload.name, upload.read()),
    )
    return payment
