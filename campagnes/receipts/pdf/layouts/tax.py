"""The two Cerfa tax receipts: n° 11580*05 (individuals, annual summaries included) and n° 16216*01 (companies).

Why: these layouts follow the official forms frame by frame (beneficiary, donor, gifts,
date and signature) so that a tax office recognises them; the wording comes from
``cerfa`` and is not translated. An annual summary is an individual receipt that lists
every gift of the year (``doc.year`` set), side by side in columns when there are many.
"""

from __future__ import annotations

import math

from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ...document import BENEFICIARY_TYPES, PAYMENT_METHODS, DocumentKind, ReceiptDocument, ReceiptLine
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
    CERTIFY_COMPANY,
    FORMS,
    METHOD_BOXES,
    NATURES,
    NUMBER_LABEL,
    RECEIVED,
    SUBTITLE_INDIVIDUAL,
    TITLE_COMPANY,
    TITLE_INDIVIDUAL,
)
from ..styles import CONTENT_WIDTH, Styles
from ..text import address_markup, box, boxes, field, markup, method_names, short_date


def tax_story(doc: ReceiptDocument, st: Styles, signature: bytes | None) -> list[Flowable]:
    """The story of a Cerfa receipt, individual or company, at the scale of ``st``."""
    company = doc.kind == DocumentKind.TAX_COMPANY
    if company:
        top = header(
            st,
            form_ref=f"Cerfa n° {CERFA_COMPANY}",
            title=TITLE_COMPANY,
            subtitle="",
            number_label=NUMBER_LABEL,
            number=doc.number,
        )
        donor = company_donor_section(doc, st)
    else:
        top = header(
            st,
            form_ref=f"Cerfa n° {CERFA_INDIVIDUAL}",
            title=TITLE_INDIVIDUAL,
            subtitle=SUBTITLE_INDIVIDUAL,
            number_label=NUMBER_LABEL,
            number=doc.number,
        )
        donor = individual_donor_section(doc, st)
    gap = st.pad(5)
    story: list[Flowable] = [top, Spacer(1, gap)]
    story += top_mentions(doc, st)
    story += [
        beneficiary_section(doc, st),
        Spacer(1, gap),
        donor,
        Spacer(1, gap),
        section("Dons et versements", gift_rows(doc, st, company=company), st),
        Spacer(1, gap),
        signature_block(doc, st, signature, left=notes(doc, st), title="Date et signature"),
    ]
    return story


def beneficiary_types(doc: ReceiptDocument, st: Styles, width: float) -> Table:
    """The Cerfa's list of organism types, two columns, the beneficiary's one ticked."""
    beneficiary = doc.beneficiary
    chosen = beneficiary.beneficiary_type if beneficiary.beneficiary_type in BENEFICIARY_TYPES else "autre"
    cells = []
    for key, label in BENEFICIARY_TYPES.items():
        text = box(key == chosen, label)
        if key == "rup" and chosen == "rup" and (beneficiary.rup_decree_date or beneficiary.rup_journal_date):
            text += (
                f" en date du {short_date(beneficiary.rup_decree_date)}"
                f" publié au Journal officiel du {short_date(beneficiary.rup_journal_date)}"
            )
        cells.append(Paragraph(text, st.cell))
    other = beneficiary.other_type_label if chosen == "autre" else ""
    if chosen == "autre" and not other and beneficiary.beneficiary_type != "autre":
        other = beneficiary.beneficiary_type  # an unknown key is shown rather than lost
    cells.append(Paragraph(box(chosen == "autre", f"Autre organisme : {markup(other)}"), st.cell))
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


def beneficiary_section(doc: ReceiptDocument, st: Styles) -> Table:
    """The beneficiary frame: identity, ticked organism type, tax ruling (rescrit) if any."""
    width = inner_width(CONTENT_WIDTH, st)
    rows = beneficiary_identity(doc, st)
    rows.append(Paragraph("<b>Type d'organisme :</b>", st.body))
    rows.append(beneficiary_types(doc, st, width))
    if doc.beneficiary.rescrit_date:
        rows.append(Paragraph(f"Rescrit fiscal du {short_date(doc.beneficiary.rescrit_date)}", st.body))
    return section("Bénéficiaire des versements", rows, st)


def individual_donor_section(doc: ReceiptDocument, st: Styles) -> Table:
    """Cerfa 11580*05's donor frame: surname and first names apart when known."""
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
    """Cerfa 16216*01's company frame: name, SIREN, legal form, address."""
    donor = doc.donor
    rows = [
        Paragraph(field("Dénomination", markup(donor.name)), st.body),
        Paragraph(field("N° SIREN", markup(donor.siren)), st.body),
    ]
    if donor.legal_form:
        rows.append(Paragraph(field("Forme juridique", markup(donor.legal_form)), st.body))
    rows.append(Paragraph(field("Adresse", address_markup(donor.address)), st.body))
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


def gift_rows(doc: ReceiptDocument, st: Styles, *, company: bool) -> list[Flowable]:
    """Amount, words, counterpart, dates and the boxes of form / nature / method."""
    width = inner_width(CONTENT_WIDTH, st)
    amount = format_amount(doc.deductible_cents)
    rows: list[Flowable] = [
        Paragraph(
            f"{RECEIVED}<b>*** {amount} ***</b>",
            st.body,
        ),
        Paragraph(field("Somme en toutes lettres", amount_in_words(doc.deductible_cents)), st.body),
    ]
    if doc.counterpart_cents > 0:
        counterpart = format_amount(doc.counterpart_cents)
        if doc.counterpart_label:
            counterpart += f" ({markup(doc.counterpart_label)})"
        rows += [
            Paragraph(field("Montant versé", format_amount(doc.amount_cents)), st.body),
            Paragraph(field("Valeur de la contrepartie reçue", counterpart), st.body),
            Paragraph(field("Montant ouvrant droit à réduction d'impôt", amount), st.body),
        ]
    if doc.campaign_title:
        rows.append(Paragraph(field("Campagne", markup(doc.campaign_title)), st.body))
    if doc.is_annual_summary or len(doc.lines) > 1:
        heading = f"Dons de l'année {doc.year}" if doc.is_annual_summary else "Dates des versements ou des dons"
        count = len(doc.lines)
        payments = f"{count} versement{'s' if count > 1 else ''}"
        rows.append(
            Paragraph(
                f"<b>{heading}</b> ({payments}, total versé : {format_amount(doc.amount_cents)}) :",
                st.body,
            )
        )
        if doc.lines:
            rows.append(tax_lines_table(doc.lines, st, width))
    elif doc.lines:
        label = "Date du paiement" if company else "Date du versement ou du don"
        rows.append(Paragraph(field(label, short_date(doc.lines[0].received_on)), st.body))

    if company:
        rows.append(Paragraph(CERTIFY_COMPANY, st.body))
    else:
        articles = boxes([(article in doc.articles, f"{article} du CGI") for article in ARTICLES])
        rows.append(
            Paragraph(
                f"{CERTIFY} : {articles}",
                st.body,
            )
        )
        form_known = any(doc.form.casefold() == form.casefold() for form in FORMS)
        options = [(doc.form.casefold() == form.casefold(), form) for form in FORMS]
        options.append((not form_known, "Autres" + ("" if form_known else f" : {markup(doc.form)}")))
        rows.append(Paragraph(field("Forme du don", boxes(options)), st.body))

    nature_known = any(doc.nature.casefold() == nature.casefold() for nature in NATURES)
    options = [(doc.nature.casefold() == nature.casefold(), nature) for nature in NATURES]
    options.append((not nature_known, "Autres" + ("" if nature_known else f" : {markup(doc.nature)}")))
    rows.append(Paragraph(field("Nature du don", boxes(options)), st.body))

    methods = {line.method for line in doc.lines}
    rows.append(
        Paragraph(
            field("Mode de versement", boxes([(bool(methods & keys), label) for label, keys in METHOD_BOXES])),
            st.body,
        )
    )
    if doc.lines:
        rows.append(Paragraph(field("Moyen de paiement utilisé", markup(method_names(doc.lines))), st.body))
    return rows
