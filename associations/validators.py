"""Validators for the legal identity of an association, and for every uploaded picture.

SIREN uses python-stdnum (Luhn checksum); the RNA number ("W" then 9 characters, the
department part may be 2A/2B for Corsica) has no checksum, so a pattern is all there is.
"""

from __future__ import annotations

import re
import struct
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image
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
# What Pillow raises on hostile files: its own fuzzing finds more than OSError and SyntaxError.
UNREADABLE_IMAGE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
    ZeroDivisionError,
    struct.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def _unreadable_image_message() -> str:
    return _(
        "Cette image est illisible ou trop grande : enregistrez-la de nouveau (PNG, JPEG, GIF ou WebP) "
        "en moins de %(pixels)s millions de pixels."
    ) % {"pixels": settings.KOLLEKTIF_IMAGE_MAX_PIXELS // 1_000_000}


def validate_image_file(upload, *, allowed_formats: frozenset[str] | None = None) -> str:
    """Decode the whole picture once, under a pixel budget, and refuse what Pillow cannot read.

    Why: Wagtail and Pillow only read an image's header at upload time; a truncated GIF, a
    broken WebP or a decompression bomb then fail later, in a rendition or a PDF, as a 500.
    Every image upload (Wagtail images, the signup logo, the receipt signature) calls this.
    Pillow's decompression bomb protection warns above ``Image.MAX_IMAGE_PIXELS`` and raises
    above twice that (https://pillow.readthedocs.io/en/stable/reference/Image.html#PIL.Image.open);
    the warning is an error here, and our own, lower budget is checked before decoding.
    Returns the Pillow format name ("PNG", "JPEG"…).
    """
    max_pixels = min(settings.KOLLEKTIF_IMAGE_MAX_PIXELS, Image.MAX_IMAGE_PIXELS or settings.KOLLEKTIF_IMAGE_MAX_PIXELS)
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as picture:
                image_format = picture.format
                width, height = picture.size
                if width * height > max_pixels or width <= 0 or height <= 0:
                    raise ValidationError(_unreadable_image_message(), code="unreadable_image")
                picture.verify()  # structure and checksums, without decoding
            upload.seek(0)
            with Image.open(upload) as picture:
                picture.load()  # the full decode: a truncated or corrupt body fails here
    except UNREADABLE_IMAGE_ERRORS as exc:
        raise ValidationError(_unreadable_image_message(), code="unreadable_image") from exc
    finally:
        upload.seek(position)
    if allowed_formats is not None and image_format not in allowed_formats:
        raise ValidationError(
            _("Format d'image non accepté : %(formats)s.") % {"formats": ", ".join(sorted(allowed_formats))},
            code="image_format",
        )
    return image_format


def validate_signature_png(upload) -> None:
    """A signature printed on receipts: a real PNG image, small enough for every PDF."""
    if upload.size > SIGNATURE_MAX_BYTES:
        raise ValidationError(_("La signature doit peser moins de 1 Mo."))
    try:
        validate_image_file(upload, allowed_formats=frozenset({"PNG"}))
    except ValidationError as exc:
        if exc.code == "image_format":
            raise ValidationError(_("La signature doit être une image PNG."), code="image_format") from exc
        raise
