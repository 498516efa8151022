"""The general assembly figures as a PDF: what the treasurer prints, hands out or sends to her accountant.

A pure function of ``AssemblyFigures`` (no query): the same figures as the admin page, the
months drawn as a reportlab bar chart next to their table. The vendored DejaVu font of the
kernel prints every name as typed (accents, other scripts); user-given text is escaped.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from campagnes.assembly_chart import axis_amount, long_month_label, month_label, nice_ceiling
from campagnes.assembly_figures import AssemblyFigures, MoneyLine
from campagnes.receipts.pdf.text import markup
from kernel.formats.french import format_eur, french_date, french_long_date
from kernel.pdf import FONT, FONT_BOLD, register_fonts

MARGIN = 15 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
BAR_COLOUR = colors.HexColor("#007d7e")  # the admin's teal; every value is also in the table
GRID = colors.Color(0.8, 0.8, 0.8)
HEAD_FILL = colors.Color(0.93, 0.93, 0.93)
MONEY_COLUMNS = (0.33, 0.13, 0.17, 0.15, 0.22)  # label, count, received, refunded, net


def _style(name: str, size: float, *, bold: bool = False, split: int = 1, **extra) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=FONT_BOLD if bold else FONT, fontSize=size, leading=size * 1.3, splitLongWords=split, **extra
    )


TITLE = _style("title", 15, bold=True)
SUBTITLE = _style("subtitle", 10)
SECTION = _style("section", 11.5, bold=True, spaceBefore=10, spaceAfter=4)
BODY = _style("body", 9)
SMALL = _style("small", 7.5, spaceAfter=2.5)
CELL = _style("cell", 8.5)
CELL_RIGHT = _style("cell_right", 8.5, alignment=TA_RIGHT)
HEAD = _style("head", 8.5, bold=True, split=0)
HEAD_RIGHT = _style("head_right", 8.5, bold=True, split=0, alignment=TA_RIGHT)


def _table(headers: list[str], rows: list[list[str]], widths: list[float], *, total: list[str] | None = None) -> Table:
    """A table whose first column is text and the others figures (right-aligned)."""
    data = [[Paragraph(h, HEAD if i == 0 else HEAD_RIGHT) for i, h in enumerate(headers)]]
    for row in rows + ([total] if total else []):
        data.append([Paragraph(cell, CELL if i == 0 else CELL_RIGHT) for i, cell in enumerate(row)])
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    table.setStyle(TableStyle(style))
    return table


def _money_table(lines: list[MoneyLine], first_header: str) -> Table:
    rows = [
        [
            markup(line.label),
            str(line.count),
            format_eur(line.received_cents),
            format_eur(line.refunded_cents),
            format_eur(line.net_cents),
        ]
        for line in lines
    ]
    total = [
        f"<b>{_('Total')}</b>",
        str(sum(line.count for line in lines)),
        format_eur(sum(line.received_cents for line in lines)),
        format_eur(sum(line.refunded_cents for line in lines)),
        format_eur(sum(line.net_cents for line in lines)),
    ]
    headers = [first_header, _("Paiements"), _("Encaissé"), _("Remboursé"), _("Net des remboursements")]
    widths = [CONTENT_WIDTH * part for part in MONEY_COLUMNS]
    return _table(headers, rows, widths, total=total if len(lines) > 1 else None)


def _chart(figures: AssemblyFigures) -> Drawing:
    """Money received per month, in euros."""
    months = figures.months
    height = 60 * mm
    drawing = Drawing(CONTENT_WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 18 * mm, 10 * mm
    chart.width, chart.height = CONTENT_WIDTH - 22 * mm, height - 16 * mm
    chart.data = [[line.received_cents / 100 for line in months] or [0]]
    chart.categoryAxis.categoryNames = [month_label(line) for line in months] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = nice_ceiling(max((line.received_cents for line in months), default=0)) / 100
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = top / 4
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda value: axis_amount(round(value * 100))
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.bars[0].fillColor = BAR_COLOUR
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height - 4, _("Encaissé par mois (€)"), fontName=FONT_BOLD, fontSize=8))
    return drawing


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7)
    text = _("Établi le %(date)s avec Kollektif — page %(page)s") % {
        "date": french_date(timezone.localdate()),
        "page": doc.page,
    }
    canvas.drawCentredString(A4[0] / 2, 9 * mm, text)
    canvas.restoreState()


def assembly_pdf(figures: AssemblyFigures) -> bytes:
    """The A4 document of the general assembly figures; pure function of ``figures``."""
    register_fonts()
    period = figures.period
    buffer = io.BytesIO()
    title = _("Chiffres pour l'assemblée générale")
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{title} — {figures.association.name} — {period.label}",
        author=figures.association.name,
        creator="Kollektif",
        lang="fr-FR",
    )
    story: list = [
        Paragraph(title, TITLE),
        Spacer(1, 3),
        Paragraph(f"<b>{markup(figures.association.name)}</b> — {markup(period.label)}", SUBTITLE),
        Paragraph(
            _("Du %(start)s au %(end)s")
            % {"start": french_long_date(period.start), "end": french_long_date(period.end)},
            SUBTITLE,
        ),
    ]

    # --- money
    fees = figures.fees
    fee_text = format_eur(fees.cents) if fees.available else _("non disponibles")
    summary = [
        [_("Encaissé (%(n)s paiements)") % {"n": figures.count}, format_eur(figures.received_cents)],
        [_("Remboursements"), "− " + format_eur(figures.refunded_cents)],
        [_("Frais Stripe"), ("− " + fee_text) if fees.available else fee_text],
        [f"<b>{_('Net')}</b>", f"<b>{format_eur(figures.net_cents)}</b>"],
    ]
    story += [Paragraph(_("Argent reçu"), SECTION)]
    story.append(_table([_("Poste"), _("Montant")], summary, [CONTENT_WIDTH * 0.7, CONTENT_WIDTH * 0.3]))
    notes = []
    if not fees.available:
        notes.append(
            _(
                "Frais Stripe non disponibles : aucun mouvement Stripe synchronisé pour cet exercice ; le net est avant frais."
            )
        )
    elif fees.card_payments_without_movement:
        notes.append(
            ngettext(
                "%(n)s paiement par carte sans mouvement Stripe synchronisé : ses frais manquent.",
                "%(n)s paiements par carte sans mouvement Stripe synchronisé : leurs frais manquent.",
                fees.card_payments_without_movement,
            )
            % {"n": fees.card_payments_without_movement}
        )
    if fees.covered_by_payers_cents:
        notes.append(
            _("Dont %(amount)s de frais couverts par les donateurs (compris dans l'encaissé).")
            % {"amount": format_eur(fees.covered_by_payers_cents)}
        )
    if figures.non_cash.count:
        notes.append(
            _("Dons en nature et abandons de frais (sans encaissement, non comptés ci-dessus) : %(n)s pour %(amount)s.")
            % {"n": figures.non_cash.count, "amount": format_eur(figures.non_cash.received_cents)}
        )
    story += [Paragraph(note, SMALL) for note in notes]
    if figures.by_kind:
        story += [Paragraph(_("Par type"), SECTION), _money_table(figures.by_kind, _("Type"))]
        story += [Paragraph(_("Par campagne"), SECTION), _money_table(figures.by_campaign, _("Campagne"))]
        story += [Paragraph(_("Par moyen de paiement"), SECTION), _money_table(figures.by_method, _("Moyen"))]

    # --- months
    month_rows = [
        [
            long_month_label(line),
            str(line.count),
            format_eur(line.received_cents),
            format_eur(line.refunded_cents),
            format_eur(line.net_cents),
        ]
        for line in figures.months
    ]
    story.append(
        KeepTogether(
            [
                Paragraph(_("Mois par mois"), SECTION),
                _chart(figures),
            ]
        )
    )
    story.append(
        _table(
            [_("Mois"), _("Paiements"), _("Encaissé"), _("Remboursé"), _("Net des remboursements")],
            month_rows,
            [CONTENT_WIDTH * part for part in MONEY_COLUMNS],
        )
    )

    # --- members
    members = figures.members
    story.append(
        KeepTogether(
            [
                Paragraph(_("Adhérents"), SECTION),
                _table(
                    [_("Adhérents (personnes distinctes)"), _("Nombre")],
                    [
                        [
                            _("Au début de l'exercice (%(date)s)") % {"date": french_date(period.start)},
                            str(members.at_start),
                        ],
                        [
                            _("À la fin de l'exercice (%(date)s)") % {"date": french_date(period.end)},
                            str(members.at_end),
                        ],
                        [_("Nouveaux (première adhésion payée dans l'exercice)"), str(members.new)],
                        [_("Renouvellements (adhérents déjà venus avant)"), str(members.renewed)],
                    ],
                    [CONTENT_WIDTH * 0.8, CONTENT_WIDTH * 0.2],
                ),
            ]
        )
    )

    # --- tickets
    story.append(Paragraph(_("Billetterie"), SECTION))
    if figures.tickets:
        story.append(
            _table(
                [_("Événement"), _("Date"), _("Billets vendus"), _("Remboursés"), _("Entrées validées")],
                [
                    [
                        markup(event.title),
                        french_date(event.event_starts_at),
                        str(event.sold),
                        str(event.refunded),
                        str(event.checked_in),
                    ]
                    for event in figures.tickets
                ],
                [CONTENT_WIDTH * part for part in (0.4, 0.15, 0.15, 0.15, 0.15)],
                total=[
                    f"<b>{_('Total')}</b>",
                    "",
                    str(figures.tickets_sold),
                    str(sum(e.refunded for e in figures.tickets)),
                    str(sum(e.checked_in for e in figures.tickets)),
                ]
                if len(figures.tickets) > 1
                else None,
            )
        )
    else:
        story.append(Paragraph(_("Aucun billet vendu pendant l'exercice."), BODY))

    # --- tax receipts
    receipts = figures.receipts
    story.append(
        KeepTogether(
            [
                Paragraph(_("Reçus fiscaux (article 222 bis du CGI)"), SECTION),
                _table(
                    [_("Reçus fiscaux"), _("Valeur")],
                    [
                        [_("Nombre de reçus fiscaux délivrés"), str(receipts.receipts)],
                        [_("Montant total des dons mentionnés sur ces reçus"), format_eur(receipts.total_cents)],
                        [_("dont particuliers / entreprises"), f"{receipts.individuals} / {receipts.companies}"],
                        [_("Reçus annulés (non comptés)"), str(receipts.cancelled)],
                    ],
                    [CONTENT_WIDTH * 0.7, CONTENT_WIDTH * 0.3],
                ),
            ]
        )
    )

    # --- definitions
    story += [Paragraph(_("Comment ces chiffres sont comptés"), SECTION)]
    story += [Paragraph(text, SMALL) for text in definitions()]
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def definitions() -> list[str]:
    """The rules behind the figures, in the treasurer's words (the page prints the same)."""
    return [
        _(
            "Encaissé : les paiements payés pendant l'exercice (date de paiement, heure de Paris), même remboursés "
            "depuis, pour ce que le payeur a versé (frais couverts compris). Les dons en nature et abandons de frais "
            "n'apportent pas d'argent : ils sont comptés à part."
        ),
        _(
            "Remboursements : ce qui a été rendu sur ces paiements, à quelque date que ce soit (l'export comptable "
            "date chaque remboursement à son propre jour)."
        ),
        _(
            "Frais Stripe : les frais que Stripe a retenus sur ses mouvements de l'exercice, tels que ses relevés les "
            "donnent ; jamais estimés. Net = encaissé − remboursements − frais."
        ),
        _(
            "Adhérents : personnes distinctes (par adresse e-mail), adhésions non remboursées en totalité. Début : "
            "adhésion valable le premier jour de l'exercice ; fin : valable le dernier jour ; nouveaux : première "
            "adhésion de leur histoire payée pendant l'exercice ; renouvellements : adhésion payée pendant "
            "l'exercice par quelqu'un qui en avait déjà payé une avant."
        ),
        _("Billets : ceux des paiements de l'exercice, par événement ; les billets remboursés sont comptés à part."),
        _(
            "Reçus fiscaux : les mêmes chiffres que la déclaration annuelle des dons (article 222 bis du CGI), pour "
            "les dons reçus pendant l'exercice, nets des reçus annulés."
        ),
    ]
