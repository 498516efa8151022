"""The boxes every kind of document is made of: header, framed sections, grids, notices, signature.

Why: the four kinds of document (two Cerfa tax receipts, the membership certificate, the
payment confirmation) share one visual grammar — boxed sections with a grey title bar like
the Cerfa's frames, a numbered header box, a signed and dated box — so a change of look is
made once here. Meaning never depends on colour (receipts are printed in black and white).
Every function takes the ``Styles`` of the current scale: the page is rebuilt smaller when
it does not fit.
"""

from __future__ import annotations

import io
import logging

from django.utils.translation import gettext as _
from PIL import Image as PILImage
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Image, Paragraph, Spacer, Table, TableStyle

from ..document import ReceiptDocument
from .styles import BLACK, CONTENT_WIDTH, GREY_FILL, Styles
from .text import OPTION_GAP, address_markup, field, markup, short_date

logger = logging.getLogger("campagnes.receipts.pdf")

SIGNATURE_MAX_WIDTH = 4 * cm
SIGNATURE_MAX_HEIGHT = 1.5 * cm
# A signature is embedded at most this many pixels wide/high: enough for print, keeps the PDF small.
SIGNATURE_MAX_PIXELS = (600, 225)


def section(title: str, rows: list[Flowable], st: Styles, width: float = CONTENT_WIDTH) -> Table:
    """A boxed block with a title bar, like the frames of the Cerfa."""
    table = Table([[Paragraph(title, st.section)], *[[row] for row in rows]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, BLACK),
                ("BACKGROUND", (0, 0), (-1, 0), GREY_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, BLACK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), st.pad(5)),
                ("RIGHTPADDING", (0, 0), (-1, -1), st.pad(5)),
                ("TOPPADDING", (0, 0), (-1, -1), st.pad(1.6)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad(1.6)),
                ("TOPPADDING", (0, 0), (-1, 0), st.pad(2.5)),
                ("BOTTOMPADDING", (0, 0), (-1, 0), st.pad(2.5)),
                ("BOTTOMPADDING", (0, -1), (-1, -1), st.pad(4)),
            ]
        )
    )
    return table


def inner_width(width: float, st: Styles) -> float:
    """The width left inside a section once its side paddings are taken."""
    return width - 2 * st.pad(5)


def header(st: Styles, *, form_ref: str, title: str, subtitle: str, number_label: str, number: str) -> Table:
    """Title on the left, the document's number in a box on the right, as on the Cerfa."""
    left = []
    if form_ref:
        left.append(Paragraph(form_ref, st.small))
    left.append(Paragraph(title, st.title))
    if subtitle:
        left.append(Paragraph(subtitle, st.subtitle))
    box_width = 150
    right = [Paragraph(number_label, st.small), Paragraph(markup(number), st.number)]
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH - box_width, box_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 1.2, BLACK),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), st.pad(8)),
                ("TOPPADDING", (0, 0), (-1, -1), st.pad(3)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad(4)),
            ]
        )
    )
    return table


def cancellation_banner(doc: ReceiptDocument, st: Styles) -> Table:
    """A thick framed "ANNULÉ le …" at the top: a cancelled document must say so before anything else."""
    content = [Paragraph(f"ANNULÉ le {short_date(doc.cancelled_on)}", st.banner)]
    if doc.cancellation_reason:
        # The reason can be long: body-sized, so that the banner stays a banner.
        content.append(Paragraph(f"— {markup(doc.cancellation_reason)}", st.notice))
    table = Table([[content]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2.5, BLACK),
                ("TOPPADDING", (0, 0), (-1, -1), st.pad(4)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad(6)),
            ]
        )
    )
    return table


def replaces(doc: ReceiptDocument, st: Styles) -> Paragraph:
    """The number of the document this one corrects (a tax receipt is never edited, it is replaced)."""
    if doc.is_tax_receipt:
        text = f"Ce reçu annule et remplace le reçu n° {markup(doc.replaces_number)}."
    else:
        text = _("Ce document annule et remplace le document n° %(number)s.") % {"number": markup(doc.replaces_number)}
    return Paragraph(text, st.bold)


def grid(rows: list[list], col_widths: list[float], st: Styles, *, total: bool = False) -> Table:
    """A compact ruled table with a header row (and a bold total row when asked)."""
    table = Table(rows, colWidths=col_widths, repeatRows=1)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, BLACK),
        ("BACKGROUND", (0, 0), (-1, 0), GREY_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), st.pad(3)),
        ("RIGHTPADDING", (0, 0), (-1, -1), st.pad(3)),
        ("TOPPADDING", (0, 0), (-1, -1), st.pad(0.8)),
        ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad(1.8)),
    ]
    if total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, BLACK))
    table.setStyle(TableStyle(commands))
    return table


def no_padding() -> list[tuple]:
    """Table style commands that remove every cell padding (for tables that only lay out tables)."""
    return [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]


def notice(text: str, st: Styles) -> Table:
    """A framed bold sentence, for what the reader must not miss ("not a tax receipt")."""
    table = Table([[Paragraph(text, st.notice)]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, BLACK),
                ("TOPPADDING", (0, 0), (-1, -1), st.pad(3)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad(5)),
            ]
        )
    )
    return table


def top_mentions(doc: ReceiptDocument, st: Styles) -> list[Flowable]:
    """Cancellation banner and "replaces n° …", when they apply, right under the header."""
    story: list[Flowable] = []
    if doc.cancelled_on:
        story += [cancellation_banner(doc, st), Spacer(1, st.pad(5))]
    if doc.replaces_number:
        story += [replaces(doc, st), Spacer(1, st.pad(5))]
    return story


def beneficiary_identity(doc: ReceiptDocument, st: Styles) -> list[Flowable]:
    """The association's name, identifiers, address and object: first rows of every document."""
    beneficiary = doc.beneficiary
    rows = [Paragraph(field("Nom ou dénomination", markup(beneficiary.name)), st.body)]
    ids = []
    if beneficiary.siren:
        ids.append(field("N° SIREN", markup(beneficiary.siren)))
    if beneficiary.rna:
        ids.append(field("N° RNA", markup(beneficiary.rna)))
    if ids:
        rows.append(Paragraph(OPTION_GAP.join(ids), st.body))
    rows.append(Paragraph(field("Adresse", address_markup(beneficiary.address)), st.body))
    if beneficiary.object:
        rows.append(Paragraph(field("Objet", markup(beneficiary.object)), st.body))
    return rows


def association_section(doc: ReceiptDocument, st: Styles) -> Table:
    """The association's framed identity, for the documents that are not Cerfa receipts."""
    return section(_("Association"), beneficiary_identity(doc, st), st)


def payer_section(doc: ReceiptDocument, st: Styles, title: str) -> Table:
    """The member or payer: name, SIREN when a company, address."""
    donor = doc.donor
    rows = [Paragraph(field(_("Nom"), markup(donor.name)), st.body)]
    if donor.siren:
        rows.append(Paragraph(field(_("N° SIREN"), markup(donor.siren)), st.body))
    rows.append(Paragraph(field(_("Adresse"), address_markup(donor.address)), st.body))
    return section(title, rows, st)


def notes(doc: ReceiptDocument, st: Styles) -> list[Flowable]:
    """The association's extra mentions (agreements, thanks), in small print."""
    return [Paragraph(markup(mention), st.small) for mention in doc.extra_mentions if mention]


def signature_image_bytes(png: bytes | None) -> bytes | None:
    """The signature downsized to a small PNG, or None when absent or unreadable.

    An unreadable image must not block a receipt: the signatory's name and capacity stay
    printed, the problem is logged.
    """
    if not png:
        return None
    try:
        with PILImage.open(io.BytesIO(png)) as image:
            image.load()
            picture = image.convert("RGBA") if image.mode not in ("RGB", "RGBA", "L", "LA") else image.copy()
        picture.thumbnail(SIGNATURE_MAX_PIXELS)
        out = io.BytesIO()
        picture.save(out, format="PNG")
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError):
        logger.warning("Unreadable signature image ignored in a receipt PDF", exc_info=True)
        return None


def signature_flowable(png: bytes) -> Image:
    """The signature scaled to fit its box, keeping its proportions."""
    with PILImage.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    ratio = min(SIGNATURE_MAX_WIDTH / width_px, SIGNATURE_MAX_HEIGHT / height_px)
    flowable = Image(io.BytesIO(png), width=width_px * ratio, height=height_px * ratio, mask="auto")
    flowable.hAlign = "LEFT"
    return flowable


def signature_block(
    doc: ReceiptDocument, st: Styles, signature: bytes | None, *, left: list[Flowable], title: str
) -> Table:
    """Notes on the left, the dated and signed box on the right (where the Cerfa puts it)."""
    right_width = 210
    right: list[Flowable] = [
        Paragraph(f"<b>{title}</b>", st.body),
        Paragraph(f"Le {short_date(doc.issued_on)}", st.body),
    ]
    if signature:
        right.append(Spacer(1, st.pad(2)))
        right.append(signature_flowable(signature))
    elif doc.signatory.name:
        right.append(Spacer(1, st.pad(14)))
    if doc.signatory.name:
        who = markup(doc.signatory.name)
        if doc.signatory.capacity:
            who += f", {markup(doc.signatory.capacity)}"
        right.append(Paragraph(who, st.body))
    table = Table([[left or "", right]], colWidths=[CONTENT_WIDTH - right_width, right_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.8, BLACK),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), st.pad(10)),
                ("LEFTPADDING", (1, 0), (1, 0), st.pad(6)),
                ("TOPPADDING", (0, 0), (-1, -1), st.pad(3)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad(5)),
            ]
        )
    )
    return table
