"""One layout per kind of document, each a function ``(doc, styles, signature) -> story``.

Why a registry: the renderer fits any story on one page the same way; adding a kind of
document is one module here and one line in ``STORIES``. An annual summary is not a kind
of its own: it is an individual tax receipt with ``doc.year`` set.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable

from ...document import DocumentKind, ReceiptDocument
from ..styles import Styles
from .membership import membership_story
from .payment import payment_story
from .tax import tax_story

Layout = Callable[[ReceiptDocument, Styles, bytes | None], list[Flowable]]

STORIES: dict[str, Layout] = {
    DocumentKind.TAX_INDIVIDUAL: tax_story,
    DocumentKind.TAX_COMPANY: tax_story,
    DocumentKind.MEMBERSHIP_CERTIFICATE: membership_story,
    DocumentKind.PAYMENT_CONFIRMATION: payment_story,
}
