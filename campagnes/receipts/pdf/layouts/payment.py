"""The payment confirmation: what was paid for a ticket, a product or any non-deductible payment.

Why: a payer needs proof of payment (for an employer, a works council, their accounts)
even when nothing opens a tax reduction; the document lists each line with its date,
method and amount, and says in a framed notice that it is not a tax receipt.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Paragraph, Spacer

from ...document import PAYMENT_METHODS, ReceiptDocument
from ...words import format_amount
from ..blocks import (
    association_section,
    grid,
    header,
    inner_width,
    notes,
    notice,
    payer_section,
    section,
    signature_block,
    top_mentions,
)
from ..styles import CONTENT_WIDTH, Styles
from ..text import field, markup, method_names, short_date


def payment_story(doc: ReceiptDocument, st: Styles, signature: bytes | None) -> list[Flowable]:
    """The story of a payment confirmation at the scale of ``st``."""
    gap = st.pad(5)
    width = inner_width(CONTENT_WIDTH, st)
    widths = [width * 0.46, width * 0.16, width * 0.2, width * 0.18]
    rows: list[list] = [
        [
            Paragraph(_("Libellé"), st.cell_head),
            Paragraph(_("Date"), st.cell_head),
            Paragraph(_("Mode"), st.cell_head),
            Paragraph(_("Montant"), st.cell_head_right),
        ]
    ]
    for line in doc.lines:
        rows.append(
            [
                Paragraph(markup(line.label or doc.campaign_title or _("Paiement")), st.cell),
                Paragraph(short_date(line.received_on), st.cell),
                Paragraph(markup(PAYMENT_METHODS.get(line.method, line.method)), st.cell),
                Paragraph(format_amount(line.amount_cents), st.cell_right),
            ]
        )
    rows.append(
        [
            Paragraph(_("Total"), st.cell_head),
            "",
            "",
            Paragraph(f"<b>{format_amount(doc.amount_cents)}</b>", st.cell_right),
        ]
    )
    detail: list[Flowable] = []
    if doc.campaign_title:
        detail.append(Paragraph(field(_("Campagne"), markup(doc.campaign_title)), st.body))
    detail.append(grid(rows, widths, st, total=True))
    if doc.lines:
        detail.append(Paragraph(field(_("Moyen de paiement"), markup(method_names(doc.lines))), st.body))
    story: list[Flowable] = [
        header(
            st,
            form_ref="",
            title=_("Confirmation de paiement"),
            subtitle=markup(doc.beneficiary.name),
            number_label=_("N° de la confirmation :"),
            number=doc.number,
        ),
        Spacer(1, gap),
        *top_mentions(doc, st),
        association_section(doc, st),
        Spacer(1, gap),
        payer_section(doc, st, _("Payeur")),
        Spacer(1, gap),
        section(_("Détail du paiement"), detail, st),
        Spacer(1, gap),
        notice(_("Ce document n'est pas un reçu fiscal : ce paiement n'ouvre pas droit à réduction d'impôt."), st),
        Spacer(1, gap),
    ]
    if doc.confirmation_reason:  # a gift whose counterpart went beyond the tolerance: say why
        story += [Paragraph(markup(doc.confirmation_reason), st.body), Spacer(1, gap)]
    if doc.signatory.name or signature:
        story.append(signature_block(doc, st, signature, left=notes(doc, st), title=_("Date et signature")))
    else:
        story += [Paragraph(_("Émis le %(date)s") % {"date": short_date(doc.issued_on)}, st.body), *notes(doc, st)]
    return story
