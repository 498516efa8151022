"""Receipt PDFs: one A4 page drawn from a ``ReceiptDocument`` snapshot.

Why it is built this way:

* Legal document, kept for years: the same snapshot must give the same bytes (reportlab's
  invariant mode, a creation date taken from the issue date, a fixed document id), so a
  stored hash keeps matching when the PDF is regenerated.
* Text stays text (a tax office, a screen reader or a search must read it) and the meaning
  never depends on colour (receipts are printed in black and white): ticked boxes are the
  ☒ / ☐ glyphs, which come out of text extraction as such.
* Names come from the public: accents, apostrophes, emoji, Arabic or Hebrew, markup
  characters, 300-character strings. Everything user-given is escaped and goes through
  wrapping Paragraphs; the font is a vendored DejaVu Sans (broad Unicode coverage, no
  dependency on the fonts of the server); the whole page shrinks rather than spilling on
  a second page or cutting a legally required mention.
* The file carries owner-only encryption: anyone opens, prints and copies it without a
  password, viewers refuse editing. That is a deterrent, not a guarantee (tools can strip
  it): the proof is the stored snapshot and its hash.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .document import BENEFICIARY_TYPES, PAYMENT_METHODS, Address, DocumentKind, ReceiptDocument, ReceiptLine
from .words import amount_in_words, format_amount

logger = logging.getLogger(__name__)

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "KollektifSans"
FONT_BOLD = "KollektifSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 13 * mm
FOOTER_BOTTOM = 9 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

# Text sizes are multiplied by one of these, largest first, until the page holds everything.
SCALES = (1.0, 0.93, 0.86, 0.8, 0.74, 0.68, 0.62, 0.56)

SIGNATURE_MAX_WIDTH = 4 * cm
SIGNATURE_MAX_HEIGHT = 1.5 * cm
# A signature is embedded at most this many pixels wide/high: enough for print, keeps the PDF small.
SIGNATURE_MAX_PIXELS = (600, 225)

TICKED, UNTICKED = "☒", "☐"
OPTION_GAP = "\u00a0\u00a0\u00a0 "
GREY_FILL = colors.Color(0.9, 0.9, 0.9)  # decoration only: every meaning is also in the text
BLACK = colors.black

CERFA_INDIVIDUAL = "11580*05"
CERFA_COMPANY = "16216*01"
ARTICLES = ("200", "238 bis", "978")
FORMS = ("Acte authentique", "Acte sous seing privé", "Déclaration de don manuel")
NATURES = ("Numéraire", "Titres de sociétés cotés")
# The Cerfa groups the payment methods in three boxes.
METHOD_BOXES = (
    ("Remise d'espèces", frozenset({"especes"})),
    ("Chèque", frozenset({"cheque"})),
    ("Virement, prélèvement, carte bancaire", frozenset({"virement", "prelevement", "carte"})),
)

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RTL_CLASSES = frozenset({"R", "AL"})
_NUMBER_CLASSES = frozenset({"EN", "AN"})
_NUMBER_JOINERS = frozenset({"CS", "ES", "ET"})
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")
_CLOSING = {")": "(", "]": "[", "}": "{", "»": "«"}


# --------------------------------------------------------------------------- public API


def render_receipt_pdf(doc: ReceiptDocument, *, owner_password: str | None = None) -> bytes:
    """The PDF of one receipt, attestation or payment confirmation: one A4 page, as bytes.

    Pure function of ``doc``: no database, no clock, no system font, so the same snapshot
    always gives byte-identical output. ``owner_password`` unlocks editing in viewers that
    honour PDF permissions; by default it is derived from the document (stable across
    renders), pass a secret of your own (e.g. an HMAC of the number) to keep it private.
    """
    _register_fonts()
    signature = _signature_image_bytes(doc.signatory.signature_png)
    # These are French legal documents whatever the language of the request that made
    # them; pinning the language also keeps the bytes independent of it.
    with translation.override("fr"):
        return _build_pdf(doc, signature, owner_password or _default_owner_password(doc))


# --------------------------------------------------------------------------- fonts, styles, encryption


class _ReadOnlyEncryption(StandardEncryption):
    """Owner-only RC4-128 encryption: open, print and copy freely; no editing of any kind.

    reportlab sets every permission bit above the four it knows; among them "fill in form
    fields" (bit 9) and "assemble: insert, rotate, delete pages" (bit 11) are changes to
    the document, so they are cleared too. Revision 3 (RC4) is used because it is
    deterministic and pypdf decrypts it without any optional dependency.
    """

    FILL_FORMS = 1 << 8
    ASSEMBLE = 1 << 10

    def __init__(self, owner_password: str) -> None:
        super().__init__(
            "", ownerPassword=owner_password, canPrint=1, canModify=0, canCopy=1, canAnnotate=0, strength=128
        )

    def permissionBits(self) -> int:
        return super().permissionBits() & ~(self.FILL_FORMS | self.ASSEMBLE)


@cache
def _register_fonts() -> None:
    """Registers the vendored DejaVu Sans once per process (parsing a TTF costs ~10 ms)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@dataclass(frozen=True)
class _Styles:
    scale: float
    body: ParagraphStyle
    bold: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_right: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    number: ParagraphStyle
    section: ParagraphStyle
    banner: ParagraphStyle
    notice: ParagraphStyle
    footer: ParagraphStyle

    def pad(self, points: float) -> float:
        return points * self.scale


@cache
def _styles(scale: float) -> _Styles:
    def style(name: str, size: float, *, bold: bool = False, **extra) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=FONT_BOLD if bold else FONT,
            fontSize=size * scale,
            leading=size * scale * 1.25,
            splitLongWords=1,
            **extra,
        )

    return _Styles(
        scale=scale,
        body=style("body", 8.5),
        bold=style("bold", 8.5, bold=True),
        small=style("small", 7),
        cell=style("cell", 7.5),
        cell_right=style("cell_right", 7.5, alignment=TA_RIGHT),
        cell_head=style("cell_head", 7.5, bold=True),
        cell_head_right=style("cell_head_right", 7.5, bold=True, alignment=TA_RIGHT),
        title=style("title", 12.5, bold=True),
        subtitle=style("subtitle", 8.5),
        number=style("number", 10, bold=True, alignment=TA_CENTER),
        section=style("section", 9, bold=True),
        banner=style("banner", 15, bold=True, alignment=TA_CENTER),
        notice=style("notice", 8.5, bold=True, alignment=TA_CENTER),
        # The footer is drawn outside the frame and never scales with the page.
        footer=ParagraphStyle("footer", fontName=FONT, fontSize=7, leading=8.5, alignment=TA_CENTER, splitLongWords=1),
    )


# --------------------------------------------------------------------------- small helpers


def _t(value: str | None) -> str:
    """User text → safe Paragraph markup: escaped, control characters dropped, lines kept."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS.sub("", text)
    # A lone surrogate (badly decoded input) cannot be encoded in the PDF: make it a "?".
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "\n".join(_visual_order(line) for line in text.split("\n"))
    return escape(text).replace("\n", "<br/>")


def _visual_order(text: str) -> str:
    """Right-to-left runs (Hebrew, Arabic) reversed so that they read right in a left-to-right line.

    reportlab draws characters in the order it gets them; a Hebrew or Arabic name would
    come out mirrored. This is the part of the Unicode bidi algorithm that names and
    addresses need, in a left-to-right paragraph: a run goes from a strong right-to-left
    character to the last one before the next strong left-to-right character; inside it,
    characters are reversed with their combining marks, digits keep their order and
    brackets are mirrored. Arabic letters keep their isolated forms (no shaping without
    HarfBuzz): readable letter by letter, not joined. Text extractors (pypdf) reverse the
    runs back, so the extracted text is in logical order.
    """
    classes = [unicodedata.bidirectional(char) for char in text]
    if not _RTL_CLASSES.intersection(classes):
        return text
    out = []
    index, length = 0, len(text)
    while index < length:
        if classes[index] not in _RTL_CLASSES:
            out.append(text[index])
            index += 1
            continue
        end = cursor = index
        while cursor < length and classes[cursor] != "L":
            if classes[cursor] in _RTL_CLASSES:
                end = cursor
            cursor += 1
        end += 1
        while end < length and classes[end] == "NSM":
            end += 1
        # A closing bracket whose opening one is in the run belongs to it (bidi rule N0).
        while (
            end < length
            and text[end] in _CLOSING
            and text[index:end].count(_CLOSING[text[end]]) > text[index:end].count(text[end])
        ):
            end += 1
        out.append(_reversed_run(text[index:end], classes[index:end]))
        index = end
    return "".join(out)


def _reversed_run(run: str, classes: list[str]) -> str:
    tokens = []
    index, length = 0, len(run)
    while index < length:
        start = index
        index += 1
        if classes[start] in _NUMBER_CLASSES:  # "12", "3,50", "62000": kept left to right
            while index < length and (
                classes[index] in _NUMBER_CLASSES
                or (classes[index] in _NUMBER_JOINERS and index + 1 < length and classes[index + 1] in _NUMBER_CLASSES)
            ):
                index += 1
            tokens.append(run[start:index])
        else:  # a character and its combining marks
            while index < length and classes[index] == "NSM":
                index += 1
            tokens.append(run[start].translate(_MIRRORED) + run[start + 1 : index])
    return "".join(reversed(tokens))


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _box(checked: bool, label: str) -> str:
    """A Cerfa checkbox as text; the no-break space keeps the box with its label."""
    return f"{TICKED if checked else UNTICKED}\u00a0{label}"


def _boxes(options: list[tuple[bool, str]]) -> str:
    # reportlab collapses ordinary spaces: no-break ones keep the options visibly apart.
    return OPTION_GAP.join(_box(checked, label) for checked, label in options)


def _field(label: str, value: str) -> str:
    """'<b>Label :</b> value' with value already escaped."""
    return f"<b>{label} :</b> {value}"


def _address(address: Address) -> str:
    return _t(", ".join(address.lines()))


def _method_names(lines: tuple[ReceiptLine, ...]) -> str:
    """'Carte bancaire, Chèque': each method once, in the order of the payments."""
    names = dict.fromkeys(PAYMENT_METHODS.get(line.method, line.method) for line in lines)
    return ", ".join(names)


def _default_owner_password(doc: ReceiptDocument) -> str:
    # Stable for a given document (determinism); not meant as a secret.
    seed = f"kollektif-receipt:{doc.kind}:{doc.number}:{doc.issued_on.isoformat()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def _signature_image_bytes(png: bytes | None) -> bytes | None:
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


def _signature_flowable(png: bytes) -> Image:
    with PILImage.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    ratio = min(SIGNATURE_MAX_WIDTH / width_px, SIGNATURE_MAX_HEIGHT / height_px)
    flowable = Image(io.BytesIO(png), width=width_px * ratio, height=height_px * ratio, mask="auto")
    flowable.hAlign = "LEFT"
    return flowable


# --------------------------------------------------------------------------- building blocks


def _section(title: str, rows: list[Flowable], st: _Styles, width: float = CONTENT_WIDTH) -> Table:
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


def _inner_width(width: float, st: _Styles) -> float:
    return width - 2 * st.pad(5)


def _header(st: _Styles, *, form_ref: str, title: str, subtitle: str, number_label: str, number: str) -> Table:
    left = []
    if form_ref:
        left.append(Paragraph(form_ref, st.small))
    left.append(Paragraph(title, st.title))
    if subtitle:
        left.append(Paragraph(subtitle, st.subtitle))
    box_width = 150
    right = [Paragraph(number_label, st.small), Paragraph(_t(number), st.number)]
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


def _cancellation_banner(doc: ReceiptDocument, st: _Styles) -> Table:
    content = [Paragraph(f"ANNULÉ le {_d(doc.cancelled_on)}", st.banner)]
    if doc.cancellation_reason:
        # The reason can be long: body-sized, so that the banner stays a banner.
        content.append(Paragraph(f"— {_t(doc.cancellation_reason)}", st.notice))
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


def _replaces(doc: ReceiptDocument, st: _Styles) -> Paragraph:
    if doc.is_tax_receipt:
        text = f"Ce reçu annule et remplace le reçu n° {_t(doc.replaces_number)}."
    else:
        text = _("Ce document annule et remplace le document n° %(number)s.") % {"number": _t(doc.replaces_number)}
    return Paragraph(text, st.bold)


def _beneficiary_identity(doc: ReceiptDocument, st: _Styles) -> list[Flowable]:
    beneficiary = doc.beneficiary
    rows = [Paragraph(_field("Nom ou dénomination", _t(beneficiary.name)), st.body)]
    ids = []
    if beneficiary.siren:
        ids.append(_field("N° SIREN", _t(beneficiary.siren)))
    if beneficiary.rna:
        ids.append(_field("N° RNA", _t(beneficiary.rna)))
    if ids:
        rows.append(Paragraph(OPTION_GAP.join(ids), st.body))
    rows.append(Paragraph(_field("Adresse", _address(beneficiary.address)), st.body))
    if beneficiary.object:
        rows.append(Paragraph(_field("Objet", _t(beneficiary.object)), st.body))
    return rows


def _beneficiary_types(doc: ReceiptDocument, st: _Styles, width: float) -> Table:
    """The Cerfa's list of organism types, two columns, the beneficiary's one ticked."""
    beneficiary = doc.beneficiary
    chosen = beneficiary.beneficiary_type if beneficiary.beneficiary_type in BENEFICIARY_TYPES else "autre"
    cells = []
    for key, label in BENEFICIARY_TYPES.items():
        text = _box(key == chosen, label)
        if key == "rup" and chosen == "rup" and (beneficiary.rup_decree_date or beneficiary.rup_journal_date):
            text += (
                f" en date du {_d(beneficiary.rup_decree_date)}"
                f" publié au Journal officiel du {_d(beneficiary.rup_journal_date)}"
            )
        cells.append(Paragraph(text, st.cell))
    other = beneficiary.other_type_label if chosen == "autre" else ""
    if chosen == "autre" and not other and beneficiary.beneficiary_type != "autre":
        other = beneficiary.beneficiary_type  # an unknown key is shown rather than lost
    cells.append(Paragraph(_box(chosen == "autre", f"Autre organisme : {_t(other)}"), st.cell))
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


def _beneficiary_section(doc: ReceiptDocument, st: _Styles) -> Table:
    width = _inner_width(CONTENT_WIDTH, st)
    rows = _beneficiary_identity(doc, st)
    rows.append(Paragraph("<b>Type d'organisme :</b>", st.body))
    rows.append(_beneficiary_types(doc, st, width))
    if doc.beneficiary.rescrit_date:
        rows.append(Paragraph(f"Rescrit fiscal du {_d(doc.beneficiary.rescrit_date)}", st.body))
    return _section("Bénéficiaire des versements", rows, st)


def _individual_donor_section(doc: ReceiptDocument, st: _Styles) -> Table:
    donor = doc.donor
    if donor.last_name or donor.first_name:
        rows = [
            Paragraph(_field("Nom", _t(donor.last_name or donor.name)), st.body),
            Paragraph(_field("Prénoms", _t(donor.first_name)), st.body),
        ]
    else:
        rows = [Paragraph(_field("Nom", _t(donor.name)), st.body)]
    rows.append(Paragraph(_field("Adresse", _address(donor.address)), st.body))
    return _section("Donateur", rows, st)


def _company_donor_section(doc: ReceiptDocument, st: _Styles) -> Table:
    donor = doc.donor
    rows = [
        Paragraph(_field("Dénomination", _t(donor.name)), st.body),
        Paragraph(_field("N° SIREN", _t(donor.siren)), st.body),
    ]
    if donor.legal_form:
        rows.append(Paragraph(_field("Forme juridique", _t(donor.legal_form)), st.body))
    rows.append(Paragraph(_field("Adresse", _address(donor.address)), st.body))
    return _section("Entreprise donatrice", rows, st)


def _grid(rows: list[list], col_widths: list[float], st: _Styles, *, total: bool = False) -> Table:
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


def _tax_lines_table(lines: tuple[ReceiptLine, ...], st: _Styles, width: float) -> Table:
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
                    Paragraph(_d(line.received_on), st.cell),
                    Paragraph(format_amount(line.amount_cents), st.cell_right),
                    Paragraph(_t(PAYMENT_METHODS.get(line.method, line.method)), st.cell),
                ]
            )
        tables.append(_grid(rows, col_widths, st))
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
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_no_padding()]))
    return outer


def _no_padding() -> list[tuple]:
    return [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]


def _gift_rows(doc: ReceiptDocument, st: _Styles, *, company: bool) -> list[Flowable]:
    """Amount, words, counterpart, dates and the boxes of form / nature / method."""
    width = _inner_width(CONTENT_WIDTH, st)
    amount = format_amount(doc.deductible_cents)
    rows: list[Flowable] = [
        Paragraph(
            "Le bénéficiaire reconnaît avoir reçu au titre des dons et versements ouvrant droit à "
            f"réduction d'impôt, la somme de : <b>*** {amount} ***</b>",
            st.body,
        ),
        Paragraph(_field("Somme en toutes lettres", amount_in_words(doc.deductible_cents)), st.body),
    ]
    if doc.counterpart_cents > 0:
        counterpart = format_amount(doc.counterpart_cents)
        if doc.counterpart_label:
            counterpart += f" ({_t(doc.counterpart_label)})"
        rows += [
            Paragraph(_field("Montant versé", format_amount(doc.amount_cents)), st.body),
            Paragraph(_field("Valeur de la contrepartie reçue", counterpart), st.body),
            Paragraph(_field("Montant ouvrant droit à réduction d'impôt", amount), st.body),
        ]
    if doc.campaign_title:
        rows.append(Paragraph(_field("Campagne", _t(doc.campaign_title)), st.body))
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
            rows.append(_tax_lines_table(doc.lines, st, width))
    elif doc.lines:
        label = "Date du paiement" if company else "Date du versement ou du don"
        rows.append(Paragraph(_field(label, _d(doc.lines[0].received_on)), st.body))

    if company:
        rows.append(
            Paragraph(
                "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit ouvrent droit à "
                "la réduction d'impôt prévue à l'article 238 bis du code général des impôts.",
                st.body,
            )
        )
    else:
        articles = _boxes([(article in doc.articles, f"{article} du CGI") for article in ARTICLES])
        rows.append(
            Paragraph(
                "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit ouvrent droit à "
                f"la réduction d'impôt prévue à l'article : {articles}",
                st.body,
            )
        )
        form_known = any(doc.form.casefold() == form.casefold() for form in FORMS)
        options = [(doc.form.casefold() == form.casefold(), form) for form in FORMS]
        options.append((not form_known, "Autres" + ("" if form_known else f" : {_t(doc.form)}")))
        rows.append(Paragraph(_field("Forme du don", _boxes(options)), st.body))

    nature_known = any(doc.nature.casefold() == nature.casefold() for nature in NATURES)
    options = [(doc.nature.casefold() == nature.casefold(), nature) for nature in NATURES]
    options.append((not nature_known, "Autres" + ("" if nature_known else f" : {_t(doc.nature)}")))
    rows.append(Paragraph(_field("Nature du don", _boxes(options)), st.body))

    methods = {line.method for line in doc.lines}
    rows.append(
        Paragraph(
            _field("Mode de versement", _boxes([(bool(methods & keys), label) for label, keys in METHOD_BOXES])),
            st.body,
        )
    )
    if doc.lines:
        rows.append(Paragraph(_field("Moyen de paiement utilisé", _t(_method_names(doc.lines))), st.body))
    return rows


def _signature_block(
    doc: ReceiptDocument, st: _Styles, signature: bytes | None, *, left: list[Flowable], title: str
) -> Table:
    """Notes on the left, the dated and signed box on the right (where the Cerfa puts it)."""
    right_width = 210
    right: list[Flowable] = [
        Paragraph(f"<b>{title}</b>", st.body),
        Paragraph(f"Le {_d(doc.issued_on)}", st.body),
    ]
    if signature:
        right.append(Spacer(1, st.pad(2)))
        right.append(_signature_flowable(signature))
    elif doc.signatory.name:
        right.append(Spacer(1, st.pad(14)))
    if doc.signatory.name:
        who = _t(doc.signatory.name)
        if doc.signatory.capacity:
            who += f", {_t(doc.signatory.capacity)}"
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


def _notes(doc: ReceiptDocument, st: _Styles) -> list[Flowable]:
    return [Paragraph(_t(mention), st.small) for mention in doc.extra_mentions if mention]


def _notice(text: str, st: _Styles) -> Table:
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


# --------------------------------------------------------------------------- one story per kind


def _tax_story(doc: ReceiptDocument, st: _Styles, signature: bytes | None) -> list[Flowable]:
    company = doc.kind == DocumentKind.TAX_COMPANY
    if company:
        header = _header(
            st,
            form_ref=f"Cerfa n° {CERFA_COMPANY}",
            title="Reçu des dons et versements effectués par les entreprises "
            "au titre de l'article 238 bis du code général des impôts",
            subtitle="",
            number_label="N° d'ordre du reçu :",
            number=doc.number,
        )
        donor = _company_donor_section(doc, st)
    else:
        header = _header(
            st,
            form_ref=f"Cerfa n° {CERFA_INDIVIDUAL}",
            title="Reçu au titre des dons à certains organismes d'intérêt général",
            subtitle="Articles 200, 238 bis et 978 du code général des impôts",
            number_label="N° d'ordre du reçu :",
            number=doc.number,
        )
        donor = _individual_donor_section(doc, st)
    gap = st.pad(5)
    story: list[Flowable] = [header, Spacer(1, gap)]
    story += _top_mentions(doc, st)
    story += [
        _beneficiary_section(doc, st),
        Spacer(1, gap),
        donor,
        Spacer(1, gap),
        _section("Dons et versements", _gift_rows(doc, st, company=company), st),
        Spacer(1, gap),
        _signature_block(doc, st, signature, left=_notes(doc, st), title="Date et signature"),
    ]
    return story


def _top_mentions(doc: ReceiptDocument, st: _Styles) -> list[Flowable]:
    story: list[Flowable] = []
    if doc.cancelled_on:
        story += [_cancellation_banner(doc, st), Spacer(1, st.pad(5))]
    if doc.replaces_number:
        story += [_replaces(doc, st), Spacer(1, st.pad(5))]
    return story


def _association_section(doc: ReceiptDocument, st: _Styles) -> Table:
    return _section(_("Association"), _beneficiary_identity(doc, st), st)


def _payer_section(doc: ReceiptDocument, st: _Styles, title: str) -> Table:
    donor = doc.donor
    rows = [Paragraph(_field(_("Nom"), _t(donor.name)), st.body)]
    if donor.siren:
        rows.append(Paragraph(_field(_("N° SIREN"), _t(donor.siren)), st.body))
    rows.append(Paragraph(_field(_("Adresse"), _address(donor.address)), st.body))
    return _section(title, rows, st)


def _membership_story(doc: ReceiptDocument, st: _Styles, signature: bytes | None) -> list[Flowable]:
    gap = st.pad(5)
    labels = ", ".join(dict.fromkeys(line.label for line in doc.lines if line.label))
    rows: list[Flowable] = []
    if labels:
        rows.append(Paragraph(_field(_("Formule"), _t(labels)), st.body))
    if doc.campaign_title:
        rows.append(Paragraph(_field(_("Campagne"), _t(doc.campaign_title)), st.body))
    amount = f"{format_amount(doc.amount_cents)} ({amount_in_words(doc.amount_cents)})"
    rows.append(Paragraph(_field(_("Montant réglé"), amount), st.body))
    if doc.lines:
        dates = ", ".join(dict.fromkeys(_d(line.received_on) for line in doc.lines))
        rows.append(Paragraph(_field(_("Date du paiement"), dates), st.body))
        rows.append(Paragraph(_field(_("Mode de paiement"), _t(_method_names(doc.lines))), st.body))
    story: list[Flowable] = [
        _header(
            st,
            form_ref="",
            title=_("Attestation d'adhésion"),
            subtitle=_t(doc.beneficiary.name),
            number_label=_("N° de l'attestation :"),
            number=doc.number,
        ),
        Spacer(1, gap),
        *_top_mentions(doc, st),
        Paragraph(
            _("L'association %(association)s atteste que la personne ci-dessous a adhéré et réglé sa cotisation.")
            % {"association": _t(doc.beneficiary.name)},
            st.body,
        ),
        Spacer(1, gap),
        _association_section(doc, st),
        Spacer(1, gap),
        _payer_section(doc, st, _("Adhérent")),
        Spacer(1, gap),
        _section(_("Adhésion"), rows, st),
        Spacer(1, gap),
        _notice(_("Cette attestation ne constitue pas un reçu fiscal et n'ouvre pas droit à réduction d'impôt."), st),
        Spacer(1, gap),
        _signature_block(doc, st, signature, left=_notes(doc, st), title=_("Date et signature")),
    ]
    return story


def _payment_story(doc: ReceiptDocument, st: _Styles, signature: bytes | None) -> list[Flowable]:
    gap = st.pad(5)
    width = _inner_width(CONTENT_WIDTH, st)
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
                Paragraph(_t(line.label or doc.campaign_title or _("Paiement")), st.cell),
                Paragraph(_d(line.received_on), st.cell),
                Paragraph(_t(PAYMENT_METHODS.get(line.method, line.method)), st.cell),
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
        detail.append(Paragraph(_field(_("Campagne"), _t(doc.campaign_title)), st.body))
    detail.append(_grid(rows, widths, st, total=True))
    if doc.lines:
        detail.append(Paragraph(_field(_("Moyen de paiement"), _t(_method_names(doc.lines))), st.body))
    story: list[Flowable] = [
        _header(
            st,
            form_ref="",
            title=_("Confirmation de paiement"),
            subtitle=_t(doc.beneficiary.name),
            number_label=_("N° de la confirmation :"),
            number=doc.number,
        ),
        Spacer(1, gap),
        *_top_mentions(doc, st),
        _association_section(doc, st),
        Spacer(1, gap),
        _payer_section(doc, st, _("Payeur")),
        Spacer(1, gap),
        _section(_("Détail du paiement"), detail, st),
        Spacer(1, gap),
        _notice(_("Ce document n'est pas un reçu fiscal : ce paiement n'ouvre pas droit à réduction d'impôt."), st),
        Spacer(1, gap),
    ]
    if doc.signatory.name or signature:
        story.append(_signature_block(doc, st, signature, left=_notes(doc, st), title=_("Date et signature")))
    else:
        story += [Paragraph(_("Émis le %(date)s") % {"date": _d(doc.issued_on)}, st.body), *_notes(doc, st)]
    return story


_STORIES = {
    DocumentKind.TAX_INDIVIDUAL: _tax_story,
    DocumentKind.TAX_COMPANY: _tax_story,
    DocumentKind.MEMBERSHIP_CERTIFICATE: _membership_story,
    DocumentKind.PAYMENT_CONFIRMATION: _payment_story,
}


# --------------------------------------------------------------------------- page & file


def _story_height(story: list[Flowable], width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _, flowable_height = flowable.wrap(width, height)
        total += flowable_height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _fitted_story(doc: ReceiptDocument, signature: bytes | None, frame_height: float) -> list[Flowable]:
    """The story at the largest text size that fits the frame.

    Re-wrapping at a smaller size uses the width better than scaling the drawing, so we
    try sizes first; KeepInFrame's shrink is the last resort that guarantees one page.
    """
    try:
        make_story = _STORIES[doc.kind]
    except KeyError:
        raise ValueError(f"unknown document kind: {doc.kind!r}") from None
    story: list[Flowable] = []
    for scale in SCALES:
        story = make_story(doc, _styles(scale), signature)
        if _story_height(story, CONTENT_WIDTH, frame_height) <= frame_height - 1:
            break
    return [KeepInFrame(CONTENT_WIDTH, frame_height, story, mode="shrink", vAlign="TOP")]


def _canvas_maker(doc: ReceiptDocument):
    """A canvas whose file identifier depends on the document only.

    In invariant mode reportlab seeds the file id (which also keys the encryption) with a
    fixed date, or with SOURCE_DATE_EPOCH when that variable is set, as some build and
    deployment tools do: the same receipt would then change bytes from one server to
    another. We re-seed it from the issue date (``_doc.signature`` is reportlab's
    internal md5; the version is pinned and a test covers it).
    """

    def make(*args, **kwargs) -> Canvas:
        canvas = Canvas(*args, **kwargs)
        canvas._doc.signature = hashlib.md5(b"kollektif receipt", usedforsecurity=False)
        canvas._doc.signature.update(doc.issued_on.isoformat().encode())
        return canvas

    return make


def _document_title(doc: ReceiptDocument) -> str:
    titles = {
        DocumentKind.TAX_INDIVIDUAL: "Reçu fiscal",
        DocumentKind.TAX_COMPANY: "Reçu fiscal entreprise",
        DocumentKind.MEMBERSHIP_CERTIFICATE: _("Attestation d'adhésion"),
        DocumentKind.PAYMENT_CONFIRMATION: _("Confirmation de paiement"),
    }
    return f"{titles.get(doc.kind, doc.kind)} n° {doc.number}"


def _build_pdf(doc: ReceiptDocument, signature: bytes | None, owner_password: str) -> bytes:
    footer = Paragraph(
        f"Document émis via Kollektif pour le compte de {_t(doc.beneficiary.name)} — page 1/1",
        _styles(1.0).footer,
    )
    _, footer_height = footer.wrap(CONTENT_WIDTH, PAGE_HEIGHT)
    bottom_margin = FOOTER_BOTTOM + footer_height + 4 * mm
    frame_height = PAGE_HEIGHT - MARGIN_TOP - bottom_margin
    created = doc.issued_on

    def on_page(canvas, _template_doc) -> None:
        # Creation and modification dates from the issue date: no clock in the output.
        canvas.setDateFormatter(lambda *_args: f"D:{created.year:04d}{created.month:02d}{created.day:02d}000000+00'00'")
        canvas.saveState()
        if doc.cancelled_on:
            # Behind the content (drawn first), light enough to keep the text readable.
            canvas.setFillGray(0.82)
            canvas.setFont(FONT_BOLD, 110)
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, -40, "ANNULÉ")
            canvas.rotate(-40)
            canvas.translate(-PAGE_WIDTH / 2, -PAGE_HEIGHT / 2)
        canvas.setLineWidth(0.4)
        canvas.line(
            MARGIN_X,
            FOOTER_BOTTOM + footer_height + 2 * mm,
            PAGE_WIDTH - MARGIN_X,
            FOOTER_BOTTOM + footer_height + 2 * mm,
        )
        footer.drawOn(canvas, MARGIN_X, FOOTER_BOTTOM)
        canvas.restoreState()

    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=bottom_margin,
        title=_document_title(doc),
        author=doc.beneficiary.name,
        subject=doc.campaign_title or _document_title(doc),
        creator="Kollektif",
        producer="Kollektif",
        lang="fr-FR",
        invariant=1,
        pageCompression=1,
        displayDocTitle=1,
        encrypt=_ReadOnlyEncryption(owner_password),
    )
    frame = Frame(
        MARGIN_X,
        bottom_margin,
        CONTENT_WIDTH,
        frame_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="content",
    )
    template.addPageTemplates([PageTemplate(id="receipt", frames=[frame], onPage=on_page)])
    template.build(_fitted_story(doc, signature, frame_height), canvasmaker=_canvas_maker(doc))
    if template.page != 1:  # KeepInFrame makes this impossible; fail loudly rather than ship two pages
        raise RuntimeError(f"receipt {doc.number} rendered on {template.page} pages")
    return buffer.getvalue()
