"""What a receipt PDF shows, as plain frozen data.

The PDF renderer reads only this: it never touches the database, so regenerating a PDF
from the stored snapshot always gives the same content, years later, whatever became of
the association record or the payer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class DocumentKind:
    """The four kinds of document, as stored on a Receipt."""

    TAX_INDIVIDUAL = "recu-fiscal"  # Cerfa n° 11580*05
    TAX_COMPANY = "recu-fiscal-entreprise"  # Cerfa n° 16216 (2041-MEC-SD), see pdf/cerfa.py
    MEMBERSHIP_CERTIFICATE = "attestation-adhesion"
    PAYMENT_CONFIRMATION = "confirmation-paiement"

    TAX_KINDS = (TAX_INDIVIDUAL, TAX_COMPANY)


# Beneficiary types an association may be (short names, for forms and stored snapshots); the
# receipts print the wording of the official forms' boxes instead (pdf/cerfa.py).
BENEFICIARY_TYPES: dict[str, str] = {
    "interet-general": "Œuvre ou organisme d'intérêt général",
    "rup": "Association ou fondation reconnue d'utilité publique par décret",
    "aide-personnes": (
        "Association fournissant gratuitement une aide alimentaire ou des soins médicaux "
        "à des personnes en difficulté ou favorisant leur logement"
    ),
    "festival": "Organisme ayant pour activité principale l'organisation de festivals",
    "insertion": "Atelier et chantier d'insertion, entreprise d'insertion ou association intermédiaire",
    "enseignement": (
        "Établissement d'enseignement supérieur ou d'enseignement artistique public ou privé, "
        "d'intérêt général, à but non lucratif"
    ),
    "recherche": "Établissement de recherche public ou privé, d'intérêt général, à but non lucratif",
    "culte": "Association cultuelle ou de bienfaisance et établissement public des cultes reconnus d'Alsace-Moselle",
    "violences-domestiques": (
        "Organisme accompagnant les victimes de violence domestique ou contribuant à favoriser leur relogement"
    ),
}

PAYMENT_METHODS: dict[str, str] = {
    "carte": "Carte bancaire",
    "prelevement": "Prélèvement",
    "cheque": "Chèque",
    "virement": "Virement",
    "especes": "Remise d'espèces",
    "autre": "Autre",
}

# "Nature du don" values a snapshot holds (the 2041-RD's boxes; anything else is "Autres").
NATURE_CASH = "Numéraire"
NATURE_VOLUNTEER_EXPENSES = "Frais engagés par les bénévoles, dont ils renoncent expressément au remboursement"
NATURE_IN_KIND = "Don en nature"


@dataclass(frozen=True)
class Address:
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "France"

    def lines(self) -> list[str]:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        lines = [self.street, town]
        if self.country and self.country.lower() != "france":
            lines.append(self.country)
        return [line for line in lines if line]


@dataclass(frozen=True)
class Beneficiary:
    name: str
    address: Address
    object: str
    siren: str = ""
    rna: str = ""
    beneficiary_type: str = "interet-general"  # key of BENEFICIARY_TYPES, or "autre"
    other_type_label: str = ""  # when beneficiary_type == "autre"
    rup_decree_date: date | None = None  # when beneficiary_type == "rup"
    rup_journal_date: date | None = None
    rescrit_date: date | None = None  # None: self-assessment


@dataclass(frozen=True)
class Donor:
    name: str  # "Prénom Nom" for a person, company name for a company
    address: Address
    first_name: str = ""
    last_name: str = ""
    siren: str = ""  # company only
    legal_form: str = ""  # company only, free text ("SARL", "SAS"…)
    email: str = ""


@dataclass(frozen=True)
class ReceiptLine:
    """One payment covered by the document (one line for a single gift, twelve for a year)."""

    received_on: date
    amount_cents: int
    method: str  # key of PAYMENT_METHODS
    label: str = ""  # e.g. "Don mensuel", "Adhésion 2026 — Formule soutien"


@dataclass(frozen=True)
class Signatory:
    name: str
    capacity: str  # "Président", "Trésorière"…
    signature_png: bytes | None = None


@dataclass(frozen=True)
class ReceiptDocument:
    kind: str  # a DocumentKind value
    number: str  # "2026-000042"
    issued_on: date
    beneficiary: Beneficiary
    donor: Donor
    lines: tuple[ReceiptLine, ...]
    amount_cents: int  # total paid
    deductible_cents: int  # total giving a right to the reduction (paid minus counterparts)
    signatory: Signatory
    articles: tuple[str, ...] = ()  # ("200",), ("238 bis",), ("200", "978")
    form: str = "Déclaration de don manuel"
    nature: str = "Numéraire"
    year: int | None = None  # set for an annual summary (the lines list each payment)
    counterpart_label: str = ""  # description of the counterpart received, if any
    campaign_title: str = ""
    cancelled_on: date | None = None  # shows a "ANNULÉ" mention when set
    cancellation_reason: str = ""
    replaces_number: str = ""  # a corrected receipt names the one it replaces
    extra_mentions: tuple[str, ...] = field(default_factory=tuple)
    # A gift that is not money: its value (part of amount_cents), exhaustive description and
    # how it was valued (Cerfa 16216 "dons en nature"; a volunteer's expenses on the 2041-RD).
    in_kind_cents: int = 0
    in_kind_description: str = ""
    valuation_method: str = ""
    nature_details: tuple[str, ...] = field(default_factory=tuple)  # e.g. the expenses, line by line
    # why a gift got a payment confirmation rather than a tax receipt (counterpart beyond the tolerance)
    confirmation_reason: str = ""
    # a membership's validity period, printed on the attestation
    valid_from: date | None = None
    valid_until: date | None = None

    @property
    def counterpart_cents(self) -> int:
        return self.amount_cents - self.deductible_cents

    @property
    def is_tax_receipt(self) -> bool:
        return self.kind in DocumentKind.TAX_KINDS

    @property
    def cash_cents(self) -> int:
        """What was paid in money (the company receipt's "versements")."""
        return self.amount_cents - self.in_kind_cents

    @property
    def is_annual_summary(self) -> bool:
        return self.year is not None
