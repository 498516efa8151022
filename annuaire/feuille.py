"""The feuille de chou that reaches the territory: one A4 page, a PDF, and the e-mails.

The department's decision asks for a feuille de chou "imprimée et distribuée sur le territoire à
ceux qui ont été présents, mais aussi à ceux qui n'ont pas pu se présenter". So:

* ``feuille_content`` shortens the long parts (summary, leads, contacts, the list of
  participants) to what fits on one A4 sheet, marking each cut with "… suite en ligne"; the
  print view (HTML) and the PDF both read it, so they cannot disagree;
* ``render_feuille_pdf`` draws it with reportlab (the library of the receipts, with the
  kernel's vendored font) in one frame that shrinks its content if needed: always one page;
* ``feuille_send`` e-mails it (PDF attached, link to the page) to the participants and to the
  ambassadors of the meeting's EPCI who were not there, except those who opted out, through
  the kernel's outbox; each e-mail carries a signed unsubscribe link.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, Image, KeepInFrame, PageTemplate, Paragraph, Spacer, Table

from annuaire.models import Actor, FeuilleReason, FeuilleRecipient, Meeting
from annuaire.selectors import AMBASSADOR_LABEL_SLUG, MeetingSheet, meeting_sheet
from kernel.mail import attachment, send_templated_email
from kernel.pdf import FONT, FONT_BOLD, register_fonts

# What fits on one A4 sheet next to the header (measured in Chromium and in the PDF).
SUMMARY_CHARS = 1300
LIST_ITEMS = 6
ITEM_CHARS = 100
PARTICIPANT_NAMES = 20
MORE_ONLINE = "… suite en ligne"

UNSUBSCRIBE_SALT = "annuaire.feuille.unsubscribe"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut at a word boundary before ``limit`` characters; and whether it was cut."""
    text = text.strip()
    if len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.-–—"), True


@dataclass
class FeuilleContent:
    """What one A4 sheet shows of a feuille de chou; ``cut`` when something is only online."""

    summary: list[str] = field(default_factory=list)  # paragraphs
    summary_cut: bool = False
    leads: list[str] = field(default_factory=list)
    leads_more: int = 0
    contacts: list[str] = field(default_factory=list)
    contacts_more: int = 0
    participants: list[str] = field(default_factory=list)
    participants_more: int = 0

    @property
    def cut(self) -> bool:
        return self.summary_cut or bool(self.leads_more or self.contacts_more or self.participants_more)


def _short_items(lines: list[str]) -> tuple[list[str], int]:
    items = []
    for line in lines[:LIST_ITEMS]:
        text, was_cut = shorten(line, ITEM_CHARS)
        items.append(f"{text}…" if was_cut else text)
    return items, max(0, len(lines) - LIST_ITEMS)


def feuille_content(sheet: MeetingSheet) -> FeuilleContent:
    """The feuille de chou shortened to one A4 page (the print view and the PDF)."""
    summary, summary_cut = shorten(sheet.meeting.summary if sheet.shows_sheet else "", SUMMARY_CHARS)
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", summary) if part.strip()]
    if summary_cut and paragraphs:
        paragraphs[-1] += f" {MORE_ONLINE}"
    leads, leads_more = _short_items(sheet.lead_lines)
    contacts, contacts_more = _short_items(sheet.contact_lines)
    names = [actor.name for actor in sheet.participants]
    return FeuilleContent(
        summary=paragraphs,
        summary_cut=summary_cut,
        leads=leads,
        leads_more=leads_more,
        contacts=contacts,
        contacts_more=contacts_more,
        participants=names[:PARTICIPANT_NAMES],
        participants_more=max(0, len(names) - PARTICIPANT_NAMES),
    )


def online_url(meeting: Meeting) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{meeting.get_absolute_url()}"


def qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, title=f"QR code : {url}"
    )
    return buffer.getvalue().decode()


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


# --- The PDF -------------------------------------------------------------------------------

MARGIN = 12 * mm
QR_SIZE = 30 * mm


def _text(value: str) -> str:
    """User text made safe for a reportlab Paragraph (its markup is escaped, never obeyed)."""
    return escape(_CONTROL_CHARS.sub("", str(value)))


def _styles() -> dict[str, ParagraphStyle]:
    def style(name: str, size: float, *, bold: bool = False, **extra) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=FONT_BOLD if bold else FONT, fontSize=size, leading=size * 1.3, splitLongWords=1, **extra
        )

    return {
        "kicker": style("kicker", 8, bold=True),
        "title": style("title", 16, bold=True, spaceBefore=2, spaceAfter=2),
        "facts": style("facts", 9),
        "section": style("section", 10.5, bold=True, spaceBefore=6, spaceAfter=2),
        "body": style("body", 9.5, spaceAfter=3),
        "item": style("item", 9, leftIndent=8, bulletIndent=0, spaceAfter=1),
        "small": style("small", 7),
    }


def _facts(meeting: Meeting, sheet: MeetingSheet) -> str:
    when = date_format(timezone.localtime(meeting.starts_at), "l j F Y, H\\hi")
    parts = [when, ", ".join(part for part in (meeting.place, meeting.commune.name) if part)]
    if sheet.host:
        parts.append(_("chez %(host)s") % {"host": sheet.host.name})
    if meeting.expert:
        parts.append(_("avec %(expert)s") % {"expert": meeting.expert})
    return " · ".join(parts)


def feuille_story(meeting: Meeting, sheet: MeetingSheet, url: str) -> list:
    content = feuille_content(sheet)
    s = _styles()
    width = A4[0] - 2 * MARGIN
    heading = [
        Paragraph(_text(f"{_('Feuille de chou')} · {meeting.get_kind_display()}").upper(), s["kicker"]),
        Paragraph(_text(meeting.title), s["title"]),
        Paragraph(_text(_facts(meeting, sheet)), s["facts"]),
    ]
    if meeting.theme:
        heading.append(Paragraph(f"<i>{_text(meeting.theme)}</i>", s["facts"]))
    qr = [Image(io.BytesIO(qr_png(url)), width=QR_SIZE, height=QR_SIZE), Paragraph(_text(url), s["small"])]
    story: list = [
        Table(
            [[heading, qr]],
            colWidths=[width - QR_SIZE - 6 * mm, QR_SIZE + 6 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 1.2, "black")],
        )
    ]
    if content.participants:
        names = ", ".join(content.participants)
        if content.participants_more:
            names += " " + _("et %(count)s autres") % {"count": content.participants_more}
        story.append(Spacer(0, 4))
        story.append(Paragraph(f"<b>{_text(_('Autour de la table :'))}</b> {_text(names)}", s["body"]))
    story.append(Paragraph(_text(_("Ce qui s’est dit")), s["section"]))
    story += [Paragraph(_text(paragraph), s["body"]) for paragraph in content.summary]
    columns = []
    for title, items, more in (
        (_("Pistes"), content.leads, content.leads_more),
        (_("Contacts"), content.contacts, content.contacts_more),
    ):
        if not items:
            continue
        cell = [Paragraph(_text(title), s["section"])]
        cell += [Paragraph(_text(item), s["item"], bulletText="•") for item in items]
        if more:
            cell.append(
                Paragraph(_text(_("et %(count)s autres %(more)s") % {"count": more, "more": MORE_ONLINE}), s["item"])
            )
        columns.append(cell)
    if columns:
        story.append(
            Table(
                [columns], colWidths=[width / len(columns)] * len(columns), style=[("VALIGN", (0, 0), (-1, -1), "TOP")]
            )
        )
    if content.cut:
        story.append(Spacer(0, 4))
        story.append(
            Paragraph(
                _text(_("La feuille complète est en ligne (QR code ci-dessus) : %(url)s") % {"url": url}), s["body"]
            )
        )
    return story


def render_feuille_pdf(meeting: Meeting, sheet: MeetingSheet | None = None, url: str = "") -> bytes:
    """The feuille de chou as a one-page A4 PDF (content shrunk to the frame if ever needed)."""
    register_fonts()
    sheet = sheet or meeting_sheet(meeting=meeting, user=AnonymousUser())
    url = url or online_url(meeting)
    buffer = io.BytesIO()
    footer = _("Kollektif — le réseau des acteurs de l’ESS du Pas-de-Calais")

    def draw_footer(canvas, doc) -> None:
        canvas.setFont(FONT, 7)
        canvas.drawCentredString(A4[0] / 2, 7 * mm, footer)

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{_('Feuille de chou')} — {meeting.title}",
        author="Kollektif",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    )
    frame = Frame(MARGIN, MARGIN, A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN, id="sheet", leftPadding=0, rightPadding=0)
    doc.addPageTemplates([PageTemplate(id="feuille", frames=[frame], onPage=draw_footer)])
    story = feuille_story(meeting, sheet, url)
    doc.build([KeepInFrame(frame._width, frame._height - 2, story, mode="shrink")])
    return buffer.getvalue()


# --- Who receives it ------------------------------------------------------------------------


def _actor_email(actor: Actor) -> str:
    if actor.public_email:
        return actor.public_email.strip().lower()
    owner = actor.owners.filter(is_active=True).exclude(email="").order_by("pk").first()
    return owner.email.strip().lower() if owner else ""


def feuille_recipients(meeting: Meeting) -> list[tuple[Actor, str, str]]:
    """``(actor, e-mail, reason)``: the participants, then the ambassadors of the meeting's EPCI
    who were not there; never an actor who opted out, never one address twice."""
    participants = list(meeting.participants.filter(feuille_opt_out=False).order_by("name", "pk"))
    present = set(meeting.participants.values_list("pk", flat=True))
    absent = []
    if meeting.commune.epci_id:
        absent = list(
            Actor.objects.filter(
                labels__slug=AMBASSADOR_LABEL_SLUG, commune__epci_id=meeting.commune.epci_id, feuille_opt_out=False
            )
            .exclude(pk__in=present)
            .distinct()
            .order_by("name", "pk")
        )
    seen: set[str] = set()
    result = []
    for actors, reason in ((participants, FeuilleReason.PARTICIPANT), (absent, FeuilleReason.ABSENT)):
        for actor in actors:
            email = _actor_email(actor)
            if email and email not in seen:
                seen.add(email)
                result.append((actor, email, reason))
    return result


def unsubscribe_token(recipient: FeuilleRecipient) -> str:
    return signing.dumps(recipient.pk, salt=UNSUBSCRIBE_SALT)


def recipient_from_token(token: str) -> FeuilleRecipient | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return FeuilleRecipient.objects.select_related("actor", "meeting").filter(pk=pk).first()


@transaction.atomic
def feuille_unsubscribe(recipient: FeuilleRecipient) -> bool:
    """The actor no longer receives feuilles de chou. False if this link was already used."""
    recipient = FeuilleRecipient.objects.select_for_update().get(pk=recipient.pk)
    if recipient.unsubscribed_at is not None:
        return False
    recipient.unsubscribed_at = timezone.now()
    recipient.save(update_fields=["unsubscribed_at"])
    if recipient.actor_id:
        Actor.objects.filter(pk=recipient.actor_id).update(feuille_opt_out=True)
    return True


@transaction.atomic
def feuille_send(meeting: Meeting) -> int:
    """E-mail the published feuille de chou to whoever should get it and has not yet.

    Idempotent (publishing again after adding a participant only writes to the newcomer);
    returns how many e-mails were queued in the outbox."""
    meeting = Meeting.objects.select_for_update().select_related("commune").get(pk=meeting.pk)
    if not meeting.is_published:
        return 0
    already = set(meeting.feuille_recipients.values_list("email", flat=True))
    todo = [row for row in feuille_recipients(meeting) if row[1] not in already]
    if not todo:
        return 0
    sheet = meeting_sheet(meeting=meeting, user=AnonymousUser())
    url = online_url(meeting)
    pdf = attachment(f"feuille-de-chou-{meeting.slug}.pdf", render_feuille_pdf(meeting, sheet, url), "application/pdf")
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for actor, email, reason in todo:
        recipient = FeuilleRecipient.objects.create(meeting=meeting, actor=actor, email=email, reason=reason)
        unsubscribe_url = base + reverse("annuaire:feuille_unsubscribe", args=[unsubscribe_token(recipient)])
        send_templated_email(
            to=[email],
            subject=_("Feuille de chou : %(title)s") % {"title": meeting.title},
            template="annuaire_feuille_de_chou",
            context={
                "meeting": meeting,
                "actor": actor,
                "absent": reason == FeuilleReason.ABSENT,
                "online_url": url,
                "unsubscribe_url": unsubscribe_url,
                "when": date_format(timezone.localtime(meeting.starts_at), "j F Y"),
            },
            attachments=[pdf],
            about=recipient,
        )
    return len(todo)
