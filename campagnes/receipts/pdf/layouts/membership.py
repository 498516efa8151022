"""The membership certificate ("attestation d'adhésion"): proof that a member joined and paid.

Why it is not a Cerfa: a membership fee with counterparts (voting rights, activities) is
not a gift, so it opens no tax reduction; the certificate says so in a framed notice, in
the request-independent French the renderer pins, and the strings go through gettext like
any other text of ours.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Paragraph, Spacer

from ...document import ReceiptDocument
from ...words import amount_in_words, format_amount
from ..blocks import association_section, header, notes, notice, payer_section, section, signature_block, top_mentions
from ..styles import Styles
from ..text import field, long_date, markup, method_names, short_date


def membership_story(doc: ReceiptDocument, st: Styles, signature: bytes | None) -> list[Flowable]:
    """The story of a membership certificate at the scale of ``st``."""
    gap = st.pad(5)
    labels = ", ".join(dict.fromkeys(line.label for line in doc.lines if line.label))
    rows: list[Flowable] = []
    if labels:
        rows.append(Paragraph(field(_("Formule"), markup(labels)), st.body))
    if doc.campaign_title and doc.campaign_title not in labels:  # never the same words twice
        rows.append(Paragraph(field(_("Campagne"), markup(doc.campaign_title)), st.body))
    if doc.valid_from and doc.valid_until:
        period = _("du %(start)s au %(end)s") % {"start": long_date(doc.valid_from), "end": long_date(doc.valid_until)}
        rows.append(Paragraph(field(_("Période de validité"), period), st.body))
    amount = f"{format_amount(doc.amount_cents)} ({amount_in_words(doc.amount_cents)})"
    rows.append(Paragraph(field(_("Montant réglé"), amount), st.body))
    if doc.lines:
        dates = ", ".join(dict.fromkeys(short_date(line.received_on) for line in doc.lines))
        rows.append(Paragraph(field(_("Date du paiement"), dates), st.body))
        rows.append(Paragraph(field(_("Mode de paiement"), markup(method_names(doc.lines))), st.body))
    story: list[Flowable] = [
        header(
            st,
            form_ref="",
            title=_("Attestation d'adhésion"),
            subtitle=markup(doc.beneficiary.name),
            number_label=_("N° de l'attestation :"),
            number=doc.number,
        ),
        Spacer(1, gap),
        *top_mentions(doc, st),
        Paragraph(
            _("L'association %(association)s atteste que la personne ci-dessous a adhéré et réglé sa cotisation.")
            % {"association": markup(doc.beneficiary.name)},
            st.body,
        ),
        Spacer(1, gap),
        association_section(doc, st),
        Spacer(1, gap),
        payer_section(doc, st, _("Adhérent")),
        Spacer(1, gap),
        section(_("Adhésion"), rows, st),
        Spacer(1, gap),
        notice(_("Cette attestation ne constitue pas un reçu fiscal et n'ouvre pas droit à réduction d'impôt."), st),
        Spacer(1, gap),
        signature_block(doc, st, signature, left=notes(doc, st), title=_("Date et signature")),
    ]
    return story
