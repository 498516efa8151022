"""The statement a volunteer signs to give up the repayment of their expenses (abandon de frais).

Why the platform writes it: the renunciation must be express and written (BOI-IR-RICI-250-10-20-20
§ 90: "le bénévole doit avoir renoncé expressément au remboursement"), and a treasurer who
types the expenses once should not retype them in a word processor. The volunteer signs the
printed page, the treasurer uploads it, and only then is the receipt issued.
"""

from __future__ import annotations

import io
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ..words import amount_in_words, format_amount
from .styles import MARGIN_TOP, MARGIN_X, register_fonts, styles
from .text import markup

TITLE = "Déclaration d'abandon de frais par un bénévole"


def renunciation_statement_pdf(
    *,
    association_name: str,
    association_address: str,
    volunteer_name: str,
    volunteer_address: str,
    expense_lines: list[str],
    amount_cents: int,
    signed_on: date | None,
) -> bytes:
    """One A4 page to print and sign; pure function of its arguments."""
    register_fonts()
    st = styles(1.0)
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_TOP,
        title=TITLE,
        author=association_name,
        creator="Kollektif",
        invariant=1,
    )
    amount = format_amount(amount_cents)
    story = [
        Paragraph(TITLE, st.title),
        Spacer(1, 8),
        Paragraph(f"<b>Association :</b> {markup(association_name)}, {markup(association_address)}", st.body),
        Spacer(1, 10),
        Paragraph(
            f"Je soussigné(e) <b>{markup(volunteer_name)}</b>, demeurant {markup(volunteer_address)}, bénévole de "
            f"l'association {markup(association_name)}, certifie avoir engagé personnellement les frais décrits "
            "ci-dessous pour les activités de l'association, dans le cadre de son objet, sans contrepartie ni "
            "rémunération, et déclare <b>renoncer expressément au remboursement de ces frais</b>, que je laisse "
            "à l'association à titre de don.",
            st.body,
        ),
        Spacer(1, 8),
        Paragraph("<b>Frais abandonnés :</b>", st.body),
    ]
    story += [Paragraph(f"— {markup(line)}", st.body) for line in expense_lines]
    story += [
        Spacer(1, 6),
        Paragraph(f"<b>Montant total des frais abandonnés :</b> {amount} ({amount_in_words(amount_cents)})", st.body),
        Spacer(1, 6),
        Paragraph(
            "Les justificatifs (billets, factures, notes de péage, relevé des kilomètres parcourus) sont remis "
            "à l'association, qui les conserve avec la présente déclaration. L'association délivre en retour un "
            "reçu fiscal (2041-RD, Cerfa n° 11580*05) ouvrant droit à la réduction d'impôt de l'article 200 du "
            "code général des impôts.",
            st.small,
        ),
        Spacer(1, 18),
        Paragraph(f"Fait à ………………………………, le {signed_on.strftime('%d/%m/%Y') if signed_on else '……/……/…………'}", st.body),
        Spacer(1, 10),
        Paragraph("Signature du bénévole, précédée de la mention « Lu et approuvé » :", st.body),
        Spacer(1, 60),
    ]
    template.build(story)
    return buffer.getvalue()
