"""Validators for the legal identity of an association.

SIREN uses python-stdnum (Luhn checksum); the RNA number ("W" then 9 characters, the
department part may be 2A/2B for Corsica) has no checksum, so a pattern is all there is.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siren as stdnum_siren

RNA_PATTERN = re.compile(r"^W[0-9][0-9AB][0-9]{7}$")


def normalize_rna(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_rna(value: str) -> None:
    if not RNA_PATTERN.match(normalize_rna(value)):
        raise ValidationError(
            _("Le numéro RNA doit commencer par W suivi de 9 chiffres (par exemple W622001234)."),
            code="invalid_rna",
        )


def normalize_siren(value: str) -> str:
    return stdnum_siren.compact(value or "")


def validate_siren(value: str) -> None:
    try:
        stdnum_siren.validate(value)
    except stdnum_exceptions.InvalidLength as exc:
        raise ValidationError(_("Le SIREN doit comporter 9 chiffres."), code="invalid_siren") from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _("Ce numéro SIREN n'est pas valide (la clé de contrôle ne correspond pas)."),
            code="invalid_siren",
        ) from exc


SIGNATURE_MAX_BYTES = 1024 * 1024


def validate_signature_png(upload) -> None:
    """A signature printed on receipts: a real PNG image, small enough for every PDF."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > SIGNATURE_MAX_BYTES:
        raise ValidationError(_("La signature doit peser moins de 1 Mo."))
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            if image.format != "PNG":
                raise ValidationError(_("La signature doit être une image PNG."))
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError(_("Ce fichier n'est pas une image PNG lisible.")) from exc
    finally:
        upload.seek(position)
