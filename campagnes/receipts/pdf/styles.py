"""Page geometry, the vendored font and the paragraph styles at each text scale.

Why: every size on the page is multiplied by one scale factor, tried largest first until
the page holds everything (see ``render``), so the styles are built per scale and cached.
The font is a vendored DejaVu Sans (broad Unicode coverage, Arabic presentation forms
included; no dependency on the fonts of the server, so the same bytes everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from kernel.pdf import FONT, FONT_BOLD, FONTS_DIR, register_fonts  # noqa: F401 — shared with annuaire

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 13 * mm
FOOTER_BOTTOM = 9 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

# Text sizes are multiplied by one of these, largest first, until the page holds everything.
SCALES = (1.0, 0.93, 0.86, 0.8, 0.74, 0.68, 0.62, 0.56)

GREY_FILL = colors.Color(0.9, 0.9, 0.9)  # decoration only: every meaning is also in the text
BLACK = colors.black


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one text scale."""

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
        """A padding or gap scaled like the text, so that a shrunk page keeps its proportions."""
        return points * self.scale


@cache
def styles(scale: float) -> Styles:
    """Every paragraph style at ``scale`` (1.0 = full size); cached, a page tries several scales."""

    def style(name: str, size: float, *, bold: bool = False, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=FONT_BOLD if bold else FONT,
            fontSize=size * scale,
            leading=size * scale * 1.25,
            splitLongWords=1,
            **extra,
        )

    return Styles(
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
