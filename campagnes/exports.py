"""The treasurers' tables (payments, members, tickets, receipts register), written as CSV or XLSX.

The table is built once (French headers, amounts as Decimal euros, dates as dd/mm/yyyy HH:MM
in local time) and rendered by two small writers. Both neutralise what a payer typed that a
spreadsheet would take for a formula ("=HYPERLINK(…)" as a last name).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from campagnes.models import Membership, Payment, PaymentStatus, Receipt, Ticket
from campagnes.money import to_euros
from campagnes.selectors import MemberState
from kernel.formats.french import french_date, french_datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EURO_FORMAT = '#,##0.00 "€"'


def payment_headers() -> list[str]:
    return [
        _("Date"),
        _("N° de paiement"),
        _("Association"),
        _("Campagne"),
        _("Type"),
        _("Statut"),
        _("Prénom"),
        _("Nom"),
        _("Entreprise"),
        _("SIREN de l'entreprise"),
        _("E-mail"),
        _("Téléphone"),
        _("Adresse"),
        _("Code postal"),
        _("Ville"),
        _("Pays"),
        _("Montant (€)"),
        _("Frais couverts (€)"),
        _("Total payé (€)"),
        _("Remboursé (€)"),
        _("Net encaissé (€)"),
        _("Payé le"),
        _("Référence Stripe"),
    ]


def payment_row(payment: Payment) -> list:
    received = payment.status in PaymentStatus.PAID_OR_REFUNDED
    net_cents = payment.total_cents - payment.refunded_cents if received else 0
    return [
        french_datetime(payment.created_at),
        payment.pk,
        payment.association.name,
        payment.campaign.title,
        payment.get_kind_display(),
        payment.get_status_display(),
        payment.first_name,
        payment.last_name,
        payment.company_name,
        payment.company_siren,
        payment.email,
        payment.phone,
        payment.street_address,
        payment.postal_code,
        payment.city,
        payment.country,
        to_euros(payment.amount_cents),
        to_euros(payment.fee_cents),
        to_euros(payment.total_cents),
        to_euros(payment.refunded_cents),
        to_euros(net_cents),
        french_datetime(payment.paid_at),
        payment.stripe_payment_intent or payment.stripe_invoice or "",
    ]


def payments_table(queryset) -> tuple[list[str], list[list]]:
    """French headers and one row per payment, in the queryset's order."""
    payments = queryset.select_related("association", "campaign")
    return payment_headers(), [payment_row(payment) for payment in payments.iterator(chunk_size=2000)]


def _safe_text(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")  # French Excel reads "25,63" as a number
    if isinstance(value, int):
        return str(value)
    return _safe_text(str(value))


def render_csv(headers: list[str], rows: list[list]) -> bytes:
    """Semicolon separated, UTF-8 with a BOM: what a French Excel opens with accents intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(headers: list[str], rows: list[list], *, title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or _("Paiements"))[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(header) + 4, 40))

    def cell(value, *, bold: bool = False):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        item = WriteOnlyCell(sheet, value=value)
        if item.data_type == "f":  # typed by a payer, never a formula
            item.data_type = "s"
        if isinstance(value, Decimal):
            item.number_format = EXCEL_EURO_FORMAT
        if bold:
            item.font = Font(bold=True)
        return item

    sheet.append([cell(header, bold=True) for header in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- members -----------------------------------------------------------------------------


def member_state_label(value: str) -> str:
    return str(dict(MemberState.choices).get(value, ""))


def member_headers() -> list[str]:
    return [
        _("Nom"),
        _("Prénom"),
        _("Entreprise"),
        _("E-mail"),
        _("Téléphone"),
        _("Adresse"),
        _("Code postal"),
        _("Ville"),
        _("Pays"),
        _("Association"),
        _("Campagne"),
        _("Formule"),
        _("Valable du"),
        _("Valable jusqu'au"),
        _("État"),
        _("Rappel envoyé le"),
        _("N° de paiement"),
    ]


def member_row(membership: Membership) -> list:
    payment = membership.payment
    return [
        payment.last_name,
        payment.first_name,
        payment.company_name,
        payment.email,
        payment.phone,
        payment.street_address,
        payment.postal_code,
        payment.city,
        payment.country,
        membership.association.name,
        payment.campaign.title,
        membership.tier_name,
        french_date(membership.valid_from),
        french_date(membership.valid_until),
        member_state_label(getattr(membership, "member_state", "")),
        french_datetime(membership.reminder_sent_at),
        payment.pk,
    ]


def members_table(queryset) -> tuple[list[str], list[list]]:
    """French headers and one row per membership, in the queryset's order."""
    memberships = queryset.select_related("payment", "payment__campaign", "association")
    return member_headers(), [member_row(m) for m in memberships.iterator(chunk_size=2000)]


# --- tickets: the guest list -----------------------------------------------------------------


def ticket_state(ticket: Ticket) -> tuple[str, bool]:
    """The ticket's state in words, and whether it is the "good" state for a listing tag."""
    if ticket.canceled_at is not None or ticket.payment.status == PaymentStatus.REFUNDED:
        return _("Annulé (remboursé)"), False
    if ticket.checked_in_at:
        return _("Entrée validée le %(date)s") % {"date": french_datetime(ticket.checked_in_at)}, True
    return _("Pas encore utilisé"), False


def tickets_table(queryset) -> tuple[list[str], list[list]]:
    """The guest list: one row per ticket, for a printed list at the door."""
    headers = [
        _("Événement"),
        _("Billet"),
        _("Nom"),
        _("Prénom"),
        _("Entreprise"),
        _("E-mail"),
        _("Code"),
        _("État"),
        _("Entrée validée le"),
        _("N° de paiement"),
    ]
    rows = [
        [
            ticket.payment.campaign.title,
            ticket.ticket_type.name,
            ticket.payment.last_name,
            ticket.payment.first_name,
            ticket.payment.company_name,
            ticket.payment.email,
            ticket.code,
            ticket_state(ticket)[0],
            french_datetime(ticket.checked_in_at),
            ticket.payment_id,
        ]
        for ticket in queryset.select_related("payment", "payment__campaign", "ticket_type").iterator(chunk_size=2000)
    ]
    return headers, rows


# --- the receipts register ----------------------------------------------------------------


def register_headers() -> list[str]:
    return [
        _("N°"),
        _("Émis le"),
        _("Type"),
        _("Statut"),
        _("Année des dons"),
        _("Donateur"),
        _("E-mail"),
        _("Adresse"),
        _("Montant versé (€)"),
        _("Montant déductible (€)"),
        _("Moyen"),
        _("Association"),
        _("Annulé le"),
        _("Motif d'annulation"),
        _("Remplace le n°"),
    ]


def register_row(receipt: Receipt) -> list:
    document = receipt.document
    donor_address = document["donor"]["address"]
    methods = sorted({line["method"] for line in document["lines"]})
    return [
        receipt.number,
        french_date(receipt.issued_at),
        receipt.get_kind_display(),
        receipt.get_status_display(),
        receipt.gift_year,
        receipt.donor_name,
        receipt.donor_email,
        " ".join(
            part for part in (donor_address["street"], donor_address["postal_code"], donor_address["city"]) if part
        ),
        to_euros(receipt.amount_cents),
        to_euros(receipt.deductible_cents),
        ", ".join(methods),
        receipt.association.name,
        french_date(receipt.cancelled_at),
        receipt.cancellation_reason,
        receipt.replaces.number if receipt.replaces_id else "",
    ]


def register_table(queryset) -> tuple[list[str], list[list]]:
    receipts = queryset.select_related("association", "replaces").order_by(
        "association__name", "year", "series", "sequence"
    )
    return register_headers(), [register_row(receipt) for receipt in receipts.iterator(chunk_size=2000)]
