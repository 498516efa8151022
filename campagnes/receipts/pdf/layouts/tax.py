"""The two Cerfa tax receipts: 2041-RD (n° 11580*05, individuals, annual summaries included)
and 2041-MEC-SD (n° 16216*03, companies).

Why: these layouts follow the official models frame by frame (beneficiary, donor, gifts, date
and signature) and carry every mention of the model word for word, so that a tax office
recognises them; the wording comes from ``cerfa`` and is not translated. An annual summary is
an individual receipt that lists every gift of the year (``doc.year`` set), side by side in
columns when there are many. Every box of a list is printed, the right one ticked (☒), so a
reader sees what was not chosen too (card vs cheque vs cash vs expenses given up).
"""

from __future__ import annotations

import math

from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ...document import PAYMENT_METHODS, DocumentKind, ReceiptDocument, ReceiptLine
from ...words import amount_in_words, format_amount
from ..blocks import (
    beneficiary_identity,
    grid,
    header,
    inner_width,
    no_padding,
    notes,
    section,
    signature_block,
    top_mentions,
)
from ..cerfa import (
    ARTICLES,
    CERFA_COMPANY,
    CERFA_INDIVIDUAL,
    CERTIFY,
    FORM_COMPANY,
    FORM_INDIVIDUAL,
    FORMS,
    GENERAL_INTEREST_BOXES_COMPANY,
    GENERAL_INTEREST_BOXES_INDIVIDUAL,
    GENERAL_INTEREST_COMPANY,
    GENERAL_INTEREST_INDIVIDUAL,
    IN_KIND_DESCRIPTION,
    IN_KIND_WORDS,
    METHOD_BOXES,
    METHOD_BOXES_COMPANY,
    METHOD_HEADING_COMPANY,
    METHOD_HEADING_INDIVIDUAL,
    NATURE_CASH,
    NATURES,
    NUMBER_LABEL,
    OTHER_BOXES,
    OTHER_TYPE,
    PAYMENTS_WORDS,
    PERIOD_COMPANY,
    RECEIVED_IN_KIND,
    RECEIVED_INDIVIDUAL,
    RECEIVED_PAYMENTS,
    TITLE_COMPANY,
    TITLE_INDIVIDUAL,
    TOTAL_COMPANY,
    TOTAL_WORDS,
    VALUATION_LABEL,
)
from ..styles import CONTENT_WIDTH, Styles
from ..text import address_markup, box, boxes, field, markup, method_names, short_date


def tax_story(doc: ReceiptDocument, st: Styles, signature: bytes | None) -> list[Flowable]:
    """The story of a Cerfa receipt, individual or company, at the scale of ``st``."""
    company = doc.kind == DocumentKind.TAX_COMPANY
    top = header(
        st,
        form_ref=f"{FORM_COMPANY} — Cerfa n° {CERFA_COMPANY}"
        if company
        else f"{FORM_INDIVIDUAL} — Cerfa n° {CERFA_INDIVIDUAL}",
        title=TITLE_COMPANY if company else TITLE_INDIVIDUAL,
        subtitle="",
        number_label=NUMBER_LABEL,
        number=doc.number,
    )
    gap = st.pad(5)
    story: list[Flowable] = [top, Spacer(1, gap)]
    story += top_mentions(doc, st)
    if company:
        donor = company_donor_section(doc, st)
        gifts = section("Dons et versements effectués par l'entreprise", company_gift_rows(doc, st), st)
    else:
        donor = individual_donor_section(doc, st)
        gifts = section("Dons et versements", individual_gift_rows(doc, st), st)
    story += [
        beneficiary_section(doc, st, company=company),
        Spacer(1, gap),
        donor,
        Spacer(1, gap),
        gifts,
        Spacer(1, gap),
        signature_block(doc, st, signature, left=notes(doc, st), title="Date et signature"),
    ]
    return story


def _two_columns(cells: list, st: Styles, width: float) -> Table:
    if len(cells) % 2:
        cells.append("")
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[width / 2, width / 2])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), st.pad(6)),
                ("TOPPADDING", (0, 0), (-1, -1), st.pad(0.8)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad(0.8)),
            ]
        )
    )
    return table


def beneficiary_types(doc: ReceiptDocument, st: Styles, width: float, *, company: bool) -> list[Flowable]:
    """The model's organism types: the general interest box and its sub-boxes, then the others."""
    beneficiary = doc.beneficiary
    sub_boxes = GENERAL_INTEREST_BOXES_COMPANY if company else GENERAL_INTEREST_BOXES_INDIVIDUAL
    known = {key for key, _label in sub_boxes} | {key for key, _label in OTHER_BOXES}
    chosen = beneficiary.beneficiary_type
    if company and chosen == "violences-domestiques":
        chosen = "interet-general"  # the 75 % rate is the individuals' (CGI art. 200): an association loi 1901
    if chosen not in known:
        chosen = "autre"
    general = chosen in {key for key, _label in sub_boxes} or chosen == "autre"
    heading = GENERAL_INTEREST_COMPANY if company else GENERAL_INTEREST_INDIVIDUAL
    cells = []
    for key, label in sub_boxes:
        text = label.format(
            decree=short_date(beneficiary.rup_decree_date) or "…",
            journal=short_date(beneficiary.rup_journal_date) or "…",
        )
        cells.append(Paragraph(box(key == chosen, text), st.cell))
    other = beneficiary.other_type_label if beneficiary.beneficiary_type == "autre" else ""
    if chosen == "autre" and not other and beneficiary.beneficiary_type != "autre":
        other = beneficiary.beneficiary_type  # an unknown key is shown rather than lost
    cells.append(Paragraph(box(chosen == "autre", f"{OTHER_TYPE} {markup(other)}"), st.cell))
    others = [Paragraph(box(key == chosen, label), st.cell) for key, label in OTHER_BOXES]
    return [
        Paragraph(box(general, f"{heading} :"), st.cell),
        _two_columns(cells, st, width),
        _two_columns(others, st, width),
    ]


def beneficiary_section(doc: ReceiptDocument, st: Styles, *, company: bool) -> Table:
    """The beneficiary frame: identity, ticked organism type, tax ruling (rescrit) if any."""
    width = inner_width(CONTENT_WIDTH, st)
    rows = beneficiary_identity(doc, st)
    rows += beneficiary_types(doc, st, width, company=company)
    if doc.beneficiary.rescrit_date:
        rows.append(Paragraph(f"Rescrit fiscal du {short_date(doc.beneficiary.rescrit_date)}", st.body))
    return section("Organisme bénéficiaire des dons et versements", rows, st)


def individual_donor_section(doc: ReceiptDocument, st: Styles) -> Table:
    """The 2041-RD's donor frame: surname and first names apart when known."""
    donor = doc.donor
    if donor.last_name or donor.first_name:
        rows = [
            Paragraph(field("Nom", markup(donor.last_name or donor.name)), st.body),
            Paragraph(field("Prénoms", markup(donor.first_name)), st.body),
        ]
    else:
        rows = [Paragraph(field("Nom", markup(donor.name)), st.body)]
    rows.append(Paragraph(field("Adresse", address_markup(donor.address)), st.body))
    return section("Donateur", rows, st)


def company_donor_section(doc: ReceiptDocument, st: Styles) -> Table:
    """The 2041-MEC-SD's company frame: name, legal form, SIREN, address."""
    donor = doc.donor
    rows = [
        Paragraph(field("Dénomination de l'entreprise", markup(donor.name)), st.body),
        Paragraph(field("Forme juridique", markup(donor.legal_form)), st.body),
        Paragraph(field("Numéro SIREN", markup(donor.siren)), st.body),
        Paragraph(field("Adresse", address_markup(donor.address)), st.body),
    ]
    return section("Entreprise donatrice", rows, st)


def tax_lines_table(lines: tuple[ReceiptLine, ...], st: Styles, width: float) -> Table:
    """Date / amount / method of each payment; side by side columns when there are many.

    Twelve monthly gifts fit in two columns of six; beyond thirty, three columns.
    """
    count = len(lines)
    groups = 1 if count <= 6 else 2 if count <= 30 else 3
    per_group = math.ceil(count / groups)
    gap = st.pad(8)
    group_width = (width - gap * (groups - 1)) / groups
    col_widths = [group_width * 0.27, group_width * 0.28, group_width * 0.45]
    tables = []
    for start in range(0, count, per_group):
        rows = [
            [
                Paragraph("Date", st.cell_head),
                Paragraph("Montant", st.cell_head_right),
                Paragraph("Mode de versement", st.cell_head),
            ]
        ]
        for line in lines[start : start + per_group]:
            rows.append(
                [
                    Paragraph(short_date(line.received_on), st.cell),
                    Paragraph(format_amount(line.amount_cents), st.cell_right),
                    Paragraph(markup(PAYMENT_METHODS.get(line.method, line.method)), st.cell),
                ]
            )
        tables.append(grid(rows, col_widths, st))
    if groups == 1:
        return tables[0]
    widths = []
    cells = []
    for index, table in enumerate(tables):
        if index:
            cells.append("")
            widths.append(gap)
        cells.append(table)
        widths.append(group_width)
    outer = Table([cells], colWidths=widths)
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *no_padding()]))
    return outer


def _starred(cents: int) -> str:
    """The amount in figures framed by asterisks, as software-made receipts print it (BOI-IR-RICI-250-40 § 20)."""
    return f"<b>*** {format_amount(cents)} ***</b>"


def _counterpart_rows(doc: ReceiptDocument, st: Styles) -> list[Flowable]:
    if doc.counterpart_cents <= 0:
        return []
    counterpart = format_amount(doc.counterpart_cents)
    if doc.counterpart_label:
        counterpart += f" ({markup(doc.counterpart_label)})"
    return [
        Paragraph(field("Montant versé", format_amount(doc.amount_cents)), st.body),
        Paragraph(field("Valeur de la contrepartie reçue", counterpart), st.body),
        Paragraph(field("Montant ouvrant droit à réduction d'impôt", format_amount(doc.deductible_cents)), st.body),
    ]


def _lines_rows(doc: ReceiptDocument, st: Styles, single_label: str) -> list[Flowable]:
    """The date of the gift, or every payment in a table (annual summary, several payments)."""
    width = inner_width(CONTENT_WIDTH, st)
    if doc.is_annual_summary or len(doc.lines) > 1:
        heading = f"Dons de l'année {doc.year}" if doc.is_annual_summary else "Dates des versements ou des dons"
        count = len(doc.lines)
        payments = f"{count} versement{'s' if count > 1 else ''}"
        rows: list[Flowable] = [
            Paragraph(
                f"<b>{heading}</b> ({payments}, total versé : {format_amount(doc.amount_cents)}) :",
                st.body,
            )
        ]
        if doc.lines:
            rows.append(tax_lines_table(doc.lines, st, width))
        return rows
    if doc.lines:
        return [Paragraph(field(single_label, short_date(doc.lines[0].received_on)), st.body)]
    return []


def _details_rows(doc: ReceiptDocument, st: Styles) -> list[Flowable]:
    rows = [Paragraph(f"— {markup(line)}", st.body) for line in doc.nature_details if line]
    if doc.valuation_method and doc.kind == DocumentKind.TAX_INDIVIDUAL:
        rows.append(Paragraph(field("Méthode d'évaluation", markup(doc.valuation_method)), st.body))
    return rows


def individual_gift_rows(doc: ReceiptDocument, st: Styles) -> list[Flowable]:
    """2041-RD: amount in figures and words, date(s), articles, form, nature and method boxes."""
    rows: list[Flowable] = [
        Paragraph(f"{RECEIVED_INDIVIDUAL} {_starred(doc.deductible_cents)}", st.body),
        Paragraph(field("Somme en toutes lettres", amount_in_words(doc.deductible_cents)), st.body),
    ]
    rows += _counterpart_rows(doc, st)
    if doc.campaign_title:
        rows.append(Paragraph(field("Campagne", markup(doc.campaign_title)), st.body))
    rows += _lines_rows(doc, st, "Date du versement ou du don")

    articles = boxes([(article in doc.articles, f"{article} du CGI") for article in ARTICLES])
    rows.append(Paragraph(f"{CERTIFY} : {articles}", st.body))

    form_known = any(doc.form.casefold() == form.casefold() for form in FORMS)
    options = [(doc.form.casefold() == form.casefold(), form) for form in FORMS]
    options.append((not form_known, "Autres" + ("" if form_known else f" : {markup(doc.form)}")))
    rows.append(Paragraph(field("Forme du don", boxes(options)), st.body))

    nature_known = any(doc.nature.casefold() == nature.casefold() for nature in NATURES)
    options = [(doc.nature.casefold() == nature.casefold(), nature) for nature in NATURES]
    options.append((not nature_known, "Autres (précisez)" + ("" if nature_known else f" : {markup(doc.nature)}")))
    rows.append(Paragraph(field("Nature du don", boxes(options)), st.body))
    rows += _details_rows(doc, st)

    # The method boxes concern a gift in cash only: nothing is ticked for expenses or a gift in kind.
    cash = doc.nature.casefold() == NATURE_CASH.casefold()
    methods = {line.method for line in doc.lines} if cash else set()
    rows.append(
        Paragraph(
            field(METHOD_HEADING_INDIVIDUAL, boxes([(bool(methods & keys), label) for label, keys in METHOD_BOXES])),
            st.body,
        )
    )
    if doc.lines and cash:
        rows.append(Paragraph(field("Moyen de paiement utilisé", markup(method_names(doc.lines))), st.body))
    return rows


def period_text(lines: tuple[ReceiptLine, ...]) -> str:
    """One date, or "du … au …" when the receipt covers several days."""
    if not lines:
        return ""
    first = min(line.received_on for line in lines)
    last = max(line.received_on for line in lines)
    if first == last:
        return short_date(first)
    return f"du {short_date(first)} au {short_date(last)}"


def company_gift_rows(doc: ReceiptDocument, st: Styles) -> list[Flowable]:
    """2041-MEC-SD: gifts in kind, payments and their form, total, date or period."""
    in_kind = min(doc.in_kind_cents, doc.deductible_cents)
    payments = doc.deductible_cents - in_kind
    rows: list[Flowable] = [
        Paragraph(f"{RECEIVED_IN_KIND} {_starred(in_kind)}", st.body),
        Paragraph(field(IN_KIND_WORDS, amount_in_words(in_kind) if in_kind else "néant"), st.body),
        Paragraph(field(IN_KIND_DESCRIPTION, markup(doc.in_kind_description) or "néant"), st.body),
    ]
    if doc.valuation_method:
        rows.append(Paragraph(field(VALUATION_LABEL, markup(doc.valuation_method)), st.body))
    rows += [
        Paragraph(f"{RECEIVED_PAYMENTS} {_starred(payments)}", st.body),
        Paragraph(field(PAYMENTS_WORDS, amount_in_words(payments) if payments else "néant"), st.body),
    ]
    methods = {line.method for line in doc.lines} if payments else set()
    rows.append(
        Paragraph(
            field(
                METHOD_HEADING_COMPANY, boxes([(bool(methods & keys), label) for label, keys in METHOD_BOXES_COMPANY])
            ),
            st.body,
        )
    )
    rows += [
        Paragraph(f"<b>{TOTAL_COMPANY}</b> {_starred(doc.deductible_cents)}", st.body),
        Paragraph(field(TOTAL_WORDS, amount_in_words(doc.deductible_cents)), st.body),
    ]
    rows += _counterpart_rows(doc, st)
    if doc.campaign_title:
        rows.append(Paragraph(field("Campagne", markup(doc.campaign_title)), st.body))
    rows.append(Paragraph(field(PERIOD_COMPANY, period_text(doc.lines)), st.body))
    if len(doc.lines) > 1:
        rows += _lines_rows(doc, st, "")
    return rows
