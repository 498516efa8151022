"""Text for reportlab Paragraphs: user strings made safe, right-to-left scripts made readable, Cerfa boxes.

Why it is built this way: reportlab's Paragraph reads a small markup language and draws
characters in the order it gets them, one glyph per character. Names and addresses come
from the public, so:

* every user-given string is escaped (``<b>`` in a name is printed, not obeyed), control
  characters are dropped and lone surrogates replaced, so the PDF can always be written;
* Arabic is shaped with arabic-reshaper (letters take their initial, medial, final or
  isolated presentation forms, U+FExx, so a name comes out joined as it is written), then
  the line is put in visual order with python-bidi (Unicode bidirectional algorithm,
  UAX #9, https://unicode.org/reports/tr9/): right-to-left runs reversed, digits kept left
  to right, brackets mirrored. No HarfBuzz is needed: the vendored DejaVu Sans carries the
  presentation forms. Lines without a right-to-left character are returned untouched, so
  French receipts keep the exact bytes they always had.

python-bidi ships two implementations; we use ``bidi.algorithm`` (pure Python) because it
applies rule L4 (mirroring of brackets in right-to-left runs) and the Rust wrapper of
python-bidi 0.6 does not. Its limit, no bracket-pair rule N0, hardly shows because each
value takes its own direction (see ``visual_order``). Neither applies the optional
rule L3 (a combining mark stays after its letter once a run is reversed), which a shaping
renderer would do and reportlab does not: ``_marks_after_letters`` does it for the Arabic
and Hebrew marks (vowel points are part of a name: never dropped).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.ligatures import LIGATURES
from bidi.algorithm import get_display

from kernel.formats.french import french_long_date

from ..document import PAYMENT_METHODS, Address, ReceiptLine

TICKED, UNTICKED = "☒", "☐"
# reportlab collapses ordinary spaces: no-break ones keep the options visibly apart.
OPTION_GAP = "\u00a0\u00a0\u00a0 "

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RTL_CLASSES = frozenset({"R", "AL"})
_ARABIC_CLASS = "AL"
# Hebrew points and Arabic harakat (the combining marks of right-to-left scripts), before their letter.
_RTL_MARKS_FIRST = re.compile(r"([\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+)(.)", re.DOTALL)
# Ligatures whose glyph the vendored DejaVu Sans has (lam-alef); the others (ﷲ, ﷺ…) would print as tofu.
_FONT_LIGATURES = frozenset(
    {
        "ARABIC LIGATURE LAM WITH ALEF",
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
        "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
    }
)


@cache
def _reshaper() -> ArabicReshaper:
    """The shaper, configured for a legal document and for our font.

    Harakat (vowel marks) are kept: a name is printed as given, never simplified.
    """
    ligatures = {name: name in _FONT_LIGATURES for name, _forms in LIGATURES}
    return ArabicReshaper(configuration={"delete_harakat": False, **ligatures})


def _marks_after_letters(visual: str) -> str:
    """UAX #9 rule L3: in a reversed run, put each group of marks back after its letter, in logical order."""
    return _RTL_MARKS_FIRST.sub(lambda match: match[2] + match[1][::-1], visual)


def visual_order(line: str) -> str:
    """One line of user text as reportlab must draw it: Arabic shaped, right-to-left runs reversed.

    Each user value is its own bidi paragraph whose direction comes from its first strong
    character (UAX #9 rules P2-P3), as a browser does for ``<bdi>`` or ``dir="auto"``: a
    Hebrew name ending in a bracketed word keeps its brackets around that word, a Latin name
    with an Arabic part stays left to right. A text extractor such as pypdf reads the runs
    back in logical order.
    """
    classes = {unicodedata.bidirectional(char) for char in line}
    if not _RTL_CLASSES & classes:
        return line
    if _ARABIC_CLASS in classes:
        line = _reshaper().reshape(line)
    return _marks_after_letters(get_display(line))


def markup(value: str | None) -> str:
    """User text → safe Paragraph markup: escaped, control characters dropped, lines kept."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS.sub("", text)
    # A lone surrogate (badly decoded input) cannot be encoded in the PDF: make it a "?".
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "\n".join(visual_order(line) for line in text.split("\n"))
    return escape(text).replace("\n", "<br/>")


def short_date(value: date | None) -> str:
    """dd/mm/yyyy, as the Cerfa prints dates; empty when unknown."""
    return value.strftime("%d/%m/%Y") if value else ""


def long_date(value: date | None) -> str:
    """ "1er janvier 2026", "28 novembre 2026" (kernel.formats.french): never "2 026"."""
    return french_long_date(value)


def box(checked: bool, label: str) -> str:
    """A Cerfa checkbox as text; the no-break space keeps the box with its label."""
    return f"{TICKED if checked else UNTICKED}\u00a0{label}"


def boxes(options: list[tuple[bool, str]]) -> str:
    """A row of Cerfa checkboxes, kept apart by no-break spaces (reportlab collapses plain ones)."""
    return OPTION_GAP.join(box(checked, label) for checked, label in options)


def field(label: str, value: str) -> str:
    """'<b>Label :</b> value' with value already escaped."""
    return f"<b>{label} :</b> {value}"


def address_markup(address: Address) -> str:
    """An address on one line, as the Cerfa boxes have room for, escaped."""
    return markup(", ".join(address.lines()))


def method_names(lines: tuple[ReceiptLine, ...]) -> str:
    """'Carte bancaire, Chèque': each method once, in the order of the payments."""
    names = dict.fromkeys(PAYMENT_METHODS.get(line.method, line.method) for line in lines)
    return ", ".join(names)
