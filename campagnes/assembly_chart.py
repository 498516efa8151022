"""The months chart of the general assembly figures, drawn on the server: no script, no library.

The same figures are drawn twice: as inline SVG on the admin page (``svg_chart``: coordinates
the template writes out, with a title, a description and a table alternative next to it) and
as a reportlab bar chart in the PDF (``campagnes.assembly_pdf``). Both read ``MonthLine``.
"""

from __future__ import annotations

from dataclasses import dataclass

from campagnes.assembly_figures import MonthLine
from kernel.formats.french import FRENCH_MONTHS, format_eur

SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def month_label(line: MonthLine, *, with_year: bool = False) -> str:
    """ "mars" or "mars 2026": the year is written when the chart spans two calendar years."""
    label = SHORT_MONTHS[line.month.month - 1]
    return f"{label} {line.month.year:d}" if with_year else label


def long_month_label(line: MonthLine) -> str:
    """ "mars 2026"."""
    return f"{FRENCH_MONTHS[line.month.month - 1]} {line.month.year:d}"


def axis_amount(cents: int) -> str:
    """An axis graduation: whole euros, "1 500 €" rather than "1 500,00 €"."""
    return format_eur(cents).replace(",00", "")


def nice_ceiling(cents: int) -> int:
    """The top of the axis: 1, 2 or 5 times a power of ten euros, at or above ``cents`` (100 € at least)."""
    euros = max((cents + 99) // 100, 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= euros:
                return max(factor * step, 100) * 100
        step *= 10


@dataclass(frozen=True)
class Bar:
    line: MonthLine
    label: str
    title: str  # "mars 2026 : 1 234,00 €", the bar's tooltip
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True)
class SvgChart:
    width: int
    height: int
    left: int
    baseline: float
    top_cents: int
    bars: list[Bar]
    gridlines: list[tuple[float, str]]  # (y, amount as written on the axis)


def svg_chart(months: list[MonthLine], *, width: int = 720, height: int = 240) -> SvgChart:
    """Coordinates of a bar per month (money received), with an axis graduated in euros."""
    left, bottom, top_margin = 64, 24, 8
    plot_height = height - bottom - top_margin
    top = nice_ceiling(max((line.received_cents for line in months), default=0))
    slot = (width - left) / max(len(months), 1)
    bar_width = slot * 0.68
    bars = []
    for index, line in enumerate(months):
        bar_height = round(plot_height * line.received_cents / top, 1)
        bars.append(
            Bar(
                line=line,
                label=month_label(line),
                title=f"{long_month_label(line)} : {format_eur(line.received_cents)}",
                x=round(left + index * slot + (slot - bar_width) / 2, 1),
                y=round(top_margin + plot_height - bar_height, 1),
                width=round(bar_width, 1),
                height=bar_height,
                label_x=round(left + index * slot + slot / 2, 1),
            )
        )
    gridlines = [
        (round(top_margin + plot_height * (1 - part / 4), 1), axis_amount(top * part // 4)) for part in range(5)
    ]
    return SvgChart(
        width=width,
        height=height,
        left=left,
        baseline=top_margin + plot_height,
        top_cents=top,
        bars=bars,
        gridlines=gridlines,
    )
