"""Validators shared by every app (the kernel: no app-specific import here)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kernel.mail import HEADER_CONTROL_CHARACTERS


def validate_single_line(value: str) -> None:
    """Refuse control characters (line breaks, NUL, tabulations, U+2028…) in a one-line text.

    Such a text reaches e-mail headers (an association's name is in the subject of every
    invitation, confirmation and receipt): a line break there makes Django refuse to send
    (``BadHeaderError``, protection against header injection, RFC 5322 §2.2).
    """
    if value and HEADER_CONTROL_CHARACTERS.search(str(value)):
        raise ValidationError(
            _("Ce texte doit tenir sur une ligne, sans retour à la ligne ni caractère de contrôle."),
            code="control_characters",
        )
