"""What every PDF of the platform shares: the vendored font (receipts, feuilles de chou).

The font is a vendored DejaVu Sans (broad Unicode coverage, Arabic presentation forms
included; no dependency on the fonts of the server, so the same bytes everywhere). It lives in
the kernel so that apps that must not know each other (campagnes, annuaire) both print with it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "KollektifSans"
FONT_BOLD = "KollektifSans-Bold"


@cache
def register_fonts() -> None:
    """Registers the vendored DejaVu Sans once per process (parsing a TTF costs ~10 ms)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
