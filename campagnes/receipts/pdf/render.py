"""From a ``ReceiptDocument`` to the bytes of a one-page, read-only, reproducible PDF.

Why it is built this way:

* Legal document, kept for years: the same snapshot must give the same bytes (reportlab's
  invariant mode, a creation date taken from the issue date, a file id seeded from the
  document), so a stored hash keeps matching when the PDF is regenerated.
* One page, always: the story is rebuilt at smaller text sizes until it fits, and
  KeepInFrame's shrink is the last resort, rather than spilling on a second page or
  cutting a legally required mention.
* The file carries owner-only encryption: anyone opens, prints and copies it without a
  password, viewers refuse editing. That is a deterrent, not a guarantee (tools can strip
  it): the proof is the stored snapshot and its hash.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepInFrame, PageTemplate, Paragraph

from ..document import DocumentKind, ReceiptDocument
from .blocks import signature_image_bytes
from .layouts import STORIES
from .styles import (
    CONTENT_WIDTH,
    FONT_BOLD,
    FOOTER_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SCALES,
    register_fonts,
    styles,
)
from .text import markup


def render_receipt_pdf(doc: ReceiptDocument, *, owner_password: str | None = None) -> bytes:
    """The PDF of one receipt, attestation or payment confirmation: one A4 page, as bytes.

    Pure function of ``doc``: no database, no clock, no system font, so the same snapshot
    always gives byte-identical output. ``owner_password`` unlocks editing in viewers that
    honour PDF permissions; by default it is derived from the document (stable across
    renders), pass a secret of your own (e.g. an HMAC of the number) to keep it private.
    """
    register_fonts()
    signature = signature_image_bytes(doc.signatory.signature_png)
    # These are French legal documents whatever the language of the request that made
    # them; pinning the language also keeps the bytes independent of it.
    with translation.override("fr"):
        return _build_pdf(doc, signature, owner_password or _default_owner_password(doc))


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


def _default_owner_password(doc: ReceiptDocument) -> str:
    # Stable for a given document (determinism); not meant as a secret.
    seed = f"kollektif-receipt:{doc.kind}:{doc.number}:{doc.issued_on.isoformat()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


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
        make_story = STORIES[doc.kind]
    except KeyError:
        raise ValueError(f"unknown document kind: {doc.kind!r}") from None
    story: list[Flowable] = []
    for scale in SCALES:
        story = make_story(doc, styles(scale), signature)
        if _story_height(story, CONTENT_WIDTH, frame_height) <= frame_height - 1:
            break
    return [KeepInFrame(CONTENT_WIDTH, frame_height, story, mode="shrink", vAlign="TOP")]


def _canvas_maker(doc: ReceiptDocument) -> Callable[..., Canvas]:
    """A canvas whose file identifier depends on the document only.

    In invariant mode reportlab seeds the file id (which also keys the encryption) with a
    fixed date, or with SOURCE_DATE_EPOCH when that variable is set, as some build and
    deployment tools do: the same receipt would then change bytes from one server to
    another. We re-seed it from the issue date (``_doc.signature`` is reportlab's
    internal md5; the version is pinned and a test covers it).
    """

    def make(*args: Any, **kwargs: Any) -> Canvas:
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
        f"Document émis via Kollektif pour le compte de {markup(doc.beneficiary.name)} — page 1/1",
        styles(1.0).footer,
    )
    _, footer_height = footer.wrap(CONTENT_WIDTH, PAGE_HEIGHT)
    bottom_margin = FOOTER_BOTTOM + footer_height + 4 * mm
    frame_height = PAGE_HEIGHT - MARGIN_TOP - bottom_margin
    created = doc.issued_on

    def on_page(canvas: Canvas, _template_doc: BaseDocTemplate) -> None:
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
