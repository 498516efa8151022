"""Which document a payment earns, and what it says: the receipts' business rules.

Kept apart from the lifecycle (services.py) so that the rules read as one page: eligibility
comes from the association record, the deductible amount from the counterpart, the articles
from the donor's kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.utils import timezone

from associations.models import Association, TaxOtherType, TaxStatus
from campagnes.models import Payment, PaymentKind
from campagnes.receipts import non_cash
from campagnes.receipts.document import (
    Address,
    Beneficiary,
    DocumentKind,
    Donor,
    ReceiptDocument,
    ReceiptLine,
    Signatory,
)

GIFT_KINDS = (PaymentKind.DONATION, PaymentKind.MONTHLY_DONATION, PaymentKind.CROWDFUNDING)
SERIES_FOR_KIND = {
    DocumentKind.TAX_INDIVIDUAL: "",
    DocumentKind.TAX_COMPANY: "",
    DocumentKind.MEMBERSHIP_CERTIFICATE: "ADH",
    DocumentKind.PAYMENT_CONFIRMATION: "CP",
}


def document_kind_for(payment: Payment, association: Association) -> str:
    """An ineligible association never issues a tax receipt, whatever the payment."""
    tax_kind = DocumentKind.TAX_COMPANY if payment.company_siren else DocumentKind.TAX_INDIVIDUAL
    if payment.kind in GIFT_KINDS:
        return tax_kind if association.issues_tax_receipts else DocumentKind.PAYMENT_CONFIRMATION
    if payment.kind == PaymentKind.MEMBERSHIP:
        if association.issues_tax_receipts and association.membership_tax_eligible:
            return tax_kind
        return DocumentKind.MEMBERSHIP_CERTIFICATE
    return DocumentKind.PAYMENT_CONFIRMATION


def paid_cents(payment: Payment) -> int:
    """What the payer gave and kept given: the total minus what was refunded."""
    return max(payment.total_cents - payment.refunded_cents, 0)


def counterpart_cents(payment: Payment) -> int:
    return payment.offer_details.counterpart_value_cents


def deductible_cents(payment: Payment, kind: str) -> int:
    """A counterpart reduces the amount that gives a right to the tax reduction by its value."""
    if kind not in DocumentKind.TAX_KINDS:
        return 0
    return max(paid_cents(payment) - counterpart_cents(payment), 0)


def counterpart_within_tolerance(*, gift_cents: int, value_cents: int) -> bool:
    """The administration's tolerance: a quarter of the gift, within a yearly cap (settings)."""
    quarter = gift_cents * settings.KOLLEKTIF_COUNTERPART_TOLERANCE_PERCENT // 100
    return value_cents <= min(quarter, settings.KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS)


def articles_for(kind: str, association: Association) -> tuple[str, ...]:
    if kind == DocumentKind.TAX_COMPANY:
        return ("238 bis",)
    if kind == DocumentKind.TAX_INDIVIDUAL:
        return ("200", "978") if association.tax_ifi_eligible else ("200",)
    return ()


def beneficiary_for(association: Association) -> Beneficiary:
    if association.tax_status == TaxStatus.PUBLIC_UTILITY:
        beneficiary_type, other_label = "rup", ""
    elif association.tax_status == TaxStatus.OTHER:
        other = association.tax_other_type
        beneficiary_type = "autre" if other == TaxOtherType.OTHER else other
        other_label = association.tax_other_label if other == TaxOtherType.OTHER else ""
    else:
        beneficiary_type, other_label = "interet-general", ""
    commune = association.commune
    return Beneficiary(
        name=association.name,
        address=Address(
            street=association.street_address, postal_code=association.postal_code, city=commune.name if commune else ""
        ),
        object=association.objet,
        siren=association.siren,
        rna=association.rna,
        beneficiary_type=beneficiary_type,
        other_type_label=other_label,
        rup_decree_date=association.rup_decree_date,
        rup_journal_date=association.rup_journal_date,
        rescrit_date=association.tax_rescrit_date if association.tax_basis == "rescrit" else None,
    )


def donor_for(payment: Payment) -> Donor:
    address = Address(
        street=payment.street_address,
        postal_code=payment.postal_code,
        city=payment.city,
        country="France" if payment.country in ("", "FR") else payment.country,
    )
    if payment.company_siren:
        return Donor(
            name=payment.company_name,
            address=address,
            siren=payment.company_siren,
            legal_form=payment.company_legal_form,
            first_name=payment.first_name,
            last_name=payment.last_name,
            email=payment.email,
        )
    return Donor(
        name=f"{payment.first_name} {payment.last_name}".strip(),
        address=address,
        first_name=payment.first_name,
        last_name=payment.last_name,
        email=payment.email,
    )


def signatory_for(association: Association) -> Signatory:
    signature = None
    if association.receipt_signature:
        with association.receipt_signature.open("rb") as handle:
            signature = handle.read()
    return Signatory(
        name=association.receipt_signatory_name or association.name,
        capacity=association.receipt_signatory_capacity or "",
        signature_png=signature,
    )


def received_on(payment: Payment) -> date:
    return timezone.localdate(payment.paid_at or payment.created_at)


def line_label(payment: Payment) -> str:
    label = payment.get_kind_display()
    offer = payment.offer_details
    if offer.manual:
        return f"{label} ({payment.get_method_display().lower()})"
    if offer.tier_name:
        label = f"{label} — {offer.tier_name}"
    title = payment.campaign.title if payment.campaign_id else ""
    return f"{label} — {title}" if title else label


def line_for(payment: Payment) -> ReceiptLine:
    return ReceiptLine(
        received_on=received_on(payment),
        amount_cents=paid_cents(payment),
        method=payment.method,
        label=line_label(payment),
    )


def build_document(
    *,
    association: Association,
    payments: Sequence[Payment],
    kind: str,
    number: str,
    issued_on: date,
    year: int | None = None,
    replaces_number: str = "",
) -> ReceiptDocument:
    """The snapshot of one receipt: several payments only for an annual summary."""
    first = payments[0]
    amount = sum(paid_cents(payment) for payment in payments)
    deductible = sum(deductible_cents(payment, kind) for payment in payments)
    counterpart = first.offer_details.counterpart_name if len(payments) == 1 else ""
    return ReceiptDocument(
        kind=kind,
        number=number,
        issued_on=issued_on,
        beneficiary=beneficiary_for(association),
        donor=donor_for(first),
        lines=tuple(line_for(payment) for payment in payments),
        amount_cents=amount,
        deductible_cents=deductible,
        signatory=signatory_for(association),
        articles=articles_for(kind, association),
        year=year,
        counterpart_label=counterpart if counterpart_cents(first) else "",
        campaign_title=first.campaign.title if len(payments) == 1 and first.campaign_id else "",
        replaces_number=replaces_number,
        **non_cash.document_fields(payments),  # a volunteer's expenses, a gift in kind
    )
