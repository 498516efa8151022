"""Demo and test data helpers that need no test package: the demo runs on the runtime lock alone."""

from __future__ import annotations

import io

from django.core.files.images import ImageFile
from django.utils.text import slugify
from wagtail.images import get_image_model

from kernel.demo_images import picture_png

DEFAULT_PASSWORD = "Kollektif-demo-62"


def make_image(title: str, *, collection=None, width: int = 1200, height: int = 600):
    image_model = get_image_model()
    upload = ImageFile(
        io.BytesIO(picture_png(title, width=width, height=height)), name=f"{slugify(title) or 'image'}.png"
    )
    extra = {"collection": collection} if collection else {}
    image = image_model(title=title, file=upload, **extra)
    image._set_image_file_metadata()
    image.save()
    return image


def signature_png(text: str = "Signature") -> bytes:
    """A small handwritten-looking signature image (demo and tests)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(20, 80), (80, 30), (120, 90), (180, 40), (240, 85), (330, 50)], fill="black", width=4)
    draw.text((20, 95), text[:40], fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_eligible(
    association,
    *,
    status: str = "interet-general",
    signatory: str = "Camille Lefebvre",
    capacity: str = "Présidente",
    with_signature: bool = True,
    **fields,
):
    """Declares the association able to issue tax receipts (self-assessed general interest)."""
    from django.core.files.base import ContentFile

    association.tax_status = status
    association.tax_basis = fields.pop("tax_basis", "auto-evaluation")
    association.receipt_signatory_name = signatory
    association.receipt_signatory_capacity = capacity
    for name, value in fields.items():
        setattr(association, name, value)
    if with_signature:
        association.receipt_signature.save("signature.png", ContentFile(signature_png(signatory)), save=False)
    association.full_clean()
    association.save()
    return association
