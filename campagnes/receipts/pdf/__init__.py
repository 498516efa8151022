"""Receipt PDFs: one A4 page drawn from a ``ReceiptDocument`` snapshot.

Why a package of small modules rather than one file: the renderer does four jobs that
change for different reasons —

* ``render``: the reportlab document (one page, reproducible bytes, read-only encryption);
* ``text``: user strings made safe for reportlab's markup, Arabic shaped and right-to-left
  scripts ordered by well-kept libraries (arabic-reshaper, python-bidi);
* ``layouts``: one story per kind of document (Cerfa 11580*05, Cerfa 16216*01, membership
  certificate, payment confirmation), built from the shared ``blocks`` and ``styles``;
* ``cerfa``: the legal wording of the tax forms.

Text stays text (a tax office, a screen reader or a search must read it) and meaning never
depends on colour (receipts are printed in black and white): ticked boxes are the ☒ / ☐
glyphs, which come out of text extraction as such.

The rest of the project imports only ``render_receipt_pdf`` from here.
"""

from __future__ import annotations

from .render import render_receipt_pdf

__all__ = ["render_receipt_pdf"]
