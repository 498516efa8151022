"""Which document a payment earns, and what it says: the receipts' business rules.

Kept apart from the lifecycle (services.py) so that the rules read as one page: eligibility
comes from the association record, the deductible amount from the counterpart, the articles
from the donor's kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, TaxOtherType, TaxStatus
from campagnes.models import Membership, Payment, PaymentKind, PaymentStatus, ReceiptItem, ReceiptStatus
from campagnes.money import format_eur
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
    return document_decision(payment, association)[0]


def document_decision(payment: Payment, association: Association) -> tuple[str, str]:
    """(kind, reason): the document a payment earns, and why a gift gets no tax receipt ("" otherwise).

    A gift whose counterpart goes beyond the administration's tolerance is not a gift in the
    tax sense (BOI-IR-RICI-250-20, III-D, see ``counterpart_refusal``): it earns a payment
    confirmation that prints ``reason``, never a tax receipt.
    """
    tax_kind = DocumentKind.TAX_COMPANY if payment.company_siren else DocumentKind.TAX_INDIVIDUAL
    if payment.kind in GIFT_KINDS:
        if not association.issues_tax_receipts:
            return DocumentKind.PAYMENT_CONFIRMATION, ""
        reason = counterpart_refusal(payment)
        if not reason and paid_cents(payment) <= 0:  # never a tax receipt of 0 €
            reason = _("Pas de reçu fiscal : aucun montant n'est resté acquis à l'association.")
        return (DocumentKind.PAYMENT_CONFIRMATION, reason) if reason else (tax_kind, "")
    if payment.kind == PaymentKind.MEMBERSHIP:
        if association.issues_tax_receipts and association.membership_tax_eligible:
            return tax_kind, ""
        return DocumentKind.MEMBERSHIP_CERTIFICATE, ""
    return DocumentKind.PAYMENT_CONFIRMATION, ""


def paid_cents(payment: Payment) -> int:
    """What the payer gave and kept given: the total minus what was refunded."""
    return max(payment.total_cents - payment.refunded_cents, 0)


def counterpart_cents(payment: Payment) -> int:
    return payment.offer_details.counterpart_value_cents


def deductible_cents(payment: Payment, kind: str) -> int:
    """What the tax receipt states: the whole payment, its counterpart being within the tolerance.

    BOI-IR-RICI-250-20, III-D: goods or services given in return that stay in a "disproportion
    marquée" with the gift (at most a quarter of it, within the yearly cap) do not take away the
    gift's character, so the payment opens the reduction for its whole amount; beyond the
    tolerance it is no gift at all (``counterpart_refusal``) and gets no tax receipt. The value is
    never subtracted: a receipt for "40 € minus 30 €" is the very mistake article 1740 A fines.
    See docs/receipts.md.
    """
    if kind not in DocumentKind.TAX_KINDS:
        return 0
    return paid_cents(payment)


def counterpart_tolerance_refusal(*, gift_cents: int, value_cents: int, year_before_cents: int = 0) -> str:
    """Why a counterpart of ``value_cents`` on a gift of ``gift_cents`` loses the tax receipt ("" if it keeps it).

    The tolerance (BOI-IR-RICI-250-20, III-D): the counterparts' value is at most a quarter of
    the payment (KOLLEKTIF_COUNTERPART_TOLERANCE_PERCENT) and, added to those the donor already
    received from the association in the calendar year (``year_before_cents``), at most the yearly
    cap (KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS). One function for the campaign form and the
    issue of the receipt, so both always say the same.
    """
    if value_cents <= 0:
        return ""
    quarter = gift_cents * settings.KOLLEKTIF_COUNTERPART_TOLERANCE_PERCENT // 100
    cap = settings.KOLLEKTIF_COUNTERPART_TOLERANCE_CAP_CENTS
    if gift_cents <= 0 or value_cents > quarter:
        return _(
            "Pas de reçu fiscal : la contrepartie reçue vaut %(value)s, plus que %(percent)s %% du versement "
            "(%(quarter)s pour %(gift)s), limite admise par l'administration fiscale (BOI-IR-RICI-250-20)."
        ) % {
            "value": format_eur(value_cents),
            "percent": settings.KOLLEKTIF_COUNTERPART_TOLERANCE_PERCENT,
            "quarter": format_eur(quarter),
            "gift": format_eur(gift_cents),
        }
    if year_before_cents + value_cents > cap:
        return _(
            "Pas de reçu fiscal : avec cette contrepartie (%(value)s), les contreparties reçues de l'association "
            "dans l'année civile valent %(total)s, plus que la limite annuelle de %(cap)s admise par "
            "l'administration fiscale (BOI-IR-RICI-250-20)."
        ) % {
            "value": format_eur(value_cents),
            "total": format_eur(year_before_cents + value_cents),
            "cap": format_eur(cap),
        }
    return ""


def counterpart_within_tolerance(*, gift_cents: int, value_cents: int, year_before_cents: int = 0) -> bool:
    return not counterpart_tolerance_refusal(
        gift_cents=gift_cents, value_cents=value_cents, year_before_cents=year_before_cents
    )


def donor_payments_q(payment: Payment) -> Q:
    """The same donor, as receipts know them: a company by its SIREN, a person by e-mail (any case)."""
    if payment.company_siren:
        return Q(company_siren=payment.company_siren)
    return Q(email__iexact=payment.email, company_siren="")


def year_counterparts_cents(payment: Payment) -> int:
    """The counterparts the donor already received with gifts that hold a tax receipt, same association and year.

    Only gifts that kept their tax receipt count: a payment that got a confirmation was a
    purchase, not a gift, and its counterpart is what was bought. A cancelled receipt (refund)
    no longer counts either.
    """
    year = received_on(payment).year
    receipted = ReceiptItem.objects.filter(
        receipt__status=ReceiptStatus.ISSUED, receipt__kind__in=DocumentKind.TAX_KINDS
    ).values("payment_id")
    others = (
        Payment.objects.filter(
            donor_payments_q(payment),
            association_id=payment.association_id,
            kind__in=GIFT_KINDS,
            status__in=PaymentStatus.SETTLED,
            pk__in=receipted,
        )
        .exclude(pk=payment.pk)
        .only("pk", "offer", "paid_at", "created_at")
    )
    return sum(counterpart_cents(other) for other in others if received_on(other).year == year)


def counterpart_refusal(payment: Payment) -> str:
    """Why this gift gets no tax receipt because of its counterpart ("" when it keeps it)."""
    value = counterpart_cents(payment)
    if value <= 0:
        return ""
    return counterpart_tolerance_refusal(
        gift_cents=paid_cents(payment), value_cents=value, year_before_cents=year_counterparts_cents(payment)
    )


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
    """ "Adhésion 2026 — Simple", "Collecte — Un atelier mobile": each word once.

    The kind, the formula (or ticket, counterpart) and the campaign title often repeat each
    other ("Adhésion — Simple — Adhésion 2026"): the kind is dropped when the title already
    names it, and a part whose words are all already there is dropped.
    """
    kind = str(payment.get_kind_display())
    offer = payment.offer_details
    if offer.manual:
        return f"{kind} ({payment.get_method_display().lower()})"
    title = payment.campaign.title if payment.campaign_id else ""
    parts: list[str] = []
    if title:
        parts.append(title if _words(kind) <= _words(title) else f"{kind} — {title}")
    else:
        parts.append(kind)
    if offer.tier_name and not _words(offer.tier_name) <= _words(" ".join(parts)):
        parts.append(offer.tier_name)
    return " — ".join(parts)


def _words(text: str) -> set[str]:
    return {word.casefold() for word in text.replace("—", " ").split()}


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
    confirmation_reason: str = "",
) -> ReceiptDocument:
    """The snapshot of one receipt: several payments only for an annual summary."""
    first = payments[0]
    amount = sum(paid_cents(payment) for payment in payments)
    deductible = sum(deductible_cents(payment, kind) for payment in payments)
    counterpart = first.offer_details.counterpart_name if len(payments) == 1 else ""
    valid_from, valid_until = membership_dates(first) if len(payments) == 1 else (None, None)
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
        confirmation_reason=confirmation_reason,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def membership_dates(payment: Payment) -> tuple[date | None, date | None]:
    """The membership's stored validity period (set when the payment succeeded), for the attestation."""
    if payment.kind != PaymentKind.MEMBERSHIP:
        return None, None
    membership = Membership.objects.filter(payment_id=payment.pk).only("valid_from", "valid_until").first()
    return (membership.valid_from, membership.valid_until) if membership else (None, None)
