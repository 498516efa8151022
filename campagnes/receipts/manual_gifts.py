"""Gifts received by cheque, transfer or cash, recorded by a treasurer — one by one or imported.

A manual gift becomes a Payment like a card payment (so it appears in the payments register
and the exports) and gets its receipt through the same function. An import is all or
nothing: every row is checked first, and a single bad row imports nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, SupportPage
from associations.validators import validate_siren
from campagnes.models import Payment, PaymentKind, PaymentLog, PaymentMethod, PaymentOffer, PaymentStatus
from campagnes.money import MAX_PAYMENT_CENTS, AmountField
from campagnes.receipts.services import receipt_issue_for_payment
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


class ManualGiftForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    company_name = forms.CharField(label=_("Entreprise (don d'une entreprise)"), max_length=200, required=False)
    company_siren = forms.CharField(label=_("SIREN de l'entreprise"), max_length=11, required=False)
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
    amount = AmountField(
        label=_("Montant (€)"),
        max_cents=MAX_PAYMENT_CENTS,
        error_messages={
            "required": _("Indiquez le montant."),
            "max_value": _("Montant trop élevé pour une saisie (plus de 100 000 €) : vérifiez-le."),
        },
    )
    method = forms.ChoiceField(
        label=_("Moyen de paiement"),
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
        if self.association.issues_tax_receipts:
            for field in ("street_address", "postal_code", "city"):
                if not (cleaned.get(field) or "").strip():
                    self.add_error(field, _("L'adresse du donateur figure obligatoirement sur le reçu fiscal."))
        return cleaned


def support_page_of(association: Association):
    """Manual gifts hang on "Nous aider": they belong to no online campaign."""
    page = SupportPage.objects.child_of(association.home_page).first() if association.home_page_id else None
    return page or association.home_page


def _record(*, association: Association, data: dict, by, source: str) -> Payment:
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
    )
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
